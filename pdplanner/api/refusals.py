"""How a service's refusal becomes the API's answer: one registry for every package's error.

A refusal that names fields (`problems`) is bad input: 422 with `errors` per field. One that
names none is the record's state saying no (a submitted assessment, an activity not yet done, a
person with no plan yet): 409. An assessment refusal carries its own status.
"""

from pdplanner.accounts.services import AccountError
from pdplanner.assessments.services import AssessmentError
from pdplanner.framework.services import FrameworkFormatError
from pdplanner.organisation.roster.read import RosterError
from pdplanner.organisation.services import OrganisationError
from pdplanner.planning.services import PlanningError


def _by_problems(exc) -> tuple[int, str, dict[str, str] | None]:
    return (422 if exc.problems else 409), str(exc), exc.problems or None


REFUSALS = {
    AssessmentError: lambda exc: (exc.status, str(exc), exc.problems or None),
    PlanningError: _by_problems,
    # An account refusal names the one field it is about (an email already in use, say).
    AccountError: lambda exc: (422, str(exc), {exc.field: str(exc)} if exc.field else None),
    OrganisationError: lambda exc: (409, str(exc), None),
    # An uploaded file that cannot be read: the message names the file, line and field.
    RosterError: lambda exc: (422, str(exc), {"file": str(exc)}),
    FrameworkFormatError: lambda exc: (422, str(exc), {"file": str(exc)}),
}
REFUSED_CHANGES = tuple(REFUSALS)


def refusal(exc: Exception) -> tuple[int, str, dict[str, str] | None]:
    """(status, detail, errors) of a refused change."""
    kind = next(k for k in type(exc).__mro__ if k in REFUSALS)
    return REFUSALS[kind](exc)
