"""The district admin's People tools: correcting a name and email, changing a selection of people
at once (preview, then all or nothing), schools by name, and the roster template."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role, User
from pdplanner.audit.models import AuditEvent
from pdplanner.audit.queries import event_rows
from pdplanner.organisation.models import CaseloadAssignment, Membership
from pdplanner.organisation.roster import read
from pdplanner.organisation.roster.apply import apply_roster
from pdplanner.organisation.roster.queries import roster_preview
from pdplanner.organisation.services import grant_role
from tests.conftest import csrf_from
from tests.factories import create_district, create_school, create_user
from tests.helpers import sign_in_directly


def _world(db):
    north = create_school(code="NORTH", name="North School")
    south = create_school(north.district, code="SOUTH", name="South School")
    w = type("World", (), {})()
    w.north, w.south = north, south
    w.admin = create_user(Role.DISTRICT_ADMIN, district=north.district, given_name="Ada", family_name="Admin",
                          email="ada@home.org")
    w.cora = create_user(Role.COACH, school=north, given_name="Cora", family_name="Diaz",
                         email="cora@home.org")
    w.nadia = create_user(Role.COACH, school=north, given_name="Nadia", family_name="Hoffmann",
                          email="nadia@home.org")
    w.mateo = create_user(Role.TEACHER, school=north, coach=w.cora, given_name="Mateo", family_name="Chen",
                          email="mateo@home.org")
    w.lena = create_user(Role.TEACHER, school=north, given_name="Lena", family_name="Berg",
                         email="lena@home.org")
    w.pat = create_user(Role.PRINCIPAL, school=north, given_name="Pat", family_name="Lee",
                        email="pat@home.org")
    return w


def _events(db, action: str, subject: User) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.subject_type == "user",
        AuditEvent.subject_id == subject.id).order_by(AuditEvent.id)).all()


def _said(db, event: AuditEvent) -> str:
    """The event's sentence as the audit page writes it."""
    return event_rows([event], event.district_id)[0].sentence


# -- name and email ------------------------------------------------------------------------------

def test_the_admin_corrects_a_name_and_email_and_the_change_is_audited_in_words(db, client):
    w = _world(db)
    sign_in_directly(client, w.admin)
    page = client.get(f"/people/{w.mateo.id}/edit").get_data(as_text=True)
    assert 'value="mateo@home.org"' in page and 'value="Mateo"' in page
    assert f'href="/people/{w.mateo.id}/edit"' in client.get(f"/people/{w.mateo.id}").get_data(as_text=True)
    token = csrf_from(client, f"/people/{w.mateo.id}/edit")
    response = client.post(f"/people/{w.mateo.id}/edit", data={
        "given_name": " Mateo ", "family_name": "Chen-Ruiz", "email": "Mateo.Chen@Home.org",
        "csrf_token": token},
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Saved: name: Mateo Chen → Mateo Chen-Ruiz" in html
    db.session.refresh(w.mateo)
    assert (w.mateo.name, w.mateo.email) == ("Mateo Chen-Ruiz", "mateo.chen@home.org")
    [event] = _events(db, "user.updated", w.mateo)
    assert event.actor_id == w.admin.id
    assert _said(db, event) == ("Ada Admin updated Mateo Chen-Ruiz: name: Mateo Chen → Mateo Chen-Ruiz; "
                                "email: mateo@home.org → mateo.chen@home.org")


def test_an_email_in_use_or_malformed_is_refused_with_a_clear_message_and_nothing_changes(db, client):
    w = _world(db)
    elsewhere = create_user(district=create_district(), email="otto@away.org", given_name="Otto")
    sign_in_directly(client, w.admin)
    cases = [
        ({"email": "CORA@home.org"}, "Email: Cora Diaz already has the email cora@home.org."),
        ({"email": "otto@away.org"},
         "Email: The email otto@away.org belongs to an account outside your district."),
        ({"email": "not-an-email"}, "Email: That is not an email address."),
        ({"given_name": "  "}, "Given name: Give their given name."),
    ]
    for change, message in cases:
        token = csrf_from(client, f"/people/{w.mateo.id}/edit")
        data = {"given_name": "Typed", "family_name": "Chen", "email": "mateo@home.org", "csrf_token": token}
        response = client.post(f"/people/{w.mateo.id}/edit", data=data | change)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, change
        assert message in re.sub(r"<[^>]+>", "", html), (change, html)
        assert "Otto" not in html
    db.session.refresh(w.mateo)
    assert (w.mateo.name, w.mateo.email) == ("Mateo Chen", "mateo@home.org")
    assert _events(db, "user.updated", w.mateo) == []
    assert elsewhere.email == "otto@away.org"


def test_saving_the_same_details_changes_nothing_and_records_nothing(db, client):
    w = _world(db)
    sign_in_directly(client, w.admin)
    token = csrf_from(client, f"/people/{w.lena.id}/edit")
    html = client.post(f"/people/{w.lena.id}/edit", data={
        "given_name": "Lena", "family_name": "Berg", "email": "lena@home.org", "csrf_token": token},
        follow_redirects=True).get_data(as_text=True)
    assert "Nothing changed." in html and _events(db, "user.updated", w.lena) == []


# -- bulk changes ----------------------------------------------------------------------------------

def _preview(client, people, action, **target):
    query = "&".join([f"person={p.id}" for p in people] + [f"action={action}"]
                     + [f"{k}={v.id}" for k, v in target.items()])
    return client.get(f"/people/bulk?{query}")


def _apply(client, people, action, **target):
    token = csrf_from(client, "/people")
    data = {"person": [str(p.id) for p in people], "action": action, "csrf_token": token,
            "coach": "", "school": ""} | {k: str(v.id) for k, v in target.items()}
    return client.post("/people/bulk", data=data)


def _coach_ids(db, person) -> set[int]:
    return set(db.session.scalars(select(CaseloadAssignment.coach_id)
                                  .where(CaseloadAssignment.educator_id == person.id)))


def test_the_people_page_offers_a_selection_and_names_schools(db, client):
    w = _world(db)
    sign_in_directly(client, w.admin)
    html = client.get("/people").get_data(as_text=True)
    assert f'<input type="checkbox" name="person" value="{w.mateo.id}" id="select-{w.mateo.id}">' in html
    assert f'<label for="select-{w.mateo.id}" class="visually-hidden">Select Mateo Chen</label>' in html
    assert "Teacher at North School" in html and "Teacher, NORTH" not in html
    assert 'action="/people/bulk"' in html and "Download a roster template (CSV)" in html
    sign_in_directly(client, w.pat)   # a principal sees people, not the admin's tools
    html = client.get("/people").get_data(as_text=True)
    assert "Teacher at North School" in html and 'name="person"' not in html


def test_set_coach_is_previewed_then_applied_and_audited_per_person(db, client):
    w = _world(db)
    sign_in_directly(client, w.admin)
    response = _preview(client, [w.mateo, w.lena], "set_coach", coach=w.nadia)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"Mateo Chen.*?<td>Cora Diaz</td>\s*<td>Nadia Hoffmann</td>", html, re.S)
    assert re.search(r"Lena Berg.*?<td>no coach</td>\s*<td>Nadia Hoffmann</td>", html, re.S)
    assert "Apply to 2 people" in html
    assert _coach_ids(db, w.mateo) == {w.cora.id}   # a preview writes nothing

    response = _apply(client, [w.mateo, w.lena], "set_coach", coach=w.nadia)
    assert response.status_code == 302 and response.headers["Location"].endswith("/people")
    assert _coach_ids(db, w.mateo) == {w.nadia.id} and _coach_ids(db, w.lena) == {w.nadia.id}
    assert [_said(db, e) for e in _events(db, "caseload.unassigned", w.mateo)] == [
        "Ada Admin took Mateo Chen off the caseload of Cora Diaz"]
    assert len(_events(db, "caseload.assigned", w.lena)) == 1
    assert "Changed 2 people." in client.get("/people").get_data(as_text=True)


def test_set_school_moves_a_school_role_and_refuses_someone_with_several(db, client):
    w = _world(db)
    grant_role(w.cora, Role.PRINCIPAL, w.south)   # Cora now holds roles in two schools
    db.session.commit()
    sign_in_directly(client, w.admin)
    html = _preview(client, [w.lena, w.cora], "set_school", school=w.south).get_data(as_text=True)
    assert re.search(r"Lena Berg.*?<td>Teacher at North School</td>\s*<td>Teacher at South School</td>",
                     html, re.S)
    assert "holds roles in several schools" in html and "1 person cannot take this change" in html
    assert "Apply to" not in html

    assert _apply(client, [w.lena], "set_school", school=w.south).status_code == 302
    assert [(m.school_id, m.role) for m in db.session.scalars(
        select(Membership).where(Membership.user_id == w.lena.id))] == [(w.south.id, Role.TEACHER)]
    assert [_said(db, e) for e in _events(db, "role.granted", w.lena)][-1] == \
        "Ada Admin made Lena Berg a teacher at South School"
    assert [_said(db, e) for e in _events(db, "role.revoked", w.lena)] == [
        "Ada Admin removed Lena Berg's role as a teacher at North School"]


def test_a_bad_row_rolls_every_row_back(db, client):
    """The admin is the last of three to deactivate: the first two were written when the third
    refused, and the whole request is rolled back."""
    w = _world(db)
    sign_in_directly(client, w.admin)
    preview = _preview(client, [w.mateo, w.lena, w.admin], "deactivate").get_data(as_text=True)
    assert "you cannot deactivate your own account" in preview and "Apply to" not in preview
    response = _apply(client, [w.mateo, w.lena, w.admin], "deactivate")
    assert response.status_code == 302 and "/people/bulk?" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Admin (ada@home.org): you cannot deactivate your own account. Nobody was changed." in html
    for person in (w.mateo, w.lena):
        db.session.refresh(person)
        assert person.active and _events(db, "user.deactivated", person) == []

    assert _apply(client, [w.mateo, w.lena], "deactivate").status_code == 302
    db.session.refresh(w.mateo)
    assert not w.mateo.active and len(_events(db, "user.deactivated", w.lena)) == 1


def test_bulk_refuses_an_incomplete_choice_and_people_of_other_districts(db, client):
    w = _world(db)
    stranger = create_user(district=create_district())
    sign_in_directly(client, w.admin)
    html = client.get(f"/people/bulk?person={w.mateo.id}&action=set_coach").get_data(as_text=True)
    assert "Coach: Choose the coach they should have." in html
    response = client.get("/people/bulk?action=deactivate")
    assert response.status_code == 400
    assert "People: Select at least one person." in response.get_data(as_text=True)
    assert _preview(client, [w.mateo, stranger], "deactivate").status_code == 404
    assert _apply(client, [stranger], "deactivate").status_code == 404
    db.session.refresh(stranger)
    assert stranger.active


# -- the roster template -------------------------------------------------------------------------

def test_the_roster_template_has_the_importers_columns_and_imports_back(db, client):
    w = _world(db)
    sign_in_directly(client, w.admin)
    response = client.get("/roster/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="pdplanner-roster-template.csv"' in response.headers["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header == list(read.SIMPLE_COLUMNS)
    assert all(read.header_key(name) in read.SIMPLE_COLUMNS[name] for name in header)
    assert example[header.index("school_code")] in ("NORTH", "SOUTH")

    roster = read.read_roster(read.bundle_from_upload("template.csv", response.data), partial=True)
    assert roster.rejected == [] and [p.email for p in roster.people] == ["alex.rivera@example.org"]
    preview = roster_preview(w.admin.district, roster, w.admin)
    assert preview.counts["created"] == 1 and preview.counts["rejected"] == 0
    apply_roster(w.admin.district, roster, actor=w.admin, expected=preview.counts)
    alex = db.session.scalar(select(User).where(User.email == "alex.rivera@example.org"))
    assert alex.roles == {Role.TEACHER} and alex.school_ids() <= {w.north.id, w.south.id}


@pytest.mark.parametrize("person", ["0", str(2**31), str(2**63)])
def test_a_bulk_preview_of_an_id_no_row_can_have_says_so(db, client, person):
    """An id beyond the database's INTEGER never reaches a query (PostgreSQL refuses it, SQLite's
    driver overflows): the preview names it instead."""
    sign_in_directly(client, _world(db).admin)
    response = client.get(f"/people/bulk?action=deactivate&person={person}")
    assert response.status_code == 400
    assert f"{person} is not a person" in response.get_data(as_text=True)
