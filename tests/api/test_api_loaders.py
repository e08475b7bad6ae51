"""The API loads what a route takes by id with the loaders of pdplanner/permissions.py: an object
of another district and an id that names nothing give the same problem+json 404, and only the
refusal is audited."""

import pytest
from sqlalchemy import select

from pdplanner.accounts.services import create_token
from pdplanner.audit.models import AuditEvent
from tests.test_loaders import LOADERS, MISSING
from tests.test_loaders import world as world  # the fixture

# route -> (method, path with {} for the id, the world's foreign id, who calls, a body if any)
ROUTES = {
    "cycle": ("GET", "/api/v1/cycles/{}", "cycle_id", "coach", None),
    "cycle to open": ("POST", "/api/v1/cycles/{}/open", "cycle_id", "admin", None),
    "cycle of ratings": ("GET", "/api/v1/educators/{coach}/ratings?cycle={}", "cycle_id", "coach", None),
    "requested cycle": ("GET", "/api/v1/caseload?cycle={}", "cycle_id", "coach", None),
    "dashboard cycle": ("GET", "/api/v1/dashboards/coach?cycle={}", "cycle_id", "coach", None),
    "plan cycle": ("GET", "/api/v1/cohorts?cycle={}", "cycle_id", "admin", None),
    "plan's cycle": ("GET", "/api/v1/educators/{coach}/plan?cycle={}", "cycle_id", "coach", None),
    "planning run": ("POST", "/api/v1/cycles/{}/plan/run", "cycle_id", "admin", None),
    "guided activity": ("DELETE", "/api/v1/path-activities/{}", "activity_id", "coach", None),
    "activity to verify": ("POST", "/api/v1/path-activities/{}/verify", "activity_id", "coach", {}),
    "own activity": ("PUT", "/api/v1/path-activities/{}", "activity_id", "coach", {}),
    "led cohort": ("POST", "/api/v1/cohorts/{}/confirm", "cohort_id", "admin", None),
    "cohort's coach": ("PUT", "/api/v1/cohorts/{}/coach", "cohort_id", "admin", {}),
    "resource": ("PUT", "/api/v1/resources/{}", "resource_id", "admin", {}),
    "coach in the URL": ("DELETE", "/api/v1/people/{coach}/coaches/{}", "person_id", "admin", None),
}
SUBJECT = {"cycle_id": "cycle", "activity_id": "path_activity", "cohort_id": "cohort",
           "resource_id": "resource", "person_id": "user"}


def test_the_subjects_are_those_of_the_loaders():
    assert set(SUBJECT.values()) <= {subject for _, _, subject in LOADERS.values()}


@pytest.mark.parametrize("name", ROUTES)
def test_the_api_answers_a_foreign_id_as_a_missing_one_and_audits_the_refusal(client, db, world, name):  # noqa: F811
    method, path, attribute, who, body = ROUTES[name]
    viewer = world.coach if who == "coach" else world.admin
    _, secret = create_token(viewer, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    foreign_id = getattr(world, attribute)
    foreign = client.open(path.format(foreign_id, coach=world.coach.id), method=method, json=body,
                          headers=headers)
    missing = client.open(path.format(MISSING, coach=world.coach.id), method=method, json=body,
                          headers=headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content_type == missing.content_type == "application/problem+json"
    assert foreign.json == missing.json
    denied = [e.details for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.actor_id == viewer.id))]
    assert [(d["denied"], d["denied_id"]) for d in denied] == [(SUBJECT[attribute], foreign_id)]
