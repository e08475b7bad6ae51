"""Planning writes: district settings and the resource catalogue. Services flush; the request or
command commits once."""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select

from pdplanner.accounts.models import User
from pdplanner.audit.services import record
from pdplanner.core.types import CURRENT_LEVEL_POLICIES, LANES, PlanningSettings
from pdplanner.extensions import db
from pdplanner.planning.models import DistrictPlanningSettings, Resource, ResourceKind

CODE = re.compile(r"^[A-Z]+\.\d+$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class PlanningError(ValueError):
    """A refused planning change. `problems` maps a field to what is wrong with it."""

    def __init__(self, message: str, problems: dict[str, str] | None = None):
        super().__init__(message)
        self.problems = problems or {}


# -- settings ------------------------------------------------------------------------------

SETTING_FIELDS = ("current_level_policy", "interest_bonus", "foundational_bonus", "goals_per_educator",
                  "goals_per_domain", "fast_lane_readiness", "fast_lane_min_domain_mean",
                  "cohort_min_size", "cohort_max_size", "coach_caseload_limit")


def settings_row(district_id: int) -> DistrictPlanningSettings:
    """The district's settings row, or an unsaved one holding the defaults."""
    row = db.session.scalar(select(DistrictPlanningSettings).where(
        DistrictPlanningSettings.district_id == district_id))
    if row is None:
        defaults = PlanningSettings()
        row = DistrictPlanningSettings(district_id=district_id, fast_lane_label="Ready to move",
                                       slow_lane_label="Building readiness",
                                       **{f: getattr(defaults, f) for f in SETTING_FIELDS})
    return row


def planning_settings(district_id: int) -> PlanningSettings:
    """The district's rules as the core takes them."""
    row = settings_row(district_id)
    return PlanningSettings(**{f: getattr(row, f) for f in SETTING_FIELDS})


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
