"""Services flush; only a request or a command commits (ARCHITECTURE rule 3). This test reads
every module of the package and fails on a `commit()` anywhere else, naming the module and the
line, so a commit hidden in a service or a model helper is caught when it is written."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pdplanner"

# Where a request or a command ends: page views, the API's resources, the CLI.
BOUNDARIES = ("views.py", "cli.py")
BOUNDARY_PACKAGES = ("api",)

# Commits outside those modules, each a boundary of its own, with the reason.
EXPLAINED = {
    # An authorization failure is audited in a transaction of its own after the request's
    # own work was rolled back: the refusal must be recorded even though the request failed.
    ("errors.py", "record_denied_access"),
    # A write request that only reads from here on (a roster preview, a password check) ends
    # its writing transaction early so that it holds no SQLite write lock during slow work.
    ("database.py", "reads_only_from_here"),
    # The page views' one transaction helper: the view's own commit, written once.
    ("pages.py", "attempt"),
}


def commits(tree: ast.Module):
    """(function name, line) of every `<something>.commit()` call in the module."""
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                yield function.name, node.lineno


def is_boundary(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return path.name in BOUNDARIES or relative.parts[0] in BOUNDARY_PACKAGES


def test_only_requests_and_commands_commit():
    hidden = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if is_boundary(path):
            continue
        relative = str(path.relative_to(PACKAGE))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden += [f"pdplanner/{relative}:{line} in {name}()" for name, line in commits(tree)
                   if (relative, name) not in EXPLAINED]
    assert not hidden, "a commit outside a request or command boundary:\n" + "\n".join(hidden)


def test_the_explained_exceptions_still_exist():
    """An exception that no longer exists is removed from the list, so the list stays true."""
    present = set()
    for relative, _ in EXPLAINED:
        tree = ast.parse((PACKAGE / relative).read_text(encoding="utf-8"))
        present |= {(relative, name) for name, _ in commits(tree)}
    assert present >= EXPLAINED
