"""ARCHITECTURE.md, rule 2: views stay short. A route function (one decorated with a blueprint's
route) may hold at most MAX_LINES lines of body, its docstring left out: load, authorize,
validate, call one service, commit, respond. Longer work belongs in a service, a query or a
loader (pdplanner/permissions.py), and the page transaction is pdplanner/pages.py's `attempt`.

The API's route functions (pdplanner/api/*.py, recorded with `routes.route`) keep the same rule."""

import ast
from pathlib import Path

import pytest

MAX_LINES = 20
PACKAGE = Path(__file__).resolve().parent.parent / "pdplanner"
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def is_route(function: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
               and d.func.attr in ROUTE_DECORATORS for d in function.decorator_list)


def body_lines(function: ast.FunctionDef) -> int:
    body = function.body
    if ast.get_docstring(function) is not None:
        body = body[1:]
    return body[-1].end_lineno - body[0].lineno + 1 if body else 0


def route_functions(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and is_route(node)]


VIEW_MODULES = sorted(PACKAGE.glob("*/views.py"))
API_MODULES = sorted((PACKAGE / "api").glob("*.py"))


def test_the_view_modules_are_found():
    assert {p.parent.name for p in VIEW_MODULES} >= {"accounts", "assessments", "planning", "organisation"}


def test_the_api_route_functions_are_found():
    found = {p.stem for p in API_MODULES if route_functions(p)}
    assert found >= {"accounts", "framework", "organisation", "audit", "assessments", "planning",
                     "dashboards"}


@pytest.mark.parametrize("path", VIEW_MODULES + API_MODULES,
                         ids=lambda p: f"api.{p.stem}" if p.parent.name == "api" else p.parent.name)
def test_no_view_is_longer_than_the_rule(path):
    long = {f.name: body_lines(f) for f in route_functions(path) if body_lines(f) > MAX_LINES}
    assert long == {}, f"{path.relative_to(PACKAGE.parent)}: views over {MAX_LINES} lines: {long}"


def test_the_count_leaves_out_the_docstring():
    function = ast.parse('@bp.get("/")\ndef view():\n    """Doc.\n\n    More."""\n    return 1\n').body[0]
    assert is_route(function) and body_lines(function) == 1
