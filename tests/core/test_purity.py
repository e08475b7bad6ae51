"""pdplanner.core imports nothing above it: only the standard library, pandas and numpy (and
reportlab in charts.py)."""

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "pdplanner" / "core"
ALLOWED_THIRD_PARTY = {"pandas", "numpy"}
ALLOWED_IN = {"charts.py": {"reportlab"}}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports stay inside core
                continue
            names.add(node.module.split(".")[0])
    return names


def core_modules():
    return sorted(CORE.rglob("*.py"))


def test_core_exists():
    assert (CORE / "__init__.py").exists()


def test_core_imports_only_stdlib_and_pandas():
    offenders = {}
    for path in core_modules():
        allowed = ALLOWED_THIRD_PARTY | ALLOWED_IN.get(path.name, set()) | {"pdplanner"}
        bad = {
            name for name in imported_top_levels(path)
            if name not in sys.stdlib_module_names and name not in allowed
        }
        inner = [n for n in _pdplanner_imports(path) if not n.startswith("pdplanner.core")]
        if bad or inner:
            offenders[path.name] = sorted(bad) + inner
    assert offenders == {}


def _pdplanner_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pdplanner"):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("pdplanner")]
    return found


def test_the_checker_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import flask\nfrom sqlalchemy import select\nfrom pdplanner.extensions import db\n")
    names = imported_top_levels(sample)
    assert {"flask", "sqlalchemy"} <= names - sys.stdlib_module_names
    assert _pdplanner_imports(sample) == ["pdplanner.extensions"]
