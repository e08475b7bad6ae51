from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.audit.models import AuditEvent
from tests.conftest import csrf_from
from tests.factories import create_user

REFUSAL = "That email and password do not match an active account."


def test_each_role_lands_on_its_home_page(db, client, login):
    teacher = create_user(Role.TEACHER, given_name="Ada")
    admin = create_user(Role.DISTRICT_ADMIN, district=teacher.district)
    response = login(teacher, follow_redirects=True)
    assert response.request.path == "/"
    assert "Welcome, Ada" in response.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    html = login(admin, follow_redirects=True).get_data(as_text=True)
    assert "Schools side by side" in html


def test_wrong_password_and_unknown_email_get_the_same_clear_message(db, client, login):
    user = create_user()
    wrong = login(user, password="not the password at all")
    token = csrf_from(client, "/login")
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "whatever123",
                                          "csrf_token": token})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert REFUSAL in response.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("sign_in.failed") == 2


def test_deactivated_person_cannot_sign_in(db, client, login):
    user = create_user(active=False)
    assert REFUSAL in login(user).get_data(as_text=True)


def test_email_is_case_insensitive(db, client):
    user = create_user(email="Mixed.Case@Example.org")
    token = csrf_from(client, "/login")
    response = client.post("/login", data={"email": " MIXED.case@example.ORG ",
                                           "password": "correct horse battery staple",
                                           "csrf_token": token})
    assert response.status_code == 302
    assert user.email == "mixed.case@example.org"


def test_next_redirect_stays_on_the_site(db, client):
    user = create_user()
    for target, expected in [("/account", "/account"), ("https://evil.example/", "/"),
                             ("//evil.example/x", "/"), ("/\\evil.example", "/")]:
        token = csrf_from(client, "/login")
        response = client.post(f"/login?next={target}", data={
            "email": user.email, "password": "correct horse battery staple", "csrf_token": token})
        assert response.headers["Location"] == expected, target
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})


def test_anonymous_visit_is_sent_to_sign_in_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount"
