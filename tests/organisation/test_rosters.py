"""Roster readers, without a database: the project's own fixtures reproduce the quirks of real
SIS exports (a BOM, CRLF, every field quoted, metadata.* columns, header typos and case, ragged
rows, manifest typos, missing files, dates in several forms)."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from pdplanner.accounts.models import Role
from pdplanner.organisation.roster.read import (
    RosterError,
    bundle_from_path,
    bundle_from_upload,
    parse_roster_date,
    read_roster,
)

FIXTURES = Path(__file__).parent / "fixtures" / "rosters"


def zipped(folder: Path, *, inside: str = "", leave_out: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.name not in leave_out:
                archive.writestr(f"{inside}{path.name}", path.read_bytes())
    return buffer.getvalue()


def rejected(roster) -> list[str]:
    return [str(r) for r in roster.rejected]


def test_the_simple_csv_with_bom_crlf_odd_headers_and_a_quoted_coach_list():
    roster = read_roster(bundle_from_path(FIXTURES / "simple.csv"))
    assert roster.format == "Simple CSV" and roster.full
    people = {p.email: p for p in roster.people}
    bea = people["bea.teacher@north.example"]     # lower-cased, quoted fields
    assert (bea.given_name, bea.family_name, bea.line) == ("Bea", "Teacher", 3)
    assert bea.schools == {"NORTH": Role.TEACHER}
    assert bea.coach_emails == ("ada.coach@north.example", "cy.coach@north.example")
    assert people["ada.coach@north.example"].coach_emails is None       # empty cell: unchanged
    assert people["fay.admin@north.example"].district_admin
    assert people["fay.admin@north.example"].schools == {}
    assert roster.skipped == {"student": 1}
    assert rejected(roster) == [
        "simple.csv:8: role: 'janitor' is not a role here (use teacher, coach, principal or district_admin).",
        "simple.csv:11: email: empty.",   # the blank line 9 still counts
    ]


def test_a_simple_csv_can_be_partial():
    roster = read_roster(bundle_from_path(FIXTURES / "simple.csv"), partial=True)
    assert not roster.full


@pytest.mark.parametrize(("text", "reason"), [
    ("email,given name,family name,role,school code\nx@y.org,X,Y,teacher,\n",
     "t.csv:2: school code: empty; a teacher needs a school."),
    ("email,given name,family name,role,school code\nnot-an-email,X,Y,teacher,A\n",
     "t.csv:2: email: 'not-an-email' is not an email address."),
    ("email,given name,family name,role,school code,coach email\nx@y.org,X,Y,principal,A,c@y.org\n",
     "t.csv:2: coach email: only teachers and coaches have a coach, and x@y.org is a principal."),
    ("email,given name,family name,role,school code,coach email\nx@y.org,X,Y,teacher,A,x@y.org\n",
     "t.csv:2: coach email: x@y.org cannot coach themself."),
    ("email,given name,family name,role,school code\nx@y.org,X,Y,teacher,A\nX@Y.org,X,Y,teacher,A\n",
     "t.csv:3: email: x@y.org is already on line 2."),
])
def test_simple_rows_are_rejected_with_the_field_and_value(text, reason):
    roster = read_roster(bundle_from_upload("t.csv", text.encode()))
    assert rejected(roster) == [reason]


def test_a_simple_csv_without_the_needed_columns_is_refused_whole():
    with pytest.raises(RosterError, match=r"t.csv:1: the header has no given_name, family_name column"):
        read_roster(bundle_from_upload("t.csv", b"email,role\nx@y.org,teacher\n"))


def test_oneroster_11_all_quoted_with_metadata_columns_and_manifest_typos():
    roster = read_roster(bundle_from_path(FIXTURES / "oneroster11"))
    assert roster.format == "OneRoster 1.1" and roster.full
    people = {p.sourced_id: p for p in roster.people}
    assert people["u-ann"].email == "ann.archer@river.example"
    assert people["u-ben"].schools == {"org-east": Role.TEACHER, "org-west": Role.TEACHER}  # quoted list
    assert people["u-cat"].schools == {"org-west": Role.PRINCIPAL}        # administrator
    assert people["u-dan"].district_admin and people["u-dan"].schools == {}
    assert people["u-jay"].deactivate                                       # status tobedeleted
    assert "u-gil" in people     # an org missing from orgs.csv is checked against the database later
    assert roster.skipped == {"student": 1, "parent": 1}
    assert rejected(roster) == [
        "users.csv:9: email: empty; u-hat cannot sign in without one.",
        "users.csv:10: dateLastModified: 'yesterday' is not a date.",
        "users.csv:12: orgSourcedIds: 'org-dist' is a district, not a school, so it cannot have a teacher.",
    ]
    assert "manifest.csv:8: unknown property 'fiel.demographics'; ignored." in roster.notes
    assert "manifest.csv lists courses.csv as bulk but the bundle has no courses.csv." in roster.notes
    assert roster.orgs["org-east"].identifier == "EAST"


@pytest.mark.parametrize("inside", ["", "export-2024/"])
def test_a_zip_reads_like_the_folder_flat_or_in_one_subfolder(inside):
    from_zip = read_roster(bundle_from_upload("bundle.zip", zipped(FIXTURES / "oneroster11", inside=inside)))
    from_folder = read_roster(bundle_from_path(FIXTURES / "oneroster11"))
    assert from_zip.people == from_folder.people and from_zip.rejected == from_folder.rejected


def test_oneroster_12_roles_from_roles_csv_with_header_typos_and_ragged_rows():
    roster = read_roster(bundle_from_path(FIXTURES / "oneroster12"))
    assert roster.format == "OneRoster 1.2" and roster.full
    people = {p.sourced_id: p for p in roster.people}
    assert people["p-amy"].schools == {"org-lake": Role.TEACHER}     # the guardian role is ignored
    assert people["p-bob"].schools == {"org-lake": Role.PRINCIPAL}   # siteAdministrator, secondary
    assert people["p-dot"].district_admin
    assert set(people) == {"p-amy", "p-bob", "p-dot"}
    assert roster.skipped == {"student": 1}
    assert rejected(roster) == [
        "roles.csv:7: userSourcedId: 'p-zed' is not in users.csv.",
        "roles.csv:8: beginDate: '31/31/2024' is not a date.",
    ]


def test_a_12_bundle_without_roles_csv_is_refused_whole():
    content = zipped(FIXTURES / "oneroster12", leave_out=("roles.csv",))
    with pytest.raises(RosterError, match="roles.csv: missing"):
        read_roster(bundle_from_upload("b.zip", content))


def test_a_delta_manifest_makes_a_partial_roster():
    folder = FIXTURES / "oneroster12"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.iterdir():
            content = path.read_bytes()
            if path.name == "manifest.csv":
                content = content.replace(b"bulk", b"delta")
            archive.writestr(path.name, content)
    roster = read_roster(bundle_from_upload("delta.zip", buffer.getvalue()))
    assert not roster.full
    assert "users.csv is a delta: people who are not in it stay as they are." in roster.notes


def test_oneroster_10_without_manifest_and_with_columns_reordered_is_partial():
    roster = read_roster(bundle_from_path(FIXTURES / "oneroster10"))
    assert roster.format == "OneRoster 1.1" and not roster.full
    assert [(p.email, p.schools) for p in roster.people] == [("tia@old.example", {"100": Role.TEACHER})]
    assert roster.skipped == {"student": 1}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", b"", "empty.csv: the file is empty."),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "photo.csv: this is not a CSV file"),
    ("bundle.zip", b"not a zip", "bundle.zip: this is not a zip file."),
    ("bundle.zip", b"PK\x03\x04broken", "bundle.zip: the zip cannot be read"),
    ("list.csv", b"name,colour\nx,red\n", "list.csv: not a roster."),
])
def test_unreadable_input_is_refused_with_the_file_named(name, content, message):
    with pytest.raises(RosterError, match=message.replace(".", r"\.")):
        read_roster(bundle_from_upload(name, content))


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-05-01", date(2023, 5, 1)),
    ("2023-05-01T18:25:43.511Z", date(2023, 5, 1)),
    ("2017-05-06 08:01:05", date(2017, 5, 6)),
    ("1/05/2023", date(2023, 5, 1)),         # day first, as in real 1.2 exports
    ("15/06/2023", date(2023, 6, 15)),
    ("06/15/2023", date(2023, 6, 15)),       # month first when day first is impossible
    ("", None),
])
def test_dates_in_the_forms_real_files_use(text, expected):
    assert parse_roster_date(text) == expected


def test_a_date_that_is_no_date_is_an_error():
    with pytest.raises(ValueError):
        parse_roster_date("31/31/2024")
