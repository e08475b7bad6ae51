"""Evidence uploads: size- and type-checked, stored outside the web root under generated names.

A file on disk follows its row: a file written in a transaction that rolls back is removed, and
the file of a row deleted through the session (a replaced upload) is removed once the deletion
commits, never before, so a failed transaction keeps every file its rows point to. Bulk
deletions (a person, a cycle) return their stored names and remove them after their commit."""

import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session
from werkzeug.datastructures import FileStorage

from pdplanner.accounts.models import User
from pdplanner.assessments.models import EvidenceFile
from pdplanner.extensions import db

# Session.info keys: stored names to remove when the transaction commits, or when it rolls back.
REMOVE_ON_COMMIT = "evidence_files_deleted"
REMOVE_ON_ROLLBACK = "evidence_files_written"

# Extension -> (content type, leading bytes the file must start with, or None when text-like).
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "txt": ("text/plain", None),
}


class EvidenceError(ValueError):
    pass


class EvidenceHolder(Protocol):
    """A row evidence hangs on: a rating, or a path activity (planning)."""

    evidence_file: EvidenceFile | None


def evidence_dir() -> Path:
    path = Path(current_app.config["EVIDENCE_DIR"] or Path(current_app.instance_path) / "evidence")
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_evidence(owner: User, upload: FileStorage) -> EvidenceFile:
    """Check and store an upload; the stored name is random, the original name is only shown."""
    original = Path(upload.filename or "").name[:255]
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if extension not in ALLOWED:
        raise EvidenceError(f"{original or 'The file'}: use one of {', '.join(sorted(ALLOWED))}.")
    content = upload.stream.read(current_app.config["EVIDENCE_MAX_BYTES"] + 1)
    if len(content) > current_app.config["EVIDENCE_MAX_BYTES"]:
        limit = current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024)
        raise EvidenceError(f"{original}: larger than {limit} MB.")
    if not content:
        raise EvidenceError(f"{original}: the file is empty.")
    content_type, magic = ALLOWED[extension]
    if magic is not None and not content.startswith(magic):
        raise EvidenceError(f"{original}: the content is not a .{extension} file.")
    if magic is None and b"\x00" in content:
        raise EvidenceError(f"{original}: a .txt file must be text.")
    stored_name = secrets.token_hex(16)
    (evidence_dir() / stored_name).write_bytes(content)
    db.session.info.setdefault(REMOVE_ON_ROLLBACK, []).append(stored_name)
    evidence = EvidenceFile(owner_id=owner.id, stored_name=stored_name, original_name=original,
                            content_type=content_type, size=len(content))
    db.session.add(evidence)
    db.session.flush()
    return evidence


def attach_evidence(holder: EvidenceHolder, owner: User, upload: FileStorage) -> EvidenceFile:
    """Store `upload` as the evidence of a rating or a path activity. A file it replaces is
    deleted with it: its row now, its file once the transaction commits (see the module's
    docstring), so nothing is left on disk that no page can reach."""
    replaced = holder.evidence_file
    holder.evidence_file = store_evidence(owner, upload)
    if replaced is not None:
        db.session.delete(replaced)
        db.session.flush()
    return holder.evidence_file


@event.listens_for(EvidenceFile, "after_delete")
def _remove_file_on_commit(mapper, connection, evidence: EvidenceFile) -> None:
    object_session(evidence).info.setdefault(REMOVE_ON_COMMIT, []).append(evidence.stored_name)


def _ending_the_transaction(session: Session) -> bool:
    """A savepoint's end is not the transaction's: files wait for the real commit or rollback."""
    return not session.in_nested_transaction()


@event.listens_for(Session, "after_commit")
def _remove_deleted_files(session: Session) -> None:
    if _ending_the_transaction(session):
        session.info.pop(REMOVE_ON_ROLLBACK, None)
        remove_evidence_files(session.info.pop(REMOVE_ON_COMMIT, []))


@event.listens_for(Session, "after_rollback")
def _remove_written_files(session: Session) -> None:
    if _ending_the_transaction(session):
        session.info.pop(REMOVE_ON_COMMIT, None)
        remove_evidence_files(session.info.pop(REMOVE_ON_ROLLBACK, []))


def evidence_path(evidence: EvidenceFile) -> Path:
    return evidence_dir() / evidence.stored_name


def remove_evidence_files(stored_names: list[str]) -> None:
    """Remove files from disk whose rows a committed transaction deleted (or a rolled-back one
    wrote). Called only after the commit, so a failed deletion keeps its files; a file that
    cannot be removed is logged and left, because the rows are already gone."""
    if not stored_names:
        return
    folder = evidence_dir()
    for name in stored_names:
        try:
            (folder / name).unlink(missing_ok=True)
        except OSError:
            current_app.logger.warning("Could not remove evidence file %s", name, exc_info=True)
