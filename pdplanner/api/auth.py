"""Who is calling the API: a Bearer token, else the signed-in session.

CSRF (SPEC 11): the API blueprint is exempt from the global CSRFProtect, and this hook puts the
check back for every write that carries a session cookie. Only a token call without a session
cookie skips it: a cross-site page can make a browser send its cookie, never a token.
"""

from flask import current_app, g, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from pdplanner.accounts.services import user_for_token
from pdplanner.database import WRITE_METHODS
from pdplanner.errors import MESSAGES, error_response
from pdplanner.extensions import csrf, db
from pdplanner.permissions import PUBLIC


def unauthorized(detail: str = MESSAGES[401], error: str | None = None):
    challenge = f'Bearer error="{error}"' if error else "Bearer"
    return error_response(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


def has_session_cookie() -> bool:
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def save_token_use() -> None:
    """The last-used stamp is bookkeeping: it commits on its own, and a failure to write it
    (a busy SQLite, say) must not fail the call."""
    if not db.session.dirty:
        return
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("Could not record an API token's last use", exc_info=True)


def _public_endpoint() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "access_policy", None) == PUBLIC


def authenticate_bearer_token():
    """A request with an `Authorization: Bearer` token is its owner's, for this request only
    (a token wins over a session). A malformed or invalid token is answered 401; without the
    header nothing changes. A before_request of the API and of the report downloads."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return unauthorized("Send the token as 'Authorization: Bearer <token>'.", "invalid_request")
    user = user_for_token(secret.strip())
    if user is None:
        return unauthorized("This API token is not valid: it is unknown or revoked, or its "
                            "owner's account is deactivated.", "invalid_token")
    save_token_use()
    # Flask-Login's per-request user: current_user is the token's owner for this request
    # only, and nothing is written to the session (no cookie is set for token calls).
    g._login_user = user
    return None


def authenticate_api_request():
    """before_request of the API blueprint: answers 401 problem+json rather than redirecting."""
    refused = authenticate_bearer_token()
    if refused is not None:
        return refused
    if not current_user.is_authenticated and not _public_endpoint():
        return unauthorized()
    if (request.method in WRITE_METHODS and has_session_cookie()
            and current_app.config.get("WTF_CSRF_ENABLED", True)):
        csrf.protect()
    return None
