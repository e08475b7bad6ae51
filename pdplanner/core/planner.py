"""The planner's entry point: `plan(inputs) -> PlanningResult` (SPEC section 5).

Pure and deterministic: the same input gives an identical result whatever the order of the
input tuples, because every step sorts by ids and framework order before it decides anything.
The per-rating work (current levels, gaps, priorities, goals, readiness) is vectorised over the
whole district with pandas; the per-group work (cohorts, paths) is plain Python over a few
thousand groups.
"""

from collections.abc import Iterable, Mapping
from itertools import groupby

import pandas as pd

from pdplanner.core.cohorts import CohortSeeker, propose_cohorts
from pdplanner.core.frames import (
    CODE,
    COMP,
    DOMAIN,
    DOMAIN_NAME,
    DOMAIN_ORDER,
    EDUCATOR,
    NAME,
    RANK,
    SCHOOL,
    competencies_frame,
    educators_frame,
    ratings_frame,
    targets_frame,
)
from pdplanner.core.gaps import competency_profile, current_levels, mentors_by_school, strengths
from pdplanner.core.goals import goals_from_frame, level_labels_by_level, select_goals
from pdplanner.core.lanes import decide_lanes, lane_overrides_by_educator, readiness_table
from pdplanner.core.paths import PathSuggester
from pdplanner.core.types import (
    Goal,
    LaneDecision,
    PathStep,
    PlanningInput,
    PlanningResult,
    PlanningSettings,
    ResourceInfo,
)


def plan(inputs: PlanningInput) -> PlanningResult:
    """Goals, lanes, cohorts, individual coaching, paths and strengths for every educator.

    Outputs are ordered by educator id (goals then by rank, strengths by framework order);
    cohorts list the confirmed ones first (unchanged, by key), then the new ones. Whys use the
    district's lane labels, the domains' names and the scale's level labels where given.
    """
    settings = inputs.settings
    competencies = competencies_frame(inputs.competencies)
    educators = educators_frame(inputs.educators)
    ratings = ratings_frame(inputs.ratings, competencies)
    targets = targets_frame(inputs.targets, competencies)
    codes = competencies[CODE].to_numpy(dtype=object)
    domain_names = dict(zip(competencies[DOMAIN], competencies[DOMAIN_NAME], strict=True))
    labels = level_labels_by_level(inputs.level_labels)

    levels = current_levels(ratings, settings.current_level_policy)
    profile = competency_profile(levels, educators, competencies, targets)
    chosen = select_goals(profile, settings)
    goals = goals_from_frame(chosen, codes, competencies[NAME].to_numpy(dtype=object), labels)

    table = readiness_table(profile, educators[EDUCATOR].to_numpy())
    lanes = decide_lanes(table, settings, lane_overrides_by_educator(inputs.lane_overrides), domain_names)

    cohorts, individual = propose_cohorts(
        cohort_seekers(educators, lanes, chosen, competencies),
        inputs.confirmed_cohorts,
        coaches_of={e.id: tuple(sorted(set(e.coach_ids))) for e in inputs.educators},
        strong=mentors_by_school(profile, codes),
        names=dict(zip(competencies[CODE], competencies[NAME], strict=True)),
        settings=settings,
        domain_names=domain_names,
    )
    return PlanningResult(
        goals=tuple(goals),
        lanes=tuple(lanes),
        cohorts=tuple(cohorts),
        individual=tuple(individual),
        paths=suggest_paths(goals, lanes, inputs.resources, settings, labels),
        strengths=tuple(strengths(profile, competencies)),
    )


def cohort_seekers(educators: pd.DataFrame, lanes: list[LaneDecision], chosen: pd.DataFrame,
                   competencies: pd.DataFrame) -> list[CohortSeeker]:
    """One `CohortSeeker` per educator: school, lane after overrides, top goal (rank 1) if any."""
    top = chosen[chosen[RANK].to_numpy() == 1]
    top_comp = dict(zip(top[EDUCATOR].tolist(), top[COMP].tolist(), strict=True))
    codes, domains = competencies[CODE].tolist(), competencies[DOMAIN].tolist()
    domain_orders = competencies[DOMAIN_ORDER].tolist()
    lane_of = {d.educator_id: d for d in lanes}
    seekers = []
    for educator_id, school_id in zip(educators[EDUCATOR].tolist(), educators[SCHOOL].tolist(), strict=True):
        decision = lane_of[educator_id]
        comp = top_comp.get(educator_id)
        if comp is None:
            seekers.append(CohortSeeker(educator_id, school_id, decision.lane, rated=decision.rated))
        else:
            seekers.append(CohortSeeker(educator_id, school_id, decision.lane, codes[comp], domains[comp],
                                        comp, domain_orders[comp], decision.rated))
    return seekers


def suggest_paths(goals: list[Goal], lanes: list[LaneDecision], resources: Iterable[ResourceInfo],
                  settings: PlanningSettings, labels: Mapping[int, str],
                  ) -> tuple[tuple[int, tuple[PathStep, ...]], ...]:
    """(educator_id, steps) for every educator, by id; steps are empty without goals or when
    nothing in the catalogue fits. `goals` must be sorted by educator; `settings` and `labels`
    word the whys (see `PathSuggester`)."""
    suggester = PathSuggester(resources, settings=settings, labels=labels)
    goals_of = {educator_id: list(group)
                for educator_id, group in groupby(goals, key=lambda g: g.educator_id)}
    return tuple((d.educator_id, suggester.suggest_path(goals_of.get(d.educator_id, ()), d.lane))
                 for d in lanes)

