"""Current levels, gaps and calibration between self and coach ratings."""

from collections.abc import Mapping, Sequence

from pdplanner.core.types import CalibrationRow

CALIBRATION_FLAG_AT = 2


def calibrate(codes: Sequence[str], self_levels: Mapping[str, int | None],
              coach_levels: Mapping[str, int | None],
              flag_at: int = CALIBRATION_FLAG_AT) -> list[CalibrationRow]:
    """Self and coach side by side for each competency in `codes`, in that order.

    A difference of `flag_at` levels or more, either way, is flagged for a calibration
    conversation. A competency with a level missing on either side has no difference.
    """
    rows = []
    for code in codes:
        mine, theirs = self_levels.get(code), coach_levels.get(code)
        difference = mine - theirs if mine is not None and theirs is not None else None
        rows.append(CalibrationRow(code, mine, theirs, difference,
                                   difference is not None and abs(difference) >= flag_at))
    return rows
