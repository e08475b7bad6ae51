"""A conditions framework: the areas a district reviews, their indicators and the implementation
scale, stored in versions like educator frameworks (docs/DECISIONS.md, "Conditions frameworks")."""

import enum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from pdplanner.database import TimestampMixin, enum_column
from pdplanner.extensions import db
from pdplanner.framework.models import CODE_LENGTH, Provenance

# The implementation scale always has these four levels, so a review's figures compare across
# versions and districts; "I don't know" is not a level and is stored apart from them.
LEVEL_VALUES = (1, 2, 3, 4)


class AreaKind(enum.StrEnum):
    CONDITION = "condition"     # one of the district conditions
    THEME = "theme"             # runs through every condition (vision, culture, transparency)


class ConditionsFramework(TimestampMixin, db.Model):
    """One version of a conditions framework. A district_id of NULL means shared by every district."""

    __tablename__ = "conditions_frameworks"
    __table_args__ = (UniqueConstraint("district_id", "slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    about: Mapped[str] = mapped_column(Text, default="")
    # The educator framework (by slug) whose competency codes the areas map to.
    competency_framework: Mapped[str] = mapped_column(String(80))
    target_level: Mapped[int] = mapped_column(Integer, default=3)
    dont_know_label: Mapped[str] = mapped_column(String(60), default="I don't know")

    areas = relationship(
        "ConditionArea", back_populates="framework", order_by="ConditionArea.position",
        cascade="all, delete-orphan", lazy="selectin",
    )
    levels = relationship(
        "ConditionLevel", back_populates="framework", order_by="ConditionLevel.value",
        cascade="all, delete-orphan", lazy="selectin",
    )


class ConditionLevel(db.Model):
    __tablename__ = "condition_levels"
    __table_args__ = (UniqueConstraint("framework_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("conditions_frameworks.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")

    framework = relationship("ConditionsFramework", back_populates="levels")


class ConditionArea(db.Model):
    """One of the areas a review rates: a district condition or a theme."""

    __tablename__ = "condition_areas"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("conditions_frameworks.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[AreaKind] = mapped_column(enum_column(AreaKind))
    source: Mapped[Provenance] = mapped_column(enum_column(Provenance), default=Provenance.PUBLISHED)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)

    framework = relationship("ConditionsFramework", back_populates="areas")
    indicators = relationship(
        "ConditionIndicator", back_populates="area", order_by="ConditionIndicator.position",
        cascade="all, delete-orphan", lazy="selectin",
    )
    competencies = relationship(
        "AreaCompetency", back_populates="area", order_by="AreaCompetency.position",
        cascade="all, delete-orphan", lazy="selectin",
    )


class ConditionIndicator(db.Model):
    """A statement of observable practice in an area, in the professional wording and, where
    that would not be understood by students and families, in a wording for them."""

    __tablename__ = "condition_indicators"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("conditions_frameworks.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("condition_areas.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    statement: Mapped[str] = mapped_column(Text)
    family_statement: Mapped[str] = mapped_column(Text, default="")   # "" when `statement` reads plainly
    source: Mapped[Provenance] = mapped_column(
        enum_column(Provenance), default=Provenance.LOCAL_ADAPTATION
    )
    position: Mapped[int] = mapped_column(Integer)

    framework = relationship("ConditionsFramework")
    area = relationship("ConditionArea", back_populates="indicators")


class AreaCompetency(db.Model):
    """An educator competency (by code, in the framework's `competency_framework`) that an area
    depends on: how the review's findings reach the professional-learning plan."""

    __tablename__ = "condition_area_competencies"
    __table_args__ = (UniqueConstraint("area_id", "competency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("condition_areas.id", ondelete="CASCADE"), index=True)
    competency_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    position: Mapped[int] = mapped_column(Integer)

    area = relationship("ConditionArea", back_populates="competencies")


class StoredVersionEdited(RuntimeError):
    """Code tried to change a stored conditions framework version; import a new version instead."""


CONTENT_MODELS = (ConditionsFramework, ConditionLevel, ConditionArea, ConditionIndicator, AreaCompetency)


@event.listens_for(Session, "before_flush")
def refuse_edits_to_stored_versions(session, _context, _instances) -> None:
    """A stored version is never edited, so every review that used it keeps what it asked: an
    update to any of its rows fails the flush (docs/DECISIONS.md, "Conditions frameworks")."""
    for obj in session.dirty:
        if isinstance(obj, CONTENT_MODELS) and session.is_modified(obj, include_collections=False):
            raise StoredVersionEdited(
                f"{type(obj).__name__} {obj.id}: a stored conditions framework version is never edited; "
                "import the changed content as a new version")


CONTENT_TABLES = frozenset(model.__table__ for model in CONTENT_MODELS)


@event.listens_for(Session, "do_orm_execute")
def refuse_bulk_edits_to_stored_versions(state) -> None:
    """The same rule for a bulk UPDATE statement, which bypasses the flush."""
    if state.is_update and state.statement.table in CONTENT_TABLES:
        raise StoredVersionEdited(f"{state.statement.table.name}: a stored conditions framework "
                                  "version is never edited; import the changed content as a new version")
