import enum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pdplanner.database import TimestampMixin, enum_column
from pdplanner.extensions import db

# Domain and competency codes ("COG.1"), and every column that stores one. Frameworks from
# elsewhere bring their own codes, such as "CCSS.Math.Content.6.RP.A.3a".
CODE_LENGTH = 64


class Provenance(enum.StrEnum):
    PUBLISHED = "published"
    LOCAL_ADAPTATION = "local-adaptation"


class Framework(TimestampMixin, db.Model):
    """One version of a framework. A district_id of NULL means shared by every district."""

    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("district_id", "slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    about: Mapped[str] = mapped_column(Text, default="")
    target_level: Mapped[int] = mapped_column(Integer, default=3)
    not_observed_label: Mapped[str] = mapped_column(String(60), default="Not yet observed")

    # A framework is small and nearly every reader walks its domains, competencies and scale:
    # loading them with it takes three statements instead of one per domain.
    domains = relationship(
        "Domain", back_populates="framework", order_by="Domain.position",
        cascade="all, delete-orphan", lazy="selectin",
    )
    levels = relationship(
        "ScaleLevel", back_populates="framework", order_by="ScaleLevel.value",
        cascade="all, delete-orphan", lazy="selectin",
    )

    @property
    def competencies(self):
        return [c for d in self.domains for c in d.competencies]


class ScaleLevel(db.Model):
    __tablename__ = "scale_levels"
    __table_args__ = (UniqueConstraint("framework_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")

    framework = relationship("Framework", back_populates="levels")


class Domain(db.Model):
    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    name: Mapped[str] = mapped_column(String(120))
    need: Mapped[str] = mapped_column(String(60), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)

    framework = relationship("Framework", back_populates="domains")
    competencies = relationship(
        "Competency", back_populates="domain", order_by="Competency.position",
        cascade="all, delete-orphan", lazy="selectin",
    )


class Competency(db.Model):
    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(200), default="")
    statement: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[Provenance] = mapped_column(
        enum_column(Provenance),
        default=Provenance.LOCAL_ADAPTATION,
    )
    foundational: Mapped[bool] = mapped_column(Boolean, default=False)
    # Position across the whole framework, which is the planner's tie-break order.
    position: Mapped[int] = mapped_column(Integer)

    framework = relationship("Framework")
    domain = relationship("Domain", back_populates="competencies")
    indicators = relationship(
        "Indicator", back_populates="competency", order_by="Indicator.position",
        cascade="all, delete-orphan",
    )
    descriptors = relationship(
        "LevelDescriptor", back_populates="competency", order_by="LevelDescriptor.level",
        cascade="all, delete-orphan",
    )


class Indicator(db.Model):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    competency = relationship("Competency", back_populates="indicators")


class LevelDescriptor(db.Model):
    """What a competency looks like at one level of the scale (the rubric cell)."""

    __tablename__ = "level_descriptors"
    __table_args__ = (UniqueConstraint("competency_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    competency = relationship("Competency", back_populates="descriptors")
