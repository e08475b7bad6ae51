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
