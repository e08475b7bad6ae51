"""Audit reads."""

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from pdplanner.audit.models import AuditEvent


def district_events(district_id: int) -> Select:
    """A select() of a district's audit events, newest first: the audit page shows the first
    ones, the API pages through them."""
    return (select(AuditEvent).options(selectinload(AuditEvent.actor))
            .where(AuditEvent.district_id == district_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
