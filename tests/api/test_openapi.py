"""The OpenAPI document: valid OpenAPI 3, generated from the code, covering every API route."""

import re

import pytest
from openapi_spec_validator import validate

from pdplanner.database import ID_MAX

WRITES = {"put", "post", "patch", "delete"}


@pytest.fixture
def document(client):
    """Public, so integrators can read it before they have a token; it holds no one's data."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    return response.json


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)


def test_every_api_route_is_documented(app, document):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in document["paths"], path
        methods = {m.lower() for m in rule.methods} - {"head", "options"}
        assert methods <= set(document["paths"][path]), (path, methods)


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


# Writes that take no input: the URL says it all (a state change of the record it names).
ACTIONS = ("/submit", "/open", "/close", "/reopen", "/confirm", "/set-password-link", "/run")


def test_every_operation_has_schemas_for_its_answers(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        ok = responses.get("200") or responses["201"]
        if path.endswith("/openapi.json"):
            assert operation["security"] == []
            continue
        schema = ok["content"]["application/json"]["schema"]
        assert schema.get("$ref") or all(one["$ref"] for one in schema["oneOf"]), (path, method)
        assert "401" in responses and "default" in responses, (path, method)
        assert operation.get("summary"), (path, method)
        if method in WRITES and not path.endswith(ACTIONS) and method != "delete":
            [(content_type, body)] = operation["requestBody"]["content"].items()
            assert content_type in ("application/json", "multipart/form-data"), (path, method)
            assert body["schema"]["$ref"].startswith("#/components/schemas/"), (path, method)
            body = body["schema"]
            if "{educator_id}/ratings/" in path:
                assert body == {"$ref": "#/components/schemas/RatingsInput"}
        if method in WRITES and "requestBody" in operation:
            assert "422" in responses, (path, method)


def test_uploads_are_multipart_with_a_file(document):
    """Imports take a file (a roster, a framework), as the pages do; everything else is JSON."""
    uploads = {path for path, method, operation in operations(document)
               if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})}
    assert uploads == {"/api/v1/roster/preview", "/api/v1/roster/import", "/api/v1/frameworks"}
    upload = document["components"]["schemas"]["RosterUpload"]
    assert upload["properties"]["file"] == {"type": "string", "format": "binary",
                                            "description": upload["properties"]["file"]["description"]}
    assert upload["required"] == ["file"]


def test_errors_are_documented_as_problem_json(document):
    responses = document["components"]["responses"]
    for name in ("DEFAULT_ERROR", "NOT_FOUND", "UNPROCESSABLE_ENTITY", "CONFLICT"):
        content = responses[name]["content"]
        assert list(content) == ["application/problem+json"]
        assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert set(document["components"]["schemas"]["Problem"]["properties"]) == {
        "type", "title", "status", "detail", "errors"}


def test_bearer_tokens_are_the_security_scheme(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {"type": "http", "scheme": "bearer",
                                      "description": schemes["bearerToken"]["description"]}
    assert {"bearerToken": []} in document["security"]


def test_framework_formats_are_documented_with_a_schema_each(document):
    operation = document["paths"]["/api/v1/frameworks/{framework_id}"]["get"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert parameter["schema"]["enum"] == ["native", "case"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"] == [
        {"$ref": "#/components/schemas/Framework"}, {"$ref": "#/components/schemas/CFPackage"}]
    package = document["components"]["schemas"]["CFPackage"]["properties"]
    assert set(package) == {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics"}
    criterion = document["components"]["schemas"]["CFRubricCriterion"]["properties"]
    assert criterion["CFRubricCriterionLevels"]["items"] == {
        "$ref": "#/components/schemas/CFRubricCriterionLevel"}


def test_pagination_parameters_are_documented(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/educators"]["get"]["parameters"]}
    assert parameters["per_page"]["schema"]["maximum"] == 200
    assert parameters["page"]["schema"]["minimum"] == 1


def test_id_parameters_are_bounded_like_the_id_columns(document):
    """A larger id matches no route (404) rather than reaching the database (a 500 before)."""
    for path, item in document["paths"].items():
        for parameter in item.get("parameters", []):
            if parameter["name"].endswith("_id"):
                assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": ID_MAX}, path


def test_every_operation_is_tagged_and_documents_its_refusals(document):
    for path, method, operation in operations(document):
        assert operation.get("tags"), (path, method)
        if "{" in path and not path.endswith("/openapi.json"):
            assert "404" in operation["responses"], (path, method)
