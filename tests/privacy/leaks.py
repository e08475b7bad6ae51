"""What must never reach a reader who may not see a person's levels or evidence, as patterns to
look for in any page, document, PDF text or export."""

import csv
import json
import re
import zipfile
from io import BytesIO, StringIO

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.privacy.conftest import COACH_NOTE, EVIDENCE_FILE, EVIDENCE_URL, REFLECTION, SECOND_REFLECTION

LEVEL_PATTERNS = (
    re.compile(r"\b(Exploring|Developing|Proficient|Leading) \(\d\)"),   # "Developing (2)"
    re.compile(r"\(between \w+ and \w+\)"),                            # a mean between two levels
    re.compile(r"\blevel \d\b", re.IGNORECASE),
    re.compile(r"\bthe step (from|to)\b"),
    re.compile(r"\bGap of\b"),
    re.compile(r"\bcurrently\b"),
    re.compile(r"\bNow at\b"),                                          # a goal's why
    re.compile(r"\blevels? further on\b"),
    re.compile(r"\bat target\b"),
    re.compile(r"\blowest domain\b"),
    re.compile(r"\bnumbers alone\b"),
    re.compile(r"\d+%"),
    re.compile(r"Success looks like"),
    re.compile(r"recorded as (your|their) new level"),
)
EVIDENCE_MARKERS = (REFLECTION, SECOND_REFLECTION, EVIDENCE_URL, EVIDENCE_FILE, COACH_NOTE)


def leaks(text: str, *, evidence: bool = True) -> list[str]:
    """Every forbidden pattern or marker found in `text`, with a little context."""
    found = []
    for pattern in LEVEL_PATTERNS:
        for match in pattern.finditer(text):
            start = max(match.start() - 60, 0)
            found.append(f"{pattern.pattern!r}: ...{text[start:match.end() + 60]}...")
    if evidence:
        found += [f"marker {marker!r}" for marker in EVIDENCE_MARKERS if marker in text]
    return found


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages)


def xlsx_text(body: bytes) -> str:
    book = load_workbook(BytesIO(body), read_only=True)
    return "\n".join("\t".join("" if v is None else str(v) for v in row)
                     for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(StringIO(body.decode("utf-8-sig"))))


def zip_texts(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(BytesIO(body)) as archive:
        return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


def json_text(document) -> str:
    return json.dumps(document, ensure_ascii=False)
