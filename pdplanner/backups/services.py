"""Backup and restore (`flask --app wsgi backup create|restore PATH`): the database, the evidence
files (EVIDENCE_DIR) and the stored roster uploads (ROSTER_DIR) in one archive with a manifest
of checksums. A database-only restore would leave every evidence link pointing at nothing.

Restoring checks everything before it touches anything: every checksum, the backend, and that
the archive's schema revision is this code's. Then the database is replaced in one step
(SQLite's backup API, or pg_restore in one transaction), and each folder is unpacked beside the
live one and swapped in by a rename."""

import errno
import os
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, table, text

from pdplanner.assessments.evidence import evidence_dir
from pdplanner.assessments.models import EvidenceFile
from pdplanner.backups.archive import FORMAT, VERSION, BackupError, member_of, unpack_verified, write_archive
from pdplanner.backups.databases import copy_for
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.organisation.roster.read import roster_dir

ROOT = Path(__file__).resolve().parent.parent.parent
MIGRATIONS = ROOT / "migrations"
# What a restore names when it would replace a database that has data, in this order.
COUNTED_TABLES = {"districts": "districts", "users": "people", "ratings": "ratings",
                  "path_activities": "path activities", "evidence_files": "evidence files",
                  "audit_events": "audit events"}


def code_revision() -> str:
    """The schema revision this code expects: the head of migrations/."""
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    if len(heads) != 1:
        raise BackupError(f"migrations/ has {len(heads)} heads ({', '.join(heads)}): merge them first.")
    return heads[0]


def database_revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def app_version() -> str:
    try:
        return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _folders() -> dict[str, Path]:
    """Archive folder -> the live folder it mirrors."""
    return {"evidence": evidence_dir(), "rosters": roster_dir()}


@dataclass
class BackupSummary:
    path: Path
    size: int
    backend: str
    revision: str
    files: dict[str, int]
    missing_evidence: list[str] = field(default_factory=list)


def create_backup(target: Path) -> BackupSummary:
    """Write the archive to `target` (never over an existing file)."""
    engine = db.engine
    copy = copy_for(engine)
    revision, expected = database_revision(), code_revision()
    if revision != expected:
        raise BackupError(f"The database is at schema revision {revision or 'none'}, this code at "
                          f"{expected}: run `flask --app wsgi db upgrade` first, so that the backup "
                          f"can be restored.")
    if target.exists():
        raise BackupError(f"{target}: already exists; a backup never overwrites a file, choose a new name.")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder.")
    db.session.rollback()
    with TemporaryDirectory(dir=target.parent, prefix=".pdplanner-backup-") as work:
        # The database first: a file uploaded after its snapshot is an extra the restored database
        # never names; files are written once under new names, so none changes under us.
        dump = Path(work) / "database"
        copy.dump(engine, dump)
        sources = {copy.member: dump}
        for folder, live in _folders().items():
            sources |= {f"{folder}/{f.name}": f for f in sorted(live.iterdir()) if f.is_file()}
        try:
            members = [member_of(path, source) for path, source in sources.items()]
            manifest = {
                "format": FORMAT, "version": VERSION, "app_version": app_version(),
                "alembic_revision": revision, "database_backend": engine.dialect.name,
                "created_at": utcnow().isoformat().replace("+00:00", "Z"),
                "files": [m.document() for m in members],
            }
            write_archive(target, manifest, sources)
        except FileNotFoundError as exc:
            raise BackupError(f"{exc.filename}: removed while the backup was being written; "
                              f"run the backup again.") from None
    stored = {Path(p).name for p in sources if p.startswith("evidence/")}
    missing = sorted(set(db.session.scalars(select(EvidenceFile.stored_name))) - stored)
    db.session.rollback()
    return BackupSummary(target, target.stat().st_size, engine.dialect.name, revision,
                         {folder: sum(p.startswith(f"{folder}/") for p in sources) for folder in _folders()},
                         missing)


@dataclass
class Replaced:
    """What the current database and folders hold, which a restore replaces."""

    rows: dict[str, int]
    has_data: bool
    files: dict[str, int]

    @property
    def empty(self) -> bool:
        return not self.has_data and not any(self.files.values())

    def lines(self) -> list[str]:
        named = [f"{COUNTED_TABLES[t]}: {n:,}" for t, n in self.rows.items() if n]
        return ([f"the database ({', '.join(named) or 'tables with data'})"] if self.has_data else []) + [
            f"{n:,} {folder} file{'' if n == 1 else 's'} in {folder_path}"
            for (folder, n), folder_path in zip(self.files.items(), _folders().values(), strict=True) if n]


def what_a_restore_replaces() -> Replaced:
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    has_data = any(db.session.scalar(select(select(1).select_from(table(t)).exists()))
                   for t in sorted(tables))
    rows = {t: db.session.scalar(select(func.count()).select_from(table(t)))
            for t in COUNTED_TABLES if t in tables}
    db.session.rollback()
    return Replaced(rows, has_data, {folder: sum(1 for f in live.iterdir() if f.is_file())
                                     for folder, live in _folders().items()})


@dataclass
class RestoreSummary:
    manifest: dict
    files: dict[str, int]
    missing_evidence: list[str]


def restore_backup(source: Path, confirm: Callable[[Replaced], bool]) -> RestoreSummary:
    """Restore `source`. `confirm` is asked only when the database or folders hold data; when it
    says no, nothing changes."""
    engine = db.engine
    copy = copy_for(engine)
    folders = _folders()
    staging_parent = next(iter(folders.values())).parent
    with TemporaryDirectory(dir=staging_parent, prefix=".pdplanner-restore-") as work:
        staging = Path(work)
        manifest = unpack_verified(source, staging)
        _check_fits(manifest, engine.dialect.name, copy.member)
        replaced = what_a_restore_replaces()
        if not replaced.empty and not confirm(replaced):
            raise BackupError("Nothing was restored.")
        db.session.remove()
        copy.restore(engine, staging / copy.member)
        previous = [_swap_in(staging / folder, live) for folder, live in folders.items()]
        for old in previous:
            shutil.rmtree(old, ignore_errors=True)
    restored = {folder: sum(1 for f in live.iterdir() if f.is_file()) for folder, live in folders.items()}
    present = {f.name for f in folders["evidence"].iterdir()}
    missing = sorted(set(db.session.scalars(select(EvidenceFile.stored_name))) - present)
    db.session.rollback()
    return RestoreSummary(manifest, restored, missing)


def _check_fits(manifest: dict, backend: str, database_member: str) -> None:
    revision, expected = manifest.get("alembic_revision"), code_revision()
    if revision != expected:
        raise BackupError(
            f"manifest.json: the backup's schema revision is {revision}, this code's is {expected} "
            f"(backup made by pdplanner {manifest.get('app_version', 'unknown')} on "
            f"{manifest.get('created_at', 'an unknown date')}). Restore it with the release that made it, "
            f"then upgrade with `flask --app wsgi db upgrade`. Nothing was restored.")
    if manifest.get("database_backend") != backend:
        raise BackupError(f"manifest.json: a {manifest.get('database_backend')} backup cannot be restored "
                          f"into {backend}. Nothing was restored.")
    if not any(f["path"] == database_member for f in manifest["files"]):
        raise BackupError(f"{database_member}: missing from the archive. Nothing was restored.")


def _swap_in(staged: Path, live: Path) -> Path:
    """Put the staged folder where the live one is, by renames; return where the old one went.
    On another file system than the staging folder, it is copied beside the live one first."""
    staged.mkdir(exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    previous = live.with_name(f".{live.name}.before-restore-{stamp}")
    live.rename(previous)
    try:
        try:
            staged.rename(live)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            landing = live.with_name(f".{live.name}.restoring-{stamp}")
            shutil.copytree(staged, landing)
            os.rename(landing, live)
    except OSError as exc:
        previous.rename(live)
        raise BackupError(f"{live}: could not be replaced ({exc.strerror}); the database was restored "
                          f"but this folder was not. Fix it and restore again with --force.") from None
    return previous
