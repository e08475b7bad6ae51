"""Imports point one way: down the layers of pdplanner's packages.

`LAYERS` is the order, lowest first, and the one place it is written in code (docs/DECISIONS.md,
"Layers and signals", explains it). A module may import its own package and the packages of
lower layers; packages of one layer do not import each other. Every import counts, at the top of
a module or inside a function. A lower package tells a higher one what happened by a signal
(`<package>/signals.py`), never by importing it.

The core stays pure: the standard library, pandas and numpy (reportlab in charts.py), and no
other pdplanner package.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pdplanner"

LAYERS = (
    ("core",),                                  # the pure planning core
    ("database", "json_bodies", "headers"),     # Flask and SQLAlchemy plumbing
    ("extensions",),
    ("permissions", "pages"),                   # the access policy (see UPWARD); the pages' transaction
    ("scopes",),                                # the access policy as SQL, for bulk reads (see UPWARD)
    ("audit",),                                 # every domain writes to the log (see UPWARD)
    ("errors",),
    ("accounts",),
    ("organisation",),
    ("framework",),
    ("assessments",),
    ("planning",),
    ("conditions",),                            # district conditions for scale (SPEC section 13)
    ("dashboards",),
    ("reports",),
    ("backups", "demo", "health"),
    ("api",),
    ("cli",),
    ("pdplanner",),                             # pdplanner/__init__.py: create_app wires them all
)

# The imports that still point up: importing module -> (the higher packages it imports, why).
UPWARD: dict[str, tuple[set[str], str]] = {
    "pdplanner.permissions": (
        {"accounts", "organisation", "assessments", "planning"},
        "The access policy rules over every domain's objects, so it reads their models (and which "
        "record an evidence file hangs on), while every domain's queries and views ask it."),
    "pdplanner.scopes": (
        {"accounts", "organisation", "assessments", "planning"},
        "The access policy as SQL: the same rules as permissions over the same domains' tables, "
        "for the exports and reports that read whole schools at once."),
    "pdplanner.audit.queries": (
        {"accounts", "organisation", "framework", "assessments", "planning"},
        "The audit log's reading side names the people, schools, frameworks, cycles and plans its "
        "events point at, while every domain writes to the log through audit.services."),
    "pdplanner.audit.views": (
        {"accounts", "reports"},
        "The log's page: open to accounts' roles, with its CSV export (reports.exports)."),
    "pdplanner.assessments.queries": (
        {"planning"},
        "Evidence files hang on ratings and on path activities, and purging a cycle counts its "
        "plans: the evidence and the cycle's contents span both packages."),
    "pdplanner.organisation.views": (
        {"assessments"},
        "Deleting a person removes their evidence files from disk after the page's commit "
        "(assessments.evidence.remove_evidence_files)."),
    "pdplanner.reports.views": (
        {"api"}, "Reports are also served to API tokens (api.auth.authenticate_bearer)."),
}

CORE_THIRD_PARTY = {"pandas", "numpy"}
CORE_THIRD_PARTY_IN = {"pdplanner.core.charts": {"reportlab"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    """`pdplanner.organisation.services` -> organisation; `pdplanner` (create_app) -> pdplanner."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, at any depth."""
    module = module_name(path)
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                found.append((node.lineno, ".".join(base + ([node.module] if node.module else []))))
            else:
                found.append((node.lineno, node.module))
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer_of() -> dict[str, int]:
    return {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def package_imports():
    """(module, line, imported module, its package) for every import of another pdplanner package."""
    for path in modules():
        module = module_name(path)
        for line, imported in imports_of(path):
            if imported.split(".")[0] == "pdplanner" and package_of(imported) != package_of(module):
                yield module, line, imported, package_of(imported)


def test_every_package_has_a_layer():
    packages = {package_of(module_name(path)) for path in modules()}
    assert sorted(packages - set(layer_of())) == []
    assert sorted(set(layer_of()) - packages) == []


def allowed_upward(module: str, package: str) -> bool:
    return package in UPWARD.get(module, (set(), ""))[0]


def test_imports_point_down():
    rank = layer_of()
    upward = [
        f"{module} line {line} imports {imported} ({package} is not below {package_of(module)})"
        for module, line, imported, package in package_imports()
        if rank[package] >= rank[package_of(module)] and not allowed_upward(module, package)
    ]
    assert upward == []


def test_no_cycle_between_packages():
    graph = defaultdict(set)
    for module, _, _, package in package_imports():
        if not allowed_upward(module, package):
            graph[package_of(module)].add(package)
    assert find_cycle(graph) is None


def test_every_allowed_upward_import_is_still_needed():
    used = {(module, package) for module, _, _, package in package_imports()}
    allowed = {(module, package) for module, (packages, _) in UPWARD.items() for package in packages}
    assert sorted(allowed - used) == []


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (first node repeated at the end), or None."""
    done, path = set(), []

    def visit(node):
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if cycle := visit(start):
            return cycle
    return None


def test_core_imports_only_stdlib_pandas_and_numpy():
    offenders = {}
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        module = module_name(path)
        allowed = CORE_THIRD_PARTY | CORE_THIRD_PARTY_IN.get(module, set())
        bad = sorted(
            f"line {line} imports {imported}" for line, imported in imports_of(path)
            if (top := imported.split(".")[0]) not in sys.stdlib_module_names and top not in allowed
            and not imported.startswith("pdplanner.core")
        )
        if bad:
            offenders[module] = bad
    assert offenders == {}


# -- the checker itself ----------------------------------------------------------------------

def test_the_checker_reads_every_kind_of_import(tmp_path, monkeypatch):
    fake = tmp_path / "pdplanner"
    (fake / "organisation").mkdir(parents=True)
    sample = fake / "organisation" / "services.py"
    sample.write_text("import flask\nfrom sqlalchemy import select\nfrom . import queries\n"
                      "def f():\n    from pdplanner.dashboards.services import forget\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert imports_of(sample) == [
        (1, "flask"), (2, "sqlalchemy"), (3, "pdplanner.organisation"), (5, "pdplanner.dashboards.services")]
    assert list(package_imports()) == [
        ("pdplanner.organisation.services", 5, "pdplanner.dashboards.services", "dashboards")]


@pytest.mark.parametrize(("graph", "cycle"), [
    ({"accounts": {"organisation"}, "organisation": {"accounts"}}, ["accounts", "organisation", "accounts"]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"organisation": {"accounts"}, "planning": {"accounts", "organisation"}}, None),
])
def test_the_checker_finds_a_cycle(graph, cycle):
    assert find_cycle(graph) == cycle
