"""The audit log page and its exports: filters, paging beyond the old 200 cap, events in words,
and a district admin's own district only."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert, select, text

from pdplanner.audit import queries as audit_queries
from pdplanner.audit.models import AuditEvent
from pdplanner.reports.exports import AUDIT_EVENTS
from tests import scenarios
from tests.helpers import sign_in_directly
from tests.scenarios import load, module_scenario


@pytest.fixture(scope="module")
def built_town(app):
    yield from module_scenario(app, scenarios.audit_town)


@pytest.fixture
def town(db, built_town):
    """tests/scenarios.py, audit_town: built once per module."""
    return load(built_town)


def sentences(response) -> list[str]:
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.findall(r"</time></td>\s*<td>(.*?)</td>", html, re.S)


def test_the_page_reads_in_words_and_shows_the_district_only(client, town):
    sign_in_directly(client, town.admin)
    response = client.get("/audit")
    html = response.get_data(as_text=True)
    first_page = sentences(response)
    assert len(first_page) == 50 and f"{town.home_total} events, page 1 of " in html
    assert all(s.startswith("Ada Admin updated Ada Admin") for s in first_page)   # newest first
    table = html.split("<table", 1)[1]
    assert "path_activity.verified" not in table and "user.updated" not in table
    assert "Sam Faraway" not in html and "sam@away.org" not in html
    assert "<legend>Filter the audit log</legend>" in html
    assert '<label class="field__label" for="person">' in html


def test_paging_reaches_every_event(client, town):
    sign_in_directly(client, town.admin)
    seen, page = [], 1
    while True:
        response = client.get(f"/audit?page={page}")
        rows = sentences(response)
        if not rows:
            break
        seen += rows
        page += 1
    assert town.home_total > 200 and len(seen) == town.home_total
    assert "Nadia Hoffmann verified evidence for Mateo Chen" in seen
    assert seen[-1].startswith("The system")   # the district's first event, on the last page
    assert "rel=\"next\"" not in client.get(f"/audit?page={page - 1}").get_data(as_text=True)


def test_filters_by_person_kind_and_dates(client, town):
    sign_in_directly(client, town.admin)
    about_mateo = sentences(client.get("/audit?person=Mateo@Home.org"))
    assert "Nadia Hoffmann verified evidence for Mateo Chen" in about_mateo   # by the educator in its details
    assert "The system added Mateo Chen" in about_mateo
    assert about_mateo and all("Mateo Chen" in s for s in about_mateo)
    by_nadia = sentences(client.get("/audit?person=nadia@home.org&kind=path_activity.verified"))
    assert by_nadia == ["Nadia Hoffmann verified evidence for Mateo Chen"]
    january = sentences(client.get("/audit?since=2026-01-01&until=2026-01-31"))
    assert january and all(s.startswith("The system") for s in january)
    assert "The system made Mateo Chen a teacher at North School" in january
    assert sentences(client.get("/audit?until=2025-12-31")) == []
    html = client.get("/audit?kind=path_activity.verified&page=1").get_data(as_text=True)
    assert '<option selected value="path_activity.verified">Evidence verified</option>' in html


@pytest.mark.parametrize("query,field,message", [
    ("person=sam@away.org", "Person (email)", "No one in your district has the email sam@away.org"),
    ("since=2026-02-01&until=2026-01-01", "To (UTC)", "The end day is before the start day"),
    ("since=2026-13-45", "From (UTC)", "Not a valid date value"),
    ("kind=user.stolen", "Kind of event", "Not a valid choice"),
    ("page=0", "Page", "Number must be between 1 and 1000000"),
    ("page=99999999999999999999999", "Page", "Number must be between 1 and 1000000"),
])
def test_bad_filters_are_refused_naming_the_field(client, town, query, field, message):
    sign_in_directly(client, town.admin)
    for path in ("/audit", "/audit/export.csv", "/audit/export.json"):
        response = client.get(f"{path}?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 400, path
        assert f"{field}: {message}" in html, path


def read_csv(body: bytes) -> pd.DataFrame:
    assert body.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_csv_and_json_exports_hold_every_event_of_the_filter_and_are_audited(db, client, town, monkeypatch):
    monkeypatch.setattr(audit_queries, "EXPORT_BATCH", 7)   # read and named in many batches
    sign_in_directly(client, town.admin)
    response = client.get("/audit/export.csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pdplanner-HOME-audit-')
    everything = read_csv(response.data)
    assert list(everything.columns) == AUDIT_EVENTS.names
    assert len(everything) == town.home_total                                  # no cap
    assert everything["occurred_at"].is_monotonic_increasing                   # oldest first
    assert "Nadia Hoffmann verified evidence for Mateo Chen" in set(everything["description"])
    assert not everything.apply(lambda row: row.str.contains("away.org|Faraway|Otto")).any().any()
    verified = everything[everything["kind"] == "path_activity.verified"].iloc[0]
    assert verified["kind_title"] == "Evidence verified" and verified["actor_email"] == "nadia@home.org"
    assert json.loads(verified["details"])["educator_id"] == town.mateo.id

    document = json.loads(client.get(
        "/audit/export.json?person=mateo@home.org&kind=path_activity.verified&since=2026-02-01").data)
    assert document["format"] == "pdplanner-audit-log" and document["district"]["code"] == "HOME"
    assert document["filter"] == {"person_id": town.mateo.id, "kind": "path_activity.verified",
                                  "since": "2026-02-01",
                                  "until": None}
    [event] = document["events"]
    assert event["description"] == "Nadia Hoffmann verified evidence for Mateo Chen"
    assert event["details"] == {"educator_id": town.mateo.id, "goal_verified": None}
    downloads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.downloaded")
                                   .order_by(AuditEvent.id)).all()
    assert [(d.details["file"], d.details["rows"], d.actor_id) for d in downloads] == [
        ("audit.csv", town.home_total, town.admin.id), ("audit.json", 1, town.admin.id)]


def test_another_districts_admin_sees_only_their_own_events(client, town):
    sign_in_directly(client, town.away_admin)
    rows = sentences(client.get("/audit"))
    assert "Sam Faraway signed in" in rows
    assert not any("Mateo" in s or "Ada" in s or "Nadia" in s for s in rows)
    exported = read_csv(client.get("/audit/export.csv").data)
    assert not exported["description"].str.contains("Mateo|Nadia|Ada").any()
    assert client.get("/audit?person=mateo@home.org").status_code == 400


def test_the_district_export_includes_the_audit_log(client, town):
    sign_in_directly(client, town.admin)
    response = client.get("/exports/district.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    events = read_csv(archive.read("audit_events.csv"))
    assert len(events) == town.home_total
    assert "Nadia Hoffmann verified evidence for Mateo Chen" in set(events["description"])
    assert not events["description"].str.contains("Faraway").any()
    tables = json.loads(archive.read("data.json"))["tables"]
    assert len(tables["audit_events"]) == town.home_total
    assert "audit_events.csv" in archive.read("README.txt").decode()


LONG_LOG = 10_037


def test_a_log_of_ten_thousand_events_pages_in_a_stable_order(db, client, town):
    """Events sharing a timestamp (three per second here) keep one order, newest first with the
    id breaking ties, so no event shows twice or never while paging; the last page is reachable."""
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    db.session.execute(insert(AuditEvent.__table__), [
        {"action": "user.updated", "actor_id": town.admin.id, "district_id": town.away_admin.district_id,
         "subject_type": "user", "subject_id": town.sam.id, "details": {"changes": [f"step {i}"]},
         "occurred_at": start + timedelta(seconds=i // 3)} for i in range(LONG_LOG)])
    db.session.commit()
    sign_in_directly(client, town.away_admin)

    def steps(page: int) -> list[int]:
        rows = sentences(client.get(f"/audit?kind=user.updated&page={page}"))
        return [int(s.rsplit(" ", 1)[1]) for s in rows]

    newest = LONG_LOG - 1
    assert steps(1) == list(range(newest, newest - 50, -1))
    assert steps(101) == list(range(newest - 5000, newest - 5050, -1))
    last = -(-LONG_LOG // 50)
    assert steps(last) == list(range(LONG_LOG % 50 - 1, -1, -1))
    html = client.get(f"/audit?kind=user.updated&page={last}").get_data(as_text=True)
    assert f"{LONG_LOG} events, page {last} of {last}" in html
    assert 'rel="next"' not in html
    assert '<a href="/audit?kind=user.updated&amp;page=1">Newest events</a>' in html


def test_a_page_of_the_log_reads_along_the_district_time_index(db, town):
    """The page's query walks ix_audit_events_district_time instead of sorting the district."""
    query = audit_queries.district_events(town.admin.district_id).limit(50).offset(5000)
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "ix_audit_events_district_time" in plan and "TEMP B-TREE" not in plan, plan
    else:
        # A test table is tiny: forbid the plans that only win there, to see what the index serves.
        for plan_kind in ("seqscan", "bitmapscan", "sort"):
            db.session.execute(text(f"SET LOCAL enable_{plan_kind} = off"))
        plan = " ".join(row[0] for row in db.session.execute(text(f"EXPLAIN {sql}")))
        assert "ix_audit_events_district_time" in plan and "Sort" not in plan, plan


def test_rating_events_name_competencies_never_levels_or_notes(db, town):
    """Whoever reads the log (district admins: page, API, exports) learns that someone rated,
    never what: unshared self-ratings reach only the educator and their coach."""
    from pdplanner.assessments.models import Cycle
    from pdplanner.assessments.services import RatingInput, save_self_ratings

    cycle = db.session.scalar(select(Cycle).where(Cycle.district_id == town.admin.district_id))
    save_self_ratings(town.mateo, cycle, [RatingInput("COG.1", level=1, confidence="low", interest=True,
                                                      note="I struggle with this")])
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "self_ratings.saved")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.details == {"cycle_id": cycle.id, "competencies": ["COG.1"]}
    row, = audit_queries.event_rows([event], town.admin.district_id)
    assert row.sentence == "Mateo Chen saved 1 self-rating in cycle “Autumn”"
    assert "struggle" not in json.dumps(row.export_row())
