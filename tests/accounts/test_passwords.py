import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select

from pdplanner.accounts.models import User
from pdplanner.accounts.passwords import hash_password, password_problem, verify_password
from tests.conftest import csrf_from
from tests.factories import PASSWORD, create_user

# What hashes were made with before issue 14: argon2-cffi's defaults (RFC 9106 low-memory profile).
OLD_PARAMETERS = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)


def test_hashes_are_argon2id_and_verify():
    hashed = hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long enough passphrase")
    assert not verify_password(hashed, "a long enough passphrasE")
    assert not verify_password(None, "anything")


def with_old_hash(db, user):
    user.password_hash = OLD_PARAMETERS.hash(PASSWORD)
    db.session.commit()
    return user


def stored_hash(db, user) -> str:
    """The hash as the database holds it, not as this session remembers it."""
    return db.session.scalar(select(User.password_hash).where(User.id == user.id))


def test_hashes_use_owasps_parameters_for_a_shared_server():
    parameters = extract_parameters(hash_password("a long enough passphrase"))
    assert parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19 * 1024, 2, 1)


def test_a_hash_with_the_old_parameters_is_upgraded_at_the_next_sign_in(db, client, login):
    user = with_old_hash(db, create_user())
    assert login(user).status_code == 302
    stored = stored_hash(db, user)
    assert extract_parameters(stored) == extract_parameters(hash_password(PASSWORD))
    assert verify_password(stored, PASSWORD)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    assert login(user).status_code == 302


def test_a_failed_sign_in_does_not_rehash(db, client, login):
    user = with_old_hash(db, create_user())
    old = user.password_hash
    assert login(user, password="not the password at all").status_code == 200
    assert stored_hash(db, user) == old


def test_a_current_hash_is_kept_at_sign_in(db, client, login):
    user = create_user()
    current = user.password_hash
    assert login(user).status_code == 302
    assert stored_hash(db, user) == current


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
