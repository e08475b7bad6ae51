"""The backup archive: a tar.gz whose first member is manifest.json, listing every other member
with its size and SHA-256. Reading one verifies every member against the manifest while it is
unpacked into a staging folder, so nothing is restored from an archive that fails.

Standard library only: no Flask, no database."""

import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FORMAT = "pdplanner-backup"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 50 * 1024 * 1024
# The folders of an archive and what each holds; a member anywhere else is refused.
FOLDERS = ("database", "evidence", "rosters")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message names the file at fault."""


@dataclass(frozen=True)
class Member:
    path: str        # inside the archive: "evidence/3f2a..."
    size: int
    sha256: str

    def document(self) -> dict:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def member_of(path: str, source: Path) -> Member:
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Member(path, size, digest.hexdigest())


def check_member_path(path: str) -> str:
    """A member path that stays inside its folder: `<folder>/<name>`, nothing else."""
    parts = PurePosixPath(path).parts
    if (len(parts) != 2 or parts[0] not in FOLDERS or parts[1] in ("", ".", "..")
            or "\\" in path or path.startswith("/")):
        raise BackupError(f"{path}: not a place a backup keeps files ({', '.join(FOLDERS)}/<name>).")
    return path


def write_archive(target: Path, manifest: dict, sources: dict[str, Path]) -> None:
    """Write the archive next to `target` and move it into place only when complete, readable by
    its owner alone (it holds every person's data and password hashes)."""
    partial = target.with_name(f".{target.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(time.time())
            tar.addfile(info, io.BytesIO(body))
            for path, source in sources.items():
                info = tar.gettarinfo(str(source), arcname=path)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with source.open("rb") as stream:
                    tar.addfile(info, stream)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_manifest(tar: tarfile.TarFile, archive_name: str) -> tuple[dict, tarfile.TarInfo]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile() or first.size > MAX_MANIFEST_BYTES:
        raise BackupError(f"{archive_name}: not a pdplanner backup (its first file is not {MANIFEST}).")
    try:
        manifest = json.loads(tar.extractfile(first).read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST}: not valid JSON ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST}: not a pdplanner backup manifest (format is not {FORMAT!r}).")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{MANIFEST}: backup format version {manifest.get('version')!r}; "
                          f"this release reads version {VERSION}.")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("size"), int)
            and isinstance(f.get("sha256"), str) for f in files):
        raise BackupError(f"{MANIFEST}: its file list is malformed (each needs path, size, sha256).")
    return manifest, first


def unpack_verified(archive: Path, staging: Path) -> dict:
    """Unpack `archive` into `staging`, checking every member's size and SHA-256 against the
    manifest as it is read; return the manifest. Refuses (BackupError naming the file) a member
    that differs, is missing, is not in the manifest, is not a regular file, or lies outside
    the archive's folders."""
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed by the `with` below
    except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
        raise BackupError(f"{archive.name}: cannot be opened as a tar.gz archive ({exc}).") from None
    current = MANIFEST
    with tar:
        try:
            manifest, manifest_member = read_manifest(tar, archive.name)
            expected = {check_member_path(f["path"]): f for f in manifest["files"]}
            if len(expected) != len(manifest["files"]):
                raise BackupError(f"{MANIFEST}: lists a file twice.")
            seen = set()
            for member in tar:
                if member is manifest_member:
                    continue
                current = member.name
                if member.name not in expected or member.name in seen:
                    raise BackupError(f"{member.name}: in the archive but not in its manifest.")
                if not member.isfile():
                    raise BackupError(f"{member.name}: not a regular file (links and devices are refused).")
                _unpack_member(tar, member, expected[member.name], staging)
                seen.add(member.name)
        except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
            raise BackupError(f"{current}: cannot be read, the archive is damaged ({exc}).") from None
    missing = sorted(expected.keys() - seen)
    if missing:
        raise BackupError(f"{missing[0]}: listed in the manifest but missing from the archive.")
    return manifest


def _unpack_member(tar: tarfile.TarFile, member: tarfile.TarInfo, expected: dict, staging: Path) -> None:
    if member.size != expected["size"]:
        raise BackupError(f"{member.name}: {member.size:,} bytes, but the manifest says "
                          f"{expected['size']:,}; the archive is damaged or was changed.")
    target = staging / member.name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected["sha256"]:
        raise BackupError(f"{member.name}: its SHA-256 does not match the manifest; the archive is "
                          f"damaged or was changed.")
