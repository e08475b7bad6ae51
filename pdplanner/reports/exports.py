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
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import xlsxwriter

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


def for_spreadsheet(data: pd.DataFrame) -> pd.DataFrame:
    """`safe_cell` on every text column: one regex scan per column finds the cells it would
    change, and only those go through it."""
    safe = data.copy()
    for name in safe.select_dtypes(include="object").columns:
        values = safe[name]
        if pd.api.types.infer_dtype(values, skipna=True) != "string":   # empty, or not all text
            safe[name] = values.map(safe_cell)
            continue
        risky = _needs_defusing(values)
        if risky.any():
            safe[name] = values.where(~risky, values[risky].map(safe_cell))
    return safe


def _needs_defusing(values: pd.Series) -> np.ndarray:
    """Which cells `NEEDS_DEFUSING` matches, by one scan of the column's cells joined by
    CELL_BREAK: a match starts inside the cell it belongs to (a cell's start is the start of the
    text or just after a break, which is no separator, so no match spans two cells). A cell that
    itself holds a break before a trigger is flagged too, and `safe_cell` leaves it as it is."""
    present = values.notna().to_numpy()
    cells = values[present].tolist()
    ends = np.cumsum([len(cell) + 1 for cell in cells])
    starts = [match.start() for match in NEEDS_DEFUSING_JOINED.finditer(CELL_BREAK.join(cells))]
    risky = np.zeros(len(cells), dtype=bool)
    risky[np.searchsorted(ends, starts, side="right")] = True
    flagged = np.zeros(len(values), dtype=bool)
    flagged[present] = risky
    return flagged


def csv_chunks(names: list[str], frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """A CSV file a piece at a time: the header (with the byte-order mark) before any frame is
    read, then each frame's rows. UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the
    local code page and mangles accented names) and CRLF line ends (RFC 4180). Every text field
    is quoted, so a separator inside one never starts a new cell; numbers and booleans are not."""
    yield pd.DataFrame(columns=names).to_csv(index=False, **CSV_FORMAT).encode("utf-8-sig")
    for data in frames:
        yield for_spreadsheet(data).to_csv(index=False, header=False, **CSV_FORMAT).encode("utf-8")


def to_csv(data: pd.DataFrame) -> bytes:
    return b"".join(csv_chunks(list(data.columns), [data]))


def write_xlsx(file, names: list[str], frames: Iterable[pd.DataFrame], sheet: str) -> None:
    """One sheet into `file` (a path or a binary file): a bold header row, frozen, and columns as
    wide as their content (capped).

    XlsxWriter in constant-memory mode: each row goes to a temporary file as soon as the next
    one starts, so memory holds one frame, not the sheet. Its own conversions are off: no text
    becomes a formula, a link or a number, whatever it looks like."""
    workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet)
    worksheet.write_row(0, 0, names, workbook.add_format({"bold": True}))
    worksheet.freeze_panes(1, 0)
    widths = [len(name) for name in names]
    written = 0
    for data in frames:
        safe = for_spreadsheet(data)
        for column, name in enumerate(names):
            filled = safe[name].dropna()
            if len(filled):   # an all-empty column keeps its name's width
                widths[column] = max(widths[column], int(filled.astype(str).str.len().max()))
        # Column by column into plain lists, then row by row (constant memory drops a row once
        # the next one starts), each cell with the writer of its column's type (what `write_row`
        # would pick for the value); an empty cell is not written.
        writers = [(column, _cell_writer(worksheet, safe[name].dtype)) for column, name in enumerate(names)]
        values = [safe[name].astype(object).where(safe[name].notna(), None).tolist() for name in names]
        for number, row in enumerate(zip(*values, strict=True), start=written + 1):
            for (column, write), value in zip(writers, row, strict=True):
                if value is not None:
                    write(number, column, value)
        written += len(safe)
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, min(width + 2, MAX_COLUMN_WIDTH))
    workbook.close()


def _cell_writer(worksheet, dtype):
    if pd.api.types.is_bool_dtype(dtype):
        return worksheet.write_boolean
    if pd.api.types.is_numeric_dtype(dtype):
        return worksheet.write_number
    return worksheet.write_string


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
        self.add(f"{table.name}.csv", to_csv(data))

    @property
    def names(self) -> list[str]:
        return list(self._files)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self._files.items():
                archive.writestr(name, content)
        return buffer.getvalue()
