"""JSON read strictly, for request bodies and uploaded files: every way a document can break the
JSON reader, or be read into something the database or the rest of the app cannot hold, is
refused naming the problem and where it is (a 400 problem+json for a body), never a server error.

- 100,000 levels of nesting make json.loads raise RecursionError (not a ValueError, so Flask
  let it through as a 500); no body pdplanner takes is nested more than MAX_DEPTH levels.
- "\\ud800" decodes to a lone surrogate, which PostgreSQL's driver cannot encode (a 500 on
  save) and no real text contains.
- A number of more than 4,300 digits exceeds Python's int conversion limit (a ValueError whose
  message says nothing about where it is).
"""

import json
import sys

from flask import Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 32


class JsonBodyError(ValueError):
    """A body that is JSON, but not one pdplanner reads: where (a field path, or `body`) and what."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_document(document, *, refuse_nul: bool = False) -> None:
    """Raise JsonBodyError for a document nested more than MAX_DEPTH levels or holding text (a
    key or a value) with a lone surrogate, or with `refuse_nul` a NUL character (request bodies
    leave NUL to database.refuse_nul_characters, which names every field at once). Iterative:
    the document may be as deep as the reader allowed; a part YAML shares (an alias) is checked
    once."""
    pending, seen = [(document, "", 1)], set()
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise JsonBodyError(path or "body", f"nested deeper than {MAX_DEPTH} levels.")
            if id(value) in seen:
                continue
            seen.add(id(value))
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str):
                    _check_text(key, where, "a key", refuse_nul)
                pending.append((item, where, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, path or "body", "the text", refuse_nul)


def _check_text(text: str, where: str, what: str, refuse_nul: bool) -> None:
    if _lone_surrogate(text):
        raise JsonBodyError(where.encode("utf-8", "backslashreplace").decode(),
                            f"{what} holds a lone surrogate (such as \\ud800), which is not text.")
    if refuse_nul and "\x00" in text:
        raise JsonBodyError(where.replace("\x00", "\\u0000"), f"{what} holds a NUL character (U+0000).")


def read_json(text: str | bytes, *, refuse_nul: bool = False, **options):
    """json.loads, refusing what check_document refuses and turning the reader's RecursionError
    and digit-limit ValueError into a JsonBodyError that says what happened. Invalid JSON is
    json.JSONDecodeError (or UnicodeDecodeError for bytes), as from json.loads."""
    try:
        document = json.loads(text, **options)
    except RecursionError:
        raise JsonBodyError("body", f"nested deeper than {MAX_DEPTH} levels.") from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            raise JsonBodyError("body", f"a number has more than {sys.get_int_max_str_digits()} "
                                        "digits.") from None
        raise
    check_document(document, refuse_nul=refuse_nul)
    return document


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with read_json."""

    def loads(self, s, **kwargs):
        return read_json(s, **kwargs)


class StrictJSONRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None):
        if e is None:
            return super().on_json_loading_failed(e)
        if not isinstance(e, JsonBodyError):
            e = JsonBodyError("body", f"Invalid JSON body ({e}).")
        error = BadRequest()
        error.data = {"message": f"The JSON body cannot be read. {e}", "errors": {e.path: e.problem}}
        raise error


def read_json_body() -> None:
    """before_request: a JSON body is read (and refused if it must be) before any view or the
    API's argument parser sees it, so they all get the same answer."""
    if request.is_json and request.get_data(cache=True):
        request.get_json()


def use_strict_json(app) -> None:
    app.json = StrictJSONProvider(app)
    app.request_class = StrictJSONRequest
