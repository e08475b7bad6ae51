"""Properties of `plan` over generated districts (Hypothesis, derandomized: CI is reproducible)."""

import random
from collections import Counter
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pdplanner.core.lanes import lane_label
from pdplanner.core.planner import plan
from pdplanner.core.types import (
    CURRENT_LEVEL_POLICIES,
    CohortProposal,
    EducatorInfo,
    PlanningInput,
    PlanningSettings,
    RatingColumns,
    RatingRecord,
    ResourceInfo,
    Target,
)
from tests.core.builders import CODES, FRAMEWORK, LEVEL_LABELS, NAMED_FRAMEWORK

PROPERTIES = settings(derandomize=True, max_examples=60, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow])
DOMAIN_OF = {c.code: c.domain for c in FRAMEWORK}
COACHES = (901, 902, 903, 904)
KINDS = ("micro-credential", "coaching-cycle", "plc-protocol", "peer-observation", "workshop",
         "book-study", "online-course", "video-study")


@st.composite
def planning_settings(draw) -> PlanningSettings:
    goals = draw(st.integers(1, 4))
    smallest = draw(st.integers(2, 4))
    return PlanningSettings(
        current_level_policy=draw(st.sampled_from(CURRENT_LEVEL_POLICIES)),
        interest_bonus=draw(st.sampled_from((0.0, 0.5, 1.0))),
        foundational_bonus=draw(st.sampled_from((0.0, 0.25))),
        goals_per_educator=goals,
        goals_per_domain=draw(st.integers(1, goals)),
        fast_lane_readiness=draw(st.sampled_from((0.3, 0.6, 0.9))),
        fast_lane_min_domain_mean=draw(st.sampled_from((1.5, 2.5, 3.0))),
        cohort_min_size=smallest,
        cohort_max_size=draw(st.integers(smallest, 8)),
        coach_caseload_limit=draw(st.integers(1, 30)),
        small_school_size=draw(st.integers(1, 5)),
        fast_lane_label=draw(st.sampled_from(("Ready to move", "Leading the way", " "))),
        slow_lane_label=draw(st.sampled_from(("Building readiness", "Growing with support",
                                              "Supported lane"))),
    )


def profile_ratings(ids, rng: random.Random) -> list[RatingRecord]:
    """Dense, varied ratings: each educator has an overall level, some rate nothing, a few
    competencies are not yet observed, coaches rate most people, and there is some evidence and
    some repeated records."""
    records = []
    for educator_id in ids:
        if rng.random() < 0.1:
            continue
        base = rng.choice((1.5, 2.0, 2.5, 3.0, 3.5))
        coached = rng.random() < 0.7
        for code in CODES:
            level = min(4, max(1, round(base + rng.choice((-1, 0, 0, 1)))))
            seen = rng.random() > 0.1
            records.append(RatingRecord(educator_id, code, "self", level if seen else None,
                                        rng.random() < 0.2))
            if coached:
                records.append(RatingRecord(educator_id, code, "coach",
                                            min(4, max(1, level + rng.choice((-1, 0, 0, 1))))))
            if rng.random() < 0.05:
                kind = rng.choice(("evidence", "self"))
                records.append(RatingRecord(educator_id, code, kind, rng.randint(1, 4)))
    return records


@st.composite
def districts(draw) -> PlanningInput:
    n = draw(st.integers(0, 40))
    ids = list(range(1, n + 1))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))    # fast to draw; Hypothesis picks the seed
    schools = rng.randint(1, 4)
    people = tuple(EducatorInfo(i, rng.randint(1, schools), tuple(rng.sample(COACHES, rng.randint(0, 2))))
                   for i in ids)
    ratings = profile_ratings(ids, rng)
    if ids:    # and a few arbitrary records on top
        ratings += draw(st.lists(st.builds(
            RatingRecord, st.sampled_from(ids), st.sampled_from(CODES),
            st.sampled_from(("self", "coach", "evidence")), st.one_of(st.none(), st.integers(1, 4)),
            st.booleans()), max_size=10))
    ratings = tuple(ratings)
    target_cells = draw(st.dictionaries(st.tuples(st.integers(1, 4), st.sampled_from(CODES)),
                                        st.tuples(st.integers(2, 4), st.sampled_from((0.5, 1.0, 1.5, 2.0))),
                                        max_size=8))
    targets = tuple(Target(school, code, level, weight)
                    for (school, code), (level, weight) in target_cells.items())
    resources = tuple(ResourceInfo(
        i, f"R{i}", draw(st.sampled_from(KINDS)), tuple(draw(st.sets(st.sampled_from(CODES), min_size=1,
                                                                     max_size=3))),
        low, draw(st.integers(low, 4)), draw(st.sampled_from((2.0, 5.0, 10.0))),
        draw(st.sampled_from((("fast",), ("slow",), ("fast", "slow")))))
        for i, low in enumerate(draw(st.lists(st.integers(1, 4), max_size=8)), start=1))
    overrides = ()
    if ids:
        chosen = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(("fast", "slow")), max_size=3))
        overrides = tuple((i, lane, "Agreed with the coach") for i, lane in chosen.items())
    confirmed, free = [], draw(st.permutations(ids))
    for k in range(draw(st.integers(0, 2))):
        size = draw(st.integers(1, 5))
        members, free = tuple(sorted(free[:size])), free[size:]
        if members:
            confirmed.append(CohortProposal(f"kept-{k}", "slow", "A.1", (1,), members,
                                            draw(st.sampled_from((None,) + COACHES)), (), "Confirmed."))
    level_labels = tuple(draw(st.lists(st.sampled_from(LEVEL_LABELS + ((2, "Growing"),)), max_size=5)))
    return PlanningInput(draw(planning_settings()), draw(st.sampled_from((FRAMEWORK, NAMED_FRAMEWORK))),
                         people, ratings, targets, resources, overrides, tuple(confirmed), level_labels)


def shuffled(inputs: PlanningInput, rng: random.Random) -> PlanningInput:
    def mix(items):
        items = list(items)
        rng.shuffle(items)
        return tuple(items)
    return replace(inputs, competencies=mix(inputs.competencies), educators=mix(inputs.educators),
                   ratings=mix(inputs.ratings), targets=mix(inputs.targets), resources=mix(inputs.resources),
                   lane_overrides=mix(inputs.lane_overrides), confirmed_cohorts=mix(inputs.confirmed_cohorts),
                   level_labels=mix(inputs.level_labels))


@PROPERTIES
@given(districts(), st.integers(0, 2**32 - 1))
def test_the_same_input_in_any_order_plans_identically(inputs, seed):
    assert plan(shuffled(inputs, random.Random(seed))) == plan(inputs)


def as_columns(ratings: tuple[RatingRecord, ...]) -> RatingColumns:
    """The records as a query hands them over: parallel columns, interest as the stored 0/1."""
    return RatingColumns([r.educator_id for r in ratings], [r.competency for r in ratings],
                         [r.kind for r in ratings], [r.level for r in ratings],
                         [int(r.interest) for r in ratings])


@PROPERTIES
@given(districts())
def test_ratings_as_columns_plan_as_the_records_do(inputs):
    assert plan(replace(inputs, ratings=as_columns(inputs.ratings))) == plan(inputs)


@PROPERTIES
@given(districts())
def test_goals_respect_the_rules(inputs):
    result = plan(inputs)
    rules = inputs.settings
    strengths = set(result.strengths)
    target = {(t.school_id, t.competency): t.level for t in inputs.targets}
    school = {e.id: e.school_id for e in inputs.educators}
    per_educator = Counter(g.educator_id for g in result.goals)
    per_domain = Counter((g.educator_id, DOMAIN_OF[g.competency]) for g in result.goals)
    for g in result.goals:
        assert (g.educator_id, g.competency) not in strengths
        assert g.from_level is not None and g.to_level == g.from_level + 1
        assert g.to_level <= target.get((school[g.educator_id], g.competency), 3)
        assert g.why
    assert all(count <= rules.goals_per_educator for count in per_educator.values())
    assert all(count <= rules.goals_per_domain for count in per_domain.values())
    ranks = {}
    for g in result.goals:
        ranks.setdefault(g.educator_id, []).append(g.rank)
    assert all(r == list(range(1, len(r) + 1)) for r in ranks.values())
    priorities = {}
    for g in result.goals:
        priorities.setdefault(g.educator_id, []).append(g.priority)
    assert all(p == sorted(p, reverse=True) for p in priorities.values())


@PROPERTIES
@given(districts())
def test_everyone_is_placed_exactly_once_and_cohorts_keep_their_bounds(inputs):
    result = plan(inputs)
    rules = inputs.settings
    confirmed = set(inputs.confirmed_cohorts)
    placed = (Counter(m for c in result.cohorts for m in c.member_ids)
              + Counter(i for i, _ in result.individual))
    assert placed == Counter(e.id for e in inputs.educators)
    assert confirmed <= set(result.cohorts)
    lane = {d.educator_id: d.lane for d in result.lanes}
    load = Counter()
    for c in result.cohorts:
        load[c.coach_id] += len(c.member_ids)
        if c in confirmed:
            continue
        assert rules.cohort_min_size <= len(c.member_ids) <= rules.cohort_max_size
        assert {lane[m] for m in c.member_ids} == {c.lane}
        assert not set(c.mentor_ids) & set(c.member_ids) and len(c.mentor_ids) <= 2
        assert c.coach_id not in c.member_ids
    new_coaches = {c.coach_id for c in result.cohorts if c not in confirmed} - {None}
    assert all(load[coach] <= rules.coach_caseload_limit for coach in new_coaches)
    assert len({c.key for c in result.cohorts}) == len(result.cohorts)


@PROPERTIES
@given(districts())
def test_one_lane_and_one_path_entry_per_educator(inputs):
    result = plan(inputs)
    ids = sorted(e.id for e in inputs.educators)
    assert [d.educator_id for d in result.lanes] == ids
    assert [i for i, _ in result.paths] == ids
    for d in result.lanes:
        assert (d.readiness is None) == (d.rated == 0)
        assert d.lane in ("fast", "slow") and lane_label(d.lane, inputs.settings) in d.why
    goal_codes = {(g.educator_id, g.competency) for g in result.goals}
    resources = {r.id: r for r in inputs.resources}
    lane = {d.educator_id: d.lane for d in result.lanes}
    for educator_id, steps in result.paths:
        for step in steps:
            assert (educator_id, step.competency) in goal_codes
            assert lane[educator_id] in resources[step.resource_id].lanes
