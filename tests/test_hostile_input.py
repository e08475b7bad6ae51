"""Hostile input answers a clear 4xx, never a server error (issue 12, item 12).

The walk takes every route of the role x route table (tests/test_authorization.py) and puts
hostile ids into each id of its path and each of its query arguments, plus the query arguments
pages commonly read, as the roles that reach the most code. Focused tests follow for the other
shapes of hostile input: JSON bodies, form levels, NUL characters, long emails.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from pdplanner.database import ID_MAX
from tests.helpers import sign_in_directly
from tests.test_authorization import ROUTES, world  # noqa: F401  (world is a fixture)

HOSTILE_IDS = {
    "2**31": str(ID_MAX + 1),
    "2**63": str(2**63),
    "5000 digits": "9" * 5000,
    "superscript two": "\u00b2",
}
# Query arguments some page or export reads, sent to every route whether it reads them or not.
COMMON_QUERY = ("cycle", "school", "page")
WALKERS = ("district_admin", "coach", "teacher")
NUMBER = re.compile(r"(?<=/)\d+(?=/|$)")


def hostile_variants(url: str, value: str) -> list[str]:
    """`url` with `value` in place of each id of its path, then of each query argument."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    variants = []
    for match in NUMBER.finditer(parts.path):
        path = parts.path[:match.start()] + value + parts.path[match.end():]
        variants.append(path + (f"?{parts.query}" if parts.query else ""))
    names = dict(query) | dict.fromkeys(COMMON_QUERY, None)
    for name in names:
        replaced = {**dict(query), name: value}
        variants.append(f"{parts.path}?{urlencode(replaced)}")
    return variants


@pytest.mark.parametrize("label", sorted(HOSTILE_IDS))
def test_hostile_ids_in_paths_and_queries_never_answer_5xx(app, client, world, monkeypatch, label):  # noqa: F811
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    value = HOSTILE_IDS[label]
    failures = []
    for endpoint, (method, url, expected) in sorted(ROUTES.items()):
        if endpoint in ("accounts.logout", "static"):
            continue
        # As the district admin, and as the first role that gets past the route's policy.
        for role in {"district_admin", next((r for r in WALKERS if expected[r] != 404), "district_admin")}:
            sign_in_directly(client, world.people[role])
            for hostile in hostile_variants(url(world), value):
                response = client.open(hostile, method=method)
                if response.status_code >= 500:
                    failures.append(f"{role} {method} {hostile[:100]} -> {response.status_code}")
    assert not failures, "\n".join(failures)
