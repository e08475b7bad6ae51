import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pdplanner.database import TimestampMixin, UTCDateTime, enum_column
from pdplanner.extensions import db
from pdplanner.framework.models import CODE_LENGTH


class CycleStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class RaterKind(enum.StrEnum):
    SELF = "self"
    COACH = "coach"
    # A coach verified the evidence of a planned goal: the educator has reached the goal's level.
    EVIDENCE = "evidence"


class Confidence(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AssessmentStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Cycle(TimestampMixin, db.Model):
    """An assessment window of a district, pinned to one framework version."""

    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CycleStatus] = mapped_column(enum_column(CycleStatus), default=CycleStatus.DRAFT,
                                                index=True)

    framework = relationship("Framework")

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN


class SelfAssessment(TimestampMixin, db.Model):
    """An educator's self-assessment in one cycle: its state, where they left off, and sharing."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("cycle_id", "educator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_column(AssessmentStatus), default=AssessmentStatus.IN_PROGRESS, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The domain page the educator last saved on, so they resume exactly there.
    last_domain_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    shared_with_principal: Mapped[bool] = mapped_column(Boolean, default=False)

    cycle = relationship("Cycle")
    educator = relationship("User")

    @property
    def submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED


class Rating(TimestampMixin, db.Model):
    """One rater's rating of one educator on one competency in one cycle.

    Self and coach ratings are separate rows and are never merged into one stored number.
    `level` is NULL when the rater chose "not yet observed".
    """

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("cycle_id", "educator_id", "competency_id", "kind", "rater_id"),
        Index("ix_ratings_cycle_educator", "cycle_id", "educator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RaterKind] = mapped_column(enum_column(RaterKind), index=True)
    level: Mapped[int | None] = mapped_column(Integer)
    not_observed: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[Confidence | None] = mapped_column(enum_column(Confidence))
    interest: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    evidence_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_files.id", ondelete="SET NULL"), index=True)

    competency = relationship("Competency")
    rater = relationship("User", foreign_keys=[rater_id])
    evidence_file = relationship("EvidenceFile")

    @property
    def answered(self) -> bool:
        return self.level is not None or self.not_observed


class EvidenceFile(TimestampMixin, db.Model):
    """An uploaded file, stored outside the web root under a generated name."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)


class CalibrationOutcome(TimestampMixin, db.Model):
    """What an educator and their coach agreed on one competency in one cycle's calibration
    conversation: the level they agreed (None: no level agreed, only a note) and a note. One per
    competency and cycle; the coach who recorded it last is kept. It is the educator's data, seen
    under the same rule as their ratings (`PersonView.ratings`)."""

    __tablename__ = "calibration_outcomes"
    __table_args__ = (
        UniqueConstraint("cycle_id", "educator_id", "competency_id"),
        Index("ix_calibration_outcomes_cycle_educator", "cycle_id", "educator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    agreed_level: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    competency = relationship("Competency")
    coach = relationship("User", foreign_keys=[coach_id])
