"""schemathesis against the whole API, as each role, with the app's own OpenAPI document.

For each role (a Bearer token of the teacher, the coach, the principal, the district admin of
`planned_town`), every operation of the document is called twice over:

- *generated*: every parameter and body drawn from the document's schemas, ids included, so
  most calls name things that do not exist or that the caller may not see (404), or carry
  values at the edges of what the schemas allow (huge integers, long strings, odd unicode);
- *seeded*: the path ids and the `cycle` query parameter pinned to the world's real ones (the
  teacher, their school, cohort, path activity ...), so the handlers behind the 404s run too,
  with generated bodies and other parameters;
- *examples*: the document's `example` values (a competency code, say) on the world's ids;
- *given*: for writes whose bodies hold ids, a valid body naming the world's records, so their
  services' success paths run too.

Every response must pass schemathesis' checks: no server error, a status code and content type
the document declares for the operation, and a body that matches the declared schema.

Writes change the world as the run goes (a coach may remove the path activity; the admin may
close the cycle): each role starts from a fresh `planned_town` (the `db` fixture empties every
table after each test), and the run is derandomized, so a failure replays the same way.
Nothing is excluded.
"""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
ROLES = ["teacher", "coach", "principal", "admin"]
# How many (operation, run) pairs answer 2xx at least once, at the least, as each role: a guard
# against a run that only ever meets 404s and 422s (a pinned id that stopped matching, say).
MIN_SUCCEEDED = {"teacher": 16, "coach": 30, "principal": 20, "admin": 32}
# Writes each role must get through at least once: the examples' bodies reach the services.
MUST_SUCCEED = {
    "teacher": ["PUT /api/v1/educators/{educator_id}/ratings/self (examples)",
                "PUT /api/v1/path-activities/{activity_id} (seeded)"],
    "coach": ["PUT /api/v1/educators/{educator_id}/ratings/coach (examples)",
              "POST /api/v1/educators/{educator_id}/path (given)",
              "POST /api/v1/cohorts/{cohort_id}/path (given)"],
    "principal": ["GET /api/v1/schools/{school_id}/readiness (seeded)",
                  "GET /api/v1/cohorts (seeded)",
                  "PUT /api/v1/cohorts/{cohort_id}/coach (given)"],
    "admin": ["GET /api/v1/districts/{district_id}/summary (seeded)",
              "PUT /api/v1/retention (generated)",
              "POST /api/v1/resources (given)", "PUT /api/v1/resources/{resource_id} (given)",
              "POST /api/v1/cycles (given)", "POST /api/v1/people/{person_id}/roles (given)",
              "POST /api/v1/roster/preview (given)", "POST /api/v1/roster/import (given)",
              "POST /api/v1/frameworks (given)"],
}
ROSTER = (b"email,given name,family name,role,school code,coach email\r\n"
          b"new.teacher@town.org,Nia,Teacher,teacher,NORTH,coach@town.org\r\n")
FRAMEWORK = (Path(__file__).parents[1] / "framework/fixtures/case/v1p1-with-rubrics.json").read_bytes()
# Bounded so the whole run stays well under a minute per backend: generated values cover the
# edges first (hypothesis tries boundaries early), and derandomize makes the run reproducible.
EXAMPLES = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck))


# Each run authenticates with its role's Bearer token: a generated session cookie would only
# meet the CSRF check (tests/api/test_csrf.py covers that), so security parameters are not drawn.
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})


def pinned_ids(town) -> dict:
    """The world's real id for every path parameter name the API uses."""
    ids = {"educator_id": town.teacher, "person_id": town.teacher, "coach_id": town.coach,
           "school_id": town.school, "framework_id": town.framework, "cycle_id": town.cycle,
           "district_id": town.district,
           "cohort_id": town.cohort, "activity_id": town.activity, "resource_id": town.resource}
    return {name: record.id for name, record in ids.items()}


def given_bodies(town) -> dict:
    """Valid bodies naming the world's records, for the writes whose bodies hold ids: generated
    ids name nothing (422), so these run the services' success paths, whatever ids the backend
    handed out."""
    activity = {"title": "Peer visit", "kind": "peer-observation", "competencies": ["COG.2"],
                "level_min": 1, "level_max": 3, "hours": 2.5, "lanes": ["fast"]}
    assign = {"resource": town.resource.id, "competency": "COG.2"}
    return {
        ("POST", "/api/v1/educators/{educator_id}/path"): assign,
        ("POST", "/api/v1/cohorts/{cohort_id}/path"): assign,
        ("POST", "/api/v1/cohorts/{cohort_id}/members"): {"person": town.colleague.id},
        ("PUT", "/api/v1/cohorts/{cohort_id}/coach"): {"coach": town.coach.id},
        ("POST", "/api/v1/people/{person_id}/roles"): {"role": "coach", "school": town.school.id},
        ("POST", "/api/v1/resources"): activity,
        ("PUT", "/api/v1/resources/{resource_id}"): activity,
        ("POST", "/api/v1/cycles"): {"name": "Mid-year", "opens_on": "2027-01-10",
                                     "closes_on": "2027-02-10", "framework": town.framework.id},
        # Uploads: a roster naming the world's school and coach, and a framework file.
        ("POST", "/api/v1/roster/preview"): {"file": ROSTER},
        ("POST", "/api/v1/roster/import"): {"file": ROSTER},
        ("POST", "/api/v1/frameworks"): {"file": FRAMEWORK},
    }


def parameters(document: dict, operation) -> dict[str, set[str]]:
    item = document["paths"][operation.path]  # path parameters sit on the path item
    declared = item.get("parameters", []) + item[operation.method.lower()].get("parameters", [])
    found: dict[str, set[str]] = {}
    for parameter in declared:
        found.setdefault(parameter["in"], set()).add(parameter["name"])
    return found


def strategies(document: dict, operation, headers: dict, town):
    yield "generated", operation.as_strategy(headers=headers)
    declared = parameters(document, operation)
    path = {k: v for k, v in pinned_ids(town).items() if k in declared.get("path", set())}
    query = {"cycle": town.cycle.id} if "cycle" in declared.get("query", set()) else {}
    if path or query:
        yield "seeded", operation.as_strategy(headers=headers, path_parameters=path or None,
                                              query=query or None)
    # The document's examples (a competency code, say), on the world's ids: bodies that pass
    # validation, so the services behind them run as well.
    for strategy in operation.get_strategies_from_examples(headers=headers, path_parameters=path or None,
                                                           query=query or None):
        yield "examples", strategy
    body = given_bodies(town).get((operation.method.upper(), operation.path))
    if body is not None:
        yield "given", operation.as_strategy(headers=headers, path_parameters=path or None,
                                             query=query or None, body=body)


def failure_of(strategy, statuses: set[int]) -> str | None:
    """Run one strategy's examples, adding the status codes seen to `statuses`; the first
    failing example's report, or None."""

    @EXAMPLES
    @given(case=strategy)
    def check(case):
        statuses.add(case.call_and_validate(checks=CHECKS).status_code)

    try:
        check()
    except Exception as exc:  # noqa: BLE001 - every kind of failure is reported the same way
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_the_api_as(app, client, planned_town, bearer, role):
    document = client.get("/api/v1/openapi.json").json
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    schema.app = app
    headers = bearer(getattr(planned_town, role))
    failures, answered = [], {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for name, strategy in strategies(document, operation, headers, planned_town):
            label = f"{operation.method.upper()} {operation.path} ({name})"
            failure = failure_of(strategy, answered.setdefault(label, set()))
            if failure is not None:
                failures.append(f"{label}: {failure}")
    assert not failures, "\n\n".join(failures)
    # The seeded runs reach the handlers: every role may read the teacher's plan in the cycle.
    succeeded = {label for label, statuses in answered.items() if any(200 <= s < 300 for s in statuses)}
    assert "GET /api/v1/educators/{educator_id}/plan (seeded)" in succeeded
    assert len(succeeded) >= MIN_SUCCEEDED[role], sorted(succeeded)
    assert set(MUST_SUCCEED[role]) <= succeeded, sorted(succeeded)
