"""The loaders of pdplanner/permissions.py: an object of another district (or otherwise outside
the rules) and an id that names nothing give the same 404, and only the refusal is audited."""

from datetime import date

import pytest
from flask import g
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from pdplanner import permissions
from pdplanner.accounts.models import Role, User
from pdplanner.accounts.services import create_token
from pdplanner.assessments.evidence import store_evidence
from pdplanner.assessments.services import RatingInput, create_cycle, open_cycle, save_self_ratings
from pdplanner.audit.models import AuditEvent
from pdplanner.extensions import db as _db
from pdplanner.planning.models import ActivityStatus, Cohort, PathActivity, Resource
from pdplanner.planning.services import import_catalogue
from tests.conftest import csrf_from
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, pdf_upload, sign_in_directly, without_csrf_tokens

MISSING = 999_999


class World:
    """A coach and an admin of HOME (and its open cycle), and one of everything in AWAY."""


@pytest.fixture
def world(db):
    w = World()
    home, away = create_district("HOME"), create_district("AWAY")
    w.coach = create_user(Role.COACH, school=create_school(home))
    w.admin = create_user(Role.DISTRICT_ADMIN, district=home)
    away_school = create_school(away)
    w.school_id = away_school.id
    stranger = create_user(Role.TEACHER, school=away_school)
    w.person_id = stranger.id
    framework = load_default_framework()
    open_cycle(create_cycle(district_id=home.id, name="Home cycle", opens_on=date(2026, 9, 1),
                            closes_on=date(2026, 10, 15), framework=framework))
    cycle = create_cycle(district_id=away.id, name="Away cycle", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 10, 15), framework=framework)
    open_cycle(cycle)
    w.cycle_id = cycle.id
    [rating] = save_self_ratings(stranger, cycle, [RatingInput("COG.1", level=2)])
    rating.evidence_file_id = store_evidence(stranger, pdf_upload()).id
    w.evidence_id = rating.evidence_file_id
    import_catalogue([{"key": "away-lab", "title": "Away lab", "kind": "workshop", "competencies": ["COG.2"],
                       "level_min": 1, "level_max": 2, "hours": 6.0, "lanes": ["slow"], "description": "",
                       "evidence": ""}], district_id=away.id)
    w.resource_id = db.session.scalar(select(Resource.id))
    cohort = Cohort(cycle_id=cycle.id, key="away-slow-cog2", lane="slow", focus="COG.2",
                    school_ids=[away_school.id], coach_id=None)
    activity = PathActivity(cycle_id=cycle.id, educator_id=stranger.id, resource_id=w.resource_id,
                            competency_code="COG.2", position=0, status=ActivityStatus.PLANNED)
    db.session.add_all([cohort, activity])
    db.session.flush()
    w.cohort_id, w.activity_id = cohort.id, activity.id
    w.token_id = create_token(stranger, "script")[0].id
    db.session.commit()
    return w


# loader name -> (how it is called, the world's foreign id, the refusal's subject in the audit log)
LOADERS = {
    "person": (permissions.get_person_or_404, "person_id", "user"),
    "plan owner": (lambda viewer, id_: permissions.get_plan_owner_or_404(viewer, id_, 1),
                   "person_id", "user"),
    "school": (permissions.get_school_or_404, "school_id", "school"),
    "cycle": (permissions.get_cycle_or_404, "cycle_id", "cycle"),
    "requested cycle": (permissions.requested_cycle, "cycle_id", "cycle"),
    "evidence": (permissions.get_evidence_or_404, "evidence_id", "evidence"),
    "cohort": (permissions.get_cohort_or_404, "cohort_id", "cohort"),
    "path activity": (permissions.get_path_activity_or_404, "activity_id", "path_activity"),
    "own path activity": (lambda viewer, id_: permissions.get_path_activity_or_404(viewer, id_, own=True),
                          "activity_id", "path_activity"),
    "resource": (permissions.get_resource_or_404, "resource_id", "resource"),
    "token": (permissions.get_token_or_404, "token_id", "api_token"),
}


def refusal(app, load, viewer, object_id):
    """The 404 `load` raises for `object_id`, and what it left for the audit log."""
    with app.test_request_context():
        with pytest.raises(NotFound) as raised:
            load(viewer, object_id)
        return raised.value.description, g.pop("access_denied", None)


@pytest.mark.parametrize("name", LOADERS)
def test_a_foreign_and_a_missing_id_give_the_same_404_and_only_the_refusal_is_audited(app, world, name):
    load, attribute, subject = LOADERS[name]
    foreign_id = getattr(world, attribute)
    foreign, foreign_denied = refusal(app, load, world.admin, foreign_id)
    missing, missing_denied = refusal(app, load, world.admin, MISSING)
    assert foreign == missing
    assert foreign_denied == {"denied": subject, "denied_id": foreign_id}
    assert missing_denied is None


def test_the_loaders_give_what_the_rules_allow(app, world):
    away_person = _db.session.get(User, world.person_id)
    with app.test_request_context():
        assert permissions.get_person_or_404(away_person, away_person.id) is away_person
        assert permissions.get_cycle_or_404(away_person, world.cycle_id).id == world.cycle_id
        assert permissions.get_evidence_or_404(away_person, world.evidence_id).id == world.evidence_id
        own = permissions.get_path_activity_or_404(away_person, world.activity_id, own=True)
        assert own.id == world.activity_id
        assert permissions.get_resource_or_404(away_person, world.resource_id).id == world.resource_id
        assert permissions.get_token_or_404(away_person, world.token_id).id == world.token_id


# Through the pages: the same answer for a foreign and a missing id, and the refusal in the log.
PAGES = {
    "person": ("GET", "/people/{}", "person_id", "admin"),
    "plan owner": ("GET", "/educators/{}/plan", "person_id", "coach"),
    "school": ("GET", "/reports/schools/{}/readiness.pdf", "school_id", "coach"),
    "cycle": ("GET", "/assessment/{}/review", "cycle_id", "coach"),
    "evidence": ("GET", "/evidence/{}", "evidence_id", "coach"),
    "resource": ("GET", "/resources/{}/edit", "resource_id", "admin"),
    "cohort": ("POST", "/cohorts/{}/confirm", "cohort_id", "admin"),
    "path activity": ("POST", "/path-activities/{}/remove", "activity_id", "coach"),
    "token": ("POST", "/account/tokens/{}/revoke", "token_id", "coach"),
}


@pytest.mark.parametrize("name", PAGES)
def test_pages_answer_a_foreign_id_as_a_missing_one_and_audit_the_refusal(client, db, world, name):
    method, path, attribute, who = PAGES[name]
    viewer = getattr(world, who)
    sign_in_directly(client, viewer)
    data = {"csrf_token": csrf_from(client, "/account")} if method == "POST" else None
    foreign = client.open(path.format(getattr(world, attribute)), method=method, data=data)
    missing = client.open(path.format(MISSING), method=method, data=data)
    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign) == without_csrf_tokens(missing)
    denied = [e.details for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.actor_id == viewer.id))]
    assert [(d["denied"], d["denied_id"]) for d in denied] == [(LOADERS[name][2], getattr(world, attribute))]
