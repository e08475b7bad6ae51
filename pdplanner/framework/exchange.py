"""Framework files in and out: CASE JSON or the native YAML/JSON, told apart by their content.

The CLI, the district admin's page and the API share these, so a file imports and exports the
same way everywhere.
"""

import json
from dataclasses import dataclass

import yaml
from flask import current_app

from pdplanner.framework.case import case_to_native, native_to_case
from pdplanner.framework.models import Framework
from pdplanner.framework.services import (
    FrameworkFormatError,
    ImportOutcome,
    canonical_native,
    framework_to_native,
    import_native,
)
from pdplanner.json_bodies import MAX_DEPTH, JsonBodyError, check_document, read_json

# How each kind of file becomes a canonical native document.
READERS = {
    "case": lambda data: canonical_native(case_to_native(data)),
    "native": canonical_native,
}


def kind_of(data) -> str:
    """CASE when it looks like a CFPackage; everything else is read as native (and told why not)."""
    is_case = isinstance(data, dict) and any(key in data for key in ("CFDocument", "CFItems", "CFPackageURI"))
    return "case" if is_case else "native"


def parse_framework_file(name: str, raw: bytes) -> tuple[str, dict]:
    """(kind, canonical native document) of an uploaded or local file; FrameworkFormatError names
    what cannot be read. JSON is tried first (CASE is always JSON), then YAML."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameworkFormatError(f"not UTF-8 text (byte {exc.start} cannot be read)") from None
    if not text.strip():
        raise FrameworkFormatError("the file is empty")
    try:
        data = read_json(text, refuse_nul=True)
    except JsonBodyError as exc:
        raise FrameworkFormatError(_hostile(exc)) from None
    except json.JSONDecodeError as exc:
        if name.lower().endswith(".json") or text.lstrip()[:1] in "{[":
            raise FrameworkFormatError(
                f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
        data = _read_yaml(text)
    if not isinstance(data, dict):
        raise FrameworkFormatError(
            "not a framework: expected a CASE package (JSON with CFDocument, CFItems and "
            "CFAssociations) or a pdplanner framework (YAML or JSON with slug, title, scale and domains)")
    kind = kind_of(data)
    return kind, READERS[kind](data)


def _hostile(exc: JsonBodyError) -> str:
    return f"{'the file' if exc.path == 'body' else exc.path}: {exc.problem}"


def _read_yaml(text: str):
    """yaml.safe_load, with what check_document refuses (YAML nests by indentation as deeply as
    JSON by brackets, and PyYAML recurses too) and its int() of a 5,000-digit number answered."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FrameworkFormatError(f"neither JSON nor valid YAML: {exc}") from None
    except RecursionError:
        raise FrameworkFormatError(f"the file: nested deeper than {MAX_DEPTH} levels.") from None
    except ValueError as exc:   # int() past the digit limit
        raise FrameworkFormatError(f"the file: a value cannot be read ({exc}).") from None
    try:
        check_document(data, refuse_nul=True)
    except JsonBodyError as exc:
        raise FrameworkFormatError(_hostile(exc)) from None
    return data


def upload_content(upload) -> bytes:
    """An uploaded framework file's content; FrameworkFormatError when it is larger than the
    FRAMEWORK_UPLOAD_MAX_BYTES setting."""
    limit = current_app.config["FRAMEWORK_UPLOAD_MAX_BYTES"]
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise FrameworkFormatError(f"The file is larger than {limit // (1024 * 1024)} MB.")
    return content


def import_framework_file(name: str, raw: bytes, *, district_id: int | None, actor=None
                          ) -> tuple[str, ImportOutcome]:
    """Read and store a framework file: the same content again changes nothing, and changed
    content becomes a new version (import_native), so a closed cycle keeps what it rated against."""
    kind, document = parse_framework_file(name, raw)
    return kind, import_native(document, district_id=district_id, actor=actor, source_format=kind)


# -- export -----------------------------------------------------------------------------------

def case_package(framework: Framework) -> dict:
    scope = "shared" if framework.district_id is None else f"district-{framework.district_id}"
    return native_to_case(
        framework_to_native(framework),
        identity=f"{scope}/{framework.slug}",
        uri_base=current_app.config["CASE_URI_BASE"],
        changed_at=framework.updated_at,
    )


def _case_file(framework: Framework) -> bytes:
    return (json.dumps(case_package(framework), ensure_ascii=False, indent=2) + "\n").encode()


def _native_file(framework: Framework) -> bytes:
    document = framework_to_native(framework)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100).encode()


@dataclass(frozen=True)
class ExportFormat:
    write: object
    mimetype: str
    suffix: str


EXPORTS = {
    "case": ExportFormat(_case_file, "application/json", ".case.json"),
    "native": ExportFormat(_native_file, "application/yaml", ".yaml"),
}


def export_framework(framework: Framework, kind: str) -> tuple[bytes, str, str]:
    """(body, file name, mimetype) of the framework in `kind` ("case" or "native")."""
    export = EXPORTS[kind]
    return export.write(framework), f"{framework.slug}-v{framework.version}{export.suffix}", export.mimetype
