"""Kept summaries against a recomputation from scratch, for the tests of summaries kept warm."""

import math

from flask import current_app
from sqlalchemy import select

from pdplanner.core.disclosure import publish, served
from pdplanner.dashboards.models import PublishedFigures, SchoolSummary
from pdplanner.dashboards.services import NOTHING_PUBLISHED, district_figures, live_summaries
from pdplanner.organisation.models import School


def recomputed(db, cycle) -> tuple[dict[int, dict], dict]:
    """Each school's summary and the district's as a first reader would compute them now, from
    the rows and the published snapshots, writing nothing. Publishing again must change
    nothing: every save published what it had to."""
    school_ids = sorted(db.session.scalars(select(School.id).where(School.district_id == cycle.district_id)))
    live = live_summaries(cycle, school_ids)
    snapshots = dict(db.session.execute(select(PublishedFigures.school_id, PublishedFigures.snapshot)
                                        .where(PublishedFigures.cycle_id == cycle.id)).all())
    threshold = current_app.config["PRIVACY_MIN_GROUP"]
    for school_id, figures in live.items():
        previous = snapshots.get(school_id)
        assert publish(figures, previous, threshold) == (previous or NOTHING_PUBLISHED), school_id
    schools = {s: served(figures, snapshots.get(s, NOTHING_PUBLISHED)) for s, figures in live.items()}
    return schools, district_figures(schools)


def kept(db, cycle) -> dict[int | None, dict]:
    return dict(db.session.execute(select(SchoolSummary.school_id, SchoolSummary.figures)
                                   .where(SchoolSummary.cycle_id == cycle.id)).all())


def assert_kept_summaries_current(db, cycle) -> None:
    """Every kept row (schools' and the district's) equals its recomputation, sums to rounding."""
    db.session.expire_all()
    schools, district = recomputed(db, cycle)
    for school_id, figures in kept(db, cycle).items():
        expected = district if school_id is None else schools[school_id]
        assert same(figures, expected), (school_id, figures, expected)


def same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b
