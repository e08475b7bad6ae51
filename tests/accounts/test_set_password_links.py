from datetime import timedelta

from sqlalchemy import select

from pdplanner.accounts.models import SetPasswordToken, User
from pdplanner.accounts.passwords import verify_password
from pdplanner.accounts.services import issue_set_password_link
from pdplanner.database import utcnow
from tests.conftest import csrf_from
from tests.factories import create_user

NEW = "my own new passphrase"


def _link(db, user):
    path = issue_set_password_link(user)
    db.session.commit()
    return path


def _submit(client, path, password=NEW, confirm=NEW):
    token = csrf_from(client, path)
    return client.post(path, data={"password": password, "confirm": confirm, "csrf_token": token})


def test_link_sets_the_password_once(db, client):
    user = create_user()
    path = _link(db, user)
    assert _submit(client, path).headers["Location"] == "/login"
    assert verify_password(db.session.get(User, user.id).password_hash, NEW)
    assert client.get(path).status_code == 404  # single use


def test_only_a_hash_of_the_secret_is_stored(db):
    user = create_user()
    secret = _link(db, user).rsplit("/", 1)[1]
    stored = db.session.scalar(select(SetPasswordToken.token_hash))
    assert secret not in stored and len(stored) == 64


def test_expired_link_is_refused(db, client):
    user = create_user()
    path = _link(db, user)
    token = db.session.scalar(select(SetPasswordToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 404
    assert "expired or has already been used" in response.get_data(as_text=True)


def test_weak_password_is_refused_and_the_link_still_works(db, client):
    user = create_user()
    path = _link(db, user)
    response = _submit(client, path, "password1", "password1")
    assert "too common" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_mismatched_confirmation_is_refused(db, client):
    path = _link(db, create_user())
    assert "The two passwords differ." in _submit(client, path, NEW, NEW + "x").get_data(as_text=True)


def test_link_of_a_deactivated_person_is_refused(db, client):
    user = create_user()
    path = _link(db, user)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert client.get(path).status_code == 404
