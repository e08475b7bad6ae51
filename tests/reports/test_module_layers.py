"""Reports build on dashboards and on the access scopes, never the reverse (docs/DECISIONS.md,
"Access scopes and report modules")."""

import ast
from pathlib import Path

PDPLANNER = Path(__file__).resolve().parents[2] / "pdplanner"


def pdplanner_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("pdplanner")}


def test_dashboards_never_import_reports():
    offenders = {path.name: sorted(n for n in pdplanner_imports(path) if n.startswith("pdplanner.reports"))
                 for path in (PDPLANNER / "dashboards").rglob("*.py")}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_scopes_import_neither_reports_nor_dashboards():
    assert not {n for n in pdplanner_imports(PDPLANNER / "scopes.py")
                if n.startswith(("pdplanner.reports", "pdplanner.dashboards"))}
