import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pdplanner.database import TimestampMixin, UTCDateTime, enum_column
from pdplanner.extensions import db
from pdplanner.framework.models import CODE_LENGTH


class ResourceKind(enum.StrEnum):
    MICRO_CREDENTIAL = "micro-credential"
    COACHING_CYCLE = "coaching-cycle"
    PLC_PROTOCOL = "plc-protocol"
    PEER_OBSERVATION = "peer-observation"
    WORKSHOP = "workshop"
    BOOK_STUDY = "book-study"
    ONLINE_COURSE = "online-course"
    VIDEO_STUDY = "video-study"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").replace("plc", "PLC").capitalize().replace("Plc", "PLC")


class DistrictPlanningSettings(TimestampMixin, db.Model):
    """A district's planning rules (SPEC section 5); a district without a row uses the defaults."""

    __tablename__ = "planning_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), unique=True)
    current_level_policy: Mapped[str] = mapped_column(String(10), default="mean")
    interest_bonus: Mapped[float] = mapped_column(Float, default=0.5)
    foundational_bonus: Mapped[float] = mapped_column(Float, default=0.25)
    goals_per_educator: Mapped[int] = mapped_column(Integer, default=3)
    goals_per_domain: Mapped[int] = mapped_column(Integer, default=2)
    fast_lane_readiness: Mapped[float] = mapped_column(Float, default=0.6)
    fast_lane_min_domain_mean: Mapped[float] = mapped_column(Float, default=2.5)
    cohort_min_size: Mapped[int] = mapped_column(Integer, default=3)
    cohort_max_size: Mapped[int] = mapped_column(Integer, default=8)
    coach_caseload_limit: Mapped[int] = mapped_column(Integer, default=20)
    # Growth-framed by default; "slow" is never shown to a teacher unless the district writes it.
    fast_lane_label: Mapped[str] = mapped_column(String(60), default="Ready to move")
    slow_lane_label: Mapped[str] = mapped_column(String(60), default="Building readiness")


class Resource(TimestampMixin, db.Model):
    """A professional-learning activity of the catalogue. district_id NULL: shared by all."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ResourceKind] = mapped_column(enum_column(ResourceKind, length=30), index=True)
    competencies: Mapped[list] = mapped_column(JSON, default=list)  # competency codes
    level_min: Mapped[int] = mapped_column(Integer, default=1)
    level_max: Mapped[int] = mapped_column(Integer, default=4)
    hours: Mapped[float] = mapped_column(Float)
    lanes: Mapped[list] = mapped_column(JSON, default=list)  # "fast", "slow"
    description: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class CohortStatus(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


class GoalStatus(enum.StrEnum):
    ACTIVE = "active"
    VERIFIED = "verified"


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"

    @property
    def label(self) -> str:
        """As the plan page and the growth plan PDF say it."""
        return ACTIVITY_STATUS_LABELS[self]


ACTIVITY_STATUS_LABELS = {ActivityStatus.PLANNED: "Not started", ActivityStatus.IN_PROGRESS: "In progress",
                          ActivityStatus.DONE: "Done, waiting for verification",
                          ActivityStatus.VERIFIED: "Verified"}


class Cohort(TimestampMixin, db.Model):
    """A group of educators sharing a lane and a focus, led by a coach. Re-planning replaces
    proposed cohorts; confirmed ones and their members stay as they are."""

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("cycle_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    lane: Mapped[str] = mapped_column(String(10))
    focus: Mapped[str] = mapped_column(String(CODE_LENGTH))
    school_ids: Mapped[list] = mapped_column(JSON, default=list)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    mentor_ids: Mapped[list] = mapped_column(JSON, default=list)
    why: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CohortStatus] = mapped_column(enum_column(CohortStatus), default=CohortStatus.PROPOSED,
                                                 index=True)

    coach = relationship("User")
    cycle = relationship("Cycle")


class Placement(TimestampMixin, db.Model):
    """An educator's lane and cohort (or individual coaching) in a cycle, with the numbers behind
    the lane. A lane override survives re-planning."""

    __tablename__ = "placements"
    __table_args__ = (UniqueConstraint("cycle_id", "educator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lane: Mapped[str] = mapped_column(String(10), index=True)
    readiness: Mapped[float | None] = mapped_column(Float)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    at_target: Mapped[int] = mapped_column(Integer, default=0)
    lowest_domain: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    lowest_domain_mean: Mapped[float | None] = mapped_column(Float)
    why: Mapped[str] = mapped_column(Text, default="")
    override_lane: Mapped[str | None] = mapped_column(String(10))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    individual_reason: Mapped[str] = mapped_column(Text, default="")

    cohort = relationship("Cohort")
    educator = relationship("User", foreign_keys=[educator_id])


class PlannedGoal(TimestampMixin, db.Model):
    """A competency-based goal: grow one competency by one level in a cycle."""

    __tablename__ = "planned_goals"
    __table_args__ = (UniqueConstraint("cycle_id", "educator_id", "competency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    competency_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    from_level: Mapped[int | None] = mapped_column(Integer)
    to_level: Mapped[int] = mapped_column(Integer)
    priority: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    why: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[GoalStatus] = mapped_column(enum_column(GoalStatus), default=GoalStatus.ACTIVE)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PathActivity(TimestampMixin, db.Model):
    """One step of an educator's learning path: an activity of the catalogue toward a goal."""

    __tablename__ = "path_activities"
    # One person's path in one cycle is the common read (plan pages, dashboards); without this
    # SQLite picks the cycle index and walks every path of the district.
    __table_args__ = (Index("ix_path_activities_cycle_educator", "cycle_id", "educator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    competency_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    why: Mapped[str] = mapped_column(Text, default="")
    # "suggested" by the planner (replaced on re-plan while untouched) or "coach" (kept).
    source: Mapped[str] = mapped_column(String(20), default="suggested")
    status: Mapped[ActivityStatus] = mapped_column(enum_column(ActivityStatus),
                                                   default=ActivityStatus.PLANNED)
    reflection: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    evidence_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_files.id", ondelete="SET NULL"), index=True)
    # What the coach said when sending the evidence back for more.
    coach_note: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resource = relationship("Resource")
    evidence_file = relationship("EvidenceFile")
    educator = relationship("User", foreign_keys=[educator_id])

    @property
    def removable(self) -> bool:
        """Nothing recorded on it yet: a coach may take it off the path."""
        return (self.status == ActivityStatus.PLANNED and not self.reflection and not self.evidence_url
                and self.evidence_file_id is None)
