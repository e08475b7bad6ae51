"""A roster import next to people at work: the file is read and parsed before the write
transaction begins, the invitations are mailed after it commits, and autosaves during the import
all succeed (issue 12, item 11; docs/security/database-faults.md)."""

import re
import smtplib
import threading
import time
from datetime import date
from functools import partial
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from pdplanner.accounts import services as accounts
from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import RaterKind, Rating
from pdplanner.assessments.services import create_cycle, open_cycle
from pdplanner.organisation.roster import read as rosters
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, sign_in_directly, write_lock_is_free
from tests.organisation.test_roster_import import hidden_fields, upload

pytestmark = pytest.mark.real_commits  # saves on threads, own connections, SQLite's write lock

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def roster_csv(people: int) -> bytes:
    rows = [f"new{n}@north.example,New{n},Person{n},teacher,NORTH," for n in range(people)]
    return ("email,given name,family name,role,school code,coach email\n" + "\n".join(rows)).encode()




def people_committed(db) -> int:
    """New people another connection sees: what the import has committed."""
    engine = create_engine(db.engine.url, poolclass=NullPool)
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(User)
                                 .where(User.email.like("new%@north.example")))


@pytest.fixture
def north(db, client):
    school = create_school(create_district("NORTH"), code="NORTH", name="North School")
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district, email="admin@north.example")
    sign_in_directly(client, admin)
    return school


def previewed(client, content: bytes) -> dict:
    """The Apply button's fields, once the page has previewed `content` as a partial roster."""
    response = upload(client, "people.csv", content, partial=True)
    assert response.status_code == 200
    return hidden_fields(response.get_data(as_text=True))


def test_the_roster_is_read_and_parsed_without_the_write_lock(app, db, client, north, monkeypatch):
    fields = previewed(client, roster_csv(20))
    seen = []
    read_roster = rosters.read_roster

    def watched_read_roster(*args, **kwargs):
        seen.append((db.session().in_transaction(), write_lock_is_free(app)))
        return read_roster(*args, **kwargs)

    monkeypatch.setattr(rosters, "read_roster", watched_read_roster)
    assert client.post("/roster/apply", data=fields).status_code == 200
    assert seen == [(False, True)]


def test_the_preview_holds_no_write_lock(app, db, client, north, monkeypatch):
    from pdplanner.organisation.roster import queries

    seen = []
    roster_preview = queries.roster_preview

    def watched_preview(*args, **kwargs):
        preview = roster_preview(*args, **kwargs)
        seen.append(write_lock_is_free(app))
        return preview

    monkeypatch.setattr(queries, "roster_preview", watched_preview)
    previewed(client, roster_csv(20))
    assert seen == [True]


def test_invitations_are_mailed_after_the_commit_and_a_refused_one_keeps_the_import(
        app, db, client, north, monkeypatch):
    fields = previewed(client, roster_csv(20))
    mailed = []

    def send_mail(to, subject, body):
        assert write_lock_is_free(app)
        assert people_committed(db) == 20      # the import is committed before any mail
        if to == "new3@north.example":
            raise smtplib.SMTPRecipientsRefused({to: (550, b"No such mailbox")})
        mailed.append(to)

    monkeypatch.setattr(accounts, "send_mail", send_mail)
    response = client.post("/roster/apply", data=fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "20 added" in html and "19 new people were mailed" in html
    assert "The import is saved, but 1 link could not be mailed" in html
    assert "<li>new3@north.example</li>" in html
    assert len(mailed) == 19 and people_committed(db) == 20


def test_an_unreachable_mail_server_keeps_the_import_and_stops_trying(app, db, client, north,
                                                                      monkeypatch):
    fields = previewed(client, roster_csv(20))
    attempts = []

    def send_mail(to, subject, body):
        attempts.append(to)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(accounts, "send_mail", send_mail)
    response = client.post("/roster/apply", data=fields)
    assert response.status_code == 200
    assert "The import is saved, but 20 links could not be mailed" in response.get_data(as_text=True)
    assert len(attempts) == 1 and people_committed(db) == 20


def test_autosaves_during_a_roster_import_all_succeed(app, db, client, north, monkeypatch):
    framework = load_default_framework()
    cycle = create_cycle(district_id=north.district_id, name="Baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 10, 15), framework=framework)
    open_cycle(cycle)
    teachers = [create_user(Role.TEACHER, school=north, commit=False) for _ in range(6)]
    db.session.commit()
    # What sign_in_directly needs of a user, read here: the threads share no ORM objects.
    teachers = [SimpleNamespace(get_id=partial(str, teacher.get_id())) for teacher in teachers]
    page = f"/assessment/{cycle.id}/COG"
    fields = previewed(client, roster_csv(3000))
    # Mailing comes after the commit (tested above). Here it would only be 3,000 messages built
    # in this process, taking the interpreter from the servers' threads, which a real server's
    # separate worker processes would not share.
    monkeypatch.setattr(accounts, "send_mail", lambda to, subject, body: None)
    importing = threading.Event()
    imported = threading.Event()
    outcomes = {"import": None, "autosaves": []}

    def run_import():
        importing.set()
        response = client.post("/roster/apply", data=fields)
        outcomes["import"] = (response.status_code, "3000 added" in response.get_data(as_text=True))
        imported.set()

    def autosave(teacher):
        writer = FlaskClient(app)
        sign_in_directly(writer, teacher)
        token = CSRF.search(writer.get(page).get_data(as_text=True)).group(1)
        importing.wait()
        level, saves = 1, 0
        while not imported.is_set() or saves < 3:
            response = writer.post(page, data={"csrf_token": token, "COG_1__level": str(level)},
                                   headers={"Accept": "application/json"})
            outcomes["autosaves"].append((response.status_code,
                                          (response.get_json() or {}).get("saved")))
            level, saves = level % 4 + 1, saves + 1
            time.sleep(0.02)

    writers = [threading.Thread(target=autosave, args=(teacher,)) for teacher in teachers]
    for thread in writers:
        thread.start()
    run_import()
    for thread in writers:
        thread.join()
    assert outcomes["import"] == (200, True)
    assert len(outcomes["autosaves"]) >= 3 * len(teachers)
    assert set(outcomes["autosaves"]) == {(200, True)}
    saved = select(func.count()).select_from(Rating).where(Rating.kind == RaterKind.SELF)
    assert db.session.scalar(saved) == len(teachers)
