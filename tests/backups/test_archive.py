"""The archive reader refuses anything that does not match its manifest, naming the file."""

import hashlib
import io
import json
import tarfile

import pytest

from pdplanner.backups.archive import BackupError, unpack_verified


def entry(path: str, data: bytes) -> dict:
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def build(tmp_path, members: list[tuple[str, bytes]], listed: list[dict], kind=tarfile.REGTYPE):
    manifest = {"format": "pdplanner-backup", "version": 1, "files": listed}
    archive = tmp_path / "a.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode())] + members:
            info = tarfile.TarInfo(name)
            info.size, info.type = len(data), kind if name != "manifest.json" else tarfile.REGTYPE
            if kind == tarfile.SYMTYPE and name != "manifest.json":
                info.size, info.linkname = 0, "/etc/passwd"
                data = b""
            tar.addfile(info, io.BytesIO(data))
    return archive


GOOD = ("evidence/abc", b"evidence bytes")


def test_a_matching_archive_unpacks(tmp_path):
    staging = tmp_path / "staging"
    manifest = unpack_verified(build(tmp_path, [GOOD], [entry(*GOOD)]), staging)
    assert manifest["files"] == [entry(*GOOD)]
    assert (staging / "evidence" / "abc").read_bytes() == b"evidence bytes"


@pytest.mark.parametrize("members,listed,message", [
    ([GOOD], [entry("evidence/abc", b"other bytes!!!")], "evidence/abc: its SHA-256 does not match"),
    ([GOOD], [entry("evidence/abc", b"short")], "evidence/abc: 14 bytes, but the manifest says 5"),
    ([GOOD, ("rosters/x", b"x")], [entry(*GOOD)], "rosters/x: in the archive but not in its manifest"),
    ([GOOD], [entry(*GOOD), entry("rosters/y", b"y")], "rosters/y: listed in the manifest but missing"),
    ([("../escape", b"x")], [entry("../escape", b"x")], "../escape: not a place a backup keeps files"),
    ([("evidence/a/b", b"x")], [entry("evidence/a/b", b"x")], "evidence/a/b: not a place"),
    ([("/etc/cron.d/x", b"x")], [entry("/etc/cron.d/x", b"x")], "/etc/cron.d/x: not a place"),
    ([GOOD, GOOD], [entry(*GOOD)], "evidence/abc: in the archive but not in its manifest"),
])
def test_a_mismatch_is_refused_naming_the_file(tmp_path, members, listed, message):
    with pytest.raises(BackupError, match=message.replace("(", r"\(").replace(".", r"\.")):
        unpack_verified(build(tmp_path, members, listed), tmp_path / "staging")


def test_links_are_refused(tmp_path):
    archive = build(tmp_path, [("evidence/link", b"")], [entry("evidence/link", b"")], kind=tarfile.SYMTYPE)
    with pytest.raises(BackupError, match="evidence/link: not a regular file"):
        unpack_verified(archive, tmp_path / "staging")
    assert not (tmp_path / "staging" / "evidence" / "link").exists()


def test_an_archive_without_a_manifest_first_is_refused(tmp_path):
    archive = tmp_path / "b.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("evidence/abc")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(BackupError, match="b.tar.gz: not a pdplanner backup"):
        unpack_verified(archive, tmp_path / "staging")
