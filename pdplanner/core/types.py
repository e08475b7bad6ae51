"""Plain values passed into and out of the core."""

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
