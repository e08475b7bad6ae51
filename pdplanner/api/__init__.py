"""The JSON API under /api/v1 (flask-smorest): resources over the same services and queries as
the pages, documented by the OpenAPI 3 document at /api/v1/openapi.json."""

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from pdplanner.api.schemas import ProblemSchema

PROBLEM_JSON = "application/problem+json"

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
    """Bind flask-smorest to `app`; register the API's blueprints on what this returns."""
    api = ProblemApi(spec_kwargs={
        "info": {"description": DESCRIPTION},
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
    })
    api.init_app(app)
    cookie = {"name": app.config["SESSION_COOKIE_NAME"]}
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme | (cookie if "in" in scheme else {}))
    return api
