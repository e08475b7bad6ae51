
from pdplanner.accounts.models import User
from pdplanner.accounts.passwords import verify_password
from tests.conftest import csrf_from
from tests.factories import create_user
from tests.helpers import without_csrf_tokens

ANSWER = "If an active account uses that email, we have sent it a link"



def _request(client, email, addr="10.1.1.1"):
    token = csrf_from(client, "/password-reset")
    return client.post("/password-reset", data={"email": email, "csrf_token": token},
                       follow_redirects=True, environ_base={"REMOTE_ADDR": addr})


def test_reset_mails_a_one_time_link_that_sets_a_new_password(db, client, outbox):
    user = create_user(given_name="Rosa")
    response = _request(client, user.email.upper())
    assert ANSWER in response.get_data(as_text=True)
    [message] = outbox
    assert message["To"] == user.email and "Hello Rosa" in message.get_content()
    path = "/set-password/" + message.get_content().split("/set-password/")[1].split()[0]
    token = csrf_from(client, path)
    client.post(path, data={"password": "a fresh passphrase", "confirm": "a fresh passphrase",
                            "csrf_token": token})
    assert verify_password(db.session.get(User, user.id).password_hash, "a fresh passphrase")
    assert client.get(path).status_code == 404


def test_unknown_and_deactivated_accounts_get_the_same_answer_and_no_mail(db, client, outbox):
    known = _request(client, create_user().email)
    outbox.clear()
    unknown = _request(client, "nobody@example.org")
    inactive = _request(client, create_user(active=False).email)
    assert outbox == []
    page = without_csrf_tokens(known)
    assert ANSWER in page
    assert without_csrf_tokens(unknown) == without_csrf_tokens(inactive) == page


def test_reset_requests_are_throttled(db, client, outbox):
    for _ in range(5):
        _request(client, "someone@example.org")
    token = csrf_from(client, "/password-reset")
    response = client.post("/password-reset", data={"email": "x@example.org", "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert response.status_code == 429


def test_log_backend_writes_the_message_to_the_log(app, monkeypatch, caplog):
    from pdplanner.accounts.mail import send_mail

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    with app.app_context():
        send_mail("a@example.org", "Subject line", "Body with a link")
    assert "Body with a link" in caplog.text
