"""Planning writes: district settings and the resource catalogue. Services flush; the request or
command commits once."""

import gc
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import delete, func, insert, select, update
from werkzeug.datastructures import FileStorage

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.evidence import EvidenceError, attach_evidence
from pdplanner.assessments.models import Cycle, EvidenceFile, RaterKind, Rating
from pdplanner.audit.services import record
from pdplanner.core.lanes import lane_for, overridden_why
from pdplanner.core.planner import plan
from pdplanner.core.types import CURRENT_LEVEL_POLICIES, LANES
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.framework.models import Competency
from pdplanner.organisation.signals import PersonRemoval, deleting_person
from pdplanner.planning.models import (
    ActivityStatus,
    Cohort,
    CohortStatus,
    DistrictPlanningSettings,
    GoalStatus,
    PathActivity,
    Placement,
    PlannedGoal,
    Resource,
    ResourceKind,
)
from pdplanner.planning.queries import (
    IDS_PER_STATEMENT,
    WHOLE_DISTRICT,
    PlanScope,
    focus_names,
    planning_input,
    planning_settings,
    settings_row,
)
from pdplanner.planning.signals import plans_written

CODE = re.compile(r"^[A-Z]+\.\d+$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class PlanningError(ValueError):
    """A refused planning change. `problems` maps a field to what is wrong with it."""

    def __init__(self, message: str, problems: dict[str, str] | None = None):
        super().__init__(message)
        self.problems = problems or {}


# -- settings ------------------------------------------------------------------------------

def _settings_problems(values: dict) -> dict[str, str]:
    problems = {}
    if values["current_level_policy"] not in CURRENT_LEVEL_POLICIES:
        problems["current_level_policy"] = f"must be one of {', '.join(CURRENT_LEVEL_POLICIES)}"
    for name in ("interest_bonus", "foundational_bonus"):
        if not 0 <= values[name] <= 5:
            problems[name] = "must be between 0 and 5"
    if not 1 <= values["goals_per_educator"] <= 10:
        problems["goals_per_educator"] = "must be between 1 and 10"
    if not 1 <= values["goals_per_domain"] <= values["goals_per_educator"]:
        problems["goals_per_domain"] = "must be at least 1 and at most the goals per educator"
    if not 0 < values["fast_lane_readiness"] <= 1:
        problems["fast_lane_readiness"] = "is a share: more than 0 and at most 1 (0.6 means 60%)"
    if not 1 <= values["fast_lane_min_domain_mean"] <= 4:
        problems["fast_lane_min_domain_mean"] = "must be a level between 1 and 4"
    if not 2 <= values["cohort_min_size"] <= values["cohort_max_size"] <= 30:
        problems["cohort_max_size"] = "sizes must satisfy 2 <= smallest <= largest <= 30"
    if not 1 <= values["coach_caseload_limit"] <= 200:
        problems["coach_caseload_limit"] = "must be between 1 and 200"
    for name in ("fast_lane_label", "slow_lane_label"):
        if not 1 <= len(values[name].strip()) <= 60:
            problems[name] = "needs 1 to 60 characters"
    return problems


def update_settings(district_id: int, values: dict, *, actor: User) -> DistrictPlanningSettings:
    """Validate every value, then store them all (audited with what changed)."""
    problems = _settings_problems(values)
    if problems:
        raise PlanningError("Nothing was saved: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
                            problems)
    row = settings_row(district_id)
    changed = {name: [getattr(row, name), value] for name, value in values.items()
               if getattr(row, name) != value}
    for name, value in values.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    db.session.add(row)
    db.session.flush()
    if changed:
        record("planning_settings.changed", actor=actor, district_id=district_id, changed=changed)
    return row


# -- resources -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogueOutcome:
    created: int
    updated: int
    unchanged: int


RESOURCE_FIELDS = ("title", "kind", "competencies", "level_min", "level_max", "hours", "lanes",
                   "description", "evidence")


def clean_resource(raw: dict, where: str) -> dict:
    """One activity's values, checked; raises PlanningError naming `where` and the field."""
    problems = {}
    text = {name: " ".join(str(raw.get(name) or "").split()) for name in ("title", "description", "evidence")}
    if not text["title"]:
        problems["title"] = "is required"
    kind = raw.get("kind")
    if kind not in {k.value for k in ResourceKind}:
        problems["kind"] = f"{kind!r} is not one of {', '.join(k.value for k in ResourceKind)}"
    codes = list(raw.get("competencies") or [])
    if not codes or not all(isinstance(c, str) and CODE.match(c) for c in codes):
        problems["competencies"] = f"needs competency codes such as COG.1, not {codes!r}"
    lanes = list(raw.get("lanes") or [])
    if not lanes or not set(lanes) <= set(LANES):
        problems["lanes"] = f"needs one or both of {', '.join(LANES)}, not {lanes!r}"
    try:
        level_min, level_max = int(raw.get("level_min")), int(raw.get("level_max"))
        hours = float(raw.get("hours"))
    except (TypeError, ValueError):
        problems["levels"] = "level_min, level_max and hours must be numbers"
        level_min = level_max = hours = 0
    else:
        if not 1 <= level_min <= level_max <= 4:
            problems["level_max"] = f"levels must satisfy 1 <= {level_min} <= {level_max} <= 4"
        if not 0 < hours <= 500:
            problems["hours"] = f"{hours} must be more than 0 and at most 500"
    if problems:
        raise PlanningError(f"{where}: " + "; ".join(f"{k} {v}" for k, v in problems.items()), problems)
    return {**text, "kind": ResourceKind(kind), "competencies": sorted(set(codes), key=codes.index),
            "level_min": level_min, "level_max": level_max, "hours": hours,
            "lanes": [lane for lane in LANES if lane in lanes]}


def read_catalogue(path: str | Path) -> list[dict]:
    """The activities of a catalogue file, all checked before anything is stored."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise PlanningError(f"{path.name}: not valid YAML: {exc}")
    activities = (document or {}).get("activities") if isinstance(document, dict) else None
    if not isinstance(activities, list) or not activities:
        raise PlanningError(f"{path.name}: needs a non-empty list 'activities'")
    cleaned, keys = [], set()
    for i, raw in enumerate(activities):
        key = str((raw or {}).get("key", ""))
        where = f"{path.name}: activities[{i}] ({key or 'no key'})"
        if not KEY.match(key) or key in keys:
            raise PlanningError(f"{where}: key must be unique, lowercase letters, digits and dashes")
        keys.add(key)
        cleaned.append({"key": key, **clean_resource(raw, where)})
    return cleaned


def import_catalogue(activities: list[dict], *, district_id: int | None = None,
                     actor: User | None = None) -> CatalogueOutcome:
    """Store activities by key: new ones are added, changed ones updated, the same ones left."""
    existing = {r.key: r for r in db.session.scalars(
        select(Resource).where(Resource.district_id.is_not_distinct_from(district_id)))}
    created = updated = 0
    for values in activities:
        resource = existing.get(values["key"])
        if resource is None:
            db.session.add(Resource(district_id=district_id, **values))
            created += 1
        elif any(getattr(resource, f) != values[f] for f in RESOURCE_FIELDS):
            for name in RESOURCE_FIELDS:
                setattr(resource, name, values[name])
            updated += 1
    db.session.flush()
    if created or updated:
        record("resources.imported", actor=actor, district_id=district_id, created=created,
               updated=updated)
    return CatalogueOutcome(created, updated, len(activities) - created - updated)


def save_resource(district_id: int, values: dict, *, resource: Resource | None = None,
                  actor: User) -> Resource:
    """Add an activity, or edit one. Editing a shared activity gives the district its own copy
    (same key), so other districts keep theirs."""
    cleaned = clean_resource(values, values.get("title") or "The activity")
    if resource is None or resource.district_id != district_id:
        key = resource.key if resource is not None else _new_key(district_id, cleaned["title"])
        resource = Resource(district_id=district_id, key=key)
        db.session.add(resource)
    for name, value in cleaned.items():
        setattr(resource, name, value)
    resource.active = bool(values.get("active", True))
    db.session.flush()
    record("resource.saved", actor=actor, subject=resource, district_id=district_id, key=resource.key)
    return resource


def _new_key(district_id: int, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70] or "activity"
    taken = set(db.session.scalars(select(Resource.key).where(
        (Resource.district_id == district_id) | Resource.district_id.is_(None))))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


# -- progress: what educators and coaches do with a plan ----------------------------------

URL = re.compile(r"^https?://\S+$")
REFLECTION_LIMIT = 5000
EDUCATOR_STATUSES = (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS, ActivityStatus.DONE)


@dataclass(frozen=True)
class ProgressUpdate:
    """What an educator sends about one activity of their path."""

    status: str
    reflection: str = ""
    evidence_url: str = ""
    upload: FileStorage | None = None


def _progress_problems(activity: PathActivity, update: ProgressUpdate) -> dict[str, str]:
    problems = {}
    if update.status not in {s.value for s in EDUCATOR_STATUSES}:
        problems["status"] = f"{update.status!r} is not one of planned, in_progress, done"
    if len(update.reflection.strip()) > REFLECTION_LIMIT:
        problems["reflection"] = (f"is {len(update.reflection.strip())} characters; "
                                  f"keep it to {REFLECTION_LIMIT}")
    url = update.evidence_url.strip()
    if url and (not URL.match(url) or len(url) > 500):
        problems["evidence_url"] = ("must be a web address starting with http:// or https:// "
                                    "(500 characters at most)")
    has_evidence = url or update.upload or activity.evidence_file_id or update.reflection.strip()
    if update.status == ActivityStatus.DONE and not has_evidence and "status" not in problems:
        problems["status"] = "needs evidence (a link or a file) or a reflection before it is marked done"
    return problems


def update_progress(activity: PathActivity, update: ProgressUpdate, *, actor: User) -> PathActivity:
    """The educator's status, reflection and evidence for one activity. Everything is checked
    before anything (the file included) is stored; a verified activity no longer changes."""
    if activity.status == ActivityStatus.VERIFIED:
        raise PlanningError("This activity is verified by your coach and can no longer be changed.")
    problems = _progress_problems(activity, update)
    if problems:
        raise PlanningError("Nothing was saved: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
                            problems)
    if update.upload:
        try:
            attach_evidence(activity, actor, update.upload)
        except EvidenceError as exc:
            raise PlanningError(f"Nothing was saved: {exc}", {"evidence_file": str(exc)}) from exc
    before = activity.status
    activity.status = ActivityStatus(update.status)
    activity.reflection = update.reflection.strip()
    activity.evidence_url = update.evidence_url.strip()
    db.session.flush()
    record("path_activity.updated", actor=actor, subject=activity, educator_id=activity.educator_id,
           status=[before.value, activity.status.value])
    return activity


def _competency(cycle: Cycle, code: str) -> Competency:
    competency = db.session.scalar(select(Competency).where(
        Competency.framework_id == cycle.framework_id, Competency.code == code))
    if competency is None:
        raise PlanningError(f"{code!r} is not a competency of {cycle.name}'s framework",
                            {"competency": f"{code!r} is not a competency of this framework"})
    return competency


def assign_activity(cycle: Cycle, educators: list[User], resource: Resource, competency_code: str, *,
                    actor: User, cohort_name: str = "") -> tuple[int, int]:
    """Put an activity on the path of each educator (a whole cohort in one call). Someone who
    already has it keeps their row and its progress. Returns (added, already there)."""
    _competency(cycle, competency_code)
    if competency_code not in resource.competencies or not resource.active:
        raise PlanningError(
            f"{resource.title} does not cover {competency_code}; it covers {', '.join(resource.competencies)}"
            if resource.active else f"{resource.title} is no longer offered",
            {"competency": f"{resource.title} covers {', '.join(resource.competencies)}"})
    ids = [e.id for e in educators]
    have = set(db.session.scalars(select(PathActivity.educator_id).where(
        PathActivity.cycle_id == cycle.id, PathActivity.resource_id == resource.id,
        PathActivity.educator_id.in_(ids))))
    positions = dict(db.session.execute(
        select(PathActivity.educator_id, func.max(PathActivity.position))
        .where(PathActivity.cycle_id == cycle.id, PathActivity.educator_id.in_(ids))
        .group_by(PathActivity.educator_id)).all())
    why = f"Assigned by {actor.name}" + (f" to the cohort {cohort_name}." if cohort_name else ".")
    rows = [{"cycle_id": cycle.id, "educator_id": i, "resource_id": resource.id,
             "competency_code": competency_code, "position": positions.get(i, -1) + 1, "why": why,
             "source": "coach", "status": ActivityStatus.PLANNED} for i in ids if i not in have]
    if rows:
        db.session.execute(insert(PathActivity), rows)
        plans_written.send(cycle, educator_ids=[r["educator_id"] for r in rows])
    record("path.assigned", actor=actor, subject=resource, district_id=cycle.district_id,
           cycle_id=cycle.id, competency=competency_code, educator_ids=[r["educator_id"] for r in rows],
           cohort=cohort_name or None)
    return len(rows), len(have)


def remove_activity(activity: PathActivity, *, actor: User) -> None:
    """Take an activity off one person's path, unless they have recorded progress on it."""
    if not activity.removable:
        raise PlanningError(f"{activity.resource.title} has recorded progress, so it stays on the path.")
    record("path_activity.removed", actor=actor, subject=activity, educator_id=activity.educator_id,
           resource=activity.resource.key)
    db.session.delete(activity)
    db.session.flush()


def verify_activity(activity: PathActivity, *, actor: User, goal_met: bool) -> PlannedGoal | None:
    """Accept an activity's evidence. With `goal_met`, the goal on its competency is verified too
    and its level is recorded as an evidence rating, which the next plan counts (SPEC 5.8).
    Nobody verifies their own evidence, whatever their caseload or cohort says."""
    _refuse_own_evidence(activity, actor, "verify")
    if activity.status != ActivityStatus.DONE:
        raise PlanningError(f"{activity.resource.title} is not marked done yet: nothing to verify.")
    activity.status = ActivityStatus.VERIFIED
    activity.verified_by_id, activity.verified_at = actor.id, utcnow()
    activity.coach_note = ""
    goal = _verify_goal(activity, actor) if goal_met else None
    db.session.flush()
    record("path_activity.verified", actor=actor, subject=activity, educator_id=activity.educator_id,
           goal_verified=goal.competency_code if goal else None)
    return goal


def _refuse_own_evidence(activity: PathActivity, actor: User, action: str) -> None:
    if actor.id == activity.educator_id:
        raise PlanningError(f"Nobody may {action} their own evidence: {activity.resource.title} is on "
                            "your own path, so another coach reviews it.")


def _verify_goal(activity: PathActivity, actor: User) -> PlannedGoal:
    goal = db.session.scalar(select(PlannedGoal).where(
        PlannedGoal.cycle_id == activity.cycle_id, PlannedGoal.educator_id == activity.educator_id,
        PlannedGoal.competency_code == activity.competency_code))
    if goal is None or goal.status == GoalStatus.VERIFIED:
        raise PlanningError(f"There is no open goal on {activity.competency_code} to mark as met.")
    goal.status, goal.verified_by_id, goal.verified_at = GoalStatus.VERIFIED, actor.id, utcnow()
    cycle = db.session.get(Cycle, goal.cycle_id)
    competency = _competency(cycle, goal.competency_code)
    rating = db.session.scalar(select(Rating).where(
        Rating.cycle_id == cycle.id, Rating.educator_id == goal.educator_id,
        Rating.competency_id == competency.id, Rating.kind == RaterKind.EVIDENCE,
        Rating.rater_id == actor.id))
    if rating is None:
        rating = Rating(cycle_id=cycle.id, educator_id=goal.educator_id, competency_id=competency.id,
                        rater_id=actor.id, kind=RaterKind.EVIDENCE)
        db.session.add(rating)
    rating.level = max(goal.to_level, rating.level or 0)
    rating.note = f"Goal met, shown by: {activity.resource.title}"
    rating.evidence_url = activity.evidence_url
    return goal


def return_activity(activity: PathActivity, note: str, *, actor: User) -> PathActivity:
    """Send evidence back for more, with a note saying what is missing (never one's own)."""
    _refuse_own_evidence(activity, actor, "send back")
    if activity.status != ActivityStatus.DONE:
        raise PlanningError(f"{activity.resource.title} is not waiting for verification.")
    if not 1 <= len(note.strip()) <= REFLECTION_LIMIT:
        raise PlanningError("Say what is missing (a note of 1 to 5000 characters).",
                            {"note": "say what is missing"})
    activity.status, activity.coach_note = ActivityStatus.IN_PROGRESS, note.strip()
    db.session.flush()
    record("path_activity.returned", actor=actor, subject=activity, educator_id=activity.educator_id)
    return activity


# -- cohorts and lanes: what coaches and principals decide --------------------------------

def confirm_cohort(cohort: Cohort, *, actor: User) -> Cohort:
    """A confirmed cohort and its members stay as they are when the cycle is re-planned."""
    if cohort.status != CohortStatus.CONFIRMED:
        cohort.status = CohortStatus.CONFIRMED
        db.session.flush()
        record("cohort.confirmed", actor=actor, subject=cohort, district_id=cohort.cycle.district_id)
    return cohort


def _placement(cycle_id: int, educator_id: int) -> Placement:
    placement = db.session.scalar(select(Placement).where(
        Placement.cycle_id == cycle_id, Placement.educator_id == educator_id))
    if placement is None:
        raise PlanningError("This person has no plan in the cycle yet: re-plan first.")
    return placement


def add_member(cohort: Cohort, educator: User, *, actor: User) -> None:
    """Move an educator into a cohort (out of any other). Editing a cohort confirms it, so the
    change is kept when the cycle is re-planned."""
    if educator.id == cohort.coach_id:
        raise PlanningError(f"{educator.name} coaches this cohort, so cannot be one of its members: "
                            "choose another coach for it first.")
    placement = _placement(cohort.cycle_id, educator.id)
    if placement.cohort_id == cohort.id:
        raise PlanningError(f"{educator.name} is already in this cohort.")
    moved_from = placement.cohort_id
    placement.cohort_id, placement.individual_reason = cohort.id, ""
    confirm_cohort(cohort, actor=actor)
    record("cohort.member_added", actor=actor, subject=cohort, district_id=cohort.cycle.district_id,
           educator_id=educator.id, moved_from=moved_from)


def remove_member(cohort: Cohort, educator: User, *, actor: User) -> None:
    """Take an educator out of a cohort into individual coaching; the cohort is confirmed."""
    placement = _placement(cohort.cycle_id, educator.id)
    if placement.cohort_id != cohort.id:
        raise PlanningError(f"{educator.name} is not in this cohort.")
    placement.cohort_id = None
    placement.individual_reason = f"Moved to individual coaching by {actor.name}."
    confirm_cohort(cohort, actor=actor)
    record("cohort.member_removed", actor=actor, subject=cohort, district_id=cohort.cycle.district_id,
           educator_id=educator.id)


def set_cohort_coach(cohort: Cohort, coach: User | None, *, actor: User) -> None:
    """Choose who leads a cohort: a coach of its district who is not one of its members (the
    coach verifies the members' evidence, and nobody verifies their own)."""
    if coach is not None and (Role.COACH not in coach.roles or coach.district_id != cohort.cycle.district_id):
        raise PlanningError("Choose a coach of this district.",
                            {"coach_id": "is not a coach of this district"})
    if coach is not None and db.session.scalar(select(Placement.id).where(
            Placement.cohort_id == cohort.id, Placement.educator_id == coach.id)):
        raise PlanningError(f"{coach.name} is a member of this cohort, so cannot coach it: choose "
                            "another coach, or move them out of the cohort first.")
    before = cohort.coach_id
    cohort.coach_id = coach.id if coach else None
    db.session.flush()
    record("cohort.coach_changed", actor=actor, subject=cohort, district_id=cohort.cycle.district_id,
           coach_id=[before, cohort.coach_id])


def override_lane(cycle: Cycle, educator: User, lane: str | None, reason: str, *, actor: User) -> Placement:
    """Set an educator's lane by hand (with a reason the educator sees), or clear the override so
    the numbers decide again. The placement's why is rewritten at once; re-planning keeps it."""
    reason = " ".join(reason.split())
    if lane is not None and lane not in LANES:
        raise PlanningError(f"{lane!r} is not a lane", {"lane": f"must be one of {', '.join(LANES)}"})
    if lane is not None and not 3 <= len(reason) <= 1000:
        raise PlanningError("Give a reason (3 to 1000 characters): the educator sees it.",
                            {"reason": "is required when you set a lane"})
    placement = _placement(cycle.id, educator.id)
    settings = planning_settings(cycle.district_id)
    domain = focus_names(cycle).get(placement.lowest_domain, placement.lowest_domain)
    numbers = (placement.rated, placement.at_target, domain, placement.lowest_domain_mean)
    computed, why = lane_for(*numbers, settings)
    if lane is not None:
        why = overridden_why(lane, computed, reason, *numbers, settings)
    before = placement.override_lane
    placement.override_lane, placement.override_reason = lane, reason if lane else ""
    placement.overridden_by_id = actor.id if lane else None
    placement.lane, placement.why = lane or computed, why
    db.session.flush()
    record("lane.overridden" if lane else "lane.override_cleared", actor=actor, subject=placement,
           district_id=cycle.district_id, educator_id=educator.id, lane=[before, lane], reason=reason)
    return placement


# -- planning runs -------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanRunSummary:
    educators: int
    goals: int
    fast: int
    slow: int
    cohorts: int
    confirmed_cohorts: int
    individual: int
    activities: int

    def line(self) -> str:
        return (f"{self.educators} educators: {self.goals} goals; {self.fast} in the first lane, {self.slow} "
                f"in the second; {self.cohorts} cohorts ({self.confirmed_cohorts} confirmed), "
                f"{self.individual} in individual coaching; {self.activities} suggested activities.")


def run_plan(cycle: Cycle, *, actor: User | None = None, scope: PlanScope = WHOLE_DISTRICT) -> PlanRunSummary:
    """Re-plan a cycle. What people decided survives: lane overrides, confirmed cohorts and their
    members, verified goals, and activities a coach assigned or an educator started. Everything
    else the planner proposed before is replaced by the new proposal; only the rows that differ
    are written (see `_replace_rows`).

    A narrower `scope` (`queries.replan_scope`: what the person re-planning leads) re-plans only
    its people: their placements, goals and suggested activities, and the proposed cohorts made
    of them alone. Everyone else's rows, and every cohort shared with someone outside the scope,
    stay exactly as they are (`queries.planning_input`)."""
    with _cyclic_gc_paused():
        summary, planned = _plan_and_store(cycle, scope)
    # The planner writes in bulk, past the flush watchers.
    if scope.educators is None:
        plans_written.send(cycle)
    else:
        plans_written.send(cycle, educator_ids=sorted(planned))
    record("plan.run", actor=actor, subject=cycle, district_id=cycle.district_id, scope=scope.described,
           **summary.__dict__)
    return summary


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Planning a district builds a few million small objects that live until the plan is stored
    (rating records, frames, goals, rows). Python's cycle collector would walk them again and
    again while they pile up, for almost nothing: a run leaves a couple of hundred objects in
    reference cycles. At 10,000 educators that walking was a fifth to a third of a run. The
    objects are freed before it resumes (`_plan_and_store` has returned), so it finds little
    left to walk. If another thread paused it first, that thread resumes it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _plan_and_store(cycle: Cycle, scope: PlanScope) -> tuple[PlanRunSummary, set[int]]:
    """Plan and store; returns the summary and whom it planned."""
    inputs = planning_input(cycle, scope)
    result = plan(inputs)
    planned = {e.id for e in inputs.educators}
    mine = None if scope.educators is None else planned     # None: every row of the cycle is this run's
    cohort_ids = _store_cohorts(cycle, result, {c.key for c in inputs.confirmed_cohorts})
    _store_placements(cycle, result, cohort_ids)
    goals = _store_goals(cycle, result, mine)
    activities = _store_activities(cycle, result, mine)
    lanes = [d.lane for d in result.lanes]
    confirmed = db.session.scalar(select(func.count()).select_from(Cohort).where(
        Cohort.cycle_id == cycle.id, Cohort.status == CohortStatus.CONFIRMED))
    cohorts = len(result.cohorts) if mine is None else sum(
        1 for c in result.cohorts if not planned.isdisjoint(c.member_ids))
    return PlanRunSummary(
        educators=len(inputs.educators), goals=goals, fast=lanes.count("fast"), slow=lanes.count("slow"),
        cohorts=cohorts, confirmed_cohorts=confirmed, individual=len(result.individual),
        activities=activities), planned


def _store_cohorts(cycle: Cycle, result, kept: Collection[str]) -> dict[str, int]:
    """Store the proposed cohorts; the `kept` ones (by key: confirmed, or outside a scoped run)
    are left as they are. Returns every cohort's id by key."""
    proposed = {"cycle_id": cycle.id, "status": CohortStatus.PROPOSED}
    fields = ("lane", "focus", "school_ids", "coach_id", "mentor_ids", "why")
    _replace_rows(Cohort, proposed, ("key",), fields, {
        (c.key,): (c.lane, c.focus, list(c.school_ids), c.coach_id, list(c.mentor_ids), c.why)
        for c in result.cohorts if c.key not in kept}, owned=lambda key: key[0] not in kept)
    return dict(db.session.execute(select(Cohort.key, Cohort.id).where(Cohort.cycle_id == cycle.id)).all())


def _store_placements(cycle: Cycle, result, cohort_ids: dict[str, int]) -> None:
    cohort_of = {m: cohort_ids[c.key] for c in result.cohorts for m in c.member_ids}
    individual = dict(result.individual)
    fields = ("lane", "readiness", "rated", "at_target", "lowest_domain", "lowest_domain_mean", "why",
              "cohort_id", "individual_reason")
    # Placements are never deleted: an educator's override lives on theirs.
    _replace_rows(Placement, {"cycle_id": cycle.id}, ("educator_id",), fields, {
        (d.educator_id,): (d.lane, d.readiness, d.rated, d.at_target, d.lowest_domain, d.lowest_domain_mean,
                           d.why, cohort_of.get(d.educator_id), individual.get(d.educator_id, ""))
        for d in result.lanes}, delete_unwanted=False)


def _store_goals(cycle: Cycle, result, mine: set[int] | None) -> int:
    verified = set(db.session.execute(select(PlannedGoal.educator_id, PlannedGoal.competency_code).where(
        PlannedGoal.cycle_id == cycle.id, PlannedGoal.status == GoalStatus.VERIFIED)).tuples())
    wanted = {(g.educator_id, g.competency): (g.from_level, g.to_level, g.priority, g.rank, g.why)
              for g in result.goals if (g.educator_id, g.competency) not in verified}
    fields = ("from_level", "to_level", "priority", "rank", "why")
    _replace_rows(PlannedGoal, {"cycle_id": cycle.id, "status": GoalStatus.ACTIVE},
                  ("educator_id", "competency_code"), fields, wanted, owned=_of(mine))
    return len(wanted)


def _store_activities(cycle: Cycle, result, mine: set[int] | None) -> int:
    suggested = {"cycle_id": cycle.id, "source": "suggested", "status": ActivityStatus.PLANNED}
    kept = db.session.execute(
        select(PathActivity.educator_id, PathActivity.resource_id, PathActivity.position)
        .where(PathActivity.cycle_id == cycle.id,
               (PathActivity.source != "suggested") | (PathActivity.status != ActivityStatus.PLANNED))).all()
    # A suggestion the educator recorded something on (a reflection, a link, a file) while it was
    # still planned stays as it is: re-planning never throws their evidence away.
    recorded = db.session.execute(
        select(PathActivity.educator_id, PathActivity.resource_id, PathActivity.position,
               PathActivity.competency_code, PathActivity.why)
        .where(*(getattr(PathActivity, name) == value for name, value in suggested.items()),
               (PathActivity.reflection != "") | (PathActivity.evidence_url != "")
               | PathActivity.evidence_file_id.is_not(None))).all()
    if mine is not None:
        kept = [row for row in kept if row[0] in mine]
        recorded = [row for row in recorded if row[0] in mine]
    kept = [*kept, *((e, r, position) for e, r, position, _, _ in recorded)]
    taken = {(e, r) for e, r, _ in kept}
    next_position: dict[int, int] = {}
    for educator_id, _, position in kept:
        next_position[educator_id] = max(next_position.get(educator_id, 0), position + 1)
    wanted = {(e, r): (code, position, why) for e, r, position, code, why in recorded}
    for educator_id, steps in result.paths:
        for step in steps:
            if (educator_id, step.resource_id) in taken:
                continue
            position = next_position.get(educator_id, 0)
            next_position[educator_id] = position + 1
            wanted[educator_id, step.resource_id] = (step.competency, position, step.why)
    fields = ("competency_code", "position", "why")
    _replace_rows(PathActivity, suggested, ("educator_id", "resource_id"), fields, wanted, owned=_of(mine))
    return len(wanted) - len(recorded)


def _of(educator_ids: set[int] | None) -> Callable[[tuple], bool] | None:
    """`_replace_rows`' `owned` for rows keyed by educator first: theirs (None: everyone's)."""
    return None if educator_ids is None else (lambda key: key[0] in educator_ids)


def _replace_rows(model, fixed: dict, key: tuple[str, ...], fields: tuple[str, ...],
                  wanted: dict[tuple, tuple], *, delete_unwanted: bool = True,
                  owned: Callable[[tuple], bool] | None = None) -> None:
    """Make the rows of `model` holding the `fixed` values be `wanted`: the values of the `key`
    columns -> those of the `fields`. A row still wanted is updated if a value changed, new ones
    are inserted, the others deleted (or left alone, without `delete_unwanted`). Rows whose key
    is not `owned` (a scoped re-plan: someone else's) are left exactly as they are.

    A re-plan mostly proposes what it proposed before, so writing only the difference keeps it
    to a few writes instead of rewriting the district's tens of thousands of rows; and a row the
    plan keeps keeps its id."""
    # Plain Core rows, as in planning_input: tens of thousands of tuples need no ORM loading.
    existing = db.session.connection().execute(
        select(model.id, *(getattr(model, name) for name in (*key, *fields)))
        .where(*(getattr(model, name) == value for name, value in fixed.items()))).all()
    changed, unwanted, seen = [], [], set()
    width = 1 + len(key)
    for row in existing:
        row_key = row[1:width]      # a slice of a row is a tuple
        new = None if row_key in seen else wanted.get(row_key)  # a key stored twice keeps one row
        seen.add(row_key)
        if owned is not None and not owned(row_key):
            continue
        if new is None:
            unwanted.append(row[0])
        elif new != row[width:]:
            changed.append({"id": row[0], **dict(zip(fields, new, strict=True))})
    if delete_unwanted:
        for start in range(0, len(unwanted), IDS_PER_STATEMENT):
            db.session.execute(delete(model).where(model.id.in_(unwanted[start:start + IDS_PER_STATEMENT])))
    if changed:
        db.session.execute(update(model), changed)
    added = [{**fixed, **dict(zip(key, row_key, strict=True)), **dict(zip(fields, values, strict=True))}
             for row_key, values in wanted.items() if row_key not in seen]
    if added:
        # The table's INSERT is one executemany; the ORM's bulk insert would split the rows
        # into a statement per pattern of None values (hundreds at 10,000 educators).
        db.session.execute(insert(model.__table__), added)


# -- what this package does when a lower one announces a change -----------------------------

def subscribe() -> None:
    """Connect this package's receivers of lower packages' signals; `create_app` calls it."""
    deleting_person.connect(_remove_plans_of_person)


def _remove_plans_of_person(person: User, **_) -> PersonRemoval:
    """The person's placements, goals and path activities go with their account by the
    database's cascades. Here the evidence files on their path activities go (no cascade
    reaches a file from its activity), and cohorts forget them as a mentor: a cohort keeps its
    mentors as a list of ids (JSON), which no foreign key reaches."""
    files = db.session.execute(select(EvidenceFile.id, EvidenceFile.stored_name).where(EvidenceFile.id.in_(
        select(PathActivity.evidence_file_id).where(PathActivity.educator_id == person.id)))).all()
    goals = db.session.scalar(select(func.count()).select_from(PlannedGoal)
                              .where(PlannedGoal.educator_id == person.id))
    cohorts = db.session.scalars(select(Cohort).where(
        Cohort.cycle_id.in_(select(Cycle.id).where(Cycle.district_id == person.district_id))))
    for cohort in cohorts:
        if person.id in cohort.mentor_ids:
            cohort.mentor_ids = [i for i in cohort.mentor_ids if i != person.id]
    db.session.execute(delete(EvidenceFile).where(EvidenceFile.id.in_([file_id for file_id, _ in files])))
    return PersonRemoval(counts={"goals": goals}, files=[stored_name for _, stored_name in files])
