"""Session lifetime: the per-user epoch, idle and absolute timeouts (SPEC section 11)."""

from datetime import UTC, datetime

from flask import current_app, flash, session
from flask_login import logout_user

from pdplanner.accounts.models import User
from pdplanner.database import utcnow
from pdplanner.extensions import db, login_manager

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"

login_manager.login_view = "accounts.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the user only while the session's epoch is still theirs and they are active."""
    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def start_session() -> None:
    """Called right after login_user: stamp the times the timeouts are measured from."""
    now = utcnow().timestamp()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    session.permanent = True


def enforce_session_timeouts():
    if "_user_id" not in session:
        return
    now = datetime.now(UTC).timestamp()
    signed_in_at = session.get(SIGNED_IN_AT, 0)
    last_seen_at = session.get(LAST_SEEN_AT, 0)
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    if now - last_seen_at > idle or now - signed_in_at > absolute:
        logout_user()
        session.clear()
        flash("Your session timed out. Please sign in again.", "info")
        return
    session[LAST_SEEN_AT] = now
