"""Device cookies: OWASP's "Slow Down Online Guessing Attacks with Device Cookies".

A browser that has signed in as a person (or redeemed their set-password link) holds a cookie
naming that person and a random nonce, signed with the app's secret. Sign-in failures from a
browser presenting a valid cookie for the person it tries are counted against that cookie alone;
failures from every other client count against the person's untrusted clients and the address.
So an attacker elsewhere can lock out untrusted clients, never the browsers the person has used.
The limits themselves are the sign-in route's (accounts/views.py); docs/security/sign-in.md.
"""

import hashlib
import secrets

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, TimestampSigner

from pdplanner.accounts.models import User, user_by_email

COOKIE_NAME = "pdplanner_device"
# The cookie is read only when a sign-in form is posted, so it travels nowhere else.
COOKIE_PATH = "/login"
# One browser may hold the cookies of several people (a shared staff-room computer), newest first.
ENTRY_SEPARATOR = "~"


def _signer() -> TimestampSigner:
    config = current_app.config
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
    return TimestampSigner(keys, salt="pdplanner.device-cookie", digest_method=hashlib.sha256)


def _entries() -> list[str]:
    raw = request.cookies.get(COOKIE_NAME, "")
    return [entry for entry in raw.split(ENTRY_SEPARATOR) if entry][
        :current_app.config["DEVICE_COOKIE_MAX_PEOPLE"]]


def _person_and_nonce(entry: str) -> tuple[int, str] | None:
    """The (person id, nonce) a cookie entry vouches for, or None when its signature is wrong,
    it was signed with another secret, or it is older than DEVICE_COOKIE_LIFETIME."""
    lifetime = current_app.config["DEVICE_COOKIE_LIFETIME"].total_seconds()
    try:
        value = _signer().unsign(entry, max_age=lifetime).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    person, _, nonce = value.partition(".")
    if not (person.isdigit() and nonce):
        return None
    return int(person), nonce


def _nonce_for(user: User) -> str | None:
    for entry in _entries():
        vouched = _person_and_nonce(entry)
        if vouched is not None and vouched[0] == user.id:
            return vouched[1]
    return None


def trusted_device() -> str | None:
    """The nonce of this browser's valid device cookie for the person whose email the sign-in
    form names, or None: then the attempt comes from an untrusted client. A cookie for someone
    else, forged, tampered with or expired makes no difference. Decided once per request."""
    if "trusted_device" not in g:
        user = None
        if request.cookies.get(COOKIE_NAME):
            user = user_by_email(request.form.get("email", ""))
        g.trusted_device = _nonce_for(user) if user is not None else None
    return g.trusted_device


def remember_device(response: Response, user: User) -> None:
    """Give this browser a fresh device cookie for `user` (a new nonce, so a new failure count),
    keeping the valid cookies it holds for other people."""
    config = current_app.config
    others = [entry for entry in _entries()
              if (vouched := _person_and_nonce(entry)) is not None and vouched[0] != user.id]
    entry = _signer().sign(f"{user.id}.{secrets.token_urlsafe(16)}").decode()
    response.set_cookie(
        COOKIE_NAME, ENTRY_SEPARATOR.join([entry, *others][:config["DEVICE_COOKIE_MAX_PEOPLE"]]),
        max_age=int(config["DEVICE_COOKIE_LIFETIME"].total_seconds()), path=COOKIE_PATH,
        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Strict",
    )
