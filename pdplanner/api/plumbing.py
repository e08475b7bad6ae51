"""The API's plumbing, and nothing of any domain: the flask-smorest Api and the one blueprint
under /api/v1, the `Routes` a domain module records its resources on, who the caller is,
problem+json answers and how a service's refusal becomes one, the one transaction of a write,
pagination, the one guard that runs before a write's body is read, and the OpenAPI document.

Token authentication is in `api.auth` (the file reports share it); the resources are in the
domain modules that `api.register_api` lists."""

import http
import math
from contextlib import contextmanager
from functools import wraps

import marshmallow as ma
from flask import Flask, g
from flask_login import current_user
from flask_smorest import Api, Blueprint, abort, current_api
from flask_smorest.arguments import ArgumentsMixin
from flask_smorest.response import ResponseMixin
from flask_smorest.utils import prepare_response
from marshmallow import fields, validate

from pdplanner.accounts.models import User
from pdplanner.accounts.services import AccountError
from pdplanner.api.auth import authenticate_api_request
from pdplanner.assessments.services import AssessmentError
from pdplanner.database import ID_MAX
from pdplanner.extensions import csrf, db
from pdplanner.framework.services import FrameworkFormatError
from pdplanner.organisation.roster.read import RosterError
from pdplanner.organisation.services import OrganisationError
from pdplanner.permissions import public
from pdplanner.planning.services import PlanningError

PROBLEM_JSON = "application/problem+json"
MAX_PER_PAGE = 200

DESCRIPTION = """\
The pdplanner API. The same authorization rules apply as on the web pages: a record the caller
may not see answers 404, exactly as a missing one.

**Authentication.** Send a personal access token (create one on the *My account* page, or with
`flask tokens create --email E`) as `Authorization: Bearer <token>`. From the browser, the
signed-in session works too; then every PUT, POST, PATCH or DELETE must carry the page's CSRF
token in an `X-CSRFToken` header. Only token calls without a session cookie skip that check.

**Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`, and
for invalid requests `errors`, which maps a field path such as `ratings[0].level` to what is
wrong with it. A refused write changes nothing.

**Lists** are paginated with `page` (from 1) and `per_page` (at most 200) and answer an envelope
`{"items": [...], "page", "per_page", "total", "pages"}`.

**Writes** take a JSON body (actions such as `/open` or `/confirm` take none; imports take the
file as `multipart/form-data`, in a part named `file`), change everything
or nothing in one transaction, and are audited as on the pages. Bad input is 422 with `errors`
per field; a change the record's state refuses (a submitted assessment, an activity not yet
done) is 409; a write the caller may see but not make is 403 where the pages have that case
(another person's self-ratings or sharing); anything the caller may not see is 404.

**Resources**, each the data and actions of a page (tags group them below):

- the caller: `/me`; frameworks: `/frameworks` (GET, POST a CASE or native file), `/frameworks/{id}`
  (`?format=case`)
- roster imports (the Roster page): `/roster/preview`, `/roster/import`
- cycles (the Cycles page): `/cycles`, `/cycles/{id}`, `/cycles/{id}/open`, `/cycles/{id}/close`,
  `/retention`
- ratings (self-assessment, coach rating, review, calibration, caseload): `/educators`,
  `/educators/{id}/ratings` (`/self`, `/self/submit`, `/coach`), `/educators/{id}/assessment`
  (`/sharing`, `/reopen`), `/educators/{id}/calibration`, `/caseload`
- plans and paths (my plan, an educator's plan): `/educators/{id}/plan`, `/educators/{id}/path`,
  `/path-activities/{id}` (PUT progress, DELETE, `/verify`, `/return`), `/evidence-queue`,
  `/educators/{id}/lane` (GET, PUT an override)
- cohorts and planning (the planning and settings pages): `/cohorts`, `/cohorts/{id}` (`/confirm`,
  `/members`, `/members/{id}`, `/coach`, `/path`), `/cycles/{id}/plan/run`, `/planning/settings`
- the catalogue: `/resources`, `/resources/{id}`
- people, schools and the audit log (admin pages): `/people`, `/people/{id}` (`/roles`,
  `/coaches`, `/coaches/{id}`, `/active`, `/set-password-link`, DELETE), `/schools`, `/audit`
- dashboards: `/schools/{id}/readiness` (principal), `/schools/{id}/ratings`,
  `/dashboards/coach`, `/districts/{id}/summary` (the schools side by side)

**Reports and exports** are files, outside this document, and take the same Bearer token:
`/reports/educators/{id}/growth-plan.pdf`, `/reports/schools/{id}/readiness.pdf`,
`/reports/districts/{id}/summary.pdf` (each `?cycle={id}`), `/exports/ratings.csv` (and
`goals`, `cohorts`, `participation`; `.csv` or `.xlsx`), `/me/data.zip` and, for district
admins, `/exports/district.zip`.
"""

SECURITY_SCHEMES = {
    "bearerToken": {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token (`pdp_...`).",
    },
    "sessionCookie": {
        "type": "apiKey", "in": "cookie", "name": "session",  # the name is set from the config
        "description": "The signed-in browser session; writes also need an `X-CSRFToken` header.",
    },
}


# -- schemas every domain builds on ------------------------------------------------------------
# Marshmallow schemas validate a request or serialize a response, and flask-smorest turns the
# same schema into the OpenAPI document, so the two cannot drift apart.

def described(text: str, **extra) -> dict:
    return {"metadata": {"description": text, **extra}}


def row_id(text: str, *, strict: bool = False, **options) -> fields.Integer:
    """An id sent in a query (a string of digits) or, `strict`, a JSON body (a number): bounded
    like the id columns, so that a larger number is a clear 422 rather than a database error."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=ID_MAX), **options,
                          **described(text))


class ProblemSchema(ma.Schema):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type = fields.String(**described("Always `about:blank`: `title` says what kind of error it is."))
    title = fields.String(**described("The HTTP status phrase, e.g. `Not Found`."))
    status = fields.Integer(**described("The HTTP status code."))
    detail = fields.String(**described("What went wrong, in a sentence meant for people."))
    errors = fields.Dict(
        keys=fields.String(), values=fields.String(),
        **described("For invalid requests: what is wrong, by field path (`ratings[0].level`)."),
    )


# -- the Api, the blueprint, and the routes of the domains ---------------------------------------

class ProblemApi(Api):
    """flask-smorest, with pdplanner's own error handling and problem+json error documentation."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """pdplanner.errors already answers every error, in problem+json under /api/."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            if status >= 400:
                response = {"description": status.phrase, "schema": self.ERROR_SCHEMA}
                prepare_response(response, self.spec, PROBLEM_JSON)
                self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def create_api(app: Flask) -> Api:
    """Bind flask-smorest to `app`; register the API's blueprint on what this returns."""
    api = ProblemApi(spec_kwargs={
        "info": {"description": DESCRIPTION},
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
    })
    api.init_app(app)
    cookie = {"name": app.config["SESSION_COOKIE_NAME"]}
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme | (cookie if "in" in scheme else {}))
    return api


class Routes(ArgumentsMixin, ResponseMixin):
    """The resources of one domain module. `route` records a view where it is written and
    `register` adds the recorded views to the API's blueprint, so that importing a module
    registers nothing. The other decorators are flask-smorest's own (`arguments`, `response`,
    `alt_response`, `doc`): they document and wrap the view, whichever blueprint it ends up on."""

    doc = staticmethod(Blueprint.doc)

    def __init__(self):
        self.recorded: list[tuple[str, dict, object]] = []

    def route(self, rule: str, **options):
        def decorator(view):
            self.recorded.append((rule, options, view))
            return view

        return decorator

    def answers(self, *statuses: int):
        """Document the problem responses an operation gives, besides 422 and the default."""

        def decorator(view):
            for status in statuses:
                view = self.alt_response(status, response=http.HTTPStatus(status).name)(view)
            return view

        return decorator

    def register(self, blueprint: Blueprint) -> None:
        for rule, options, view in self.recorded:
            blueprint.route(rule, **options)(view)


def api_blueprint() -> Blueprint:
    """The API's one blueprint, made afresh for each app, with the OpenAPI document on it."""
    bp = Blueprint("api", __name__, url_prefix="/api/v1",
                   description="pdplanner's JSON API: Bearer token or signed-in session.")
    csrf.exempt(bp)  # auth.authenticate_api_request applies CSRF to session-authenticated writes
    bp.before_request(authenticate_api_request)
    documentation.register(bp)
    return bp


documentation = Routes()


@documentation.route("/openapi.json", tags=["Documentation"])
@public
@documentation.doc(security=[])
@documentation.response(200, description="This OpenAPI 3 document.")
def openapi_document():
    """The OpenAPI 3 document of this API, generated from the code."""
    return current_api.spec.to_dict()


# -- the caller, and the answers that are not the resource ---------------------------------------

def caller() -> User:
    return current_user._get_current_object()


def problem(status: int, detail: str, errors: dict[str, str] | None = None):
    abort(status, message=detail, errors=errors)


def refuse(subject: str, subject_id: int, detail: str):
    """403 for a record the caller may see but not change; audited like every refusal."""
    g.access_denied = {"denied": subject, "denied_id": subject_id}
    problem(403, detail)


def checked_first(load):
    """Checks that run before a write's body is read, so that someone who may not make the
    change is told so (404 or 403) whatever they sent, rather than what is wrong with their body.

    `load(**kwargs)` gets the view's path and query arguments, loads and authorizes what they
    name (aborting when the caller may not), and returns the keyword arguments the view takes
    instead. Place it between the query `arguments` and the body `arguments`."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            return view(*args, **load(**kwargs))

        return guarded

    return decorator


# -- refusals: how a service's refusal becomes the API's answer ----------------------------------
# A refusal that names fields (`problems`) is bad input: 422 with `errors` per field. One that
# names none is the record's state saying no (a submitted assessment, an activity not yet done, a
# person with no plan yet): 409. An assessment refusal carries its own status.

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


@contextmanager
def one_transaction():
    """Commit what the service wrote, or roll all of it back and answer its problem."""
    try:
        yield
    except REFUSED_CHANGES as exc:
        db.session.rollback()
        problem(*refusal(exc))
    db.session.commit()


# -- pagination ----------------------------------------------------------------------------------

class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=ID_MAX // MAX_PER_PAGE),
                          **described("Page number, from 1."))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              **described(f"Items per page, at most {MAX_PER_PAGE}."))


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page envelope: the items plus where they sit in the whole list."""
    return ma.Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "total": fields.Integer(**described("Items in the whole list.")),
        "pages": fields.Integer(**described("Pages in the whole list.")),
    }, name=name)


def envelope(items: list, total: int, args: dict) -> dict:
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total,
            "pages": math.ceil(total / args["per_page"])}


def page_of_list(items: list, args: dict) -> dict:
    start = (args["page"] - 1) * args["per_page"]
    return envelope(items[start:start + args["per_page"]], len(items), args)
