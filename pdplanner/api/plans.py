"""An EducatorPlan as the API's plan document (SPEC section 10), with what the caller may not
see blanked rather than left out, so the shape never changes."""

from pdplanner.planning.queries import EducatorPlan


def activity_document(activity, detail: bool) -> dict:
    return {"id": activity.id, "resource_id": activity.resource_id, "resource": activity.resource,
            "competency_code": activity.competency_code, "status": activity.status.value,
            "source": activity.source, "why": activity.why,
            "reflection": activity.reflection if detail else None,
            "evidence_url": activity.evidence_url if detail else None}


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.name, "email": user.email} if user else None


def plan_document(plan: EducatorPlan, detail: bool) -> dict:
    placement, cohort = plan.placement, plan.cohort
    return {
        "cycle": plan.cycle.id, "educator": plan.educator.id, "ratings_visible": detail,
        "goals": [{"competency": g.goal.competency_code, "status": g.goal.status.value,
                   "from_level": g.goal.from_level if detail else None,
                   "to_level": g.goal.to_level if detail else None,
                   "why": g.goal.why if detail else None,
                   "activities": [activity_document(a, detail) for a in g.activities]} for g in plan.goals],
        "other_activities": [activity_document(a, detail) for a in plan.other_activities],
        "lane": {"name": placement.lane, "label": plan.lane_label, "why": placement.why,
                 "overridden": placement.override_lane is not None} if placement else None,
        "cohort": {"id": cohort.cohort.id, "name": cohort.name, "status": cohort.cohort.status.value,
                   "coach": _person(cohort.cohort.coach),
                   "members": [_person(m) for m in cohort.members]} if cohort else None,
        "individual_reason": placement.individual_reason or None if placement and not cohort else None,
    }
