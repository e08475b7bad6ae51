"""Every kind of audit event reads as a sentence naming people, never internal keys."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import pdplanner
from pdplanner.audit.labels import KINDS, EventNames, KnownPerson, sentence
from pdplanner.audit.models import AuditEvent

SOURCE = Path(pdplanner.__file__).parent


def kinds_written_in_the_code() -> dict[str, str]:
    """Every action string passed to record(...) or record_many(...), with where it is: the
    first argument, or each branch of a conditional expression there."""
    found = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ("record", "record_many"):
                continue
            for part in ast.walk(node.args[0]):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found[part.value] = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
    return found


def test_every_kind_written_anywhere_has_a_label():
    written = kinds_written_in_the_code()
    assert len(written) > 40, "the scan found the record(...) calls"
    assert {"path_activity.verified", "lane.override_cleared", "user.reactivated"} <= set(written)
    missing = {kind: where for kind, where in written.items() if kind not in KINDS}
    assert missing == {}, f"audit kinds without a label in pdplanner/audit/labels.py: {missing}"


def test_the_scan_sees_conditional_kinds(tmp_path):
    tree = ast.parse('record("a.b" if x else "c.d", actor=None)')
    call = tree.body[0].value
    assert {p.value for p in ast.walk(call.args[0]) if isinstance(p, ast.Constant)} == {"a.b", "c.d"}


NOW = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
NADIA, MATEO, CORA = 1, 2, 3
NAMES = EventNames(
    people={NADIA: KnownPerson("Nadia Hoffmann", NOW - timedelta(days=30)),
            MATEO: KnownPerson("Mateo Chen", NOW - timedelta(days=30)),
            CORA: KnownPerson("Cora Diaz", NOW - timedelta(days=30))},
    people_by_email={"cora@example.org": "Cora Diaz"},
    cycles={7: "Autumn 2026"}, cohorts={5: "Questioning · Ready to move"}, schools={4: "North School"},
    schools_by_code={"NORTH": "North School"}, lanes={"fast": "Ready to move", "slow": "Building readiness"},
    districts={9: "Riverside"}, frameworks={6: "Educator competencies"}, resources={8: "Feedback lab"},
    resources_by_key={"feedback-lab": "Feedback lab"}, activities={11: "Feedback lab"},
)
# What each kind's writer puts in its details (pdplanner's record(...) calls), for one event.
DETAILS = {
    "educator_id": MATEO, "educator_ids": [MATEO], "cycle_id": 7, "coach": "cora@example.org",
    "coach_id": [None, CORA], "role": "coach", "school": "NORTH", "status": ["in_progress", "done"],
    "lane": ["slow", "fast"], "reason": "ready", "months": [None, 24],
    "changed": {"fast_lane_readiness": [0.6, 0.7]},
    "file": "ratings.csv", "scope": "district", "report": "growth plan", "competencies": ["COG.1", "COG.2"],
    "name": "Laptop", "email": "mateo@example.org", "code": "RIV", "slug": "educator-competencies",
    "version": 2, "key": "feedback-lab", "resource": "feedback-lab", "created": 3, "updated": 1,
    "deactivated": 0, "rejected": 0, "method": "GET", "path": "/people/12", "via": "roster",
    "changes": ["email: mateo@example.org → mateo.chen@example.org"],
}
SUBJECTS = {"user": MATEO, "cycle": 7, "cohort": 5, "school": 4, "district": 9, "framework": 6,
            "resource": 8, "pathactivity": 11, "placement": 12, "conditionsframework": 13}


def subject_of(kind: str) -> str:
    prefix = kind.split(".")[0]
    return {"path_activity": "pathactivity", "lane": "placement", "path": "resource", "plan": "cycle",
            "resources": "resource", "retention": "district", "roster": "district",
            "self_ratings": "user", "self_assessment": "user", "coach_ratings": "user", "caseload": "user",
            "calibration_outcome": "user", "conditions_framework": "conditionsframework",
            "role": "user", "password": "user", "set_password_link": "user", "api_token": "user",
            "sign_in": "user", "sign_out": "user", "export": "user", "report": "user",
            "access": "user", "planning_settings": "district"}.get(prefix, prefix)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_label_is_a_sentence_naming_people(kind):
    subject_type = subject_of(kind)
    event = AuditEvent(action=kind, occurred_at=NOW, actor_id=NADIA, subject_type=subject_type,
                       subject_id=SUBJECTS[subject_type], details=DETAILS)
    text = sentence(event, NAMES)
    assert text[0].isupper() and text.startswith(("Nadia Hoffmann", "A sign-in")), text
    assert kind not in text and "None" not in text and "{" not in text, text
    keys = [f"{word} {n}" for word in ("user", "person", "cycle", "id") for n in range(20)]
    assert not any(key in text for key in keys), text
    if kind != "sign_in.failed":
        assert "Nadia Hoffmann" in text
    # Internal keys of schools, lanes and settings never show: their names do.
    assert "NORTH" not in text and "fast" not in text and "slow" not in text and "_" not in text, text
    assert KINDS[kind].title and KINDS[kind].title[0].isupper()


def test_the_issue_example_reads_as_written():
    event = AuditEvent(action="path_activity.verified", occurred_at=NOW, actor_id=NADIA,
                       subject_type="pathactivity", subject_id=11, details={"educator_id": MATEO})
    assert sentence(event, NAMES) == "Nadia Hoffmann verified evidence for Mateo Chen"


def test_deleted_people_the_system_and_reused_ids_are_said_so():
    deleted = AuditEvent(action="user.deactivated", occurred_at=NOW, actor_id=99, subject_type="user",
                         subject_id=98, details={})
    assert sentence(deleted, NAMES) == "A deleted person deactivated a deleted person"
    by_cli = AuditEvent(action="cycle.opened", occurred_at=NOW, actor_id=None, subject_type="cycle",
                        subject_id=7, details={})
    assert sentence(by_cli, NAMES) == "The system opened cycle “Autumn 2026”"
    # An id SQLite handed to a newer account never names the older event's person.
    before_mateo = AuditEvent(action="sign_out", occurred_at=NOW - timedelta(days=60), actor_id=MATEO,
                              subject_type="user", subject_id=MATEO, details={})
    assert sentence(before_mateo, NAMES) == "A deleted person signed out"
    own = AuditEvent(action="path_activity.updated", occurred_at=NOW, actor_id=MATEO,
                     subject_type="pathactivity", subject_id=11,
                     details={"educator_id": MATEO, "status": ["planned", "in_progress"]})
    assert sentence(own, NAMES) == "Mateo Chen marked their activity “Feedback lab” as in progress"


def test_schools_lanes_settings_and_changes_read_in_words():
    def says(kind, subject_type="user", subject_id=MATEO, actor=NADIA, **details):
        return sentence(AuditEvent(action=kind, occurred_at=NOW, actor_id=actor, subject_type=subject_type,
                                   subject_id=subject_id, details=details), NAMES)

    assert says("role.granted", role="teacher", school="NORTH") == \
        "Nadia Hoffmann made Mateo Chen a teacher at North School"
    assert says("lane.overridden", "placement", 12, educator_id=MATEO, lane=[None, "slow"]) == \
        "Nadia Hoffmann moved Mateo Chen to the lane “Building readiness”"
    assert says("planning_settings.changed", "district", 9, changed={"fast_lane_readiness": [0.6, 0.7]}) == \
        "Nadia Hoffmann changed the planning rules (readiness for the first lane)"
    assert says("user.updated", changes=["name: Mateo Chen → Mateo Chen-Ruiz"]) == \
        "Nadia Hoffmann updated Mateo Chen: name: Mateo Chen → Mateo Chen-Ruiz"
    assert says("export.downloaded", actor=MATEO, file="data.zip", scope="own") == \
        "Mateo Chen downloaded their own data (data.zip)"


def test_the_current_user_proxy_is_recorded_as_a_user(app, db):
    """A subject passed as flask_login's current_user once came out as "localproxy"."""
    from flask_login import current_user, login_user

    from pdplanner.audit.services import record
    from tests.factories import create_user

    person = create_user()
    with app.test_request_context():
        login_user(person)
        event = record("export.downloaded", actor=current_user, subject=current_user, file="data.zip")
    assert (event.subject_type, event.subject_id) == ("user", person.id)


def test_a_kind_this_release_does_not_know_still_reads():
    event = AuditEvent(action="something.new", occurred_at=NOW, actor_id=NADIA, details={})
    assert sentence(event, NAMES) == "Nadia Hoffmann: something.new"
