"""Planning reads."""

from sqlalchemy import or_, select

from pdplanner.extensions import db
from pdplanner.planning.models import Resource


def visible_resources(district_id: int, *, include_inactive: bool = False) -> list[Resource]:
    """The district's own activities, and shared ones it has not replaced with its own copy."""
    rows = db.session.scalars(
        select(Resource).where(or_(Resource.district_id.is_(None), Resource.district_id == district_id))
        .order_by(Resource.title, Resource.id))
    resources = list(rows)
    own_keys = {r.key for r in resources if r.district_id == district_id}
    return [r for r in resources
            if (r.district_id == district_id or r.key not in own_keys)
            and (include_inactive or r.active)]
