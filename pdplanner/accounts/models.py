import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pdplanner.database import TimestampMixin, UTCDateTime
from pdplanner.extensions import db


class Role(enum.StrEnum):
    TEACHER = "teacher"
    COACH = "coach"
    PRINCIPAL = "principal"
    DISTRICT_ADMIN = "district_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    def counted(self, n: int) -> str:
        """'1 coach', '4 coaches'."""
        noun = self.label.lower()
        return f"{n} {noun if n == 1 else noun + ('es' if noun.endswith('ch') else 's')}"


ROLE_LABELS = {
    Role.TEACHER: "Teacher",
    Role.COACH: "Coach",
    Role.PRINCIPAL: "Principal",
    Role.DISTRICT_ADMIN: "District admin",
}
# The role a person's home page is built for, when they hold several: the widest view wins.
ROLE_RANK = {Role.TEACHER: 0, Role.COACH: 1, Role.PRINCIPAL: 2, Role.DISTRICT_ADMIN: 3}
SCHOOL_ROLES = (Role.TEACHER, Role.COACH, Role.PRINCIPAL)
EDUCATOR_ROLES = (Role.TEACHER, Role.COACH)


class User(TimestampMixin, UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("district_id", "sourced_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    is_district_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on sign-out, password change and deactivation: every session cookie carries the
    # epoch it was issued under, so all of that user's sessions end server-side at once.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When they closed the first-run welcome on their home page: it is not shown again.
    welcome_dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's OneRoster sourcedId: it stays when the SIS changes their email.
    sourced_id: Mapped[str | None] = mapped_column(String(255))

    district = relationship("District")
    memberships = relationship(
        "Membership", back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def roles(self) -> set[Role]:
        held = {m.role for m in self.memberships}
        if self.is_district_admin:
            held.add(Role.DISTRICT_ADMIN)
        return held

    @property
    def role(self) -> Role | None:
        """The widest role held, which picks the home page and the API's `role`."""
        return max(self.roles, key=ROLE_RANK.__getitem__, default=None)

    def school_ids(self, *roles: Role) -> set[int]:
        return {m.school_id for m in self.memberships if not roles or m.role in roles}

    @property
    def schools(self):
        return sorted((m.school for m in self.memberships), key=lambda s: s.name)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


class SetPasswordToken(TimestampMixin, db.Model):
    """A one-time link to set a password; only a hash of the secret is stored."""

    __tablename__ = "set_password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class ApiToken(TimestampMixin, db.Model):
    """A personal access token for the API; only a SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, shown so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
