from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pdplanner.database import UTCDateTime, utcnow
from pdplanner.extensions import db


class AuditEvent(db.Model):
    """One row per audited action; never updated or deleted by the application."""

    __tablename__ = "audit_events"
    # The audit page's order within a district (newest first, id breaking ties): a page deep in
    # a log of millions reads its rows along this index instead of sorting the district's events.
    __table_args__ = (Index("ix_audit_events_district_time", "district_id", "occurred_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    # No foreign key, like subject_id: the trail outlives the people in it. A deleted person's
    # events keep their id, and the `user.deleted` event names the email it belonged to.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(45))

    actor = relationship("User", primaryjoin="foreign(AuditEvent.actor_id) == User.id", viewonly=True)

    @property
    def known_actor(self):
        """The actor's account, unless it is gone: deleted, or its id reused by a newer account
        (SQLite may reuse the highest id), which cannot have acted before it existed."""
        actor = self.actor
        return actor if actor is not None and actor.created_at <= self.occurred_at else None
