"""Imports through the API: a roster (preview, then import) and a framework file, for district
admins only, with the same readers, preview and services as the pages."""

import io
import json
from pathlib import Path

from sqlalchemy import func, select

from pdplanner.accounts.models import User
from pdplanner.audit.models import AuditEvent
from pdplanner.framework.models import Framework

FRAMEWORKS = Path(__file__).parent.parent / "framework" / "fixtures" / "case"
ROSTER = (
    "\ufeffEmail,Given Name,Family Name,Role,School Code,Coach Email\r\n"
    "new.teacher@town.org,Nia,Teacher,teacher,NORTH,coach@town.org\r\n"
    "teacher@town.org,Tess,Renamed,teacher,NORTH,coach@town.org\r\n"
    "nobody,No,Email,teacher,NORTH,\r\n"
    "lost@town.org,Lou,Lost,teacher,NOWHERE,\r\n"
)


def upload(client, headers, url, body: bytes, name: str):
    return client.post(url, headers=headers, data={"file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def people(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_a_roster_preview_names_every_change_and_rejected_row_and_writes_nothing(db, client, town, bearer):
    before = people(db)
    response = upload(client, bearer(town.admin), "/api/v1/roster/preview?partial=true", ROSTER.encode(),
                      "staff.csv")
    assert response.status_code == 200, response.json
    preview = response.json
    assert preview["full"] is False
    assert preview["counts"]["created"] == 1 and preview["counts"]["updated"] == 1
    assert [(p["email"], p["line"], p["roles"]) for p in preview["creates"]] == [
        ("new.teacher@town.org", 2, "Teacher")]
    assert preview["updates"][0]["email"] == "teacher@town.org"
    assert any("Renamed" in change for change in preview["updates"][0]["changes"])
    assert [(r["file"], r["line"]) for r in preview["rejected"]] == [("staff.csv", 4), ("staff.csv", 5)]
    assert "NOWHERE" in preview["rejected"][1]["reason"]
    assert people(db) == before


def test_a_roster_import_is_applied_once_and_the_same_file_again_changes_nothing(db, client, town, bearer):
    headers = bearer(town.admin)
    response = upload(client, headers, "/api/v1/roster/import?partial=true", ROSTER.encode(), "staff.csv")
    assert response.status_code == 200, response.json
    assert response.json["counts"]["created"] == 1 and response.json["mailed"] == 1
    created = db.session.scalar(select(User).where(User.email == "new.teacher@town.org"))
    assert created.district_id == town.district.id
    assert db.session.get(User, town.teacher.id).family_name == "Renamed"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    again = upload(client, headers, "/api/v1/roster/import?partial=true", ROSTER.encode(), "staff.csv")
    counts = again.json["counts"]
    assert (counts["created"], counts["updated"], counts["deactivated"]) == (0, 0, 0)


def test_a_roster_import_is_kept_when_its_mail_cannot_be_sent_and_says_who_was_not_mailed(
        db, client, town, bearer, monkeypatch):
    from pdplanner.accounts import services as accounts

    def unreachable(to, subject, body):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(accounts, "send_mail", unreachable)
    response = upload(client, bearer(town.admin), "/api/v1/roster/import?partial=true", ROSTER.encode(),
                      "staff.csv")
    assert response.status_code == 200, response.json
    assert (response.json["mailed"], response.json["not_mailed"]) == (0, ["new.teacher@town.org"])
    assert db.session.scalar(select(User).where(User.email == "new.teacher@town.org")) is not None

def test_an_unreadable_roster_is_a_422_naming_the_file(db, client, town, bearer):
    response = upload(client, bearer(town.admin), "/api/v1/roster/preview", b"PK\x03\x04broken", "bundle.zip")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["errors"]["file"].startswith("bundle.zip")
    wrong_type = upload(client, bearer(town.admin), "/api/v1/roster/import", b"a,b\n", "staff.txt")
    assert wrong_type.status_code == 422 and "staff.txt" in wrong_type.json["detail"]
    # A part with no extension in its name is told apart by its content.
    unnamed = upload(client, bearer(town.admin), "/api/v1/roster/preview?partial=1", ROSTER.encode(), "file")
    assert unnamed.status_code == 200 and unnamed.json["format"] == "Simple CSV"


def test_only_district_admins_import(db, client, town, bearer):
    for who in (town.teacher, town.coach, town.principal):
        headers = bearer(who)
        assert upload(client, headers, "/api/v1/roster/preview", ROSTER.encode(), "s.csv").status_code == 404
        assert upload(client, headers, "/api/v1/roster/import", ROSTER.encode(), "s.csv").status_code == 404
        body = (FRAMEWORKS / "v1p1-with-rubrics.json").read_bytes()
        assert upload(client, headers, "/api/v1/frameworks", body, "f.json").status_code == 404
    assert people(db) == 7


def test_a_framework_file_is_imported_as_the_districts_own_then_found_unchanged(db, client, town, bearer):
    headers = bearer(town.admin)
    body = (FRAMEWORKS / "v1p1-with-rubrics.json").read_bytes()
    created = upload(client, headers, "/api/v1/frameworks", body, "digital.json")
    assert created.status_code == 201, created.json
    assert (created.json["status"], created.json["read_as"]) == ("created", "case")
    framework = db.session.get(Framework, created.json["framework"]["id"])
    assert framework.district_id == town.district.id
    again = upload(client, headers, "/api/v1/frameworks", body, "digital.json")
    assert (again.status_code, again.json["status"]) == (200, "unchanged")
    assert again.json["framework"]["id"] == framework.id
    # What comes out as CASE goes back in unchanged.
    package = client.get(f"/api/v1/frameworks/{framework.id}?format=case", headers=headers).json
    back = upload(client, headers, "/api/v1/frameworks", json.dumps(package).encode(), "back.json")
    assert (back.status_code, back.json["framework"]["id"]) == (200, framework.id)


def test_a_framework_file_that_cannot_be_read_is_a_422_and_writes_nothing(db, client, town, bearer):
    count = db.session.scalar(select(func.count(Framework.id)))
    response = upload(client, bearer(town.admin), "/api/v1/frameworks", b'{"CFDocument": ', "broken.json")
    assert response.status_code == 422
    assert "not valid JSON" in response.json["errors"]["file"] and "line 1" in response.json["errors"]["file"]
    assert db.session.scalar(select(func.count(Framework.id))) == count
