"""The access policy of `permissions.py` as SQL: conditions on an (educator, cycle) pair, so
that one statement reads a whole school or district. Exports and reports build on these; a new
domain that reads people in bulk does too.

- `person_visible`  = `can_see_person`   (self, caseload, principal's schools, the district)
- `ratings_visible` = `can_see_ratings`  (self and caseload; others only for a cycle they shared)
- `guided`          = `guides`           (a coach's caseload and the cohorts they lead)
- `plan_visible`    = `can_see_plan`     (person_visible or guided)

tests/reports/test_scopes.py checks each condition against its predicate for every pair of a
small district.
"""

from sqlalchemy import and_, case, false, or_, select
from sqlalchemy.orm import aliased

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import Cycle, SelfAssessment
from pdplanner.organisation.models import CaseloadAssignment
from pdplanner.permissions import PersonView, visible_people_query
from pdplanner.planning.models import Cohort, Placement

# The educator a row is about, aliased so that a query may join users twice (a rater, a coach).
Educator = aliased(User, name="educator")


def _visible_ids(viewer: User):
    # Never correlated: an outer query over users must not turn this list into a condition on
    # its own row.
    return visible_people_query(viewer).with_only_columns(User.id).correlate(None)


def _caseload_ids(viewer: User):
    return select(CaseloadAssignment.educator_id).where(CaseloadAssignment.coach_id == viewer.id)


def person_visible(viewer: User, educator_id):
    return educator_id.in_(_visible_ids(viewer))


# The subqueries below read their tables through aliases, so that an outer query over the same
# table (cohort members are read from placements) correlates only through `educator_id` and
# `cycle_id`, never by merging the two.

def ratings_visible(viewer: User, educator_id, cycle_id):
    assessment = aliased(SelfAssessment)
    shared = select(assessment.id).where(
        assessment.cycle_id == cycle_id, assessment.educator_id == educator_id,
        assessment.shared_with_principal.is_(True)).exists()
    return or_(educator_id == viewer.id, educator_id.in_(_caseload_ids(viewer)),
               and_(person_visible(viewer, educator_id), shared))


def guided(viewer: User, educator_id, cycle_id):
    if Role.COACH not in viewer.roles:
        return false()
    placement, cohort = aliased(Placement), aliased(Cohort)
    in_led_cohort = select(placement.id).join(cohort, cohort.id == placement.cohort_id).where(
        placement.cycle_id == cycle_id, placement.educator_id == educator_id,
        cohort.coach_id == viewer.id).exists()
    return or_(educator_id.in_(_caseload_ids(viewer)), in_led_cohort)


def plan_visible(viewer: User, educator_id, cycle_id):
    return or_(person_visible(viewer, educator_id), guided(viewer, educator_id, cycle_id))


def plans_in_scope(viewer: User, educator_id, cycle_id, cycle: Cycle | None):
    """Plan rows (placements, goals, path activities) of `cycle` (None: every cycle of the
    district) that the viewer may see. The query joins `Educator` on `educator_id`."""
    return and_(in_cycles(cycle_id, viewer, cycle), Educator.district_id == viewer.district_id,
                plan_visible(viewer, educator_id, cycle_id))


def plan_detail(viewer: User, educator_id, cycle_id):
    """True where the viewer may see a plan's levels, whys and reflections: they may see the
    educator's ratings, or guide them (the plan page's and the plan API's rule)."""
    return case((or_(ratings_visible(viewer, educator_id, cycle_id), guided(viewer, educator_id, cycle_id)),
                 True), else_=False)


def detail_view(shown: bool) -> PersonView:
    """The `PersonView` a row's `plan_detail` stands for (rows are of plans the viewer may see)."""
    return PersonView(plan=True, lane=True, levels=shown, evidence=shown)


def in_cycles(cycle_id, viewer: User, cycle: Cycle | None):
    """One cycle, or (None) every cycle of the viewer's district; never another district's."""
    if cycle is not None:
        return cycle_id == cycle.id if cycle.district_id == viewer.district_id else false()
    return cycle_id.in_(select(Cycle.id).where(Cycle.district_id == viewer.district_id))


def scope_label(viewer: User) -> str:
    """What an export covers, for the audit log: 'own', 'caseload', 'schools S1,S2', 'district'."""
    parts = ["own"]
    if Role.COACH in viewer.roles:
        parts.append("caseload")
    if Role.DISTRICT_ADMIN in viewer.roles:
        parts.append("district")
    elif schools := sorted(m.school.code for m in viewer.memberships if m.role == Role.PRINCIPAL):
        parts.append("schools " + ",".join(schools))
    return "; ".join(parts)
