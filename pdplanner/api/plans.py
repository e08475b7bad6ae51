"""An EducatorPlan as the API's plan document (SPEC section 10), with what the caller may not
see (`EducatorPlan.view`, permissions.person_view) blanked rather than left out, so the shape
never changes."""

from pdplanner.permissions import PersonView
from pdplanner.planning.queries import EducatorPlan, activity_why


def activity_document(activity, view: PersonView, names: dict[str, str]) -> dict:
    """`names`: competency code -> name (planning.queries.competency_names)."""
    evidence, shown = view.evidence, view.levels
    resource = activity.resource
    # Which catalogue activity it is would tell the levels it suits (permissions.PersonView).
    return {"id": activity.id, "resource_id": activity.resource_id if shown else None,
            "title": resource.title if shown else None, "kind": resource.kind.value if shown else None,
            "hours": resource.hours if shown else None,
            "competency_code": activity.competency_code, "status": activity.status.value,
            "source": activity.source, "why": activity_why(activity, view, names),
            "reflection": activity.reflection if evidence else None,
            "evidence_url": activity.evidence_url if evidence else None}


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.name, "email": user.email} if user else None


def plan_document(plan: EducatorPlan) -> dict:
    placement, cohort, levels = plan.placement, plan.cohort, plan.view.levels

    def activities(listed) -> list[dict]:
        return [activity_document(a, plan.view, plan.competency_names) for a in listed]

    return {
        "cycle": plan.cycle.id, "educator": plan.educator.id, "ratings_visible": levels,
        "goals": [{"competency": g.goal.competency_code, "status": g.goal.status.value,
                   "from_level": plan.from_level(g.goal), "to_level": plan.to_level(g.goal),
                   "why": g.goal.why if levels else None,
                   "activities": activities(g.activities)} for g in plan.goals],
        "other_activities": activities(plan.other_activities),
        "lane": {"name": placement.lane, "label": plan.lane_label, "why": plan.lane_why,
                 "overridden": placement.override_lane is not None} if placement else None,
        "cohort": {"id": cohort.cohort.id, "name": cohort.name, "status": cohort.cohort.status.value,
                   "coach": _person(cohort.cohort.coach),
                   "members": [_person(m) for m in cohort.members]} if cohort else None,
        "individual_reason": plan.individual_reason or None if placement and not cohort else None,
    }
