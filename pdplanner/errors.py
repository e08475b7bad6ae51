"""Generic error responses: an HTML page, or problem+json (RFC 9457) for API and JSON callers.

Never a stack trace or SQL: unexpected errors are logged and answered with a plain 500.
"""

from flask import Flask, current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

from pdplanner.audit.services import record
from pdplanner.extensions import db

MESSAGES = {
    400: "The request could not be understood. Check what you entered and try again.",
    403: "You do not have access to this.",
    404: "We could not find that page. It may have moved, or you may not have access to it.",
    405: "That action is not available here.",
    413: "That upload is too large.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you entered was changed; please try again.",
    503: "The service is not available right now. Please try again shortly.",
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    accepted = request.accept_mimetypes
    return best == "application/json" and accepted[best] > accepted["text/html"]


def error_response(status: int, title: str, detail: str):
    if wants_json():
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        return current_app.json.response(body), status, {"Content-Type": "application/problem+json"}
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


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
    return error_response(status, error.name, detail)


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500, InternalServerError.name, MESSAGES[500])


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
