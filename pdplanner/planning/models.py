import enum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pdplanner.assessments.models import enum_column
from pdplanner.database import TimestampMixin
from pdplanner.extensions import db


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
