"""SPEC 5.7: path suggestions per lane from the catalogue."""

from pdplanner.core.paths import resource_rank, suggest_path
from pdplanner.core.planner import plan
from pdplanner.core.types import Goal, PlanningSettings
from tests.core.builders import LEVEL_LABELS, educators, planning_input, resource, uniform


def goal(code="A.1", from_level=2, rank=1):
    return Goal(1, code, from_level, from_level + 1, 1.0, rank, "")


CATALOGUE = [
    resource(1, "workshop", hours=6),
    resource(2, "micro-credential", hours=10),
    resource(3, "micro-credential", hours=4),
    resource(4, "coaching-cycle", hours=12),
    resource(5, "coaching-cycle", hours=20),
    resource(6, "peer-observation", hours=3),
    resource(7, "book-study", hours=8, lanes=("slow",)),
]


def test_fast_lane_prefers_self_directed_then_shorter():
    steps = suggest_path([goal()], "fast", CATALOGUE)
    assert [s.resource_id for s in steps] == [3, 2]      # micro-credentials, 4 h before 10 h
    assert steps[0].why == ('Fits the step from level 2 to level 3 and the "Ready to move" lane; '
                            'micro-credential, 4 hours.')


def test_slow_lane_prefers_supported_then_longer():
    steps = suggest_path([goal()], "slow", CATALOGUE)
    assert [s.resource_id for s in steps] == [5, 4]      # coaching cycles, 20 h before 12 h
    assert steps[0].why == ('Fits the step from level 2 to level 3 and the "Building readiness" lane; '
                            'coaching cycle, 20 hours.')


def test_the_documented_order_of_kinds():
    kinds = ["online-course", "book-study", "video-study", "plc-protocol", "peer-observation",
             "micro-credential", "workshop", "coaching-cycle"]
    catalogue = [resource(i, kind, hours=5) for i, kind in enumerate(kinds, start=1)]
    fast = sorted(catalogue, key=lambda r: resource_rank(r, "fast"))
    slow = sorted(catalogue, key=lambda r: resource_rank(r, "slow"))
    assert [r.kind for r in fast] == ["micro-credential", "peer-observation", "plc-protocol", "video-study",
                                      "book-study", "online-course", "workshop", "coaching-cycle"]
    assert [r.kind for r in slow][:4] == ["coaching-cycle", "workshop", "plc-protocol", "peer-observation"]


def test_ties_go_to_the_lower_id_whatever_the_catalogue_order():
    catalogue = [resource(9, "workshop"), resource(2, "workshop"), resource(5, "workshop")]
    assert [s.resource_id for s in suggest_path([goal()], "slow", catalogue)] == [2, 5]


def test_level_range_competency_and_lane_must_fit():
    catalogue = [resource(1, "micro-credential", levels=(3, 4)),
                 resource(2, "micro-credential", codes=("A.2",)),
                 resource(3, "micro-credential", lanes=("slow",)),
                 resource(4, "workshop", levels=(1, 2))]
    assert [s.resource_id for s in suggest_path([goal(from_level=2)], "fast", catalogue)] == [4]
    assert [s.resource_id for s in suggest_path([goal(from_level=3)], "fast", catalogue)] == [1]


def test_nothing_fits_means_no_step_and_goals_in_rank_order_without_repeats():
    catalogue = [resource(1, "workshop", codes=("A.1", "B.1")), resource(2, "workshop", codes=("B.1",))]
    steps = suggest_path([goal("B.1", rank=2), goal("A.1", rank=1), goal("A.2", rank=3)], "slow", catalogue)
    assert [(s.competency, s.resource_id) for s in steps] == [("A.1", 1), ("B.1", 2)]


def test_through_the_planner_every_educator_has_a_path_entry():
    result = plan(planning_input(educators(1, 2), uniform(1, 2) + uniform(2, 3),
                                 resources=[resource(1, "workshop", codes=("A.1",), levels=(2, 2))]))
    assert result.paths == ((1, (result.paths[0][1][0],)), (2, ()))
    assert result.paths[0][1][0].competency == "A.1"


def test_step_whys_use_the_scale_s_level_labels_and_the_district_s_lane_labels():
    settings = PlanningSettings(slow_lane_label="Growing with support")
    steps = suggest_path([goal()], "slow", CATALOGUE, settings=settings, labels=dict(LEVEL_LABELS))
    assert steps[0].why == ('Fits the step from Developing (2) to Proficient (3) and the '
                            '"Growing with support" lane; coaching cycle, 20 hours.')
    (step,) = suggest_path([goal()], "slow", CATALOGUE[:1], per_goal=1, labels={3: "Proficient"})
    assert step.why == ('Fits the step from level 2 to Proficient (3) and the "Building readiness" lane; '
                        'workshop, 6 hours.')
