"""Reports are drawn from planned cycles: the planning tests' small planned school serves here too."""

from tests.planning.conftest import planned  # noqa: F401  (a fixture, found by pytest here)
