"""The JSON API under /api/v1 (flask-smorest): resources over the same services and queries as
the pages, documented by the OpenAPI 3 document at /api/v1/openapi.json.

`plumbing` is the API itself (the blueprint, errors, transactions, pagination, the guard, the
document) and `auth` who is calling; each domain module owns its resources and their schemas,
and `schemas` holds the few that several domains share. DOMAINS is the registration list."""

from flask import Flask

from pdplanner.api import accounts, assessments, audit, dashboards, framework, organisation, planning
from pdplanner.api.plumbing import api_blueprint, create_api

DOMAINS = (accounts, framework, organisation, audit, assessments, planning, dashboards)


def register_api(app: Flask) -> None:
    """The API's blueprint with every domain's resources on it, registered through flask-smorest,
    which documents it."""
    blueprint = api_blueprint()
    for domain in DOMAINS:
        domain.routes.register(blueprint)
    create_api(app).register_blueprint(blueprint)
