"""Closing a cycle is confirmed and can be undone by a district admin (audited); a draft or open
cycle's dates can be changed, with clear messages (issue 15, item 6)."""

from datetime import date

import pytest
from sqlalchemy import select

from pdplanner.assessments.models import CycleStatus
from pdplanner.assessments.services import (
    AssessmentError,
    change_cycle_dates,
    close_cycle,
    create_cycle,
    open_cycle,
    reopen_cycle,
)
from pdplanner.audit.models import AuditEvent
from tests.conftest import csrf_from
from tests.helpers import sign_in_directly

TODAY = date(2026, 9, 20)


def _events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_district_admin_reopens_a_closed_cycle_and_the_audit_log_says_so(db, scene):
    close_cycle(scene.cycle, actor=scene.admin)
    reopen_cycle(scene.cycle, actor=scene.admin)
    assert scene.cycle.status == CycleStatus.OPEN
    [event] = _events(db, "cycle.reopened")
    assert (event.actor_id, event.subject_type, event.subject_id) == (scene.admin.id, "cycle", scene.cycle.id)


def test_reopening_is_refused_while_another_cycle_is_open(db, scene):
    close_cycle(scene.cycle, actor=scene.admin)
    later = create_cycle(district_id=scene.school.district_id, name="Mid-year", opens_on=date(2027, 1, 10),
                         closes_on=date(2027, 2, 10), framework=scene.cycle.framework)
    open_cycle(later)
    with pytest.raises(AssessmentError, match="Mid-year is open. Close it before reopening 2026-27 baseline"):
        reopen_cycle(scene.cycle, actor=scene.admin)
    with pytest.raises(AssessmentError, match="only a closed cycle reopens"):
        reopen_cycle(later, actor=scene.admin)


def test_an_open_cycles_dates_change_and_are_audited(db, scene):
    change_cycle_dates(scene.cycle, date(2026, 9, 2), date(2026, 11, 30), actor=scene.admin, today=TODAY)
    assert (scene.cycle.opens_on, scene.cycle.closes_on) == (date(2026, 9, 2), date(2026, 11, 30))
    [event] = _events(db, "cycle.dates_changed")
    assert event.details == {"opens_on": ["2026-09-01", "2026-09-02"],
                             "closes_on": ["2026-10-15", "2026-11-30"]}


@pytest.mark.parametrize("opens_on,closes_on,field,message", [
    (date(2026, 9, 1), date(2026, 8, 31), "closes_on",
     "must be on or after the day it opens: 31 August 2026 is before 01 September 2026"),
    (date(2026, 9, 1), date(2026, 9, 19), "closes_on",
     "19 September 2026 has passed and 2026-27 baseline is open"),
    (date(2026, 5, 1), date(2026, 10, 15), "opens_on",
     "01 May 2026 is before Last year opens (01 June 2026); cycles keep their order"),
])
def test_bad_dates_are_refused_naming_the_field_and_the_value(db, scene, opens_on, closes_on, field, message):
    earlier = create_cycle(district_id=scene.school.district_id, name="Last year", opens_on=date(2026, 6, 1),
                           closes_on=date(2026, 6, 30), framework=scene.cycle.framework)
    with pytest.raises(AssessmentError) as refused:
        change_cycle_dates(scene.cycle, opens_on, closes_on, actor=scene.admin, today=TODAY)
    assert message in refused.value.problems[field]
    assert (scene.cycle.opens_on, scene.cycle.closes_on) == (date(2026, 9, 1), date(2026, 10, 15))
    assert earlier.opens_on == date(2026, 6, 1) and not _events(db, "cycle.dates_changed")


def test_a_closed_cycles_dates_stay(db, scene):
    close_cycle(scene.cycle)
    with pytest.raises(AssessmentError, match="is closed: reopen it to change its dates"):
        change_cycle_dates(scene.cycle, date(2026, 9, 1), date(2026, 12, 1), actor=scene.admin, today=TODAY)


def test_closing_from_the_page_goes_through_a_confirmation_and_reopening_undoes_it(db, client, scene):
    sign_in_directly(client, scene.admin)
    cycles = client.get("/cycles").get_data(as_text=True)
    assert f'href="/cycles/{scene.cycle.id}/close"' in cycles     # a link to the confirmation, not a button
    confirm = client.get(f"/cycles/{scene.cycle.id}/close").get_data(as_text=True)
    assert "Close 2026-27 baseline?" in confirm and "0 of 2 teachers and coaches have submitted" in confirm
    assert scene.cycle.status == CycleStatus.OPEN
    token = csrf_from(client, f"/cycles/{scene.cycle.id}/close")
    assert client.post(f"/cycles/{scene.cycle.id}/close", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert scene.cycle.status == CycleStatus.CLOSED
    assert "Reopen" in client.get("/cycles").get_data(as_text=True)
    token = csrf_from(client, "/cycles")
    assert client.post(f"/cycles/{scene.cycle.id}/reopen", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert scene.cycle.status == CycleStatus.OPEN


def test_the_dates_page_shows_what_is_wrong_on_the_field(db, client, scene):
    sign_in_directly(client, scene.admin)
    token = csrf_from(client, f"/cycles/{scene.cycle.id}/edit")
    response = client.post(f"/cycles/{scene.cycle.id}/edit", data={
        "csrf_token": token, "opens_on": "2026-09-01", "closes_on": "2026-08-01"})
    assert response.status_code == 400
    assert "The cycle must close on or after the day it opens." in response.get_data(as_text=True)
    response = client.post(f"/cycles/{scene.cycle.id}/edit", data={
        "csrf_token": token, "opens_on": "2026-09-01", "closes_on": "2099-06-30"})
    assert response.status_code == 302
    db.session.expire_all()
    assert scene.cycle.closes_on == date(2099, 6, 30)
