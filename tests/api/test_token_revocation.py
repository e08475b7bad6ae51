"""Issue 12, item 7: API tokens must not outlive a new password or a deactivation. Each test
replays the attack through the real pages and API: a token made before the event stops working,
stays dead when the person is reactivated, and the revocation is in the audit log."""

from sqlalchemy import select

from pdplanner.accounts.models import ApiToken, User
from pdplanner.audit.models import AuditEvent
from pdplanner.organisation.roster.apply import apply_roster
from pdplanner.organisation.roster.queries import roster_preview
from tests.conftest import csrf_from
from tests.factories import PASSWORD
from tests.helpers import sign_in_directly
from tests.organisation.test_roster_import import simple

NEW_PASSWORD = "an entirely new passphrase"


def works(client, headers) -> bool:
    status = client.get("/api/v1/me", headers=headers).status_code
    assert status in (200, 401)
    return status == 200


def revocations(db) -> list[dict]:
    return [event.details for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_token.revoked").order_by(AuditEvent.id))]



def test_a_password_reset_revokes_every_token_and_the_account_page_says_so(db, client, town, bearer,
                                                                           outbox):
    headers, other = bearer(town.teacher), bearer(town.teacher)
    colleague = bearer(town.colleague)
    token = csrf_from(client, "/password-reset")
    answer = client.post("/password-reset", data={"email": town.teacher.email, "csrf_token": token},
                         follow_redirects=True).get_data(as_text=True)
    assert "revokes its API tokens" in answer
    [message] = outbox
    path = "/set-password/" + message.get_content().split("/set-password/")[1].split()[0]
    assert "revokes all your API tokens" in client.get(path).get_data(as_text=True)
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                   "csrf_token": csrf_from(client, path)}, follow_redirects=True)
    assert "API tokens of yours are revoked" in done.get_data(as_text=True)

    assert not works(client, headers) and not works(client, other)
    assert works(client, colleague)   # only the person's own tokens go
    assert [(d["reason"], d["name"]) for d in revocations(db)] == [("password changed", "test")] * 2
    sign_in_directly(client, town.teacher)
    page = client.get("/account").get_data(as_text=True)
    assert "Changing or resetting your password revokes all your tokens" in page
    assert page.count("Revoked on") == 2


def test_changing_the_password_revokes_every_token(db, client, town, bearer):
    headers = bearer(town.teacher)
    sign_in_directly(client, town.teacher)
    csrf = csrf_from(client, "/account/password")
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf},
        follow_redirects=True)
    assert "every API token of yours is revoked" in response.get_data(as_text=True)
    assert not works(client, headers)
    [event] = revocations(db)
    assert event["reason"] == "password changed"
    # A token made after the change works: the revocation is of the old ones only.
    assert works(client, bearer(town.teacher))


def test_a_token_stays_dead_when_a_deactivated_person_is_reactivated(db, client, town, bearer):
    headers = bearer(town.teacher)
    sign_in_directly(client, town.admin)
    url, csrf = f"/people/{town.teacher.id}/active", csrf_from(client, "/account")
    assert client.post(url, data={"active": "0", "csrf_token": csrf}).status_code == 302
    assert not works(client, headers)
    assert client.post(url, data={"active": "1", "csrf_token": csrf}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, town.teacher.id).active
    assert not works(client, headers)
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    [event] = revocations(db)
    assert event["reason"] == "deactivated"


def test_the_same_through_the_api(db, client, town, bearer):
    headers, admin = bearer(town.teacher), bearer(town.admin)
    url = f"/api/v1/people/{town.teacher.id}/active"
    assert client.put(url, json={"active": False}, headers=admin).status_code == 200
    assert client.put(url, json={"active": True}, headers=admin).status_code == 200
    assert not works(client, headers)


def test_a_roster_that_deactivates_a_person_revokes_their_tokens(db, client, town, bearer):
    headers = bearer(town.colleague)
    roster = simple([f"{town.teacher.email},Tess,Teacher,teacher,{town.school.code},{town.coach.email}"])
    # Most of the small district goes: the admin types the confirmation the preview asks for.
    typed = roster_preview(town.district, roster, town.admin).confirmation_phrase
    apply_roster(town.district, roster, actor=town.admin, typed=typed)
    db.session.commit()
    assert not works(client, headers)
    # Listed again, the person is active again; the token is not.
    again = simple([f"{town.colleague.email},Col,League,teacher,{town.school.code},"])
    apply_roster(town.district, again, actor=town.admin,
                 typed=roster_preview(town.district, again, town.admin).confirmation_phrase)
    db.session.commit()
    assert not works(client, headers)
    assert {d["reason"] for d in revocations(db)} == {"deactivated"}
