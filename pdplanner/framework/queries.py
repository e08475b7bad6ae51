"""Framework reads."""

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from pdplanner.extensions import db
from pdplanner.framework.models import Competency, Domain, Framework
from pdplanner.permissions import deny


def visible_frameworks(district_id: int):
    """Frameworks shared with every district, and the district's own; newest version first."""
    return list(db.session.scalars(
        select(Framework)
        .where(or_(Framework.district_id.is_(None), Framework.district_id == district_id))
        .order_by(Framework.title, Framework.version.desc())
    ))


def framework_for_browsing(district_id: int, framework_id: int) -> Framework:
    """The whole framework tree in a handful of queries, or 404 if the district cannot see it."""
    framework = db.session.scalar(
        select(Framework)
        .where(Framework.id == framework_id)
        .options(
            selectinload(Framework.levels),
            selectinload(Framework.domains).selectinload(Domain.competencies).options(
                selectinload(Competency.indicators), selectinload(Competency.descriptors),
            ),
        )
    )
    if framework is None:
        abort(404)
    if framework.district_id not in (None, district_id):
        deny("framework", framework.id)
    return framework
