"""Sign-in lock-out (issue 12, item 8), through the real /login form: OWASP's device cookies.

A browser that has signed in as a person is limited by its own device cookie; an attacker's
failures from elsewhere lock only the person's untrusted clients (docs/security/sign-in.md).
"""

import hashlib
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from pdplanner.accounts import devices, passwords
from pdplanner.accounts.services import issue_set_password_link
from pdplanner.accounts.views import THROTTLED
from pdplanner.extensions import db as database
from tests.conftest import CSRF_FIELD, csrf_from
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.usefixtures("quick_hashing")

WRONG = "not the password at all"
HOME = "192.0.2.10"          # where the person usually signs in
SCHOOL = "198.51.100.1"      # a school's staff behind one shared address
ELSEWHERE = "198.51.100.99"


def attempt(browser, email, password, addr=HOME):
    token = csrf_from(browser, "/login")
    return browser.post("/login", data={"email": email, "password": password, "csrf_token": token},
                        environ_base={"REMOTE_ADDR": addr})


def csrf_value(response) -> str:
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    return match.group(1) or match.group(2)


def sign_out(browser):
    browser.post("/logout", data={"csrf_token": csrf_from(browser, "/")})


def device_cookie(browser) -> str:
    cookie = browser.get_cookie(devices.COOKIE_NAME, path=devices.COOKIE_PATH)
    assert cookie is not None, "no device cookie"
    return cookie.value


def set_device_cookie(response) -> str:
    cookie, = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(devices.COOKIE_NAME)]
    return cookie


def create_person():
    person = create_user(commit=False)
    person.password_hash = passwords.hash_password(PASSWORD)
    database.session.commit()
    return person


@pytest.fixture
def new_browser(app, client):
    """A fresh browser (its own cookie jar), like `client`."""
    return app.test_client


def trusted_browser(new_browser, person, addr=HOME):
    """A browser the person has signed in with before (and signed out of): it holds their cookie."""
    browser = new_browser()
    assert attempt(browser, person.email, PASSWORD, addr=addr).status_code == 302
    sign_out(browser)
    return browser


def test_fifty_failures_from_ten_addresses_lock_untrusted_clients_not_the_persons_browser(
        db, new_browser):
    person = create_person()
    own = trusted_browser(new_browser, person)
    attacker = new_browser()
    addresses = [f"203.0.113.{n}" for n in range(1, 11)]
    statuses = {attempt(attacker, person.email, WRONG, addr=addr).status_code
                for addr in addresses for _ in range(5)}
    assert statuses == {200}  # 50 failures, 5 from each address: under every per-address limit

    # Untrusted clients are locked for this person, from any address, even with the password;
    # the page says what to do.
    refused = attempt(new_browser(), person.email, PASSWORD, addr=ELSEWHERE)
    assert refused.status_code == 429 and THROTTLED in refused.get_data(as_text=True)
    assert attempt(attacker, person.email, PASSWORD, addr="203.0.113.11").status_code == 429
    # The person's own browser still signs in: from home, and from an address the attacker used.
    assert attempt(own, person.email, PASSWORD, addr=HOME).status_code == 302
    sign_out(own)
    assert attempt(own, person.email, PASSWORD, addr=addresses[0]).status_code == 302


def test_failures_from_a_trusted_browser_lock_only_that_browser(db, app, new_browser, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_DEVICE", "3 per hour")
    person = create_person()
    laptop, tablet = trusted_browser(new_browser, person), trusted_browser(new_browser, person)
    assert [attempt(laptop, person.email, WRONG).status_code for _ in range(3)] == [200] * 3
    assert attempt(laptop, person.email, PASSWORD).status_code == 429
    assert attempt(tablet, person.email, PASSWORD).status_code == 302
    # The laptop's failures counted against its cookie, not against the person's untrusted clients.
    assert attempt(new_browser(), person.email, PASSWORD, addr=ELSEWHERE).status_code == 302


def test_made_up_emails_from_one_address_do_not_block_real_people_there(db, new_browser):
    person, colleague = create_person(), create_person()
    own = trusted_browser(new_browser, person, addr=SCHOOL)
    attacker = new_browser()
    statuses = {attempt(attacker, f"guess{n}@example.org", WRONG, addr=SCHOOL).status_code
                for n in range(30)}
    assert statuses == {200}
    # With a device cookie, and without one (the address cap, 100 a minute, is far away).
    assert attempt(own, person.email, PASSWORD, addr=SCHOOL).status_code == 302
    assert attempt(new_browser(), colleague.email, PASSWORD, addr=SCHOOL).status_code == 302


def test_at_the_address_cap_only_browsers_with_a_device_cookie_still_sign_in(
        db, app, new_browser, monkeypatch):
    """Without a device cookie a person at an address that hit its cap waits (at most an hour)
    or redeems a password-reset link, which trusts their browser."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "30 per minute")
    person, colleague = create_person(), create_person()
    own = trusted_browser(new_browser, person, addr=SCHOOL)
    attacker = new_browser()
    for n in range(30):
        attempt(attacker, f"guess{n}@example.org", WRONG, addr=SCHOOL)
    made_up = attempt(attacker, "guess-more@example.org", WRONG, addr=SCHOOL)
    real = attempt(new_browser(), colleague.email, PASSWORD, addr=SCHOOL)
    assert made_up.status_code == real.status_code == 429
    # The same page either way: a refusal does not tell who has an account.
    assert (made_up.get_data(as_text=True).replace("guess-more@example.org", colleague.email)
            == real.get_data(as_text=True).replace(csrf_value(real), csrf_value(made_up)))
    assert attempt(own, person.email, PASSWORD, addr=SCHOOL).status_code == 302


@pytest.fixture
def locked_out(db, app, new_browser, monkeypatch):
    """A person whose untrusted clients are locked out, the genuine cookie of their browser, and
    another person's genuine cookie."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per hour")
    person, other = create_person(), create_person()
    genuine = device_cookie(trusted_browser(new_browser, person))
    others = device_cookie(trusted_browser(new_browser, other))
    attacker = new_browser()
    for n in range(3):
        attempt(attacker, person.email, WRONG, addr=f"203.0.113.{n}")
    assert attempt(new_browser(), person.email, PASSWORD, addr=ELSEWHERE).status_code == 429
    return person, other, genuine, others


def _sign_in_with_cookie(new_browser, email, cookie_value):
    browser = new_browser()
    browser.set_cookie(devices.COOKIE_NAME, cookie_value, path=devices.COOKIE_PATH)
    return attempt(browser, email, PASSWORD).status_code


def _old_entry(app, person_id):
    """An entry correctly signed with the app's secret, issued longer ago than the lifetime."""
    with app.test_request_context():
        signer = devices._signer()
    issued = int(time.time() - app.config["DEVICE_COOKIE_LIFETIME"].total_seconds()) - 60
    signer.get_timestamp = lambda: issued
    return signer.sign(f"{person_id}.an-old-nonce").decode()


def test_forged_tampered_expired_or_someone_elses_cookie_is_not_trusted(app, new_browser, locked_out):
    person, other, genuine, others = locked_out
    forged = TimestampSigner("not the app's secret", salt="pdplanner.device-cookie",
                             digest_method=hashlib.sha256).sign(f"{person.id}.a-nonce").decode()
    tampered = others.replace(f"{other.id}.", f"{person.id}.", 1)
    assert tampered != others
    for cookie in (others, forged, tampered, genuine[:-2] + "xx", "garbage", f"{person.id}.nonce",
                   _old_entry(app, person.id)):
        assert _sign_in_with_cookie(new_browser, person.email, cookie) == 429, cookie
    # Only the person's own, genuine cookie is trusted; also next to another person's.
    assert _sign_in_with_cookie(new_browser, person.email, genuine) == 302
    assert _sign_in_with_cookie(new_browser, person.email, f"{others}~{genuine}") == 302


def test_another_persons_cookie_lets_them_in_but_never_trusts_the_locked_person(
        new_browser, locked_out):
    person, other, _genuine, others = locked_out
    browser = new_browser()
    browser.set_cookie(devices.COOKIE_NAME, others, path=devices.COOKIE_PATH)
    assert attempt(browser, other.email, PASSWORD).status_code == 302
    sign_out(browser)
    assert attempt(browser, person.email, PASSWORD).status_code == 429


def test_redeeming_a_set_password_link_trusts_the_browser(db, new_browser, locked_out):
    person = locked_out[0]
    path = issue_set_password_link(person)
    db.session.commit()
    browser = new_browser()
    token = csrf_from(browser, path)
    new = "my own new passphrase"
    browser.post(path, data={"password": new, "confirm": new, "csrf_token": token})
    assert attempt(browser, person.email, new).status_code == 302
    assert attempt(new_browser(), person.email, new, addr=ELSEWHERE).status_code == 429


def test_a_shared_browser_keeps_everyones_cookie_and_the_cookie_is_hardened(db, new_browser):
    first, second = create_person(), create_person()
    browser = trusted_browser(new_browser, first)
    cookie = set_device_cookie(attempt(browser, second.email, PASSWORD))
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/login", "Max-Age="):
        assert attribute in cookie
    assert first.email not in cookie and second.email not in cookie
    entries = device_cookie(browser).split(devices.ENTRY_SEPARATOR)
    assert [entry.split(".")[0] for entry in entries] == [str(second.id), str(first.id)]


def test_device_cookies_expire(db, app, new_browser, monkeypatch):
    monkeypatch.setitem(app.config, "DEVICE_COOKIE_LIFETIME", timedelta(days=30))
    person = create_person()
    assert f"Max-Age={30 * 24 * 3600}" in set_device_cookie(attempt(new_browser(), person.email, PASSWORD))
