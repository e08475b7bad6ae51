"""Roster imports against the database: the preview, applying it (one transaction, all or
nothing), re-importing (no change), deactivation of people missing from a full roster, the CLI
and the district admin's page."""

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pdplanner.accounts.mail import OUTBOX_KEY
from pdplanner.accounts.models import Role, SetPasswordToken, User, user_by_email
from pdplanner.audit.models import AuditEvent
from pdplanner.organisation import services
from pdplanner.organisation.models import CaseloadAssignment, School
from pdplanner.organisation.roster import apply
from pdplanner.organisation.roster.queries import roster_preview
from pdplanner.organisation.roster.read import bundle_from_path, bundle_from_upload, read_roster
from tests.conftest import csrf_from
from tests.factories import create_district, create_school, create_user
from tests.helpers import sign_in_directly
from tests.organisation.test_rosters import FIXTURES, zipped

SIMPLE = FIXTURES / "simple.csv"


def roster_at(path: Path, **kwargs):
    return read_roster(bundle_from_path(path), **kwargs)


def simple(rows: list[str]):
    text = "email,given name,family name,role,school code,coach email\n" + "\n".join(rows) + "\n"
    return read_roster(bundle_from_upload("people.csv", text.encode()))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def north(db):
    """A district with the school NORTH, its admin, and a teacher the fixture does not list."""
    school = create_school(create_district("NORTH"), code="NORTH", name="North School")
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district, email="admin@north.example")
    leaver = create_user(Role.TEACHER, school=school, email="leaver@north.example")
    return school.district, school, admin, leaver


def test_the_preview_lists_creates_rejections_and_deactivations_and_writes_nothing(db, north):
    district, school, admin, leaver = north
    users_before = count(db, User)
    preview = roster_preview(district, roster_at(SIMPLE), admin)
    assert sorted(p.email for p in preview.creates) == [
        "ada.coach@north.example", "bea.teacher@north.example", "cy.coach@north.example",
        "dee.principal@north.example", "fay.admin@north.example"]
    assert [str(r) for r in preview.rejected] == [
        "simple.csv:8: role: 'janitor' is not a role here (use teacher, coach, principal or district_admin).",
        "simple.csv:10: school code: Test District has no school 'SOUTHPOLE'.",
        "simple.csv:11: email: empty.",
        "simple.csv:12: coach email: nobody with the email nobody@north.example is a coach here or in "
        "this roster.",
    ]
    assert [(d.email, d.reason) for d in preview.deactivations] == [
        ("leaver@north.example", "not in the roster")]
    assert preview.skipped == {"student": 1}
    assert count(db, User) == users_before


def test_applying_creates_people_roles_coaches_and_links_then_reimporting_changes_nothing(db, north):
    district, school, admin, leaver = north
    outcome = apply.apply_roster(district, roster_at(SIMPLE), actor=admin)
    db.session.commit()
    bea = user_by_email("bea.teacher@north.example")
    assert bea.roles == {Role.TEACHER} and bea.schools == [school]
    coaches = db.session.scalars(
        select(User.email).join(CaseloadAssignment, CaseloadAssignment.coach_id == User.id)
        .where(CaseloadAssignment.educator_id == bea.id)).all()
    assert sorted(coaches) == ["ada.coach@north.example", "cy.coach@north.example"]
    assert user_by_email("fay.admin@north.example").is_district_admin
    assert not db.session.get(User, leaver.id).active              # deactivated, not deleted
    assert user_by_email("admin@north.example").active             # the importer stays
    assert len(outcome.invitations) == 5
    assert all(i.path.startswith("/set-password/") for i in outcome.invitations)
    assert db.session.scalar(select(func.count()).select_from(SetPasswordToken)
                             .where(SetPasswordToken.user_id == bea.id)) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert event.actor_id == admin.id and event.details["created"] == 5 and event.details["deactivated"] == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.created", AuditEvent.actor_id == admin.id)) == 5

    again = roster_preview(district, roster_at(SIMPLE), admin)
    assert not again.changes_anything and again.unchanged == 5
    users = count(db, User)
    apply.apply_roster(district, roster_at(SIMPLE), actor=admin)
    db.session.commit()
    assert count(db, User) == users


def test_an_update_lists_what_changes(db, north):
    district, school, admin, leaver = north
    other = create_school(district, code="SOUTH", name="South School")
    preview = roster_preview(district, simple(["leaver@north.example,Lee,Renamed,principal,SOUTH,"]), admin)
    [update] = preview.updates
    assert update.changes == ["name: Test " + leaver.family_name + " → Lee Renamed",
                              "principal at South School (SOUTH)",
                              "no longer teacher at North School (NORTH)"]
    apply.apply_roster(district, simple(["leaver@north.example,Lee,Renamed,principal,SOUTH,"]),
                       actor=admin)
    db.session.commit()
    person = db.session.get(User, leaver.id)
    assert person.name == "Lee Renamed" and person.roles == {Role.PRINCIPAL} and person.schools == [other]


def test_a_partial_roster_deactivates_nobody(db, north):
    district, school, admin, leaver = north
    roster = read_roster(bundle_from_upload("p.csv", b"email,given name,family name,role,school code\n"
                                                      b"new@north.example,N,W,teacher,NORTH\n"), partial=True)
    preview = roster_preview(district, roster, admin)
    assert len(preview.creates) == 1 and preview.deactivations == []


def test_a_full_roster_that_leaves_out_most_people_says_so_first(db, client, north):
    """Most often a partial list imported as the whole district: the preview warns, at the top."""
    district, school, admin, leaver = north
    for n in range(3):
        create_user(Role.TEACHER, school=school, email=f"stayer{n}@north.example")
    few = simple(["stayer0@north.example,Stay,Er,teacher,NORTH,"])
    preview = roster_preview(district, few, admin)
    assert len(preview.deactivations) == 3
    assert ("This roster leaves out 3 of the 4 people of the district already here, who would all be "
            "deactivated. If it lists only some people, import it as a partial roster.") in preview.notes
    most = simple([f"stayer{n}@north.example,Stay,Er,teacher,NORTH," for n in range(3)])
    assert not any("leaves out" in note for note in roster_preview(district, most, admin).notes)
    sign_in_directly(client, admin)
    body = b"email,given name,family name,role,school code\nstayer0@north.example,Stay,Er,teacher,NORTH\n"
    html = client.post("/roster", data={"csrf_token": csrf_from(client, "/roster"),
                                        "file": (io.BytesIO(body), "few.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert html.index("This roster leaves out 3 of the 4") < html.index("What applying this roster does")


def test_a_person_whose_row_is_rejected_is_not_deactivated_as_missing(db, north):
    district, school, admin, leaver = north
    preview = roster_preview(district, simple(["leaver@north.example,Lee,Ver,teacher,NOWHERE,"]), admin)
    assert [r.email for r in preview.rejected] == ["leaver@north.example"]
    assert preview.deactivations == []


def test_district_admins_missing_from_a_full_roster_stay_active(db, north):
    district, school, admin, leaver = north
    other_admin = create_user(Role.DISTRICT_ADMIN, district=district)
    preview = roster_preview(district, simple([f"{leaver.email},Lee,Ver,teacher,NORTH,"]), admin)
    assert other_admin.id not in {d.user_id for d in preview.deactivations}


def test_a_full_roster_of_nobody_pdplanner_serves_deactivates_nobody(db, north):
    district, school, admin, leaver = north
    preview = roster_preview(district, simple(["kid@north.example,K,D,student,NORTH,"]), admin)
    assert preview.deactivations == [] and preview.skipped == {"student": 1}
    assert "The roster names nobody pdplanner serves, so nobody is deactivated." in preview.notes


def test_an_email_of_another_district_is_rejected(db, north):
    district, school, admin, leaver = north
    create_user(Role.TEACHER, school=create_school(create_district("AWAY")), email="taken@away.example")
    preview = roster_preview(district, simple(["taken@away.example,T,K,teacher,NORTH,"]), admin)
    assert [str(r) for r in preview.rejected] == [
        "people.csv:2: email: taken@away.example belongs to an account outside Test District."]


def test_oneroster_creates_schools_for_orgs_and_reimports_without_change(db, north):
    district, school, admin, leaver = north
    create_school(district, code="EAST", name="East (made by hand)")   # adopted by its code
    preview = roster_preview(district, roster_at(FIXTURES / "oneroster11"), admin)
    assert [(s.code, s.name) for s in preview.new_schools] == [("ORG-WEST", "West High")]
    assert "users.csv:8: orgSourcedIds: 'org-nowhere' is neither in orgs.csv nor a school of Test District." \
        in [str(r) for r in preview.rejected]
    apply.apply_roster(district, roster_at(FIXTURES / "oneroster11"), actor=admin)
    db.session.commit()
    ben = user_by_email("ben.baker@river.example")
    assert ben.sourced_id == "u-ben" and sorted(s.code for s in ben.schools) == ["EAST", "ORG-WEST"]
    assert user_by_email("cat.cooper@river.example").roles == {Role.PRINCIPAL}
    assert user_by_email("dan.drake@river.example").is_district_admin
    assert user_by_email("jay.jones@river.example") is None        # marked deleted and never here
    assert db.session.scalar(select(School.sourced_id).where(School.code == "EAST")) == "org-east"
    assert not roster_preview(district, roster_at(FIXTURES / "oneroster11"), admin).changes_anything


def test_oneroster_follows_a_changed_email_by_sourced_id_and_keeps_coaches_coaches(db, north, tmp_path):
    district, school, admin, leaver = north
    apply.apply_roster(district, roster_at(FIXTURES / "oneroster12"), actor=admin)
    db.session.commit()
    amy = user_by_email("amy.ash@lake.example")
    lake = db.session.scalar(select(School).where(School.code == "LAKE"))
    services.grant_role(amy, Role.COACH, lake)      # the SIS knows her as a teacher
    db.session.commit()
    for path in (FIXTURES / "oneroster12").iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes().replace(b"amy.ash@", b"amy.new@"))
    preview = roster_preview(district, roster_at(tmp_path), admin)
    [update] = preview.updates
    assert update.changes == ["email: amy.ash@lake.example → amy.new@lake.example"]


def test_a_tobedeleted_status_deactivates_even_in_a_delta(db, north):
    district, school, admin, leaver = north
    leaver.sourced_id = "u-jay"
    db.session.commit()
    preview = roster_preview(district, roster_at(FIXTURES / "oneroster11"), admin)
    assert [(d.user_id, d.reason) for d in preview.deactivations if d.user_id == leaver.id] == [
        (leaver.id, "users.csv:11 marks them deleted or disabled.")]


def test_apply_is_all_or_nothing(db, north, monkeypatch):
    district, school, admin, leaver = north
    tables = (User, School, AuditEvent, CaseloadAssignment)
    before = [count(db, table) for table in tables]

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(apply, "_set_coaches", broken)   # after people and roles are written
    with pytest.raises(RuntimeError):
        apply.apply_roster(district, roster_at(SIMPLE), actor=admin)
    db.session.rollback()
    assert [count(db, table) for table in tables] == before
    assert db.session.get(User, leaver.id).active


def test_apply_refuses_when_the_district_changed_since_the_preview(db, north):
    district, school, admin, leaver = north
    shown = roster_preview(district, roster_at(SIMPLE), admin).counts
    create_user(Role.TEACHER, school=school, email="late@north.example")
    with pytest.raises(services.OrganisationError, match="changed since this preview"):
        apply.apply_roster(district, roster_at(SIMPLE), actor=admin, expected=shown)


# -- the CLI --------------------------------------------------------------------------------

def run(app, *args):
    return app.test_cli_runner().invoke(args=["roster", "import", *map(str, args)])


def test_cli_previews_then_applies(app, db, north):
    district, school, admin, leaver = north
    result = run(app, SIMPLE)
    assert result.exit_code == 0, result.output
    assert ("Simple CSV (full roster) into Test District: 5 to create, 0 to update, 1 to deactivate"
            in result.output)
    assert "  simple.csv:11: email: empty." in result.output
    assert "Preview only: nothing was written." in result.output
    assert user_by_email("bea.teacher@north.example") is None
    app.extensions.pop(OUTBOX_KEY, None)
    result = run(app, SIMPLE, "--apply")
    assert result.exit_code == 0, result.output
    assert "Imported: 5 created, 0 updated, 1 deactivated; 5 set-password links mailed." in result.output
    assert user_by_email("bea.teacher@north.example") is not None
    mailed = {m["To"]: m.get_content() for m in app.extensions[OUTBOX_KEY]}
    assert "/set-password/" in mailed["bea.teacher@north.example"]
    assert "0 to create, 0 to update, 0 to deactivate, 5 unchanged" in run(app, SIMPLE).output


def test_cli_refuses_unreadable_input_and_needs_a_district_among_several(app, db, north, tmp_path):
    (tmp_path / "x.zip").write_bytes(b"PK\x03\x04nonsense")
    result = run(app, tmp_path / "x.zip")
    assert result.exit_code != 0 and "x.zip: the zip cannot be read" in result.output
    create_district("OTHER")
    result = run(app, SIMPLE)
    assert result.exit_code != 0 and "Name the district with --district CODE." in result.output
    assert run(app, SIMPLE, "--district", "north").exit_code == 0


def test_cli_partial_deactivates_nobody(app, db, north):
    result = run(app, SIMPLE, "--partial", "--apply")
    assert result.exit_code == 0 and "0 deactivated" in result.output


# -- the page -------------------------------------------------------------------------------

def upload(client, name: str, content: bytes, partial: bool = False):
    data = {"csrf_token": csrf_from(client, "/roster"), "file": (io.BytesIO(content), name)}
    if partial:
        data["partial"] = "y"
    return client.post("/roster", data=data, content_type="multipart/form-data")


def hidden_fields(html: str) -> dict:
    """What the browser posts with the Apply button."""
    found = re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in found}


def test_the_page_previews_an_upload_and_applies_it(app, db, client, north):
    district, school, admin, leaver = north
    sign_in_directly(client, admin)
    response = upload(client, "simple.csv", SIMPLE.read_bytes())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<caption>People to add, with their roles</caption>" in html
    assert "<td>simple.csv</td><td>11</td><td>email: empty.</td>" in html
    assert "leaver@north.example" in html and "Apply this roster" in html
    assert user_by_email("bea.teacher@north.example") is None
    fields = hidden_fields(html)
    assert json.loads(fields["expected"])["created"] == 5
    response = client.post("/roster/apply", data=fields)
    assert response.status_code == 200
    assert "5 added, 0 updated, 1 deactivated" in response.get_data(as_text=True)
    assert user_by_email("bea.teacher@north.example").roles == {Role.TEACHER}
    # Applied once: the stored upload is gone, so the same button cannot apply it twice.
    again = client.post("/roster/apply", data=fields, follow_redirects=True)
    assert "This preview has expired" in again.get_data(as_text=True)


def test_apply_refuses_an_upload_that_is_not_the_one_previewed(app, db, client, north):
    district, school, admin, leaver = north
    sign_in_directly(client, admin)
    fields = hidden_fields(upload(client, "simple.csv", SIMPLE.read_bytes()).get_data(as_text=True))
    fields["digest"] = "0" * 64
    response = client.post("/roster/apply", data=fields, follow_redirects=True)
    assert "not the one previewed" in response.get_data(as_text=True)
    assert user_by_email("bea.teacher@north.example") is None


def test_the_page_shows_unreadable_uploads_as_a_form_error(app, db, client, north):
    district, school, admin, leaver = north
    sign_in_directly(client, admin)
    response = upload(client, "photo.png", b"\x89PNG")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="error-summary"' in html
    assert "photo.png: upload a .csv file or a .zip of OneRoster .csv files." in html
    response = upload(client, "list.csv", b"name,colour\nx,red\n")
    assert "list.csv: not a roster." in response.get_data(as_text=True)


def test_the_page_takes_a_oneroster_zip(app, db, client, north):
    district, school, admin, leaver = north
    sign_in_directly(client, admin)
    html = upload(client, "lake.zip", zipped(FIXTURES / "oneroster12")).get_data(as_text=True)
    assert "OneRoster 1.2, the whole district" in html
    assert "<td>roles.csv</td><td>7</td><td>userSourcedId: &#39;p-zed&#39; is not in users.csv.</td>" in html


def test_only_district_admins_reach_the_roster_page(app, db, client, north, monkeypatch):
    district, school, admin, leaver = north
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    sign_in_directly(client, create_user(Role.PRINCIPAL, school=school))
    assert client.get("/roster").status_code == 404
    assert client.post("/roster/apply").status_code == 404
