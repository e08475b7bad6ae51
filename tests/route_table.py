"""The building blocks of the role x route table (tests/test_authorization.py).

A route table maps an endpoint to (method, url builder, expected status per role); url builders
take the World of test_authorization's `world` fixture. Packages with many routes keep their rows
in their own test folder (tests/api/routes.py) and the authorization test merges them.
"""

from dataclasses import dataclass, field

ROLES = ["anonymous", "teacher", "coach", "principal", "district_admin"]


@dataclass
class World:
    """Two districts. In the first: a school with a teacher on a coach's caseload, their
    principal, a district admin, and a second coach and principal elsewhere; an open cycle."""

    people: dict = field(default_factory=dict)
    framework_id: int = 0
    cycle_id: int = 0
    evidence_id: int = 0  # a PDF attached to the teacher's self-rating of COG.1 in that cycle
    resource_id: int = 0  # a shared activity of the catalogue
    cohort_id: int = 0    # a proposed cohort of the teacher's school, led by the coach, with the teacher
    activity_id: int = 0  # that activity on the teacher's path, marked done with a reflection
    secret: str = ""


def everyone(status: int) -> dict:
    return dict.fromkeys(ROLES, status)


def only(roles, status: int, others: int = 404, anonymous: int = 302) -> dict:
    return everyone(others) | {"anonymous": anonymous} | dict.fromkeys(roles, status)


SIGNED_IN_OK = everyone(200) | {"anonymous": 302}
ADMIN = ("district_admin",)
EDUCATORS = ("teacher", "coach")
LEADERS = ("principal", "district_admin")
PLANNERS = ("coach",) + LEADERS
