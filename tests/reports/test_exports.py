"""The download routes: files that open, the same rows in CSV and XLSX, defused formulas, safe
headers, an audit record, Bearer tokens, and the Exports page."""

import csv as stdlib_csv
import gc
import io
import weakref
import zipfile
from datetime import UTC, datetime

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from pdplanner.accounts.services import create_token
from pdplanner.assessments.models import Rating
from pdplanner.assessments.services import RatingInput, save_self_ratings
from pdplanner.audit.models import AuditEvent
from pdplanner.reports import exports
from pdplanner.reports import rows as export_rows
from pdplanner.reports import views as exports_views
from pdplanner.reports.exports import CYCLE_TABLES, safe_cell
from tests.helpers import sign_in_directly
from tests.scenarios import HOSTILE_NOTE

TABLES = sorted(CYCLE_TABLES)


def read_csv(body: bytes) -> pd.DataFrame:
    assert body.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark"
    return pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def read_xlsx(body: bytes) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(body), dtype=str, keep_default_na=False)


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("viewer", ["cora", "admin"])
def test_csv_and_xlsx_open_and_hold_the_same_rows(client, district, table, viewer):
    sign_in_directly(client, district.people[viewer])
    url = f"/exports/{table}.{{}}?cycle={district.cycle.id}"
    csv = read_csv(download(client, url.format("csv")).data)
    xlsx = read_xlsx(download(client, url.format("xlsx")).data)
    assert list(csv.columns) == CYCLE_TABLES[table].names
    assert len(csv) > 0
    pd.testing.assert_frame_equal(csv, xlsx)


def test_hostile_cells_are_defused_in_csv_and_xlsx_and_numbers_stay_numbers(client, district):
    sign_in_directly(client, district.people["cora"])
    url = f"/exports/ratings.{{}}?cycle={district.cycle.id}"
    csv_body, xlsx_body = download(client, url.format("csv")).data, download(client, url.format("xlsx")).data
    notes = set(read_csv(csv_body)["note"])
    assert "'" + HOSTILE_NOTE in notes and "'+1 for peer feedback" in notes and "'@coach on ann" in notes
    assert HOSTILE_NOTE not in notes
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_body)).active
    header = [c.value for c in sheet[1]]
    cells = list(sheet.iter_rows(min_row=2))
    note_cells = [row[header.index("note")] for row in cells]
    assert all(c.data_type != "f" for row in cells for c in row), "no cell is a formula"
    assert "'" + HOSTILE_NOTE in {c.value for c in note_cells}
    levels = [row[header.index("level")] for row in cells if row[header.index("level")].value is not None]
    assert levels and all(c.data_type == "n" and isinstance(c.value, int) for c in levels)
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["P"].width > 10


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("\x07=cmd", "'=cmd"), ("plain", "plain"), ("a=b", "a=b"), (-1, -1), (2.5, 2.5),
    (None, None),
    # A trigger after any separator a spreadsheet may split on: the piece and the cell are defused.
    ("x;=1+2", "'x;'=1+2"), ("a, -b", "'a, '-b"), ("a|@c", "'a|'@c"), ("a\t=1", "'a\t'=1"),
    ("a\n+1", "'a\n'+1"), ('a;"=1', "'a;\"'=1"), ("x - y", "x - y"), ("1-2", "1-2"), ("a;b, c", "a;b, c"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_a_formula_after_a_separator_is_defused_whatever_the_spreadsheet_splits_on(db, client, district):
    """Issue 12, item 13: the note `x;=1+2` was written unquoted, so a spreadsheet splitting the
    line on ';' saw the formula `=1+2`."""
    cora = district.people["cora"]
    save_self_ratings(cora, district.cycle, [RatingInput("COG.2", level=2, note="x;=1+2")])
    db.session.commit()
    sign_in_directly(client, cora)
    url = f"/exports/ratings.{{}}?cycle={district.cycle.id}"
    text = download(client, url.format("csv")).data.decode("utf-8-sig")
    assert "\"'x;'=1+2\"" in text, "the text field is quoted and defused"
    for separator in ",;\t|":
        cells = [cell for row in stdlib_csv.reader(io.StringIO(text), delimiter=separator) for cell in row]
        formulas = [c for c in cells if "1+2" in c and c.lstrip(' "').startswith(("=", "+", "-", "@"))]
        assert formulas == [], separator
    rows = list(stdlib_csv.DictReader(io.StringIO(text)))
    mine = [r for r in rows if r["educator_email"] == cora.email and r["competency_code"] == "COG.2"]
    assert {r["note"] for r in mine} == {"'x;'=1+2"}
    header, *lines = text.splitlines()
    assert header.startswith('"') and all(f',"{cora.email}",' in line for line in lines if cora.email in line)
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, url.format("xlsx")).data)).active
    values = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row}
    assert values["'x;'=1+2"] == "s"


def test_a_column_empty_in_every_row_downloads_as_xlsx(db, client, district):
    """Issue 14: `ratings.xlsx` of a cycle where no rater gave a confidence answered 500 (the
    column's width took `int(NaN)`)."""
    db.session.execute(update(Rating).where(Rating.cycle_id == district.cycle.id).values(confidence=None))
    db.session.commit()
    sign_in_directly(client, district.people["admin"])
    url = f"/exports/ratings.{{}}?cycle={district.cycle.id}"
    xlsx = read_xlsx(download(client, url.format("xlsx")).data)
    assert len(xlsx) > 0 and set(xlsx["confidence"]) == {""}
    pd.testing.assert_frame_equal(read_csv(download(client, url.format("csv")).data), xlsx)


def test_write_xlsx_sizes_an_all_empty_column_by_its_name():
    data = exports.frame(exports.RESOURCES, [
        {"resource_id": 1, "key": "k", "title": "A title", "kind": "workshop", "competencies": "COG.1",
         "level_min": None, "level_max": None, "hours": None, "lanes": None, "active": True,
         "shared": True}])
    file = io.BytesIO()
    exports.write_xlsx(file, exports.RESOURCES, [exports.columns(data)])
    sheet = openpyxl.load_workbook(file).active
    assert sheet.title == "resources"
    assert [c.value for c in sheet[2]][5:9] == [None, None, None, None]
    assert int(sheet.column_dimensions["F"].width) == len("level_min") + 2   # XlsxWriter adds a fraction
    assert int(sheet.column_dimensions["H"].width) == len("hours") + 2   # and "lanes", the same width


MIXED = exports.Table("mixed", (
    exports.Column("id", "integer", ""), exports.Column("text", "text", ""),
    exports.Column("share", "number", ""), exports.Column("done", "boolean", ""),
    exports.Column("nothing", "text", ""), exports.Column("count", "integer", ""),
    exports.Column("at", "datetime", "")))
MIXED_ROWS = [
    {"id": 1, "text": "=1+2", "share": 0.5, "done": True, "nothing": None, "count": None,
     "at": "2026-09-01T08:05:00Z"},
    {"id": 2, "text": "Zoë <b>&amp; 東京 😀", "share": float("nan"), "done": None, "nothing": None,
     "count": -1, "at": None},
    {"id": 3, "text": "  two\nlines, ;@x  ", "share": 1e-05, "done": False, "nothing": None, "count": 0,
     "at": "2026-09-01T08:05:00.001200Z"},
    {"id": 4, "text": "-5", "share": 2.0, "done": True, "nothing": None, "count": 12, "at": ""},
    {"id": 5, "text": None, "share": None, "done": False, "nothing": None, "count": 7,
     "at": "x\x07\x1f;=cmd"},
]


def test_the_xlsx_holds_the_csv_cell_for_cell_with_its_types():
    """Formula-like text, unicode, XML's own characters, edge whitespace, line breaks, NaN and
    None, an all-empty column, numbers and booleans, across three chunks: every cell of the XLSX
    (as openpyxl reads it) is the CSV's, numbers and booleans typed, text defused alike."""
    chunks = [exports.columns(exports.frame(MIXED, MIXED_ROWS[a:b])) for a, b in ((0, 2), (2, 3), (3, 5))]
    csv_rows = list(stdlib_csv.reader(io.StringIO(
        b"".join(exports.csv_chunks(MIXED, chunks)).decode("utf-8-sig"), newline="")))
    file = io.BytesIO()
    exports.write_xlsx(file, MIXED, chunks)
    sheet = openpyxl.load_workbook(file).active
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_col=len(MIXED.columns))]
    assert sheet.dimensions == "A1:G6" and len(cells) == len(csv_rows) == 6
    assert [["" if v is None else str(v) for v in row] for row in cells] == csv_rows
    assert csv_rows[1][1] == "'=1+2" and csv_rows[3][1] == "'  two\nlines, ;'@x  " and csv_rows[4][1] == "'-5"
    assert csv_rows[5][6] == "'x;'=cmd", "control characters dropped in both"
    assert [row[2] for row in cells[1:]] == [0.5, None, 1e-05, 2.0, None]
    assert [row[3] for row in cells[1:]] == [True, None, False, True, False]
    assert [row[5] for row in cells[1:]] == [None, -1, 0, 12, 7] and all(row[4] is None for row in cells[1:])
    assert cells[2][1] == "Zoë <b>&amp; 東京 😀"


def test_the_csv_is_byte_for_byte_what_pandas_wrote():
    """The CSV writer changed from pandas' `to_csv` to the csv module: the same quoting, empty
    cells, numbers, booleans and line ends."""
    data = exports.frame(MIXED, MIXED_ROWS)
    safe = data.copy()
    for column in MIXED.columns:
        if exports.DTYPES[column.type] is object:
            safe[column.name] = data[column.name].map(safe_cell)
    header = pd.DataFrame(columns=MIXED.names).to_csv(index=False, **exports.CSV_FORMAT)
    expected = (header.encode("utf-8-sig")
                + safe.to_csv(index=False, header=False, **exports.CSV_FORMAT).encode("utf-8"))
    assert exports.to_csv(MIXED, data) == expected


class Chunk(dict):
    """A chunk a weak reference can follow."""


def lazily(chunks: list[dict], alive: list[int]):
    """The chunks one at a time; before each, how many earlier ones are still held."""
    references = []
    for data in chunks:
        gc.collect()
        alive.append(sum(reference() is not None for reference in references))
        chunk = Chunk(data)
        references.append(weakref.ref(chunk))
        yield chunk
        del chunk


@pytest.mark.parametrize("writer", ["csv", "xlsx"])
def test_the_writers_hold_one_chunk_at_a_time(writer):
    """Memory does not grow with the rows: a writer takes the next chunk only when it needs it and
    lets the one before the last go."""
    data = [exports.columns(exports.frame(MIXED, MIXED_ROWS)) for _ in range(6)]
    alive: list[int] = []
    if writer == "csv":
        pieces = exports.csv_chunks(MIXED, lazily(data, alive))
        next(pieces)
        assert alive == [], "the header is written before any chunk is taken"
        for taken in range(1, 7):
            next(pieces)
            assert len(alive) == taken
        assert list(pieces) == []
    else:
        exports.write_xlsx(io.BytesIO(), MIXED, lazily(data, alive))
    assert len(alive) == 6 and max(alive) <= 1


def test_download_headers(client, district):
    sign_in_directly(client, district.people["ann"])
    csv = download(client, f"/exports/goals.csv?cycle={district.cycle.id}")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.headers["Content-Disposition"] == 'attachment; filename="pdplanner-goals-2026-27-baseline.csv"'
    assert csv.headers["Cache-Control"] == "no-store"
    xlsx = download(client, f"/exports/goals.xlsx?cycle={district.cycle.id}")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["Content-Disposition"].startswith('attachment; filename="pdplanner-goals-')


def test_every_export_is_audited_with_caller_scope_and_rows(db, client, district):
    pia = district.people["pia"]
    sign_in_directly(client, pia)
    rows = read_csv(download(client, f"/exports/participation.csv?cycle={district.cycle.id}").data)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.downloaded"))
    assert event.actor_id == pia.id and event.district_id == pia.district_id
    assert event.details == {"file": "participation.csv", "scope": "own; schools S1", "rows": len(rows),
                             "cycle_id": district.cycle.id}


def test_the_cycle_defaults_to_the_current_one_and_another_districts_is_404(client, district):
    sign_in_directly(client, district.people["admin"])
    assert download(client, "/exports/ratings.csv").headers["Content-Disposition"].endswith(
        'baseline.csv"')
    assert client.get(f"/exports/ratings.csv?cycle={district.away_cycle.id}").status_code == 404
    assert client.get("/exports/ratings.csv?cycle=999999").status_code == 404
    assert client.get("/exports/ratings.csv?cycle=x").status_code == 400
    assert client.get(f"/exports/secrets.csv?cycle={district.cycle.id}").status_code == 404


def test_a_bearer_token_downloads_without_a_session(db, app, district):
    _, secret = create_token(district.people["pia"], "reports")
    db.session.commit()
    client = app.test_client()
    response = client.get(f"/exports/ratings.csv?cycle={district.cycle.id}",
                          headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert set(read_csv(response.data)["educator_email"]) == {"ben@home.org"}
    token = {"Authorization": f"Bearer {secret}"}
    assert client.get("/exports/district.zip", headers=token).status_code == 404
    bad = client.get("/exports/ratings.csv", headers={"Authorization": "Bearer pdp_not-a-token"})
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/exports/ratings.csv").status_code == 302  # no token, no session: sign in


def test_the_exports_page_lists_what_the_caller_may_download(client, district):
    sign_in_directly(client, district.people["ann"])
    html = client.get("/exports").get_data(as_text=True)
    assert "Download all my data" in html and 'href="/me/data.zip"' in html
    assert f"/exports/ratings.xlsx?cycle={district.cycle.id}" in html
    assert "/exports/district.zip" not in html
    assert 'label for="cycle"' in html
    sign_in_directly(client, district.people["admin"])
    html = client.get("/exports").get_data(as_text=True)
    assert "/exports/district.zip" in html and "only for educators who shared" in html


def test_the_ratings_csv_streams_its_header_before_any_rating_is_read(monkeypatch, client, district):
    """Issue 14: the CSV leaves as it is produced. Reading the ratings of one educator a
    statement, the header comes before any is read and each slice is sent as it is read, before
    the next statement runs; the file is byte for byte the one written from all the rows at once."""
    read = []
    chunk_of_rows = export_rows._ratings_chunk
    monkeypatch.setattr(export_rows, "EDUCATORS_PER_READ", 1)
    monkeypatch.setattr(export_rows, "_ratings_chunk",
                        lambda rows, *a: read.append(len(rows)) or chunk_of_rows(rows, *a))
    admin = district.people["admin"]
    sign_in_directly(client, admin)
    response = client.get(f"/exports/ratings.csv?cycle={district.cycle.id}", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    chunks = iter(response.response)
    header = next(chunks)
    assert header == b'\xef\xbb\xbf"' + '","'.join(exports.RATINGS.names).encode() + b'"\r\n'
    assert read == [], "no rating is read before the header is sent"
    body = [next(chunks)]
    assert len(read) == 1
    body += list(chunks)
    response.close()
    slices = len(read)
    assert slices >= 2 and len(body) == slices
    whole = exports.to_csv(exports.RATINGS,
                           exports.frame(exports.RATINGS, export_rows.ratings_rows(admin, district.cycle)))
    assert header + b"".join(body) == whole
    educators = [line.split(b",")[2] for line in b"".join(body).splitlines()]
    assert len(set(educators)) == slices, "one educator a slice"


def test_the_ratings_are_read_in_the_order_of_one_sorted_statement(monkeypatch, db, district):
    """The slices of educators give the rows of one statement a cycle, sorted by the database
    (educator by name, competency, kind, rater), for the district's every cycle."""
    admin = district.people["admin"]
    monkeypatch.setattr(export_rows, "EDUCATORS_PER_READ", 10**6)
    whole = export_rows.ratings_rows(admin, None)
    assert len(whole) > 2
    assert len(whole) == export_rows.ratings_count(admin, None)
    for size in (1, 2):
        monkeypatch.setattr(export_rows, "EDUCATORS_PER_READ", size)
        assert export_rows.ratings_rows(admin, None) == whole


def test_the_ratings_xlsx_is_the_csv_with_inline_strings(monkeypatch, client, district):
    monkeypatch.setattr(export_rows, "EDUCATORS_PER_READ", 1)
    sign_in_directly(client, district.people["admin"])
    url = f"/exports/ratings.{{}}?cycle={district.cycle.id}"
    response = download(client, url.format("xlsx"))
    assert int(response.headers["Content-Length"]) == len(response.data)
    # Strings inline, row by row: no shared-strings table to hold in memory.
    assert "xl/sharedStrings.xml" not in zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    csv = read_csv(download(client, url.format("csv")).data)
    pd.testing.assert_frame_equal(read_xlsx(response.data), csv)


HOSTILE_TEXT = st.text(alphabet=st.sampled_from(list("ab =+-@;,|\"' \t\r\n\x00\x07\x1f")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(HOSTILE_TEXT, st.none()), min_size=1, max_size=20),
       numbers=st.lists(st.one_of(st.integers(-5, 5), HOSTILE_TEXT), min_size=1, max_size=20))
def test_a_whole_column_is_defused_exactly_as_safe_cell_defuses_each_cell(values, numbers):
    assert exports.defused(values) == [safe_cell(v) for v in values]
    assert exports.defused(numbers) == [safe_cell(v) for v in numbers]


def test_times_are_formatted_by_the_database_as_iso_writes_them(db, district):
    """`iso_utc` on SQLite and PostgreSQL: the same text as `exports.iso`, with and without
    microseconds."""
    first, second = db.session.scalars(select(Rating.id).order_by(Rating.id).limit(2)).all()
    db.session.execute(update(Rating).where(Rating.id == first)
                       .values(updated_at=datetime(2026, 9, 1, 8, 5, 0, tzinfo=UTC)))
    db.session.execute(update(Rating).where(Rating.id == second)
                       .values(updated_at=datetime(2026, 9, 1, 8, 5, 0, 1200, tzinfo=UTC)))
    db.session.flush()
    pairs = db.session.execute(select(Rating.updated_at, export_rows.iso_utc(Rating.updated_at))).all()
    assert pairs and all(text == exports.iso(stamp) for stamp, text in pairs)
    texts = dict(db.session.execute(select(Rating.id, export_rows.iso_utc(Rating.updated_at))
                                    .where(Rating.id.in_([first, second]))).all())
    assert texts == {first: "2026-09-01T08:05:00Z", second: "2026-09-01T08:05:00.001200Z"}


def test_an_xlsx_that_fails_half_written_leaves_no_open_file(monkeypatch, client, district):
    opened = []
    temporary_file = exports_views.tempfile.TemporaryFile

    def recorded():
        opened.append(temporary_file())
        return opened[-1]

    def failing_write(file, table, chunks):
        file.write(b"PK half a workbook")
        raise OSError("No space left on device")

    monkeypatch.setattr(exports_views.tempfile, "TemporaryFile", recorded)
    monkeypatch.setattr(exports, "write_xlsx", failing_write)
    sign_in_directly(client, district.people["admin"])
    response = client.get(f"/exports/ratings.xlsx?cycle={district.cycle.id}")
    assert response.status_code == 500 and not response.data.startswith(b"PK")
    assert len(opened) == 1 and opened[0].closed
