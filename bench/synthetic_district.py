"""A seeded synthetic district for benchmarks: realistic shape, no database.

`synthetic_district(n_educators, seed)` builds:

- schools of 20-60 educators (the last one takes the remainder), one coach per ~10 educators
  of a school (coaches are separate people, ids from 1,000,000); 1 in 20 educators has a second
  coach;
- the default framework's 19 competencies (COG.1-4, INTRA.1-5, INTER.1-4, INST.1-6; foundational
  COG.1, COG.4, INTRA.1, INTER.1, INST.2, INST.6);
- ratings for 3 cycles (baseline, mid-year, end of year): every educator self-rates each
  competency (3% "not yet observed", 20% "I want to grow here"), coaches rate 85% of their
  caseload (5% "not yet observed"), and each cycle grows a little over the one before; from
  the second cycle on, about 1 educator in 12 has a verified goal's "evidence" rating. That is
  the issue's "10,000 educators x 19 competencies x 3 cycles" (about 1.1 million records).
  RatingRecord has no cycle, and planning runs one cycle at a time (`plan run --cycle`), so
  `planning_input()` plans the latest cycle's records; `planning_input(all_cycles=True)` passes
  all three cycles at once as a stress test (same-kind duplicates then collapse to the highest
  level, see `gaps.current_levels`);
- targets for every school and competency: level 3, weights 1, with 3 priority competencies
  at weight 1.5 or 2 and, in 1 school in 5, one competency targeted at level 4;
- about 40 resources over all eight kinds, lanes and level ranges;
- lane overrides for 1% of educators, and one confirmed cohort in 1 school in 10.
"""

import random
from dataclasses import dataclass

import numpy as np

from pdplanner.core.types import (
    CohortProposal,
    CompetencyInfo,
    EducatorInfo,
    PlanningInput,
    PlanningSettings,
    RatingRecord,
    ResourceInfo,
    Target,
)

FRAMEWORK = {
    "COG": ["Content and learning progressions", "Communication and feedback techniques",
            "Perseverance and motivation", "Learning science and metacognition"],
    "INTRA": ["Dedication to all learners", "Learner-centered vision", "Persistence and growth mindset",
              "Lifelong learning and growth", "Self-care"],
    "INTER": ["Building strong relationships", "Collaboration with colleagues",
              "Culturally responsive, inclusive community", "Leadership and advocacy"],
    "INST": ["Personalized pathways and learner profiles", "Competency-based assessment",
             "Learner agency, voice and choice", "Flexible anytime-anywhere learning and technology",
             "Extended community-connected challenges", "Data-informed instruction"],
}
DOMAIN_NAMES = {"COG": "Cognitive", "INTRA": "Intrapersonal", "INTER": "Interpersonal",
                "INST": "Instructional"}
FOUNDATIONAL = {"COG.1", "COG.4", "INTRA.1", "INTER.1", "INST.2", "INST.6"}
KINDS = ("micro-credential", "coaching-cycle", "plc-protocol", "peer-observation", "workshop",
         "book-study", "online-course", "video-study")
CYCLES = 3
COACH_IDS_FROM = 1_000_000


def default_competencies() -> tuple[CompetencyInfo, ...]:
    """The default framework's 19 competencies with their codes, domains (and their names) and
    order."""
    competencies, position = [], 0
    for domain, names in FRAMEWORK.items():
        for i, name in enumerate(names, start=1):
            position += 1
            code = f"{domain}.{i}"
            competencies.append(CompetencyInfo(code, name, domain, position, code in FOUNDATIONAL,
                                               domain_name=DOMAIN_NAMES[domain]))
    return tuple(competencies)


@dataclass(frozen=True)
class SyntheticDistrict:
    settings: PlanningSettings
    competencies: tuple[CompetencyInfo, ...]
    educators: tuple[EducatorInfo, ...]
    ratings_by_cycle: tuple[tuple[RatingRecord, ...], ...]     # oldest first
    targets: tuple[Target, ...]
    resources: tuple[ResourceInfo, ...]
    lane_overrides: tuple[tuple[int, str, str], ...]
    confirmed_cohorts: tuple[CohortProposal, ...]

    @property
    def record_count(self) -> int:
        return sum(len(cycle) for cycle in self.ratings_by_cycle)

    def planning_input(self, all_cycles: bool = False) -> PlanningInput:
        """The latest cycle's plan input (or, as a stress test, every cycle's records at once)."""
        ratings = (tuple(r for cycle in self.ratings_by_cycle for r in cycle) if all_cycles
                   else self.ratings_by_cycle[-1])
        return PlanningInput(self.settings, self.competencies, self.educators, ratings, self.targets,
                             self.resources, self.lane_overrides, self.confirmed_cohorts)


def _schools(n_educators: int, rng: random.Random) -> list[int]:
    sizes = []
    while sum(sizes) < n_educators:
        sizes.append(min(rng.randint(20, 60), n_educators - sum(sizes)))
    return sizes


def _resources(competencies: tuple[CompetencyInfo, ...], rng: random.Random) -> tuple[ResourceInfo, ...]:
    codes = [c.code for c in competencies]
    resources = []
    for i in range(40):
        kind = KINDS[i % len(KINDS)]
        low = rng.randint(1, 3)
        supported = kind in ("coaching-cycle", "workshop")
        if supported and i % 3:
            lanes = ("slow",)
        elif kind == "micro-credential":
            lanes = ("fast",)
        else:
            lanes = ("fast", "slow")
        resources.append(ResourceInfo(
            id=i + 1, title=f"{kind.replace('-', ' ').title()} {i + 1}", kind=kind,
            competencies=tuple(sorted(rng.sample(codes, rng.randint(1, 3)))),
            level_min=low, level_max=min(4, low + rng.randint(0, 2)),
            hours=float(rng.choice((2, 3, 4, 6, 8, 10, 12, 15, 20))), lanes=lanes))
    return tuple(resources)


def synthetic_district(n_educators: int, seed: int = 2026) -> SyntheticDistrict:
    """A realistic district of `n_educators` (see the module doc); the same seed gives the same
    district."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    competencies = default_competencies()
    codes = [c.code for c in competencies]
    domain_index = np.array([list(FRAMEWORK).index(c.domain) for c in competencies])

    educators, coach_id, school_of = [], COACH_IDS_FROM, []
    next_id = 1
    for school_id, size in enumerate(_schools(n_educators, rng), start=1):
        coaches = list(range(coach_id, coach_id + max(1, round(size / 10))))
        coach_id += len(coaches)
        for k in range(size):
            mine = (coaches[k % len(coaches)],)
            if rng.random() < 0.05 and len(coaches) > 1:
                mine += (coaches[(k + 1) % len(coaches)],)
            educators.append(EducatorInfo(next_id, school_id, mine))
            school_of.append(school_id)
            next_id += 1
    n = len(educators)
    ids = [e.id for e in educators]

    # Latent level: a person's overall level, a domain offset, a competency offset.
    person = np_rng.normal(2.6, 0.45, size=(n, 1))
    domain = np_rng.normal(0, 0.35, size=(n, 4))[:, domain_index]
    latent = person + domain + np_rng.normal(0, 0.4, size=(n, len(codes)))
    rated_by_coach = np_rng.random(n) < 0.85

    ratings_by_cycle = []
    for cycle in range(CYCLES):
        grown = latent + 0.15 * cycle
        self_levels = np.clip(np.rint(grown + 0.3 + np_rng.normal(0, 0.5, grown.shape)), 1, 4).astype(int)
        coach_levels = np.clip(np.rint(grown + np_rng.normal(0, 0.35, grown.shape)), 1, 4).astype(int)
        self_unseen = np_rng.random(grown.shape) < 0.03
        coach_unseen = np_rng.random(grown.shape) < 0.05
        interest = np_rng.random(grown.shape) < 0.2
        records = []
        for i, educator_id in enumerate(ids):
            for j, code in enumerate(codes):
                level = None if self_unseen[i, j] else int(self_levels[i, j])
                records.append(RatingRecord(educator_id, code, "self", level, bool(interest[i, j])))
                if rated_by_coach[i]:
                    level = None if coach_unseen[i, j] else int(coach_levels[i, j])
                    records.append(RatingRecord(educator_id, code, "coach", level))
            if cycle and rng.random() < 1 / 12:
                j = rng.randrange(len(codes))
                verified = int(min(4, coach_levels[i, j] + 1))
                records.append(RatingRecord(educator_id, codes[j], "evidence", verified))
        ratings_by_cycle.append(tuple(records))

    targets = []
    for school_id in sorted(set(school_of)):
        priority = set(rng.sample(codes, 3))
        higher = rng.choice(codes) if rng.random() < 0.2 else None
        for code in codes:
            targets.append(Target(school_id, code, 4 if code == higher else 3,
                                  rng.choice((1.5, 2.0)) if code in priority else 1.0))

    overrides = tuple((educator_id, rng.choice(("fast", "slow")), "Agreed in the coaching conversation")
                      for educator_id in rng.sample(ids, max(1, n // 100)))
    confirmed = []
    for school_id in sorted(set(school_of)):
        if school_id % 10 == 0:
            members = tuple(sorted(rng.sample([e.id for e in educators if e.school_id == school_id], 5)))
            confirmed.append(CohortProposal(f"confirmed-{school_id}", "slow", "INST.2", (school_id,), members,
                                            educators[members[0] - 1].coach_ids[0], (),
                                            "Confirmed by the coach."))
    return SyntheticDistrict(PlanningSettings(), competencies, tuple(educators), tuple(ratings_by_cycle),
                             tuple(targets), _resources(competencies, rng), overrides, tuple(confirmed))
