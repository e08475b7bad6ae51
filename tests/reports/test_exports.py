"""The download routes: files that open, the same rows in CSV and XLSX, defused formulas, safe
headers, an audit record, Bearer tokens, and the Exports page."""

import csv as stdlib_csv
import io
import zipfile
from datetime import UTC, datetime

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
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
    exports.write_xlsx(file, exports.RESOURCES.names, [data], "resources")
    sheet = openpyxl.load_workbook(file).active
    assert [c.value for c in sheet[2]][5:9] == [None, None, None, None]
    assert int(sheet.column_dimensions["F"].width) == len("level_min") + 2   # XlsxWriter adds a fraction
    assert int(sheet.column_dimensions["H"].width) == len("hours") + 2   # and "lanes", the same width


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
    """Issue 14: the CSV leaves as it is produced. With chunks of 5 rows, the header comes before
    the first chunk is read and each chunk is sent as it is read; the file is byte for byte the
    one written from all the rows at once."""
    read = []
    frame_of_chunk = export_rows._ratings_frame
    monkeypatch.setattr(export_rows, "CHUNK_ROWS", 5)
    monkeypatch.setattr(export_rows, "_ratings_frame",
                        lambda *a: read.append(len(a[0])) or frame_of_chunk(*a))
    admin = district.people["admin"]
    sign_in_directly(client, admin)
    response = client.get(f"/exports/ratings.csv?cycle={district.cycle.id}", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    chunks = iter(response.response)
    header = next(chunks)
    assert header == b'\xef\xbb\xbf"' + '","'.join(exports.RATINGS.names).encode() + b'"\r\n'
    assert read == [], "no rating is read before the header is sent"
    body = [next(chunks)]
    assert read == [5]
    body += list(chunks)
    response.close()
    assert len(read) > 2 and set(read[:-1]) == {5} and len(body) == len(read)
    whole = exports.to_csv(exports.frame(exports.RATINGS, export_rows.ratings_rows(admin, district.cycle)))
    assert header + b"".join(body) == whole


def test_the_ratings_xlsx_is_written_in_constant_memory_mode(monkeypatch, client, district):
    options = []

    class Workbook(xlsxwriter.Workbook):
        def __init__(self, file, settings):
            options.append(settings)
            super().__init__(file, settings)

    monkeypatch.setattr(exports.xlsxwriter, "Workbook", Workbook)
    monkeypatch.setattr(export_rows, "CHUNK_ROWS", 7)
    sign_in_directly(client, district.people["admin"])
    url = f"/exports/ratings.{{}}?cycle={district.cycle.id}"
    response = download(client, url.format("xlsx"))
    assert options and options[0]["constant_memory"] is True
    assert int(response.headers["Content-Length"]) == len(response.data)
    # Constant memory writes strings inline, row by row: no shared-strings table.
    assert "xl/sharedStrings.xml" not in zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    csv = read_csv(download(client, url.format("csv")).data)
    pd.testing.assert_frame_equal(read_xlsx(response.data), csv)


HOSTILE_TEXT = st.text(alphabet=st.sampled_from(list("ab =+-@;,|\"' \t\r\n\x00\x07\x1f")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(HOSTILE_TEXT, st.none()), min_size=1, max_size=20),
       numbers=st.lists(st.one_of(st.integers(-5, 5), HOSTILE_TEXT), min_size=1, max_size=20))
def test_a_whole_column_is_defused_exactly_as_safe_cell_defuses_each_cell(values, numbers):
    data = pd.DataFrame({"text": pd.Series(values, dtype=object)})
    assert exports.for_spreadsheet(data)["text"].tolist() == [safe_cell(v) for v in values]
    mixed = pd.DataFrame({"mixed": pd.Series(numbers, dtype=object)})
    assert exports.for_spreadsheet(mixed)["mixed"].tolist() == [safe_cell(v) for v in numbers]


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

    def failing_write(file, names, frames, sheet):
        file.write(b"PK half a workbook")
        raise OSError("No space left on device")

    monkeypatch.setattr(exports_views.tempfile, "TemporaryFile", recorded)
    monkeypatch.setattr(exports, "write_xlsx", failing_write)
    sign_in_directly(client, district.people["admin"])
    response = client.get(f"/exports/ratings.xlsx?cycle={district.cycle.id}")
    assert response.status_code == 500 and not response.data.startswith(b"PK")
    assert len(opened) == 1 and opened[0].closed
