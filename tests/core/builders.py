"""Small factories for planner inputs, so each test states only what it is about."""

from dataclasses import replace

from pdplanner.core.frames import competencies_frame, ratings_frame
from pdplanner.core.types import (
    CompetencyInfo,
    EducatorInfo,
    PlanningInput,
    PlanningSettings,
    RatingRecord,
    ResourceInfo,
)

# A small framework: two domains, A (3 competencies) then B (3), A.1 and B.1 foundational.
FRAMEWORK = (
    CompetencyInfo("A.1", "Alpha one", "A", 1, True),
    CompetencyInfo("A.2", "Alpha two", "A", 2, False),
    CompetencyInfo("A.3", "Alpha three", "A", 3, False),
    CompetencyInfo("B.1", "Beta one", "B", 4, True),
    CompetencyInfo("B.2", "Beta two", "B", 5, False),
    CompetencyInfo("B.3", "Beta three", "B", 6, False),
)
CODES = tuple(c.code for c in FRAMEWORK)
# The same framework with its domains named, and the default scale's level labels (seeds/).
DOMAIN_NAMES = {"A": "Assessment", "B": "Belonging"}
NAMED_FRAMEWORK = tuple(replace(c, domain_name=DOMAIN_NAMES[c.domain]) for c in FRAMEWORK)
LEVEL_LABELS = ((1, "Exploring"), (2, "Developing"), (3, "Proficient"), (4, "Leading"))


def no_bonus(**changes) -> PlanningSettings:
    """Settings without bonuses, so priorities are gap x weight unless a test says otherwise."""
    return replace(PlanningSettings(interest_bonus=0.0, foundational_bonus=0.0), **changes)


def self_ratings(educator_id: int, levels: dict[str, int | None], interest: tuple[str, ...] = ()):
    return [RatingRecord(educator_id, code, "self", level, code in interest)
            for code, level in levels.items()]


def coach_ratings(educator_id: int, levels: dict[str, int | None], kind: str = "coach"):
    return [RatingRecord(educator_id, code, kind, level) for code, level in levels.items()]


def both_ratings(educator_id: int, levels: dict[str, int | None], interest: tuple[str, ...] = ()):
    """The same level from self and coach, so every policy agrees."""
    return self_ratings(educator_id, levels, interest) + coach_ratings(educator_id, levels)


def uniform(educator_id: int, level: int, changes: dict[str, int | None] | None = None, codes=CODES):
    """Self and coach both at `level` on every code, except `changes` (code -> level)."""
    return both_ratings(educator_id, {code: level for code in codes} | (changes or {}))


def planning_input(educators, ratings, settings=None, targets=(), resources=(), competencies=FRAMEWORK,
                   overrides=(), confirmed=(), level_labels=()) -> PlanningInput:
    return PlanningInput(settings or PlanningSettings(), tuple(competencies), tuple(educators),
                         tuple(ratings), tuple(targets), tuple(resources), tuple(overrides), tuple(confirmed),
                         tuple(level_labels))


def educators(*ids, school_id=1, coach_ids=()):
    return [EducatorInfo(i, school_id, tuple(coach_ids)) for i in ids]


def resource(id, kind, codes=("A.1",), levels=(1, 4), hours=5.0, lanes=("fast", "slow"), title=None):
    return ResourceInfo(id, title or f"R{id}", kind, tuple(codes), levels[0], levels[1], hours, tuple(lanes))


def frame_of(records, competencies=FRAMEWORK):
    return ratings_frame(records, competencies_frame(competencies))
