"""Generic error responses: an HTML page, or problem+json (RFC 9457) for API and JSON callers.

Never a stack trace or SQL: unexpected errors are logged and answered with a plain 500.
"""

from flask import Flask, current_app, g, render_template, request
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

from pdplanner.audit.services import record
from pdplanner.extensions import db

MESSAGES = {
    400: "The request could not be understood. Check what you entered and try again.",
    401: "Sign in first, or send a valid API token in an 'Authorization: Bearer' header.",
    403: "You do not have access to this.",
    404: "We could not find that page. It may have moved, or you may not have access to it.",
    405: "That action is not available here.",
    409: "That change conflicts with the current state of the record. Nothing was changed.",
    413: "That upload is too large.",
    422: "Some of what was sent is not valid. Nothing was changed.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you entered was changed; please try again.",
    503: "The service is not available right now. Please try again shortly.",
}


def wants_json() -> bool:
    # A caller with an Authorization header is a program (an API client, a script downloading an
    # export): it gets problem+json, with its WWW-Authenticate challenge, wherever it called.
    if request.path.startswith("/api/") or "Authorization" in request.headers:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    accepted = request.accept_mimetypes
    return best == "application/json" and accepted[best] > accepted["text/html"]


def error_response(status: int, title: str, detail: str, errors: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None):
    """`errors`, for JSON callers, maps a field path (`ratings[0].level`) to what is wrong with it."""
    if wants_json():
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        if errors:
            body["errors"] = errors
        headers = {**(headers or {}), "Content-Type": "application/problem+json"}
        return current_app.json.response(body), status, headers
    page = render_template("errors/error.html", status=status, title=title, detail=detail)
    return page, status, headers or {}


def field_paths(messages, prefix: str = "") -> dict[str, str]:
    """Flatten marshmallow's nested messages into {"ratings[0].level": "message"}."""
    if not isinstance(messages, dict):
        texts = messages if isinstance(messages, list) else [messages]
        return {prefix or "body": " ".join(str(t) for t in texts)}
    flat = {}
    for key, value in messages.items():
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        elif key == "_schema":
            path = prefix
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        flat.update(field_paths(value, path))
    return flat


def request_problems(messages: dict) -> dict[str, str]:
    """webargs keys its messages by location ("json", "query"); the paths leave it out."""
    flat = {}
    for location, located in messages.items():
        flat.update(field_paths(located, "" if location in ("json", "query", "path") else location))
    return flat


def record_denied_access() -> None:
    """Authorization failures go to the audit log, in a transaction of their own."""
    denied = g.pop("access_denied", None)
    if denied is None or not current_user.is_authenticated:
        return
    db.session.rollback()
    record("access.denied", actor=current_user, district_id=current_user.district_id,
           method=request.method, path=request.path, **denied)
    db.session.commit()


def handle_http_error(error: HTTPException):
    record_denied_access()
    status = error.code or 500
    detail = MESSAGES.get(status, error.description)
    # Our own aborts may carry a specific, safe message; werkzeug's stock texts are replaced.
    if error.description and error.description != type(error).description:
        detail = error.description
    if isinstance(error, CSRFError):
        detail = "This form has expired. Reload the page and try again; nothing was saved."
    if isinstance(error, TooManyRequests):  # the limiter's description is its limit string
        detail = MESSAGES[429]
    # webargs' and the API's aborts carry data: a message, per-field errors, headers.
    data = getattr(error, "data", None)
    data = data if isinstance(data, dict) else {}
    errors = data.get("errors")
    if errors is None and data.get("messages"):
        errors = request_problems(data["messages"])
    detail = data.get("message") or detail
    if isinstance(error, CSRFError) and request.path.startswith("/api/"):
        detail = ("The CSRF token is missing or invalid: send the token of the page in an "
                  "X-CSRFToken header, or call the API with a Bearer token and no session cookie. "
                  "Nothing was changed.")
    return error_response(status, error.name, detail, errors, data.get("headers"))


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500, InternalServerError().name, MESSAGES[500])


# Seconds a client is asked to wait before retrying while the database is unavailable.
RETRY_AFTER_SECONDS = 30


def handle_database_unavailable(error: Exception):
    """The database did not answer in time (connect, statement, lock or pool timeout), stayed
    locked past SQLite's busy timeout, or is down: 503 with Retry-After, as the app's own page
    or problem+json. The page is rendered without the signed-in user, whose roles would need
    the database that just failed."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.invalidate()
    current_app.logger.error("Database unavailable on %s %s: %s", request.method, request.path,
                             error, exc_info=error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        return error_response(503, "Service Unavailable", MESSAGES[503], headers=headers)
    g._login_user = AnonymousUserMixin()   # flask-login's user of this request: no query needed
    page = render_template("errors/unavailable.html", retry_after=RETRY_AFTER_SECONDS)
    return page, 503, headers


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(PoolTimeoutError, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
