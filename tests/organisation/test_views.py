"""The district admin manages people through the pages; every form keeps what was typed."""

from sqlalchemy import select

from pdplanner.accounts.models import Role, User
from pdplanner.audit.models import AuditEvent
from tests.conftest import csrf_from
from tests.factories import create_school, create_user
from tests.helpers import sign_in_directly


def _admin_world(db):
    school = create_school(code="MAIN")
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district)
    coach = create_user(Role.COACH, school=school, given_name="Cora")
    return admin, school, coach


def test_admin_adds_a_person_with_a_coach_and_gets_a_one_time_link(db, client):
    admin, school, coach = _admin_world(db)
    sign_in_directly(client, admin)
    token = csrf_from(client, "/people/new")
    response = client.post("/people/new", data={
        "email": "New.Teacher@Example.org", "given_name": "Nia", "family_name": "Okoro",
        "role": "teacher", "school": str(school.id), "coach": str(coach.id), "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "/set-password/" in html
    person = db.session.scalar(select(User).where(User.email == "new.teacher@example.org"))
    assert person.roles == {Role.TEACHER}
    link = html.split("/set-password/")[1].split('"')[0]
    assert client.get(f"/set-password/{link}").status_code == 200
    sign_in_directly(client, coach)
    assert "Nia Okoro" in client.get("/").get_data(as_text=True)  # on Cora's caseload


def test_duplicate_email_is_refused_and_the_form_keeps_the_values(db, client):
    admin, school, coach = _admin_world(db)
    sign_in_directly(client, admin)
    token = csrf_from(client, "/people/new")
    response = client.post("/people/new", data={
        "email": coach.email, "given_name": "Typed", "family_name": "Value",
        "role": "teacher", "school": str(school.id), "csrf_token": token})
    html = response.get_data(as_text=True)
    assert "already exists" in html and 'value="Typed"' in html
    assert db.session.scalar(select(User).where(User.given_name == "Typed")) is None


def test_missing_school_for_a_teacher_is_refused(db, client):
    admin, school, _ = _admin_world(db)
    sign_in_directly(client, admin)
    token = csrf_from(client, "/people/new")
    html = client.post("/people/new", data={
        "email": "x@example.org", "given_name": "X", "family_name": "Y", "role": "teacher",
        "school": "", "csrf_token": token}).get_data(as_text=True)
    assert "A teacher needs a school." in html


def test_admin_deactivates_and_reactivates(db, client):
    admin, school, coach = _admin_world(db)
    sign_in_directly(client, admin)
    token = csrf_from(client, f"/people/{coach.id}")
    client.post(f"/people/{coach.id}/active", data={"active": "0", "csrf_token": token})
    assert not db.session.get(User, coach.id).active
    client.post(f"/people/{coach.id}/active", data={"active": "1", "csrf_token": token})
    assert db.session.get(User, coach.id).active
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.deactivated" in actions and "user.reactivated" in actions


def test_admin_gives_a_role_and_assigns_and_removes_a_coach(db, client):
    admin, school, coach = _admin_world(db)
    teacher = create_user(Role.TEACHER, school=school)
    sign_in_directly(client, admin)
    token = csrf_from(client, f"/people/{teacher.id}")
    client.post(f"/people/{teacher.id}/coaches", data={"coach": str(coach.id), "csrf_token": token})
    assert coach.name in client.get(f"/people/{teacher.id}").get_data(as_text=True)
    client.post(f"/people/{teacher.id}/coaches/{coach.id}/remove", data={"csrf_token": token})
    assert "No coach assigned." in client.get(f"/people/{teacher.id}").get_data(as_text=True)
    client.post(f"/people/{teacher.id}/roles", data={"role": "principal", "school": str(school.id),
                                                      "csrf_token": token})
    assert db.session.get(User, teacher.id).roles == {Role.PRINCIPAL}


def test_admin_adds_a_school(db, client):
    admin, school, _ = _admin_world(db)
    sign_in_directly(client, admin)
    token = csrf_from(client, "/schools")
    client.post("/schools", data={"code": "north", "name": "North School", "csrf_token": token})
    html = client.get("/schools").get_data(as_text=True)
    assert "North School" in html and "NORTH" in html
    refused = client.post("/schools", data={"code": "NORTH", "name": "Again", "csrf_token": token})
    assert "already has a school with the code NORTH" in refused.get_data(as_text=True)


def test_principal_home_counts_active_staff(db, client):
    school = create_school()
    principal = create_user(Role.PRINCIPAL, school=school)
    for _ in range(3):
        create_user(Role.TEACHER, school=school)
    create_user(Role.TEACHER, school=school, active=False)
    sign_in_directly(client, principal)
    html = client.get("/").get_data(as_text=True)
    assert '<td class="num">3</td><td class="num">0</td><td class="num">1</td>' in html
