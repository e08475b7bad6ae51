"""Export tables: their columns (which are also the data dictionary), frames, and the CSV, XLSX and
zip writers. pandas and the standard library only: no Flask, no database; `rows.py` hands in rows.

Spreadsheet safety (SPEC 11): every text cell that a spreadsheet would run as a formula (it
starts with = + - @, a tab or a carriage return) gets a leading apostrophe, in CSV and XLSX alike,
so both files hold the same cells. Numbers are never touched: -1 stays a number. JSON is data for
programs, not spreadsheets, and is written as stored.
"""

import csv
import io
import json
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIMETYPE = "application/zip"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may cut a cell in two when it opens a CSV: its own list separator (',' or
# ';' by locale), the one a user picks in the import dialogue ('\t', '|'), and line breaks. One
# that splits a comma-separated file on ';' reads `"x;=1+2"` as `"x` and `=1+2"`: quoting the
# field does not help there, so a trigger after a separator (spaces and quotes between ignored)
# gets an apostrophe of its own too (OWASP, CSV injection).
TRIGGER_AFTER_SEPARATOR = re.compile(r'([,;\t|\r\n][ "]*)(?=[=+\-@\t\r])')
# Control characters other than tab, line feed and carriage return: XML (so XLSX) cannot hold them,
# and they are dropped from CSV too so the two files stay cell for cell the same.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Exactly the cells `safe_cell` changes: a control character, a trigger first, or a trigger after
# a separator. Without a control character the cell is as `safe_cell` tests it, so nothing else
# can change; with one, it is changed anyway.
NEEDS_DEFUSING = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f]|^[=+\-@\t\r]|[,;\t|\r\n][ "]*[=+\-@\t\r]')
CELL_BREAK = "\uffff"   # a Unicode noncharacter: not a separator, a space, a quote or a trigger
# The same over cells joined by CELL_BREAK; the lookahead (any character a match can start with)
# lets the scan pass over the other characters 2-3 times as fast.
NEEDS_DEFUSING_JOINED = re.compile(
    r'(?=[\x00-\x08\x0b\x0c\x0e-\x1f=+\-@\t\r,;|\n])(?:'
    + NEEDS_DEFUSING.pattern.replace("^", f"(?:^|(?<={CELL_BREAK}))") + ")")
CSV_FORMAT = {"lineterminator": "\r\n", "quoting": csv.QUOTE_NONNUMERIC}
MAX_COLUMN_WIDTH = 60

# A column's type in the data dictionary -> its pandas dtype. Dates and times are ISO 8601 text
# (UTC, "Z"), so every file and every spreadsheet program reads the same value.
DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "text": object,
          "date": object, "datetime": object}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str


@dataclass(frozen=True)
class Table:
    name: str                    # the file's stem and the XLSX sheet's name
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _table(name: str, *columns: tuple[str, str, str]) -> Table:
    return Table(name, tuple(Column(*c) for c in columns))


EDUCATOR = (
    ("educator_id", "integer", "The educator's id in pdplanner."),
    ("educator_email", "text", "The educator's email (their sign-in)."),
    ("educator_name", "text", "Given and family name."),
    ("school_codes", "text", "Codes of the schools the educator belongs to, separated by ';'."),
)
CYCLE = (("cycle_id", "integer", "The assessment cycle's id."),
         ("cycle_name", "text", "The assessment cycle's name."))

RATINGS = _table(
    "ratings", *CYCLE, *EDUCATOR,
    ("domain_code", "text", "Code of the competency's domain (COG, INTRA, INTER, INST)."),
    ("competency_code", "text", "Code of the competency (COG.1 ... INST.6)."),
    ("rater_kind", "text", "self (the educator), coach (a coach's rating) or evidence (a coach "
                           "verified a goal's evidence)."),
    ("rater_email", "text", "Who gave the rating."),
    ("level", "integer", "The level chosen on the framework's scale; empty when not yet observed or "
                         "not chosen yet."),
    ("level_label", "text", "The level's label, or 'Not yet observed'; empty when no level was chosen."),
    ("not_observed", "boolean", "True when the rater chose 'not yet observed'."),
    ("confidence", "text", "The rater's confidence: low, medium or high; empty when not given."),
    ("interest", "boolean", "True when the educator marked 'I want to grow here'."),
    ("note", "text", "The rater's note."),
    ("updated_at", "datetime", "When the rating was last saved (UTC)."),
)
GOALS = _table(
    "goals", *CYCLE, *EDUCATOR,
    ("competency_code", "text", "The competency the goal grows."),
    ("rank", "integer", "The goal's rank among the educator's goals (1 = first)."),
    ("status", "text", "active, or verified (a coach verified the evidence)."),
    ("from_level", "integer", "The current level; empty when it is not visible to you (the educator "
                              "did not share that cycle's ratings with their principal)."),
    ("to_level", "integer", "The level the goal aims for; empty when not visible to you."),
    ("why", "text", "Why the planner chose this goal; empty when not visible to you."),
)
COHORTS = _table(
    "cohorts", *CYCLE,
    ("cohort_id", "integer", "The cohort's id."),
    ("cohort_name", "text", "The cohort's name: its focus and lane."),
    ("focus", "text", "The competency or domain code the cohort works on."),
    ("lane", "text", "fast or slow."),
    ("lane_label", "text", "The district's name for the lane."),
    ("status", "text", "proposed (by the planner) or confirmed (by a coach or leader)."),
    ("school_codes", "text", "Codes of the cohort's schools, separated by ';' (several when pooled)."),
    ("coach_email", "text", "The coach who leads the cohort; empty when none."),
    ("member_count", "integer", "How many educators are in the cohort."),
    ("member_emails", "text", "Emails of the members you may see, separated by ';'."),
)
PARTICIPATION = _table(
    "participation", *CYCLE, *EDUCATOR,
    ("active", "boolean", "False when the person's account is deactivated."),
    ("self_assessment", "text", "not_started, in_progress or submitted."),
    ("self_rated", "integer", "Competencies the educator has rated (a level or 'not yet observed'); "
                              "empty where you may not see their ratings (only the status shows)."),
    ("competencies", "integer", "Competencies in the cycle's framework."),
    ("coach_rated", "integer", "Competencies a coach has rated for the educator."),
    ("lane", "text", "fast or slow; empty when not planned yet."),
    ("lane_label", "text", "The district's name for the lane."),
    ("goals", "integer", "Planned goals."),
    ("activities_done", "integer", "Learning-path activities done or verified."),
    ("activities_total", "integer", "Learning-path activities assigned."),
)

# Only in the district export.
SCHOOLS = _table(
    "schools",
    ("school_id", "integer", "The school's id."),
    ("code", "text", "The school's code (as in roster files)."),
    ("name", "text", "The school's name."),
)
PEOPLE = _table(
    "people",
    ("person_id", "integer", "The person's id."),
    ("email", "text", "Their email (their sign-in)."),
    ("given_name", "text", "Given name."),
    ("family_name", "text", "Family name."),
    ("active", "boolean", "False when the account is deactivated (their data is kept)."),
    ("district_admin", "boolean", "True for district admins."),
    ("created_at", "datetime", "When the account was created (UTC)."),
    ("last_sign_in_at", "datetime", "The last successful sign-in (UTC); empty when never."),
)
MEMBERSHIPS = _table(
    "memberships",
    ("person_id", "integer", "The person's id."),
    ("email", "text", "The person's email."),
    ("school_code", "text", "The school's code."),
    ("role", "text", "teacher, coach or principal in that school."),
)
CASELOADS = _table(
    "caseloads",
    ("coach_id", "integer", "The coach's id."),
    ("coach_email", "text", "The coach's email."),
    ("educator_id", "integer", "The id of the educator on the coach's caseload."),
    ("educator_email", "text", "The educator's email."),
)
CYCLES = _table(
    "cycles",
    ("cycle_id", "integer", "The cycle's id."),
    ("name", "text", "The cycle's name."),
    ("status", "text", "draft, open or closed."),
    ("opens_on", "date", "The first day of the cycle."),
    ("closes_on", "date", "The last day of the cycle."),
    ("framework", "text", "The framework's slug."),
    ("framework_version", "integer", "The framework version the cycle is pinned to."),
)
PLACEMENTS = _table(
    "placements", *CYCLE, *EDUCATOR,
    ("lane", "text", "fast or slow: the override when there is one, else the planner's lane."),
    ("lane_label", "text", "The district's name for the lane."),
    ("readiness", "number", "Share of rated competencies at or above target (0 to 1). This and the "
                            "next four are blank where the educator's levels are not shared with you."),
    ("rated", "integer", "Competencies rated."),
    ("at_target", "integer", "Competencies at or above target."),
    ("lowest_domain", "text", "The domain with the lowest mean level."),
    ("lowest_domain_mean", "number", "That domain's mean level."),
    ("why", "text", "Why the educator is in this lane; without its numbers where the levels are not shared."),
    ("override_lane", "text", "The lane a coach or leader chose instead; empty when none."),
    ("override_reason", "text", "Their reason."),
    ("cohort_id", "integer", "The cohort the educator is in; empty for individual coaching."),
    ("individual_reason", "text", "Why the educator gets individual coaching instead of a cohort."),
)
PATH_ACTIVITIES = _table(
    "path_activities", *CYCLE, *EDUCATOR,
    ("competency_code", "text", "The competency the activity works on."),
    ("position", "integer", "The activity's place on the path (from 0)."),
    ("resource_key", "text", "The catalogue activity's key (see resources.csv); blank, as its title, "
                             "where the educator's levels are not shared: it tells the levels it suits."),
    ("resource_title", "text", "The catalogue activity's title."),
    ("source", "text", "suggested (by the planner) or coach (assigned by a coach)."),
    ("status", "text", "planned, in_progress, done or verified."),
    ("why", "text", "Why the activity was suggested."),
    ("reflection", "text", "The educator's reflection; empty when not visible to you."),
    ("evidence_url", "text", "The educator's evidence link; empty when not visible to you."),
    ("verified_at", "datetime", "When a coach verified the evidence (UTC)."),
)
RESOURCES = _table(
    "resources",
    ("resource_id", "integer", "The activity's id."),
    ("key", "text", "The activity's key in the catalogue."),
    ("title", "text", "Title."),
    ("kind", "text", "micro-credential, coaching-cycle, plc-protocol, peer-observation, workshop, "
                     "book-study, online-course or video-study."),
    ("competencies", "text", "Competency codes it serves, separated by ';'."),
    ("level_min", "integer", "The lowest level it suits."),
    ("level_max", "integer", "The highest level it suits."),
    ("hours", "number", "About how many hours it takes."),
    ("lanes", "text", "The lanes it fits (fast, slow), separated by ';'."),
    ("active", "boolean", "False when retired from the catalogue."),
    ("shared", "boolean", "True for the shared catalogue; False for the district's own activity."),
)
AUDIT_EVENTS = _table(
    "audit_events",
    ("event_id", "integer", "The event's id (events are never changed or deleted)."),
    ("occurred_at", "datetime", "When it happened (UTC)."),
    ("kind", "text", "The kind of event, e.g. path_activity.verified."),
    ("kind_title", "text", "The kind in words, e.g. Evidence verified."),
    ("description", "text", "The event in words, naming who did what to whom."),
    ("actor_id", "integer", "The id of the person who acted; empty for the system."),
    ("actor_name", "text", "Their name, 'the system', or 'a deleted person'."),
    ("actor_email", "text", "Their email; empty for the system or a deleted account."),
    ("subject_type", "text", "What the event is about: user, cycle, cohort, pathactivity ..."),
    ("subject_id", "integer", "The id of what it is about."),
    ("details", "text", "The event's details as recorded, a JSON object."),
    ("remote_addr", "text", "The address the request came from; empty for the command line."),
)

# The per-cycle downloads of the Exports page (SPEC 10: /exports/<name>.csv and .xlsx).
CYCLE_TABLES = {t.name: t for t in (RATINGS, GOALS, COHORTS, PARTICIPATION)}
# The district export, in the order its files are listed in the data dictionary.
DISTRICT_TABLES = (SCHOOLS, PEOPLE, MEMBERSHIPS, CASELOADS, CYCLES, RATINGS, GOALS, COHORTS, PLACEMENTS,
                   PATH_ACTIVITIES, RESOURCES, AUDIT_EVENTS)
DICTIONARY = _table(
    "data_dictionary",
    ("file", "text", "The file the column is in."),
    ("column", "text", "The column's name."),
    ("type", "text", "integer, number, boolean, text, date or datetime (ISO 8601, UTC)."),
    ("meaning", "text", "What the column holds."),
)


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601; times in UTC with a Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def frame(table: Table, rows: list[dict]) -> pd.DataFrame:
    """The table's rows as a frame with exactly its columns, in order, and their dtypes."""
    if rows and set(rows[0]) != set(table.names):
        # Rows are built by one function per table: checking the first catches any drift.
        raise ValueError(f"{table.name}: rows do not match the columns "
                         f"({sorted(set(rows[0]) ^ set(table.names))})")
    data = pd.DataFrame.from_records(rows, columns=table.names)
    return data.astype({c.name: DTYPES[c.type] for c in table.columns})


# A chunk of a table's rows, column by column: each column's cells as plain Python values (int,
# float, bool, str), None where empty. The writers take an iterable of chunks and hold one at a
# time, so a table of any length is written in the memory of one chunk.
Columns = dict[str, Sequence]


def columns(data: pd.DataFrame) -> Columns:
    """A frame's cells as a chunk: missing values as None, numbers as plain Python numbers."""
    return {name: data[name].astype(object).where(data[name].notna(), None).tolist() for name in data.columns}


def safe_cell(value):
    """A text cell a spreadsheet shows as text, however it splits the line: control characters
    dropped; a formula trigger after any separator gets an apostrophe before it, and a cell that
    starts with a trigger or held one after a separator, a leading apostrophe. `x;=1+2` becomes
    `'x;'=1+2`. Anything else is returned as it is."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    defused = TRIGGER_AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + defused if defused != value or value.startswith(FORMULA_TRIGGERS) else value


def defused(values: Sequence) -> Sequence:
    """`safe_cell` on every cell of a column: one regex scan over its text finds the cells it
    would change, and only those go through it."""
    kinds = set(map(type, values))
    if not kinds <= {str, type(None)}:   # not only text: each cell on its own
        return [safe_cell(value) for value in values]
    texts = values if type(None) not in kinds else [value for value in values if value is not None]
    risky = _needs_defusing(texts)
    if not len(risky):
        return values
    if texts is not values:   # the text cells' places among all
        risky = np.flatnonzero([value is not None for value in values])[risky]
    safe = list(values)
    for index in risky.tolist():
        safe[index] = safe_cell(safe[index])
    return safe


def _needs_defusing(cells: Sequence[str]) -> np.ndarray:
    """The places of the cells `NEEDS_DEFUSING` matches, by one scan of the cells joined by
    CELL_BREAK: a match starts inside the cell it belongs to (a cell's start is the start of the
    text or just after a break, which is no separator, so no match spans two cells). A cell that
    itself holds a break before a trigger is flagged too, and `safe_cell` leaves it as it is."""
    starts = [match.start() for match in NEEDS_DEFUSING_JOINED.finditer(CELL_BREAK.join(cells))]
    if not starts:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(np.array(list(map(len, cells)), dtype=np.int64) + 1)
    return np.unique(np.searchsorted(ends, starts, side="right"))


def for_spreadsheet(table: Table, data: Columns) -> Columns:
    """The chunk with its text columns defused (`defused`); numbers and booleans as they are."""
    return {c.name: defused(data[c.name]) if DTYPES[c.type] is object else data[c.name]
            for c in table.columns}


def csv_chunks(table: Table, chunks: Iterable[Columns]) -> Iterator[bytes]:
    """A CSV file a piece at a time: the header (with the byte-order mark) before any chunk is
    read, then each chunk's rows. UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the
    local code page and mangles accented names) and CRLF line ends (RFC 4180). Every text field
    and every empty one is quoted, so a separator inside one never starts a new cell; numbers and
    booleans are not."""
    yield _csv_text([table.names]).encode("utf-8-sig")
    for data in chunks:
        safe = for_spreadsheet(table, data)
        yield _csv_text(zip(*(safe[name] for name in table.names), strict=True)).encode("utf-8")


def _csv_text(rows: Iterable) -> str:
    text = io.StringIO()
    csv.writer(text, **CSV_FORMAT).writerows(rows)
    return text.getvalue()


def to_csv(table: Table, data: pd.DataFrame) -> bytes:
    return b"".join(csv_chunks(table, [columns(data)]))


SHEET_PART = "xl/worksheets/sheet1.xml"
# zlib's fastest level: the sheet's XML runs to hundreds of MB for a district, and level 1
# deflates it several times as fast as the default for a file about a quarter larger.
XLSX_COMPRESSION = 1
EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")
XML_TEXT = {False: '" t="inlineStr"><is><t>', True: '" t="inlineStr"><is><t xml:space="preserve">'}


def write_xlsx(file, table: Table, chunks: Iterable[Columns]) -> None:
    """One sheet named after the table into `file` (a path or a binary file): a bold header row,
    frozen, and columns as wide as their content (capped).

    The rows' XML is written a chunk at a time, built column by column, to a temporary file; the
    workbook around them (styles, the header, the frozen pane, the widths, known only once every
    row is written) is XlsxWriter's, written with the header alone. Text goes inline (no shared
    strings to keep in memory), as XlsxWriter's constant-memory mode writes it, and is never read
    as a formula, a link or a number, whatever it looks like."""
    letters = [xl_col_to_name(column) for column in range(len(table.columns))]
    widths = [len(name) for name in table.names]
    written = 0
    with tempfile.TemporaryFile() as rows:   # the rows' XML: as many MB as the rows take
        for data in chunks:
            safe = for_spreadsheet(table, data)
            for index, column in enumerate(table.columns):
                widths[index] = max(widths[index], _widest(safe[column.name], column.type))
            rows.write(_sheet_rows(table, safe, letters, written + 2).encode("utf-8"))
            written += len(safe[table.names[0]])
        _zip_workbook(file, table, widths, written, rows)


def _widest(values: Sequence, kind: str) -> int:
    """The longest cell of a column chunk as the spreadsheet shows it; 0 when all are empty."""
    if DTYPES[kind] is object:
        return max(map(len, filter(None, values)), default=0)
    return max(map(len, map(str, [value for value in values if value is not None])), default=0)


def _sheet_rows(table: Table, data: Columns, letters: list[str], first: int) -> str:
    """The chunk's rows as worksheet XML: <row> elements numbered from `first`, a <c> for each
    cell that is not empty, each column's cells built in one pass over its values."""
    numbers = [str(number) for number in range(first, first + len(data[table.names[0]]))]
    cells = [_column_cells(data[column.name], column.type, letter, numbers)
             for column, letter in zip(table.columns, letters, strict=True)]
    return "".join([f'<row r="{number}">{"".join(row)}</row>'
                    for number, *row in zip(numbers, *cells, strict=True)])


def _column_cells(values: Sequence, kind: str, letter: str, numbers: list[str]) -> list[str]:
    if kind == "boolean":
        return [f'<c r="{letter}{n}" t="b"><v>{int(v)}</v></c>' if v is not None else ""
                for n, v in zip(numbers, values, strict=True)]
    if kind in ("integer", "number"):
        for value in values:
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{letter}: {value} cannot be written in a spreadsheet")
        return [f'<c r="{letter}{n}"><v>{v!r}</v></c>' if v is not None else ""
                for n, v in zip(numbers, values, strict=True)]
    # Text: XML-escaped all at once, joined by a character no defused cell holds (a control one);
    # spaces at a cell's edge kept (xml:space) for the whole column chunk when any cell has them.
    # Empty text is no cell, as None.
    empty = ([index for index, value in enumerate(values) if not value]
             if None in values or "" in values else [])
    joined = "\x00".join(["" if value is None else value for value in values] if empty else values)
    escaped = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\x00")
    start = XML_TEXT[EDGE_SPACE.search(joined) is not None]
    cells = [f'<c r="{letter}{n}{start}{text}</t></is></c>' for n, text in zip(numbers, escaped, strict=True)]
    for index in empty:
        cells[index] = ""
    return cells


def _zip_workbook(file, table: Table, widths: list[int], rows: int, body) -> None:
    """The workbook into `file`: XlsxWriter's parts for the sheet with its header alone, its
    sheet's XML opened where the rows go and `body` (the rows' XML) copied in."""
    skeleton = io.BytesIO()
    workbook = xlsxwriter.Workbook(skeleton, {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(table.name)
    worksheet.write_row(0, 0, table.names, workbook.add_format({"bold": True}))
    worksheet.freeze_panes(1, 0)
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, min(width + 2, MAX_COLUMN_WIDTH))
    workbook.close()
    header_only, whole = _dimension(len(table.names), 1), _dimension(len(table.names), rows + 1)
    with (zipfile.ZipFile(skeleton) as parts,
          zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSION) as archive):
        for part in parts.infolist():
            content = parts.read(part)
            if part.filename != SHEET_PART:
                archive.writestr(part.filename, content)
                continue
            head, tail = content.split(b"</sheetData>")
            if head.count(header_only) != 1:
                raise ValueError(f"{table.name}: XlsxWriter's sheet has no {header_only.decode()}")
            head = head.replace(header_only, whole)
            size = body.seek(0, io.SEEK_END)
            body.seek(0)
            with archive.open(part.filename, "w", force_zip64=size > zipfile.ZIP64_LIMIT // 2) as sheet:
                sheet.write(head)
                shutil.copyfileobj(body, sheet, 1 << 20)
                sheet.write(b"</sheetData>" + tail)


def _dimension(columns: int, rows: int) -> bytes:
    """The <dimension> of a sheet of `rows` rows (the header too) as XlsxWriter writes it."""
    last = xl_rowcol_to_cell(rows - 1, columns - 1)
    return f'<dimension ref="{"A1" if last == "A1" else "A1:" + last}"/>'.encode()


def records(data: pd.DataFrame) -> list[dict]:
    """Rows for JSON: missing values as null, numbers as plain Python numbers."""
    plain = data.astype(object).where(data.notna(), None)
    return plain.to_dict("records")


def dictionary_frame(tables) -> pd.DataFrame:
    return frame(DICTIONARY, [
        {"file": f"{t.name}.csv", "column": c.name, "type": c.type, "meaning": c.meaning}
        for t in tables for c in t.columns])


def _json_value(value):
    if isinstance(value, date | datetime):
        return iso(value)
    if hasattr(value, "item"):   # a numpy scalar
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=_json_value) + "\n"


SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str, fallback: str = "file") -> str:
    """A name for a download or a zip entry: ASCII letters, digits, '.', '_' and '-' only, so it
    cannot climb out of a folder or break a header."""
    cleaned = re.sub(r"-{2,}", "-", SAFE_NAME.sub("-", name)).strip(".-")[:100]
    return cleaned or fallback


class ZipBundle:
    """The files of one zip download, in the order added. Adding a file is one line:
    `bundle.add("growth-plan.pdf", pdf_bytes)`."""

    def __init__(self):
        self._files: dict[str, bytes] = {}

    def add(self, name: str, content: bytes | str) -> None:
        if name in self._files:
            raise ValueError(f"{name} is already in the zip")
        self._files[name] = content.encode("utf-8") if isinstance(content, str) else content

    def add_json(self, name: str, document) -> None:
        self.add(name, to_json(document))

    def add_csv(self, table: Table, data: pd.DataFrame) -> None:
        self.add(f"{table.name}.csv", to_csv(table, data))

    @property
    def names(self) -> list[str]:
        return list(self._files)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self._files.items():
                archive.writestr(name, content)
        return buffer.getvalue()
