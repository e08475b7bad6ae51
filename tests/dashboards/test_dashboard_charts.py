"""A leader's charts are kept, as SVG, in the summary row they draw, and served from it only
while the chart built from the figures read has the kept one's digest."""

from sqlalchemy import select

from pdplanner.dashboards.models import SchoolSummary
from tests.helpers import sign_in_directly
from tests.scenarios import District


def page(client, user, url="/"):
    sign_in_directly(client, user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def kept_charts(db, school_id):
    db.session.expire_all()
    school = SchoolSummary.school_id.is_(None) if school_id is None else SchoolSummary.school_id == school_id
    return db.session.scalars(select(SchoolSummary).where(school)).one()


def test_a_principals_charts_are_kept_in_the_schools_summary(db, client):
    d = District(db, teachers=6, level=2, submitted=True)
    html = page(client, d.principals[0])
    kept = kept_charts(db, d.schools[0].id).charts
    assert {"participation", "lanes", "profile", "growth", "heatmap"} <= set(kept)
    for entry in kept.values():
        assert entry["svg"] in html and len(entry["digest"]) == 64


def test_the_district_admins_charts_are_kept_in_the_districts_summary(db, client):
    d = District(db, schools=2, teachers=5, level=3, submitted=True)
    html = page(client, d.admin)
    kept = kept_charts(db, None).charts
    assert {"participation", "lanes", "profile", "growth"} <= set(kept)
    assert all(entry["svg"] in html for entry in kept.values())


def test_a_kept_svg_is_served_only_while_its_digest_matches(db, client):
    d = District(db, teachers=6, level=2, submitted=True)
    page(client, d.principals[0])
    row = kept_charts(db, d.schools[0].id)
    charts = dict(row.charts)
    charts["lanes"] = {"digest": charts["lanes"]["digest"], "svg": "<svg>KEPT</svg>"}
    charts["participation"] = {"digest": "0" * 64, "svg": "<svg>STALE</svg>"}
    row.charts = charts
    db.session.commit()
    html = page(client, d.principals[0])
    assert "<svg>KEPT</svg>" in html                     # served from the row, not drawn again
    assert "STALE" not in html                           # drawn again, and kept in its place
    redrawn = kept_charts(db, d.schools[0].id).charts["participation"]
    assert redrawn["digest"] != "0" * 64 and redrawn["svg"] in html
