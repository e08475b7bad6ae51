"""Hostile input answers a clear 4xx, never a server error (issue 12, item 12).

The walk takes every route of the role x route table (tests/test_authorization.py) and puts
hostile ids into each id of its path and each of its query arguments, plus the query arguments
pages commonly read, as the roles that reach the most code. Focused tests follow for the other
shapes of hostile input: JSON bodies, form levels, NUL characters, long emails.
"""

import io
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from pdplanner.accounts.models import User
from pdplanner.accounts.services import create_token
from pdplanner.assessments.models import EvidenceFile
from pdplanner.cli import DEFAULT_FRAMEWORK
from pdplanner.database import ID_MAX
from pdplanner.extensions import db
from pdplanner.framework.models import Framework
from pdplanner.framework.services import read_native_file
from tests.helpers import sign_in_directly
from tests.test_authorization import ROUTES
from tests.test_authorization import built_world as built_world  # the fixtures
from tests.test_authorization import world as world

HOSTILE_IDS = {
    "2**31": str(ID_MAX + 1),
    "2**63": str(2**63),
    "5000 digits": "9" * 5000,
    "superscript two": "\u00b2",
}
# Query arguments some page or export reads, sent to every route whether it reads them or not.
COMMON_QUERY = ("cycle", "school", "page")
WALKERS = ("district_admin", "coach", "teacher")
NUMBER = re.compile(r"(?<=/)\d+(?=/|$)")


def hostile_variants(url: str, value: str) -> list[str]:
    """`url` with `value` in place of each id of its path, then of each query argument."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    variants = []
    for match in NUMBER.finditer(parts.path):
        path = parts.path[:match.start()] + value + parts.path[match.end():]
        variants.append(path + (f"?{parts.query}" if parts.query else ""))
    names = dict(query) | dict.fromkeys(COMMON_QUERY, None)
    for name in names:
        replaced = {**dict(query), name: value}
        variants.append(f"{parts.path}?{urlencode(replaced)}")
    return variants


@pytest.mark.parametrize("label", sorted(HOSTILE_IDS))
def test_hostile_ids_in_paths_and_queries_never_answer_5xx(app, client, world, monkeypatch, label):  # noqa: F811
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    value = HOSTILE_IDS[label]
    failures = []
    for endpoint, (method, url, expected) in sorted(ROUTES.items()):
        if endpoint in ("accounts.logout", "static"):
            continue
        # As the district admin, and as the first role that gets past the route's policy.
        for role in {"district_admin", next((r for r in WALKERS if expected[r] != 404), "district_admin")}:
            sign_in_directly(client, world.people[role])
            for hostile in hostile_variants(url(world), value):
                response = client.open(hostile, method=method)
                if response.status_code >= 500:
                    failures.append(f"{role} {method} {hostile[:100]} -> {response.status_code}")
    assert not failures, "\n".join(failures)


# -- JSON bodies -------------------------------------------------------------------------------

def bearer_of(user) -> dict:
    _, secret = create_token(user, "hostile")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def self_ratings_url(w) -> str:
    return f"/api/v1/educators/{w.people['teacher'].id}/ratings/self?cycle={w.cycle_id}"


NOTE = '{"ratings": [{"competency": "COG.1", "level": 3, "note": %s}]}'


@pytest.mark.parametrize("body,path,problem", [
    (NOTE % '"\\ud800 alone"', "ratings[0].note", "the text holds a lone surrogate"),
    (NOTE.replace('"note": %s', '"\\udfff": 1'), "ratings[0].\\udfff", "a key holds a lone surrogate"),
    ("[" * 100_000 + "]" * 100_000, "body", "nested deeper than 32 levels"),
    ('{"ratings": ' + "[" * 40 + "]" * 40 + "}", "ratings" + "[0]" * 31, "nested deeper than 32 levels"),
    (NOTE.replace('"level": 3', '"level": ' + "7" * 5000) % '"x"', "body",
     "a number has more than 4300 digits"),
    ('{"ratings": [', "body", "Invalid JSON body"),
    (b'{"ratings": "\xff"}', "body", "Invalid JSON body"),
])
def test_hostile_json_is_a_400_naming_the_problem(client, world, body, path, problem):
    response = client.put(self_ratings_url(world), data=body, headers=bearer_of(world.people["teacher"]))
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert f"{path}: {problem}" in response.json["detail"]
    assert response.json["errors"][path].startswith(problem)
    # Nothing was saved: the teacher's self-rating of COG.1 is still level 2.
    ratings = client.get(f"/api/v1/educators/{world.people['teacher'].id}/ratings?cycle={world.cycle_id}",
                         headers=bearer_of(world.people["teacher"])).json["ratings"]
    assert next(r for r in ratings if r["competency"] == "COG.1")["self"]["level"] == 2


def test_a_sound_json_body_still_saves(client, world):
    body = NOTE % '"fine \\u00e9 \\ud83d\\ude00"'   # a surrogate pair is a real character
    response = client.put(self_ratings_url(world), data=body, headers=bearer_of(world.people["teacher"]))
    assert response.status_code == 200, response.json


# -- form levels -------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["\u00b2", "\uff15", "\u0663", "7" * 5000, "-1", "2.0"])
def test_a_level_that_is_not_ascii_digits_of_the_scale_is_refused_naming_the_field(
        app, client, world, monkeypatch, level):
    """'²' passed str.isdigit() and then failed int() (a 500); '５' and '٣' were read as 5 and 3."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    sign_in_directly(client, world.people["teacher"])
    response = client.post(f"/assessment/{world.cycle_id}/COG", data={"COG_1__level": level},
                           headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "is not a level of the scale" in response.json["errors"]["COG_1__level"]
    api = client.put(self_ratings_url(world), headers=bearer_of(world.people["teacher"]),
                     json={"ratings": [{"competency": "COG.1", "level": level}]})
    assert api.status_code == 422 and "ratings[0].level" in api.json["errors"]


def test_an_ascii_level_of_the_scale_still_saves(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    sign_in_directly(client, world.people["teacher"])
    response = client.post(f"/assessment/{world.cycle_id}/COG", data={"COG_1__level": "3"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["saved"]


# -- framework files ----------------------------------------------------------------------------

def native_framework_json(**changes) -> str:
    document = read_native_file(DEFAULT_FRAMEWORK) | {"slug": "hostile"} | changes
    return json.dumps(document)


FRAMEWORK_FILES = {
    "JSON nested 100,000 deep": ("f.json", native_framework_json().replace(
        '"slug"', '"deep": ' + "[" * 100_000 + "]" * 100_000 + ', "slug"', 1),
        "the file: nested deeper than 32 levels"),
    "JSON nested 40 deep": ("f.json", native_framework_json(deep=json.loads("[" * 40 + "]" * 40)),
                            "deep" + "[0]" * 31 + ": nested deeper than 32 levels"),
    "CASE nested 5,000 deep": ("c.json", '{"CFDocument": ' + "[" * 5000 + "]" * 5000 + "}",
                               "nested deeper than 32 levels"),
    "YAML nested 5,000 deep": ("f.yaml", "slug: x\ndeep: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper"),
    "NUL in the title": ("f.json", native_framework_json(title="Teaching\u0000 framework"),
                         "title: the text holds a NUL character"),
    "lone surrogate in the title": ("f.json", native_framework_json(title="Teaching \ud800"),
                                    "title: the text holds a lone surrogate"),
    "5,000-digit number": ("f.json", native_framework_json(version=1).replace(
        '"version": 1', '"version": ' + "9" * 5000), "a number has more than 4300 digits"),
    "5,000-digit number in YAML": ("f.yaml", "slug: x\nversion: " + "9" * 5000 + "\n", "cannot be read"),
}


@pytest.mark.parametrize("case", sorted(FRAMEWORK_FILES))
def test_a_hostile_framework_file_is_refused_naming_the_problem(client, world, case):
    name, content, problem = FRAMEWORK_FILES[case]
    before = db.session.scalar(select(func.count(Framework.id)))
    headers = bearer_of(world.people["district_admin"])
    del headers["Content-Type"]
    response = client.post("/api/v1/frameworks", headers=headers,
                           data={"file": (io.BytesIO(content.encode("utf-8", "surrogatepass")), name)})
    assert response.status_code == 422, response.json
    assert problem in response.json["errors"]["file"]
    assert db.session.scalar(select(func.count(Framework.id))) == before


# -- NUL characters and long emails ----------------------------------------------------------------

def test_a_nul_in_an_uploaded_files_name_is_refused_naming_the_field(app, client, world, monkeypatch):
    """The evidence file's original name is stored and shown: PostgreSQL cannot hold the NUL."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    sign_in_directly(client, world.people["teacher"])
    response = client.post(f"/assessment/{world.cycle_id}/COG", headers={"Accept": "application/json"},
                           data={"COG_2__level": "2",
                                 "COG_2__evidence_file": (io.BytesIO(b"%PDF-1.4 x"), "obs\x00.pdf")})
    assert response.status_code == 422
    assert response.json["errors"] == {"COG_2__evidence_file": "contains a NUL character (U+0000)"}
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 1   # the world's own


HEADER_ROW = b"email,given name,family name,role,school code,coach email\n"
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 5 + ["c" * 10]) + ".org"   # 399 characters


def test_a_399_character_email_is_refused_naming_the_field_everywhere(app, client, world, monkeypatch):
    assert len(LONG_EMAIL) == 399
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    pages = {"/login": {"email": LONG_EMAIL, "password": "x" * 12},
             "/password-reset": {"email": LONG_EMAIL}}
    for url, form in pages.items():
        response = client.post(url, data=form)
        assert response.status_code == 200, url
        assert "longer than 254 characters" in response.get_data(as_text=True), url
    sign_in_directly(client, world.people["district_admin"])
    response = client.post("/people/new", data={"email": LONG_EMAIL, "given_name": "Al",
                                                "family_name": "Long", "role": "district_admin"})
    assert response.status_code == 200 and "longer than 254 characters" in response.get_data(as_text=True)
    api = client.post("/api/v1/people", headers=bearer_of(world.people["district_admin"]),
                      json={"email": LONG_EMAIL, "given_name": "Al", "family_name": "Long",
                            "roles": [{"role": "district_admin"}]})
    assert api.status_code == 422 and "email" in api.json["errors"]
    roster = HEADER_ROW + f"{LONG_EMAIL},Al,Long,teacher,S1,\n".encode()
    token = {"Authorization": api.request.headers["Authorization"]}
    preview = client.post("/api/v1/roster/preview", headers=token,
                          data={"file": (io.BytesIO(roster), "people.csv")})
    assert preview.status_code == 200, preview.json
    assert any("email:" in r["reason"] and "is not an email address" in r["reason"]
               for r in preview.json["rejected"]), preview.json
    assert db.session.scalar(select(func.count(User.id)).where(User.email == LONG_EMAIL)) == 0


SETTINGS = {"current_level_policy": "self", "goals_per_educator": "3", "goals_per_domain": "2",
            "interest_bonus": "0.5", "foundational_bonus": "0.25", "fast_lane_readiness": "0.6",
            "fast_lane_min_domain_mean": "2.5", "fast_lane_label": "Fast", "slow_lane_label": "Slow",
            "cohort_min_size": "3", "cohort_max_size": "8", "coach_caseload_limit": "20"}


@pytest.mark.parametrize("value", ["\u00b2", "9" * 5000, "99999999999", "1e999999", "NaN", "-inf"])
def test_hostile_numbers_in_the_settings_form_are_refused_not_a_500(app, client, world, monkeypatch, value):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    sign_in_directly(client, world.people["district_admin"])
    assert client.post("/planning/settings", data=SETTINGS).status_code == 302   # sound values save
    for name in ("goals_per_educator", "interest_bonus", "cohort_max_size", "fast_lane_readiness"):
        response = client.post("/planning/settings", data=SETTINGS | {name: value})
        assert response.status_code in (200, 400, 422), (name, response.status_code)
        assert response.status_code != 302, f"{name}={value[:20]!r} was saved"
