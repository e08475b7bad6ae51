"""A LeaderDashboard of one school as the API's readiness document (SPEC section 10): the same
measures as the principal's page, the same privacy threshold."""

from pdplanner.core.summaries import Measure, SchoolMeasures
from pdplanner.dashboards.queries import LeaderDashboard


def _measure(m: Measure) -> dict:
    return {"people": m.people, "mean": m.value, "suppressed": m.suppressed}


def headline_document(m: SchoolMeasures, board: LeaderDashboard) -> dict:
    """The headline figures of some schools (one, or the whole district): what the district
    page shows side by side."""
    return {
        "participation": {"educators": m.educators, "started": m.started, "submitted": m.submitted,
                          "coach_rated": m.coach_rated, "shared": m.shared},
        "lanes": [{"name": lane, "label": label, "count": m.lanes.get(lane, 0)}
                  for lane, label in board.lane_labels.items()],
        "not_planned": max(m.educators - m.planned, 0),
        "readiness": _measure(m.readiness),
        "domains": [{"domain": code, "name": name, **_measure(m.domains[code])}
                    for code, name in board.domain_names.items() if code in m.domains],
        "goals": {"total": m.goals_total, "met": m.goals_met},
        "activities": {"total": m.activities_total, "done": m.activities_done,
                       "verified": m.activities_verified},
    }


def readiness_document(board: LeaderDashboard) -> dict:
    school, m = board.schools[0], board.measures
    return {
        "school": {"id": school.id, "code": school.code, "name": school.name},
        "cycle": board.cycle.id,
        "privacy_min_group": board.min_group,
        **headline_document(m, board),
        "competencies": [{"competency": c.code, "self": _measure(c.self_mean),
                          "coach": _measure(c.coach_mean),
                          "current": _measure(c.current_mean), "at_target": _measure(c.at_target),
                          "goals": m.goal_focus.get(c.code, 0)} for c in m.competencies],
        "strengths": [c.code for c in m.strengths],
        "opportunities": [c.code for c in m.opportunities],
        "cohorts": [{"id": row.cohort.id, "name": row.name, "lane": row.cohort.lane,
                     "status": row.cohort.status.value,
                     "coach": ({"id": row.cohort.coach.id, "name": row.cohort.coach.name,
                                "email": row.cohort.coach.email} if row.cohort.coach else None),
                     "members": row.figures.members, "readiness": _measure(row.figures.readiness),
                     "goals": {"total": row.figures.goals_total, "met": row.figures.goals_met},
                     "activities": {"total": row.figures.activities_total,
                                    "done": row.figures.activities_done}}
                    for row in board.cohorts],
    }
