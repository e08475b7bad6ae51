"""The API's layout (issue 13): plumbing in one module, one module per domain owning its
resources and their schemas, registered from one explicit list; no layer-first modules."""

import importlib
import inspect
import re
from pathlib import Path

from flask import Blueprint

import pdplanner.api
from pdplanner.api import DOMAINS, plumbing

API_DIR = Path(pdplanner.api.__file__).parent
NOT_DOMAINS = {"__init__", "plumbing", "auth", "schemas"}

# The domain module of each tag. A school's resources belong to three domains: its people
# (organisation), its ratings (assessments) and its readiness (dashboards).
DOMAIN_OF_TAG = {
    "Caller": "accounts", "Frameworks": "framework", "Educators": "organisation",
    "People": "organisation", "Rosters": "organisation", "Audit": "audit",
    "Cycles": "assessments", "Ratings": "assessments", "Plans": "planning", "Paths": "planning",
    "Lanes": "planning", "Cohorts": "planning", "Planning": "planning", "Resources": "planning",
    "Dashboards": "dashboards",
}
DOMAIN_OF_SCHOOL_PATH = {"/api/v1/schools": "organisation",
                         "/api/v1/schools/{school_id}/ratings": "assessments",
                         "/api/v1/schools/{school_id}/readiness": "dashboards"}


def api_views(app):
    """(path, method, the view's module name) of every API operation."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            module = inspect.unwrap(app.view_functions[rule.endpoint]).__module__
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield path, method.lower(), module


def test_every_module_but_the_plumbing_is_a_registered_domain():
    modules = {path.stem for path in API_DIR.glob("*.py")} - NOT_DOMAINS
    assert {domain.__name__.rpartition(".")[2] for domain in DOMAINS} == modules
    assert len(set(DOMAINS)) == len(DOMAINS)


def test_no_layer_first_modules_are_left():
    for layer in ("views", "plans", "readiness", "imports", "people", "guards", "refusals"):
        assert not (API_DIR / f"{layer}.py").exists(), layer


def test_importing_a_module_registers_nothing():
    """Routes are recorded where they are written, and put on a blueprint by register_api only."""
    for path in API_DIR.glob("*.py"):
        name = "pdplanner.api" if path.stem == "__init__" else f"pdplanner.api.{path.stem}"
        module = importlib.import_module(name)
        assert not [name for name, value in vars(module).items() if isinstance(value, Blueprint)], module
    for domain in DOMAINS:
        assert isinstance(domain.routes, plumbing.Routes) and domain.routes.recorded, domain.__name__


def test_the_plumbing_serves_only_the_document(app):
    served = {path for path, _, module in api_views(app) if module == plumbing.__name__}
    assert served == {"/api/v1/openapi.json"}
    assert not hasattr(plumbing, "routes")


def test_every_resource_is_in_the_module_of_its_domain(app, client):
    document = client.get("/api/v1/openapi.json").json
    checked = 0
    for path, method, module in api_views(app):
        if module == plumbing.__name__:
            continue
        [tag] = document["paths"][path][method]["tags"]
        domain = DOMAIN_OF_SCHOOL_PATH[path] if tag == "Schools" else DOMAIN_OF_TAG[tag]
        assert module == f"pdplanner.api.{domain}", (method, path, tag)
        checked += 1
    assert checked == sum(len(domain.routes.recorded) for domain in DOMAINS) > 0
