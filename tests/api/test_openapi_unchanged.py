"""The OpenAPI document is the API's contract: reorganising the code behind it must not change it.

`openapi_before.json` is the document as it was before the API was arranged by domain (issue 13).
The comparison ignores the order of dict keys, and of the lists whose order means nothing (tags,
parameters, required fields, security requirements); every other difference fails, with a diff.

Regenerate the file only for a change of the API itself, and review the diff it makes:
`python -m tests.api.test_openapi_unchanged`.
"""

import difflib
import json
from pathlib import Path

STORED = Path(__file__).with_name("openapi_before.json")
UNORDERED = {"tags", "parameters", "required", "security"}


def normalised(node, key: str | None = None):
    if isinstance(node, dict):
        return {k: normalised(v, k) for k, v in node.items()}
    if isinstance(node, list):
        items = [normalised(item) for item in node]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True)) if key in UNORDERED else items
    return node


def as_text(document: dict) -> list[str]:
    return json.dumps(normalised(document), sort_keys=True, indent=2).splitlines()


def served_document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_openapi_document_is_unchanged(client):
    stored, served = as_text(json.loads(STORED.read_text())), as_text(served_document(client))
    diff = "\n".join(difflib.unified_diff(stored, served, "openapi_before.json", "served", lineterm=""))
    assert stored == served, f"The OpenAPI document changed:\n{diff}"


if __name__ == "__main__":
    from pdplanner import create_app

    document = served_document(create_app("testing").test_client())
    STORED.write_text(json.dumps(document, sort_keys=True, indent=2) + "\n")
