"""Sentences around a plan, written for whoever reads them.

The same fact reads differently to the educator ("your end-of-year ratings") and to their coach
or principal ("Mateo Chen's end-of-year ratings"): every function here takes `own` (the reader is
the educator) and the educator's name, and never says "you" to anyone but the educator. None of
them names a level, so they may be shown to every reader of a plan; how many competencies someone
has rated is given only when the caller says the reader may see their ratings (`rated_count`).
"""

from collections.abc import Sequence


def possessive(name: str) -> str:
    """"Mateo Chen's", "James'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def whose(own: bool, name: str) -> str:
    return "your" if own else possessive(name)


def plan_basis(own: bool, name: str, rated_cycles: Sequence[str]) -> str:
    """Which cycle's ratings a plan is built on. `rated_cycles`: the names of the cycles, newest
    first, whose ratings the planner read (the newest cycle with a rating of the educator's, and
    an earlier one for what they have not re-rated yet); empty when nothing is rated."""
    if not rated_cycles:
        return (f"This plan has no ratings to go on yet: it fills in once {whose(own, name)} "
                "self-assessment is rated.")
    text = f"This plan is based on {whose(own, name)} {rated_cycles[0]} ratings"
    if len(rated_cycles) > 1:
        text += f", and on {' and '.join(rated_cycles[1:])} for what is not re-rated yet"
    return text + "."


def assessment_status(own: bool, name: str, cycle_name: str, started: bool, submitted: bool,
                      rated_count: tuple[int, int] | None) -> str:
    """Where the educator's self-assessment of the plan's cycle stands, and what follows, or ""
    once it is submitted. `rated_count` (rated, total) only for a reader who may see their
    ratings; anyone else reads whether it is started."""
    if submitted:
        return ""
    subject = f"{whose(own, name)[0].upper()}{whose(own, name)[1:]} {cycle_name} self-assessment"
    if rated_count is not None:
        state = f"is not submitted yet ({rated_count[0]} of {rated_count[1]} rated)"
    else:
        state = "is in progress" if started else "is not started yet"
    then = ("once you submit it, your coach re-plans and your goals and lane follow your new ratings"
            if own else "once it is submitted and re-planned, the goals and lane follow the new ratings")
    return f"{subject} {state}: {then}."


def verified_message(activity_title: str, educator_name: str, goal_competency: str | None,
                     goal_level: str | None) -> str:
    """What a coach reads after verifying an educator's evidence, naming the educator; with the
    goal they marked met and the level recorded for it, when they did."""
    text = f"{possessive(educator_name)} evidence for {activity_title} verified"
    if goal_competency is None:
        return text + "."
    return (f"{text}: their goal on {goal_competency} is met, and {goal_level} is recorded as "
            "their new level.")


def returned_message(activity_title: str, educator_name: str) -> str:
    """What a coach reads after sending evidence back, naming the educator."""
    return f"{activity_title} sent back to {educator_name} with your note."
