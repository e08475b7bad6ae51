import pytest

from pdplanner.accounts.models import User
from pdplanner.accounts.passwords import hash_password, password_problem, verify_password
from tests.conftest import csrf_from
from tests.factories import PASSWORD, create_user


def test_hashes_are_argon2id_and_verify():
    hashed = hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long enough passphrase")
    assert not verify_password(hashed, "a long enough passphrasE")
    assert not verify_password(None, "anything")


@pytest.mark.parametrize("password,refused", [
    ("short1", True),                      # under 8 characters
    ("password1", True),                   # common
    ("PassWord123", True),                 # common, any case
    ("aaaaaaaaaaaa", True),                # one repeated character
    ("ada.lovelace-rules", True),          # contains the person's name
    ("correct horse battery staple", False),
    ("ñandú-über-straße", False),          # any characters, no composition rules
    ("x" * 200, True),                     # repeated again, long
    ("Tr0ub4dor&3 and more words", False),
])
def test_password_policy(password, refused):
    problem = password_problem(password, min_length=8, personal=("ada", "Lovelace", "example"))
    assert (problem is not None) == refused, problem


def test_change_password_needs_the_current_one(db, client, login):
    user = create_user()
    login(user)
    token = csrf_from(client, "/account/password")
    response = client.post("/account/password", data={
        "current": "not my password", "password": "a brand new passphrase",
        "confirm": "a brand new passphrase", "csrf_token": token})
    assert "Your current password is not right." in response.get_data(as_text=True)
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_change_password_refuses_a_common_one_with_a_clear_message(db, client, login):
    user = create_user()
    login(user)
    token = csrf_from(client, "/account/password")
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": "password123", "confirm": "password123", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert "too common" in html and 'aria-invalid="true"' in html
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
