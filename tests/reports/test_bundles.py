"""GET /me/data.zip holds the caller's own data and nobody else's; GET /exports/district.zip has a
data dictionary that covers every column it exports."""

import io
import json
import zipfile

import pandas as pd
from pypdf import PdfReader
from sqlalchemy import select

from pdplanner.assessments.evidence import store_evidence
from pdplanner.assessments.models import RaterKind, Rating
from pdplanner.audit.models import AuditEvent
from pdplanner.framework.models import Competency
from pdplanner.reports.exports import DISTRICT_TABLES
from tests.helpers import pdf_upload, sign_in_directly


def attach_evidence(db, educator, code: str, body: bytes):
    rating = db.session.scalar(select(Rating).join(Competency).where(
        Rating.educator_id == educator.id, Rating.kind == RaterKind.SELF, Competency.code == code))
    rating.evidence_file_id = store_evidence(educator, pdf_upload(f"{educator.given_name}.pdf", body)).id
    db.session.commit()


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pdplanner-')
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_my_data_holds_everything_of_mine_and_nothing_of_anyone_else(db, client, district):
    ann, ben = district.people["ann"], district.people["ben"]
    attach_evidence(db, ann, "COG.3", b"%PDF-1.4 ann's observation")
    attach_evidence(db, ben, "COG.3", b"%PDF-1.4 ben's observation")
    sign_in_directly(client, ann)
    archive = open_zip(client.get("/me/data.zip"))
    names = archive.namelist()
    assert names[:2] == ["README.txt", "data.json"]
    [evidence] = [n for n in names if n.startswith("evidence/")]
    assert archive.read(evidence) == b"%PDF-1.4 ann's observation"
    document = json.loads(archive.read("data.json"))
    assert document["person"]["email"] == "ann@home.org"
    assert document["person"]["memberships"] == [
        {"school_code": "S1", "school_name": document["person"]["memberships"][0]["school_name"],
         "role": "teacher", "since": document["person"]["memberships"][0]["since"]}]
    assert document["coaches"] == [{"email": "cora@home.org", "name": district.people["cora"].name}]
    kinds = {r["kind"] for r in document["ratings"]}
    assert kinds == {"self", "coach"} and len(document["ratings"]) == 20
    assert next(r for r in document["ratings"] if r["competency"] == "COG.3")["evidence_file"] == evidence
    assert document["goals"] and document["placements"] and document["path_activities"]
    [plan] = [n for n in names if n.startswith("growth-plan-")]
    assert plan == "growth-plan-2026-27-baseline.pdf"
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(plan))).pages)
    assert "Growth plan" in pdf_text and ann.name in pdf_text
    assert {e["action"] for e in document["audit_events"]} >= {"self_ratings.saved", "coach_ratings.saved"}
    everything = b"".join(archive.read(n) for n in names).decode("utf-8", "replace")
    for other in ("ben", "cal", "dee", "sam", "pia", "otto"):
        assert district.people[other].email not in everything, other
    assert "ben's observation" not in everything


def test_my_data_is_audited_and_the_zip_download_is_for_the_caller_only(db, client, district):
    sign_in_directly(client, district.people["cora"])
    document = json.loads(open_zip(client.get("/me/data.zip")).read("data.json"))
    assert document["person"]["email"] == "cora@home.org"
    assert {p["email"] for p in document["caseload"]} == {"ann@home.org", "ben@home.org"}
    assert all(r["rater_email"] == "cora@home.org" for r in document["ratings"])  # her own self-ratings only
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.downloaded"))
    assert event.details["file"] == "data.zip" and event.subject_id == district.people["cora"].id


def test_district_export_has_every_table_and_a_dictionary_covering_every_column(db, client, district):
    sign_in_directly(client, district.people["admin"])
    archive = open_zip(client.get("/exports/district.zip"))
    dictionary = pd.read_csv(archive.open("data_dictionary.csv"), encoding="utf-8-sig")
    described = set(zip(dictionary["file"], dictionary["column"], strict=True))
    assert set(dictionary["type"]) <= {"integer", "number", "boolean", "text", "date", "datetime"}
    assert dictionary["meaning"].str.len().min() > 5
    csv_files = [n for n in archive.namelist() if n.endswith(".csv") and n != "data_dictionary.csv"]
    assert sorted(csv_files) == sorted(f"{t.name}.csv" for t in DISTRICT_TABLES)
    document = json.loads(archive.read("data.json"))
    for name in csv_files:
        columns = pd.read_csv(archive.open(name), encoding="utf-8-sig", nrows=0).columns
        assert {(name, c) for c in columns} <= described, name
        assert len(columns) == len(dictionary[dictionary["file"] == name])
        table = document["tables"][name.removesuffix(".csv")]
        assert not table or list(table[0]) == list(columns)
    people = {p["email"] for p in document["tables"]["people"]}
    assert "sam@away.org" not in people and "ann@home.org" in people
    assert {r["educator_email"] for r in document["tables"]["ratings"]} == {"ben@home.org", "dee@home.org"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.downloaded"))
    assert event.details["file"] == "district.zip" and event.details["rows"]["people"] == len(people)


def test_json_keeps_values_as_stored_while_csv_defuses_them(client, district):
    sign_in_directly(client, district.people["admin"])
    archive = open_zip(client.get("/exports/district.zip"))
    notes = {r["note"] for r in json.loads(archive.read("data.json"))["tables"]["ratings"]}
    assert "+1 for peer feedback" in notes
    csv = pd.read_csv(archive.open("ratings.csv"), encoding="utf-8-sig")
    assert "'+1 for peer feedback" in set(csv["note"])
