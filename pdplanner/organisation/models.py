from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pdplanner.accounts.models import Role
from pdplanner.database import TimestampMixin, enum_column
from pdplanner.extensions import db


class District(TimestampMixin, db.Model):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # How long closed cycles are kept before `flask data purge` deletes them; NULL keeps everything.
    retention_months: Mapped[int | None] = mapped_column(Integer)

    schools = relationship("School", back_populates="district", order_by="School.name")


class School(TimestampMixin, db.Model):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("district_id", "code"), UniqueConstraint("district_id", "sourced_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    # The OneRoster org's sourcedId, when a roster import created or matched the school.
    sourced_id: Mapped[str | None] = mapped_column(String(255))

    district = relationship("District", back_populates="schools")


class Membership(TimestampMixin, db.Model):
    """A person's role in one school. District admins hold their role on the user instead."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)

    user = relationship("User", back_populates="memberships")
    school = relationship("School", lazy="joined")


class CaseloadAssignment(TimestampMixin, db.Model):
    """An educator on a coach's caseload."""

    __tablename__ = "caseload_assignments"
    __table_args__ = (UniqueConstraint("coach_id", "educator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    educator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )

    coach = relationship("User", foreign_keys=[coach_id])
    educator = relationship("User", foreign_keys=[educator_id])
