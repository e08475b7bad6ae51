import pytest

from pdplanner.accounts.passwords import hash_password
from tests.conftest import csrf_from
from tests.factories import PASSWORD, create_user
from tests.helpers import sign_in_directly


def _attempt(client, email, password, addr="10.0.0.1"):
    token = csrf_from(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": addr})


def test_repeated_failures_on_one_account_are_throttled(db, client):
    user = create_user()
    statuses = [_attempt(client, user.email, "wrong password!").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Even the right password waits until the window has passed.
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_throttling_one_account_from_one_address_does_not_lock_the_owner_out(db, client):
    """An attacker's failures from their address must not stop the owner at another address."""
    user = create_user()
    for _ in range(6):
        _attempt(client, user.email, "wrong password!", addr="203.0.113.9")
    assert _attempt(client, user.email, PASSWORD, addr="198.51.100.7").status_code == 302


def test_successful_sign_ins_do_not_count(db, client):
    user = create_user()
    for _ in range(7):
        assert _attempt(client, user.email, PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})


def test_one_address_trying_many_accounts_is_throttled(db, app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "8 per minute")
    statuses = [_attempt(client, f"guess{n}@example.org", "wrong password!").status_code
                for n in range(9)]
    assert statuses[-1] == 429 and statuses[:8] == [200] * 8


def test_an_ipv6_client_is_counted_by_its_64_bit_prefix(db, app, client, monkeypatch, quick_hashing):
    """One subscriber usually holds a whole /64: a fresh address per guess must not reset the count."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per minute")
    statuses = [_attempt(client, f"guess{n}@example.org", "wrong password!",
                         addr=f"2001:db8:1:2::{n + 1:x}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert _attempt(client, "guess@example.org", "wrong password!", addr="2001:db8:1:3::1").status_code == 200
    # An IPv4 client seen through an IPv6 socket is its IPv4 address.
    for n in range(3):
        _attempt(client, f"other{n}@example.org", "wrong password!", addr="192.0.2.7")
    assert _attempt(client, "x@example.org", "wrong password!", addr="::ffff:192.0.2.7").status_code == 429


def test_guessing_the_current_password_is_throttled(db, client, quick_hashing):
    """A stolen session must not guess the current password freely on the change-password page."""
    user = create_user(commit=False)
    user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    sign_in_directly(client, user)

    def change(current):
        token = csrf_from(client, "/account/password")
        return client.post("/account/password", data={
            "current": current, "password": "a brand new passphrase",
            "confirm": "a brand new passphrase", "csrf_token": token}).status_code

    assert [change("wrong password!") for _ in range(6)] == [200] * 5 + [429]
    assert change(PASSWORD) == 429


def test_redis_storage_shares_limits_between_app_instances(app, db):
    """With RATELIMIT_STORAGE_URI pointing to Redis, two processes share one count."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    limiters = []
    for _ in range(2):
        limiter = Limiter(key_func=get_remote_address, storage_uri="redis://127.0.0.1:6379/0",
                          key_prefix="pdplanner-test-shared")
        limiter.init_app(app.__class__("other"))
        limiters.append(limiter)
    limiters[0].reset()
    from limits import parse

    limit = parse("3 per minute")
    hits = [limiters[i % 2].limiter.hit(limit, "shared-key") for i in range(4)]
    assert hits == [True, True, True, False]
    limiters[0].reset()
