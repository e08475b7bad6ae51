from datetime import datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pdplanner.database import UTCDateTime, utcnow
from pdplanner.extensions import db


class SchoolSummary(db.Model):
    """A school's counts and sums in one cycle (`core.summaries.summarise_schools`), kept so a
    dashboard reads one row per school, and the small headline of it apart so a page of all
    schools side by side does not decode every school's detail. A save that changes what it
    counts recomputes the row in place when it commits, and moves the district's row by the
    change (`dashboards.services.refresh`); a missing row is computed by its first reader."""

    __tablename__ = "school_summaries"
    __table_args__ = (UniqueConstraint("cycle_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    # No school: the whole district's (the cycle's) summary, kept so a district page reads one row.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"),
                                                  index=True)
    figures: Mapped[dict] = mapped_column(JSON)
    headline: Mapped[dict] = mapped_column(JSON)     # core.summaries.headline(figures)
    # The SVG of the charts drawn from these figures, by chart name: {"digest", "svg"}
    # (dashboards.charts.page_charts). Goes with the row; a digest that no longer matches the
    # chart built from the figures read is drawn again.
    charts: Mapped[dict | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublishedFigures(db.Model):
    """The rating-derived figures of a school (and of its cohorts) in one cycle as leaders last
    saw them published (`core.disclosure.publish`), with each contributor's digest: replaced
    only when enough people unknown to leaders have changed. Never deleted by a save: it is what
    keeps a save from showing."""

    __tablename__ = "published_figures"
    __table_args__ = (UniqueConstraint("cycle_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    snapshot: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
