"""Account writes: signing in and out, passwords, set-password links and API tokens.

Services flush; the request or CLI command commits once.
"""

import hashlib
import secrets
import smtplib
from datetime import timedelta

from flask import current_app
from sqlalchemy import insert, select, update

from pdplanner.accounts.mail import send_mail
from pdplanner.accounts.models import ApiToken, SetPasswordToken, User, user_by_email
from pdplanner.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from pdplanner.audit.services import record, record_many
from pdplanner.database import read_connection, utcnow
from pdplanner.extensions import db


class AccountError(ValueError):
    """A refused account change; the message is meant for the person who asked.

    `field` names the form field the message belongs to.
    """

    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.field = field


def personal_words(user: User) -> tuple[str, ...]:
    local, _, domain = user.email.partition("@")
    return (local, user.given_name, user.family_name, domain.split(".")[0])


def check_new_password(user: User, password: str) -> None:
    problem = password_problem(
        password,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        personal=personal_words(user),
    )
    if problem:
        raise AccountError(problem)


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Set a new password (already checked against the policy), end all other sessions and
    revoke every API token: whoever knew the old password may have made one."""
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    record("password.changed", actor=actor or user, subject=user)
    revoke_tokens([user.id], district_id=user.district_id, actor=actor or user, reason="password changed")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Records the attempt.

    The password is checked (argon2: slow on purpose, and as slow for an unknown email) before
    the write transaction begins, with the account read on a connection that is closed first:
    on SQLite the write lock is held only for the few statements that record the sign-in, so
    simultaneous sign-ins do not queue behind each other's hashing (docs/security/database-faults.md)."""
    email = email.strip().lower()
    with read_connection(db.engine) as connection:
        account = connection.execute(
            select(User.id, User.password_hash).where(User.email == email)).first()
    checked_hash = account.password_hash if account else None
    verified = verify_password(checked_hash, password)
    new_hash = hash_password(password) if verified and needs_rehash(checked_hash) else None
    user = db.session.get(User, account.id) if account else None
    # A password changed between the check and now: the check was against the old one.
    if not verified or user is None or not user.active or user.password_hash != checked_hash:
        record(
            "sign_in.failed", actor=None, subject=user,
            district_id=user.district_id if user else None, email=email[:254],
        )
        return None
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_sign_in_at = utcnow()
    record("sign_in.succeeded", actor=user, subject=user)
    return user


def sign_out(user: User) -> None:
    """End every session of `user`, on every device."""
    user.session_epoch += 1
    record("sign_out", actor=user, subject=user)


def dismiss_welcome(user: User) -> None:
    """The first-run welcome on their home page stays closed from now on, on every device."""
    if user.welcome_dismissed_at is None:
        user.welcome_dismissed_at = utcnow()
        db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not right.", field="current")
    check_new_password(user, new)
    set_password(user, new)


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_set_password_link(user: User, *, actor: User | None = None,
                            lifetime: timedelta | None = None) -> str:
    """Create a single-use, short-lived link; only its hash is stored. Returns the URL path."""
    secret = secrets.token_urlsafe(32)
    lifetime = lifetime or current_app.config["SET_PASSWORD_LINK_LIFETIME"]
    db.session.add(SetPasswordToken(
        user=user, token_hash=_token_hash(secret), expires_at=utcnow() + lifetime,
    ))
    record("set_password_link.issued", actor=actor, subject=user)
    return f"/set-password/{secret}"


def issue_set_password_links(user_ids: list[int]) -> dict[int, str]:
    """One set-password link per person, in one statement (a roster import creates thousands);
    the same links as `issue_set_password_link`. Returns each person's URL path."""
    expires_at = utcnow() + current_app.config["SET_PASSWORD_LINK_LIFETIME"]
    secrets_by_user = {user_id: secrets.token_urlsafe(32) for user_id in user_ids}
    if secrets_by_user:
        db.session.execute(insert(SetPasswordToken.__table__), [
            {"user_id": user_id, "token_hash": _token_hash(secret), "expires_at": expires_at}
            for user_id, secret in secrets_by_user.items()
        ])
    return {user_id: f"/set-password/{secret}" for user_id, secret in secrets_by_user.items()}


def mail_invitation(email: str, given_name: str, path: str) -> None:
    """Mail a person a roster import created the link with which they set their password."""
    config = current_app.config
    hours = int(config["SET_PASSWORD_LINK_LIFETIME"].total_seconds() // 3600)
    send_mail(email, "Your pdplanner account", (
        f"Hello {given_name},\n\n"
        f"Your district has given you a pdplanner account. Open this link within {hours} hours to\n"
        f"choose your password. It works once.\n\n{config['PUBLIC_BASE_URL']}{path}\n\n"
        "If it has expired, ask your district admin for a new one.\n"
    ))


def mail_invitations(invitations) -> list[str]:
    """Mail the invitations of a committed roster import (`mail_invitation`); returns the emails
    whose mail could not be sent, which are logged. A recipient the mail server refuses is
    skipped; a server that cannot be reached ends the mailing, rather than waiting out a
    timeout per person. The people exist either way: a district admin can send anyone a new
    set-password link from their page."""
    unsent = []
    for n, invitation in enumerate(invitations):
        try:
            mail_invitation(invitation.email, invitation.given_name, invitation.path)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
            current_app.logger.exception("Invitation to %s not sent", invitation.email)
            unsent.append(invitation.email)
        except OSError:
            current_app.logger.exception("Mail server unreachable: %d invitations not sent",
                                         len(invitations) - n)
            unsent += [later.email for later in invitations[n:]]
            break
    return unsent


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account uses `email`; otherwise do nothing visible.

    The caller answers the same either way, so the page does not reveal who has an account.
    """
    user = user_by_email(email)
    if user is None or not user.active:
        return
    config = current_app.config
    lifetime = config["PASSWORD_RESET_LINK_LIFETIME"]
    link = config["PUBLIC_BASE_URL"] + issue_set_password_link(user, actor=user, lifetime=lifetime)
    minutes = int(lifetime.total_seconds() // 60)
    send_mail(user.email, "Reset your pdplanner password", (
        f"Hello {user.given_name},\n\n"
        f"Someone asked to reset the password of your pdplanner account. If it was you, open this\n"
        f"link within {minutes} minutes to choose a new password. It works once.\n\n{link}\n\n"
        "If it was not you, ignore this message: your password stays as it is.\n"
    ))


def redeemable_token(secret: str) -> SetPasswordToken | None:
    token = db.session.scalar(
        select(SetPasswordToken).where(SetPasswordToken.token_hash == _token_hash(secret))
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    if not token.user.active:
        return None
    return token


def redeem_set_password_link(token: SetPasswordToken, password: str) -> User:
    check_new_password(token.user, password)
    token.used_at = utcnow()
    set_password(token.user, password)
    return token.user


# -- personal access tokens for the API ----------------------------------------------------

API_TOKEN_PREFIX = "pdp_"
# last_used_at is stamped at most this often, so a busy script does not write on every request.
TOKEN_USE_PRECISION = timedelta(minutes=5)


def create_token(user: User, name: str = "", *, actor: User | None = None) -> tuple[ApiToken, str]:
    """Issue a personal access token. Returns the row and the secret, which is never stored
    (only its SHA-256) and so can be shown only this once."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=" ".join(name.split())[:100] or "API token",
                     token_hash=_token_hash(secret), prefix=secret[:8])
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=actor, subject=user, token_id=token.id, name=token.name)
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(user: User, token_id: int, *, actor: User | None = None) -> ApiToken | None:
    """Revoke one of `user`'s tokens; None when they have no token with that id."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", actor=actor, subject=user, token_id=token.id, name=token.name)
    return token


def revoke_tokens(user_ids: list[int], *, district_id: int, actor: User | None, reason: str) -> int:
    """Revoke every live API token of these people (a new password, a deactivation), one audit
    event per token naming `reason`. A revoked token stays revoked, so reactivating a person
    does not bring their tokens back. Returns how many were revoked."""
    revoked = []
    for start in range(0, len(user_ids), 1000):
        chunk = user_ids[start:start + 1000]
        revoked += db.session.execute(
            update(ApiToken).where(ApiToken.user_id.in_(chunk), ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()).returning(ApiToken.id, ApiToken.user_id, ApiToken.name)).all()
    record_many("api_token.revoked", actor=actor, district_id=district_id, subjects=[
        ("user", user_id, {"token_id": token_id, "name": name, "reason": reason})
        for token_id, user_id, name in revoked])
    return len(revoked)


def user_for_token(secret: str) -> User | None:
    """The active owner of a live (not revoked) token, or None. Stamps the token's last use."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_PRECISION:
        token.last_used_at = now
    return token.user
