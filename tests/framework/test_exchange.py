"""Framework exchange through the database: the CLI, the district admin's page, the downloads,
the API's CASE format, and the rule that a closed cycle's framework is never edited in place."""

import io
import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import close_cycle, create_cycle, open_cycle
from pdplanner.audit.models import AuditEvent
from pdplanner.framework.exchange import case_package, export_framework, import_framework_file
from pdplanner.framework.models import Framework
from pdplanner.framework.services import framework_to_native
from tests.conftest import csrf_from
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, sign_in_directly

FIXTURES = Path(__file__).parent / "fixtures" / "case"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_default_framework_round_trips_through_stored_case(db):
    framework = load_default_framework()
    db.session.commit()
    body, name, mimetype = export_framework(framework, "case")
    assert (name, mimetype) == ("educator-competencies-v1.case.json", "application/json")
    assert export_framework(framework, "case")[0] == body  # byte-identical
    kind, outcome = import_framework_file(name, body, district_id=None)
    assert (kind, outcome.status, outcome.framework.id) == ("case", "unchanged", framework.id)
    native_body = export_framework(framework, "native")[0]
    assert import_framework_file("x.yaml", native_body, district_id=None)[1].status == "unchanged"
    assert db.session.scalar(select(func.count(Framework.id))) == 1


def test_cli_export_then_import_and_errors(app, db, tmp_path):
    assert _run(app, "seed", "framework").exit_code == 0
    out = tmp_path / "ec.case.json"
    result = _run(app, "framework", "export", "educator-competencies", "--format", "case", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote educator-competencies version 1 as CASE" in result.output
    first = out.read_bytes()
    framework_id = db.session.scalar(select(Framework.id))
    by_id = _run(app, "framework", "export", str(framework_id), "--format", "case", "--out", str(out))
    assert by_id.exit_code == 0
    assert out.read_bytes() == first

    again = _run(app, "framework", "import", str(out))
    assert again.exit_code == 0, again.output
    assert (f"Framework educator-competencies version 1 (id {framework_id}), read as CASE: unchanged"
            in again.output)

    yaml_out = tmp_path / "ec.yaml"
    assert _run(app, "framework", "export", "educator-competencies", "--format", "native",
                "--out", str(yaml_out)).exit_code == 0
    assert "unchanged" in _run(app, "framework", "import", str(yaml_out)).output

    created = _run(app, "framework", "import", str(FIXTURES / "v1p1-with-rubrics.json"))
    assert "digital-learning-competencies version 1" in created.output
    assert ": created (1 domain, 2 competencies)" in created.output

    empty = _run(app, "framework", "import", str(FIXTURES / "zero-items.json"))
    assert empty.exit_code != 0
    assert "zero-items.json: the package has no competencies: CFItems is empty" in empty.output
    missing = _run(app, "framework", "export", "nothing-here", "--format", "case", "--out", str(out))
    assert missing.exit_code != 0 and "No framework has the slug 'nothing-here'" in missing.output
    assert db.session.scalar(select(func.count(Framework.id))) == 2


def test_cli_import_into_a_district(app, db):
    district = create_district("NORTH")
    result = _run(app, "framework", "import", str(FIXTURES / "minified-v1p0.json"), "--district", "north")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Framework.district_id)) == district.id


def upload(client, user, name, body: bytes):
    sign_in_directly(client, user)
    token = csrf_from(client, "/frameworks/import")
    return client.post("/frameworks/import", data={"csrf_token": token, "file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def test_admin_imports_a_case_package_on_the_page(db, client):
    district = create_district("HOME")
    admin = create_user(Role.DISTRICT_ADMIN, district=district)
    response = upload(client, admin, "digital.json", (FIXTURES / "v1p1-with-rubrics.json").read_bytes())
    assert response.status_code == 302
    framework = db.session.scalar(select(Framework))
    assert framework.district_id == district.id
    assert response.headers["Location"] == f"/frameworks/{framework.id}"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Digital Learning Competencies, version 1: imported (read as CASE)." in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "framework.imported"))
    assert event.actor_id == admin.id and event.details["format"] == "case"


def test_the_page_names_what_is_wrong_and_writes_nothing(db, client, app, monkeypatch):
    admin = create_user(Role.DISTRICT_ADMIN, district=create_district("HOME"))
    response = upload(client, admin, "empty.json", (FIXTURES / "zero-items.json").read_bytes())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<div class="error-summary" role="alert"' in html
    assert 'href="#file"' in html and 'aria-invalid="true"' in html
    assert "empty.json: the package has no competencies: CFItems is empty" in html
    assert db.session.scalar(select(func.count(Framework.id))) == 0

    monkeypatch.setitem(app.config, "FRAMEWORK_UPLOAD_MAX_BYTES", 1000)
    too_big = upload(client, admin, "big.json", b" " * 1001)
    assert too_big.status_code == 422 and "The file is larger than" in too_big.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Framework.id))) == 0


def test_downloads_are_the_exports(db, client):
    framework = load_default_framework()
    db.session.commit()
    sign_in_directly(client, create_user())
    case = client.get(f"/frameworks/{framework.id}/export.case.json")
    assert case.status_code == 200 and case.mimetype == "application/json"
    assert case.headers["Content-Disposition"] == 'attachment; filename="educator-competencies-v1.case.json"'
    assert case.data == export_framework(framework, "case")[0]
    native = client.get(f"/frameworks/{framework.id}/export.yaml")
    assert native.mimetype == "application/yaml" and native.data == export_framework(framework, "native")[0]


def test_api_case_format_is_the_whole_package(db, client):
    framework = load_default_framework()
    db.session.commit()
    sign_in_directly(client, create_user())
    response = client.get(f"/api/v1/frameworks/{framework.id}?format=case")
    assert response.status_code == 200
    # The schema lets every field pdplanner writes through.
    assert response.json == json.loads(json.dumps(case_package(db.session.get(Framework, framework.id))))


def test_a_closed_cycles_framework_gets_a_new_version_and_keeps_its_own(db, client):
    district = create_district("HOME")
    school = create_school(district, "S1")
    admin = create_user(Role.DISTRICT_ADMIN, district=district)
    create_user(Role.TEACHER, school=school)
    framework = load_default_framework(district_id=district.id)
    cycle = create_cycle(district_id=district.id, name="Baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 10, 15), framework=framework)
    open_cycle(cycle)
    close_cycle(cycle)
    db.session.commit()
    before = framework_to_native(framework)
    package = case_package(framework)
    level = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][2]
    level["description"] = "A clearer Proficient descriptor."

    response = upload(client, admin, "edited.case.json", json.dumps(package).encode())
    assert response.status_code == 302
    db.session.expire_all()
    newest = db.session.scalar(select(Framework).order_by(Framework.version.desc()))
    assert (newest.version, newest.district_id) == (2, district.id) and newest.id != framework.id
    assert newest.competencies[0].descriptors[2].text == "A clearer Proficient descriptor."
    assert "imported as a new version" in client.get(response.headers["Location"]).get_data(as_text=True)
    kept = db.session.get(Framework, framework.id)
    assert framework_to_native(kept) == before
    assert cycle.framework_id == framework.id


def test_long_codes_and_astral_characters_are_stored_whole(db):
    """Common Core codes run past 20 characters ("CCSS.Math.Content.6.RP.A"); a title may hold
    characters outside the Basic Multilingual Plane. Both reach the database unchanged."""
    package = json.loads((FIXTURES / "flat-astral-markdown.json").read_text(encoding="utf-8"))
    long_code = "CCSS.Math.Content.6.RP.A.3a.long"
    package["CFItems"][0]["humanCodingScheme"] = long_code
    kind, outcome = import_framework_file("ccss.json", json.dumps(package).encode(), district_id=None)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Framework, outcome.framework.id)
    assert long_code in {c.code for c in stored.competencies}
    assert "𝑑" in stored.title
