"""Kept summaries and the row locks of saves.

A write that deletes many kept summaries (a re-plan, a roster import, a person's deletion) locks
them in the order a save does, so it never deadlocks with a save arriving meanwhile. A save
(`dashboards.services.refresh`) locks its schools' rows, then the district's. Here the
district's row is stored first, so a DELETE that locked rows as it met them would take the
district's row before the save's school: the save would then wait for it while the DELETE
waited for the save's school, and PostgreSQL would end one of them as a deadlock.

A page that keeps its charts in a summary row does not wait for a save holding that row."""

import threading
import time
from datetime import date

import pytest
from sqlalchemy import insert, select, text, update

from pdplanner.assessments.services import create_cycle
from pdplanner.dashboards import services
from pdplanner.dashboards.models import SchoolSummary
from tests.factories import create_district, create_school
from tests.helpers import load_default_framework, sign_in_directly
from tests.scenarios import District

pytestmark = pytest.mark.real_commits   # two transactions of their own, on two connections


def test_a_bulk_deletion_waits_for_a_save_instead_of_deadlocking_with_it(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no row locks to order")
    district = create_district()
    first, second = create_school(district), create_school(district)
    cycle = create_cycle(district_id=district.id, name="Autumn", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 12, 15), framework=load_default_framework())
    db.session.flush()
    db.session.execute(insert(SchoolSummary), [
        {"cycle_id": cycle.id, "school_id": school_id, "figures": {}, "headline": {}}
        for school_id in (None, first.id, second.id)])   # the district's row first on disk
    db.session.commit()
    cycle_id, saved_school = cycle.id, max(first.id, second.id)
    failures = []

    def delete_all():
        with app.app_context():
            try:
                services._delete_in_lock_order(SchoolSummary.cycle_id == cycle_id)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the test
                failures.append(f"deletion: {exc!r}")

    with db.engine.connect() as save:
        save.begin()
        rows = select(SchoolSummary.id).where(SchoolSummary.cycle_id == cycle_id)
        save.execute(rows.where(SchoolSummary.school_id == saved_school).with_for_update())
        deletion = threading.Thread(target=delete_all)
        deletion.start()
        time.sleep(0.5)   # the deletion now waits for the save's school
        save.execute(text("SET LOCAL lock_timeout = '5s'"))
        try:
            save.execute(rows.where(SchoolSummary.school_id.is_(None)).with_for_update())
            save.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            failures.append(f"save: {exc!r}")
            save.rollback()
        deletion.join(timeout=10)
    assert not deletion.is_alive() and failures == []
    db.session.expire_all()
    assert db.session.scalars(select(SchoolSummary).where(SchoolSummary.cycle_id == cycle_id)).all() == []


def test_a_page_does_not_wait_for_a_save_to_keep_its_charts(app, db, client):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no row locks")
    d = District(db, teachers=3, level=2, submitted=True)
    sign_in_directly(client, d.principals[0])
    assert client.get("/").status_code == 200
    kept = select(SchoolSummary.id).where(SchoolSummary.school_id == d.schools[0].id)
    db.session.execute(update(SchoolSummary).where(SchoolSummary.id.in_(kept)).values(charts={}))
    db.session.commit()
    answered = []
    with db.engine.connect() as save:
        save.begin()
        save.execute(kept.with_for_update())   # a save refreshing the school holds its row
        def open_home():
            with app.app_context():
                answered.append(client.get("/").status_code)

        page = threading.Thread(target=open_home)
        page.start()
        page.join(timeout=4)   # well before the 5 s lock timeout a waiting page would give up at
        assert not page.is_alive() and answered == [200]
        save.rollback()
    db.session.expire_all()
    assert db.session.scalar(select(SchoolSummary.charts).where(SchoolSummary.id.in_(kept))) == {}
