"""Learning-path suggestions from the catalogue (SPEC 5.7).

The fast lane gets self-directed, shorter activities; the slow lane supported, longer ones.
`resource_rank` is the whole preference order, in one place.
"""

from collections.abc import Iterable, Mapping, Sequence

from pdplanner.core.goals import level_name
from pdplanner.core.lanes import DEFAULT_SETTINGS, in_the_lane
from pdplanner.core.types import Goal, PathStep, PlanningSettings, ResourceInfo

STEPS_PER_GOAL = 2

# Kinds each lane prefers, best first; a kind not listed comes after all listed ones.
PREFERRED_KINDS = {
    "fast": ("micro-credential", "peer-observation", "plc-protocol", "video-study", "book-study",
             "online-course"),
    "slow": ("coaching-cycle", "workshop", "plc-protocol", "peer-observation"),
}
# How a kind reads in a sentence; a kind not listed reads as its name with spaces.
KIND_WORDS = {"micro-credential": "micro-credential", "plc-protocol": "PLC protocol"}
# Fast lane: shorter first (self-directed, quick to finish). Slow lane: longer first (supported).
SHORTER_FIRST = {"fast": True, "slow": False}


def resource_rank(resource: ResourceInfo, lane: str) -> tuple[int, float, int]:
    """Sort key of a resource for a lane, smaller is better: (1) the lane's preferred kinds in
    their order, other kinds after; (2) hours, shorter first in the fast lane and longer first
    in the slow lane; (3) resource id, so ties never depend on the catalogue's order."""
    kinds = PREFERRED_KINDS[lane]
    kind_rank = kinds.index(resource.kind) if resource.kind in kinds else len(kinds)
    hours = resource.hours if SHORTER_FIRST[lane] else -resource.hours
    return kind_rank, hours, resource.id


def resource_fits(resource: ResourceInfo, competency: str, level: int, lane: str) -> bool:
    """A resource fits a goal when it covers the competency, its level range holds the level the
    educator grows from, and it is offered in the educator's lane."""
    return (competency in resource.competencies and resource.level_min <= level <= resource.level_max
            and lane in resource.lanes)


def fitting_resources(resources: Iterable[ResourceInfo], competency: str, level: int,
                      lane: str) -> list[ResourceInfo]:
    """The resources that fit (`resource_fits`), best first (`resource_rank`)."""
    return sorted((r for r in resources if resource_fits(r, competency, level, lane)),
                  key=lambda r: resource_rank(r, lane))


def step_why(resource: ResourceInfo, goal: Goal, lane: str, settings: PlanningSettings = DEFAULT_SETTINGS,
             labels: Mapping[int, str] | None = None) -> str:
    """'Fits the step from Developing (2) to Proficient (3) and the "Ready to move" lane;
    micro-credential, 6 hours.': levels by the scale's labels (`labels`: level -> label; none:
    "level 2"), the lane by the district's label."""
    labels = labels or {}
    to_level = level_name(goal.to_level, labels)
    step = (f"the step to {to_level}" if goal.from_level is None
            else f"the step from {level_name(goal.from_level, labels)} to {to_level}")
    hours = f"{resource.hours:g} hour" + ("" if resource.hours == 1 else "s")
    return (f"Fits {step} and {in_the_lane(lane, settings)}; "
            f"{KIND_WORDS.get(resource.kind, resource.kind.replace('-', ' '))}, {hours}.")


def private_step_why(competency_name: str) -> str:
    """An activity's reason for a reader who may not see the levels. `step_why` names the step
    from one level to the next, and the activity itself would too: the catalogue says which
    levels each activity suits, so neither is named (nor its kind and hours, which single it out)."""
    return f"An activity for a step in {competency_name}."


class PathSuggester:
    """Suggests paths from one catalogue. The ranked choice for each (competency, level, lane)
    is worked out once and reused, so a whole district costs a handful of sorts, and so is the
    path of each set of goals (competencies and levels, in rank order) in each lane: many
    educators share one. `settings` and `labels` give the whys the district's lane labels and
    the scale's level labels."""

    def __init__(self, resources: Iterable[ResourceInfo], per_goal: int = STEPS_PER_GOAL,
                 settings: PlanningSettings = DEFAULT_SETTINGS, labels: Mapping[int, str] | None = None):
        self.resources = tuple(sorted(resources, key=lambda r: r.id))
        self.per_goal = per_goal
        self.settings = settings
        self.labels = dict(labels or {})
        self._ranked: dict[tuple[str, int, str], list[ResourceInfo]] = {}
        self._whys: dict[tuple[int, int | None, int, str], str] = {}
        self._paths: dict[tuple, tuple[PathStep, ...]] = {}

    def ranked(self, competency: str, level: int, lane: str) -> list[ResourceInfo]:
        """`fitting_resources` for the catalogue, remembered."""
        key = (competency, level, lane)
        if key not in self._ranked:
            self._ranked[key] = fitting_resources(self.resources, competency, level, lane)
        return self._ranked[key]

    def suggest_path(self, goals: Sequence[Goal], lane: str) -> tuple[PathStep, ...]:
        """Steps for one educator: for each goal in rank order, up to `per_goal` fitting
        resources, best first. A resource already chosen for an earlier goal is not repeated; a
        goal nothing fits gets no step."""
        ordered = sorted(goals, key=lambda g: g.rank)
        key = (lane, *((g.competency, g.from_level, g.to_level) for g in ordered))
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = self._path(ordered, lane)
        return path

    def _path(self, goals: Sequence[Goal], lane: str) -> tuple[PathStep, ...]:
        steps, used = [], set()
        for goal in goals:
            level = goal.from_level if goal.from_level is not None else 1
            chosen = [r for r in self.ranked(goal.competency, level, lane) if r.id not in used]
            for resource in chosen[:self.per_goal]:
                used.add(resource.id)
                why_key = (resource.id, goal.from_level, goal.to_level, lane)
                why = self._whys.get(why_key)
                if why is None:
                    why = self._whys[why_key] = step_why(resource, goal, lane, self.settings, self.labels)
                steps.append(PathStep(resource.id, goal.competency, why))
        return tuple(steps)


def suggest_path(goals: Sequence[Goal], lane: str, resources: Iterable[ResourceInfo],
                 per_goal: int = STEPS_PER_GOAL, settings: PlanningSettings = DEFAULT_SETTINGS,
                 labels: Mapping[int, str] | None = None) -> tuple[PathStep, ...]:
    """One educator's path (see `PathSuggester.suggest_path`); for many educators build one
    `PathSuggester` and reuse it."""
    return PathSuggester(resources, per_goal, settings, labels).suggest_path(goals, lane)
