from flask import has_request_context, request
from sqlalchemy import insert

from pdplanner.audit.models import AuditEvent
from pdplanner.extensions import db


def record(action: str, *, actor=None, subject=None, district_id=None, **details) -> AuditEvent:
    """Add an audit event to the current transaction; it commits (or rolls back) with the change."""
    subject_district = getattr(subject, "district_id", None)
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        # `__class__`, not type(): a subject passed as flask_login's `current_user` is a
        # LocalProxy, whose type would be recorded as "localproxy" instead of "user".
        subject_type=subject.__class__.__name__.lower() if subject is not None else None,
        subject_id=subject.id if subject is not None else None,
        district_id=district_id or subject_district or getattr(actor, "district_id", None),
        details=details,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_many(action: str, *, actor=None, district_id: int, subjects: list[tuple[str, int, dict]]) -> None:
    """One audit event per (subject_type, subject_id, details), in one statement: for bulk writes
    (a roster import) that bypass the ORM and would take seconds as thousands of objects."""
    if not subjects:
        return
    remote_addr = request.remote_addr if has_request_context() else None
    db.session.execute(insert(AuditEvent.__table__), [
        {"action": action, "actor_id": actor.id if actor is not None else None, "district_id": district_id,
         "subject_type": subject_type, "subject_id": subject_id, "details": details,
         "remote_addr": remote_addr}
        for subject_type, subject_id, details in subjects
    ])
