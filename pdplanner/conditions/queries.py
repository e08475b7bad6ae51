"""Conditions framework reads."""

from sqlalchemy import or_, select

from pdplanner.conditions.models import ConditionsFramework
from pdplanner.extensions import db
from pdplanner.framework.models import Competency, Framework


def conditions_versions(slug: str, district_id: int | None) -> list[ConditionsFramework]:
    """The stored versions of one conditions framework of one owner (NULL: shared), newest first."""
    return list(db.session.scalars(
        select(ConditionsFramework)
        .where(ConditionsFramework.slug == slug,
               ConditionsFramework.district_id.is_not_distinct_from(district_id))
        .order_by(ConditionsFramework.version.desc())
    ))


def competency_codes(framework_slug: str, district_id: int | None) -> set[str] | None:
    """The competency codes of the educator framework `framework_slug` as the owner sees it: the
    district's own newest version if it has one, else the newest shared one; None if neither."""
    owners = [None] if district_id is None else [district_id, None]
    for owner in owners:
        framework_id = db.session.scalar(
            select(Framework.id)
            .where(Framework.slug == framework_slug, Framework.district_id.is_not_distinct_from(owner))
            .order_by(Framework.version.desc()).limit(1))
        if framework_id is not None:
            return set(db.session.scalars(
                select(Competency.code).where(Competency.framework_id == framework_id)))
    return None


def current_conditions_framework(district_id: int) -> ConditionsFramework | None:
    """The conditions framework the district reads: the version it imported last of its own, else
    the shared version imported last; None when none is loaded."""
    return db.session.scalar(
        select(ConditionsFramework)
        .where(or_(ConditionsFramework.district_id == district_id, ConditionsFramework.district_id.is_(None)))
        .order_by(ConditionsFramework.district_id.is_(None), ConditionsFramework.id.desc())
        .limit(1))
