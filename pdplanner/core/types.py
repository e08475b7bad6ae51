"""Plain values passed into and out of the core."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CalibrationRow:
    """Self and coach levels of one competency side by side. None means no level (unrated or
    'not yet observed'); `difference` is self minus coach when both have a level."""

    competency: str
    self_level: int | None
    coach_level: int | None
    difference: int | None
    flagged: bool


# -- planning (SPEC section 5) ---------------------------------------------------------------
# Inputs are plain values the queries build from the database; outputs are what the planning
# services store. Codes are competency codes ("COG.1"); ids are database ids.

LANES = ("fast", "slow")
CURRENT_LEVEL_POLICIES = ("self", "coach", "mean", "min")


@dataclass(frozen=True)
class PlanningSettings:
    """A district's planning rules; every default is SPEC section 5's."""

    current_level_policy: str = "mean"
    interest_bonus: float = 0.5
    foundational_bonus: float = 0.25
    goals_per_educator: int = 3
    goals_per_domain: int = 2
    fast_lane_readiness: float = 0.6
    fast_lane_min_domain_mean: float = 2.5
    cohort_min_size: int = 3
    cohort_max_size: int = 8
    coach_caseload_limit: int = 20
    small_school_size: int = 3   # a school with fewer educators in a lane pools with others
    # The district's own, growth-framed names for the lanes: every "why" uses them, quoted.
    fast_lane_label: str = "Ready to move"
    slow_lane_label: str = "Building readiness"


@dataclass(frozen=True)
class CompetencyInfo:
    code: str
    name: str
    domain: str            # domain code
    position: int          # framework order: the tie-break
    foundational: bool
    next_level_descriptors: tuple[tuple[int, str], ...] = ()  # (level, descriptor) for success criteria
    domain_name: str = ""  # the domain's name as whys show it ("Instructional"); empty: the code


@dataclass(frozen=True)
class EducatorInfo:
    id: int
    school_id: int
    coach_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RatingRecord:
    """One stored rating. kind: "self", "coach" or "evidence" (a verified goal's rating, which
    counts as a coach rating for the current level). level None: not yet observed."""

    educator_id: int
    competency: str
    kind: str
    level: int | None
    interest: bool = False


@dataclass(frozen=True)
class RatingColumns:
    """Many ratings as parallel columns: position i of every column is one rating, with the
    meaning of a `RatingRecord`'s fields. A query reading a whole district hands these over
    instead of hundreds of thousands of records, which the core would only take apart again
    into arrays. All columns must have the same length."""

    educator_ids: Sequence[int]
    competencies: Sequence[str]      # competency codes
    kinds: Sequence[str]
    levels: Sequence[float | None]   # None (or NaN in a float array): not yet observed
    interests: Sequence[bool]        # or 0 and 1, as a database stores them

    def __post_init__(self):
        lengths = {len(self.educator_ids), len(self.competencies), len(self.kinds), len(self.levels),
                   len(self.interests)}
        if len(lengths) > 1:
            raise ValueError("rating columns must have the same length")


@dataclass(frozen=True)
class Target:
    """A school's target level and priority weight for one competency."""

    school_id: int
    competency: str
    level: int = 3
    weight: float = 1.0


@dataclass(frozen=True)
class ResourceInfo:
    id: int
    title: str
    kind: str                       # micro-credential, coaching-cycle, plc-protocol, ...
    competencies: tuple[str, ...]
    level_min: int
    level_max: int
    hours: float
    lanes: tuple[str, ...]          # subset of LANES


@dataclass(frozen=True)
class Goal:
    educator_id: int
    competency: str
    from_level: int | None          # None: not yet observed / unrated, grows to level 1
    to_level: int
    priority: float
    rank: int                       # 1 = top goal
    why: str


@dataclass(frozen=True)
class LaneDecision:
    educator_id: int
    lane: str                       # "fast" or "slow"
    readiness: float | None         # share of rated competencies at or above target
    rated: int
    at_target: int
    lowest_domain: str | None
    lowest_domain_mean: float | None
    why: str
    overridden: bool = False


@dataclass(frozen=True)
class CohortProposal:
    key: str                        # stable across re-plans of the same input
    lane: str
    focus: str                      # competency code, or a domain code after merging
    school_ids: tuple[int, ...]
    member_ids: tuple[int, ...]
    coach_id: int | None
    mentor_ids: tuple[int, ...]     # strong educators on the focus, offered as peer mentors
    why: str


@dataclass(frozen=True)
class PathStep:
    resource_id: int
    competency: str
    why: str


@dataclass(frozen=True)
class PlanningInput:
    settings: PlanningSettings
    competencies: tuple[CompetencyInfo, ...]
    educators: tuple[EducatorInfo, ...]
    ratings: tuple[RatingRecord, ...] | RatingColumns
    targets: tuple[Target, ...]                 # missing (school, code) pairs default to level 3, weight 1
    resources: tuple[ResourceInfo, ...] = ()
    lane_overrides: tuple[tuple[int, str, str], ...] = ()       # (educator_id, lane, reason)
    confirmed_cohorts: tuple[CohortProposal, ...] = ()          # kept as they are; members stay put
    level_labels: tuple[tuple[int, str], ...] = ()  # (level, label) of the scale: (2, "Developing");
                                                    # a level without one is shown as "level 2"


@dataclass(frozen=True)
class PlanningResult:
    goals: tuple[Goal, ...]
    lanes: tuple[LaneDecision, ...]
    cohorts: tuple[CohortProposal, ...]
    individual: tuple[tuple[int, str], ...]     # (educator_id, why) for individual coaching
    paths: tuple[tuple[int, tuple[PathStep, ...]], ...]   # (educator_id, steps)
    strengths: tuple[tuple[int, str], ...]      # (educator_id, code) at or above target
