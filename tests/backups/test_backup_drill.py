"""The restore drill (issue 12, item 14): create a backup, wipe the database and the folders,
restore, and the same pages and evidence downloads come back byte for byte. A changed archive,
a backup of another schema revision and a database with data are refused before anything moves.
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (pg_dump / pg_restore)."""

import gzip
import io
import json
import re
import shutil
import tarfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text
from werkzeug.datastructures import FileStorage

from pdplanner.accounts.models import Role
from pdplanner.assessments.evidence import evidence_dir, store_evidence
from pdplanner.assessments.services import RatingInput, create_cycle, open_cycle, save_self_ratings
from pdplanner.backups.services import code_revision
from pdplanner.organisation.roster import read as rosters
from pdplanner.organisation.roster.read import roster_dir
from pdplanner.planning.models import ActivityStatus, PathActivity, Resource
from pdplanner.planning.services import import_catalogue
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, pdf_upload, sign_in_directly

pytestmark = pytest.mark.real_commits  # a backup reads, and a restore replaces, what is committed

ROSTER_CSV = b"email,given_name,family_name,role,school_code\nnew@drill.org,Nia,Okoro,teacher,S1\n"
CSRF = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]+')


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", str(tmp_path / "live" / "evidence"))
    monkeypatch.setitem(app.config, "ROSTER_DIR", str(tmp_path / "live" / "rosters"))
    return tmp_path


@pytest.fixture
def drill(db, folders):
    district = create_district("DRILL")
    school = create_school(district, "S1")
    coach = create_user(Role.COACH, school=school, given_name="Nadia", family_name="Hoffmann")
    teacher = create_user(Role.TEACHER, school=school, coach=coach, given_name="Mateo", family_name="Chen")
    admin = create_user(Role.DISTRICT_ADMIN, district=district)
    cycle = create_cycle(district_id=district.id, name="Autumn", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 12, 15), framework=load_default_framework())
    open_cycle(cycle)
    [rating] = save_self_ratings(teacher, cycle, [RatingInput("COG.1", level=2, note="Drill note")])
    rating.evidence_file_id = store_evidence(teacher, pdf_upload("lesson.pdf", b"%PDF-1.4 lesson " * 500)).id
    import_catalogue([{"key": "feedback-lab", "title": "Feedback lab", "kind": "workshop",
                       "competencies": ["COG.2"], "level_min": 1, "level_max": 2, "hours": 6.0,
                       "lanes": ["slow"], "description": "Practise feedback.", "evidence": ""}])
    photo = store_evidence(teacher, FileStorage(io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
                                                filename="board.png"))
    activity = PathActivity(cycle_id=cycle.id, educator_id=teacher.id, competency_code="COG.2", position=0,
                            resource_id=db.session.scalar(select(Resource.id)), status=ActivityStatus.DONE,
                            reflection="Tried it twice.", evidence_file_id=photo.id)
    db.session.add(activity)
    roster = rosters.store_upload(FileStorage(io.BytesIO(ROSTER_CSV), filename="roster.csv"))
    db.session.commit()
    teacher_id = teacher.id
    # The people as the client signs them in: ids only, as the database is wiped under them.
    teacher, coach, admin = (signed_in_as(p.get_id()) for p in (teacher, coach, admin))
    requests = [
        (teacher, f"/evidence/{rating.evidence_file_id}"), (teacher, f"/evidence/{photo.id}"),
        (coach, f"/evidence/{photo.id}"), (teacher, f"/plan?cycle={cycle.id}"), (teacher, "/history"),
        (coach, f"/educators/{teacher_id}/plan?cycle={cycle.id}"), (admin, "/people"),
        (admin, f"/people/{teacher_id}"),
    ]
    return {"requests": requests, "roster": roster}


def signed_in_as(session_id: str) -> SimpleNamespace:
    return SimpleNamespace(get_id=lambda: session_id)


def responses(client, requests) -> list[bytes]:
    bodies = []
    for person, path in requests:
        sign_in_directly(client, person)
        response = client.get(path)
        assert response.status_code == 200, path
        bodies.append(CSRF.sub(r"\1-", response.get_data(as_text=False).decode("latin-1")).encode("latin-1"))
    return bodies


def run(app, db, *args, input=None):
    db.session.commit()
    db.session.remove()
    return app.test_cli_runner().invoke(args=["backup", *args], input=input)


def wipe(db) -> None:
    """Lose everything: every table (and the schema revision) and both folders."""
    db.session.remove()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            db.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE alembic_version"))
    db.engine.dispose()
    shutil.rmtree(evidence_dir())
    shutil.rmtree(roster_dir())


def test_the_drill_brings_back_the_same_pages_and_files(app, db, client, drill, folders):
    before = responses(client, drill["requests"])
    evidence_before = {f.name: f.read_bytes() for f in evidence_dir().iterdir()}
    archive = folders / "backup.tar.gz"

    created = run(app, db, "create", str(archive))
    assert created.exit_code == 0, created.output
    assert "2 evidence files, 1 stored rosters" in created.output
    assert archive.stat().st_mode & 0o077 == 0   # owner only: it holds everyone's data
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "manifest.json"
    assert manifest["database_backend"] == db.engine.dialect.name and manifest["app_version"] == "0.1.0"
    assert manifest["alembic_revision"] == code_revision()
    assert {f["path"] for f in manifest["files"]} == set(names[1:])
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"])

    wipe(db)
    assert not evidence_dir().exists() or not any(evidence_dir().iterdir())

    restored = run(app, db, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "This restore replaces" not in restored.output   # an empty database is not asked about
    assert "2 evidence files, 1 stored rosters" in restored.output
    assert responses(client, drill["requests"]) == before
    assert {f.name: f.read_bytes() for f in evidence_dir().iterdir()} == evidence_before
    roster = drill["roster"]
    assert rosters.stored_upload(roster.stored_name, roster.filename, roster.digest).content == ROSTER_CSV
    assert not [p for p in evidence_dir().parent.iterdir() if p.name.startswith(".")]   # no leftovers

    # Over a database with data: says what it replaces, and needs --force (or a yes).
    refused = run(app, db, "restore", str(archive))
    assert refused.exit_code == 1
    assert "the database (" in refused.output and "people: 3" in refused.output
    assert "2 evidence files in" in refused.output and "Run again with --force" in refused.output
    said_no = run(app, db, "restore", str(archive), input="n\n")
    assert said_no.exit_code == 1 and "Nothing was restored." in said_no.output
    forced = run(app, db, "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    assert responses(client, drill["requests"]) == before


def rewrite(archive: Path, target: Path, change) -> None:
    """Copy the archive member by member; `change(name, data)` returns the new bytes."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_a_changed_archive_is_refused_naming_the_file_and_nothing_moves(app, db, client, drill, folders):
    before = responses(client, drill["requests"])
    archive = folders / "backup.tar.gz"
    assert run(app, db, "create", str(archive)).exit_code == 0
    evidence_name = sorted(f.name for f in evidence_dir().iterdir())[0]

    def flip_a_byte(name, data):
        if name != f"evidence/{evidence_name}":
            return data
        return data[:100] + bytes([data[100] ^ 1]) + data[101:]

    tampered = folders / "tampered.tar.gz"
    rewrite(archive, tampered, flip_a_byte)
    refused = run(app, db, "restore", "--force", str(tampered))
    assert refused.exit_code == 1
    assert f"evidence/{evidence_name}: its SHA-256 does not match the manifest" in refused.output
    assert "This restore replaces" not in refused.output   # refused before looking at the database

    damaged = folders / "damaged.tar.gz"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    refused = run(app, db, "restore", "--force", str(damaged))
    assert refused.exit_code == 1 and "the archive is damaged" in refused.output

    def older_schema(name, data):
        if name != "manifest.json":
            return data
        return json.dumps(json.loads(data) | {"alembic_revision": "2226f6802a50"}).encode()

    other_revision = folders / "other-revision.tar.gz"
    rewrite(archive, other_revision, older_schema)
    refused = run(app, db, "restore", "--force", str(other_revision))
    assert refused.exit_code == 1
    assert f"the backup's schema revision is 2226f6802a50, this code's is {code_revision()}" in refused.output

    assert responses(client, drill["requests"]) == before


def test_create_refuses_to_overwrite_and_names_a_missing_folder(app, db, folders):
    existing = folders / "taken.tar.gz"
    existing.write_bytes(b"keep me")
    result = run(app, db, "create", str(existing))
    assert result.exit_code == 1 and "taken.tar.gz: already exists" in result.output
    assert existing.read_bytes() == b"keep me"
    result = run(app, db, "create", str(folders / "nowhere" / "b.tar.gz"))
    assert result.exit_code == 1 and "nowhere: no such folder" in result.output


def test_a_gzip_that_is_not_a_backup_is_refused(app, db, folders):
    bogus = folders / "bogus.tar.gz"
    bogus.write_bytes(gzip.compress(b"not a tar file at all" * 100))
    result = run(app, db, "restore", "--force", str(bogus))
    assert result.exit_code == 1 and "bogus.tar.gz:" in result.output
