"""Zip bombs and binary bytes in rosters (issue 12, items 9 and 12): a 1 MB roster zip that
inflated to 1 GB took 18 s and 2.26 GB of memory before it was refused. The reader now counts
the bytes that really come out and stops at the first chunk past a cap, naming the member."""

import io
import struct
import time
import tracemalloc
import zipfile

import pytest

from pdplanner.organisation.roster.read import RosterError, bundle_from_upload, read_roster

HEADER = b"email,given name,family name,role,school code,coach email\n"
ROW = b"ana@example.org,Ana,Silva,teacher,S1,\n"


def bomb(member: str = "users.csv", megabytes: int = 200, *, extra: dict | None = None) -> bytes:
    """A zip whose one CSV member deflates a roster header and `megabytes` of commas (about
    1,000 to 1, as deflate goes at most): it is streamed in, so the test itself stays small."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        with archive.open(member, "w", force_zip64=True) as stream:
            stream.write(HEADER)
            block = b"," * 2**20
            for _ in range(megabytes):
                stream.write(block)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_early_naming_the_member_without_unpacking_it():
    content = bomb(megabytes=150)   # under the 200 MB total its header declares
    assert len(content) < 1_000_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(RosterError) as refused:
        bundle_from_upload("district.zip", content)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert str(refused.value).startswith("district.zip: users.csv: unpacks to more than 100 times")
    assert "zip bomb" in str(refused.value)
    # Stopped after about 100 x its packed size, not 150 MB in.
    assert peak < 20 * 2**20, peak
    assert elapsed < 2, elapsed


def test_the_whole_zips_ratio_is_capped_across_members():
    """Many small members, each under the first free MB, still add up to a bomb."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(400):
            archive.writestr(f"part{i}.csv", HEADER + ROW * 2000)   # 76 KB each, packed to well under 1 KB
    with pytest.raises(RosterError, match=r"^district\.zip: part\d+\.csv: the zip unpacks to more than 100 "):
        bundle_from_upload("district.zip", buffer.getvalue())


def _lie_about_sizes(content: bytes, declared: int) -> bytes:
    """Rewrite every local and central header of a one-member zip to declare `declared` bytes."""
    data = bytearray(content)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def test_a_zip_that_understates_its_size_is_not_believed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", HEADER + ROW * 200_000)     # 7.6 MB of text, ~30 KB packed
    lying = _lie_about_sizes(buffer.getvalue(), declared=100)
    with pytest.raises(RosterError, match=r"^district\.zip: "):
        bundle_from_upload("district.zip", lying)


def test_a_real_roster_zip_still_reads():
    rows = b"".join(f"t{i}@example.org,T{i},Person{i},teacher,S{i % 40},\n".encode() for i in range(20_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("roster/people.csv", HEADER + rows)
    roster = read_roster(bundle_from_upload("district.zip", buffer.getvalue()))
    assert len(roster.people) == 20_000 and not roster.rejected


@pytest.mark.parametrize("where", ["csv", "zip"])
def test_a_nul_past_the_first_4096_bytes_is_refused_naming_the_line(where):
    body = HEADER + ROW * 200 + b"bo@example.org,B\x00o,Lee,teacher,S1,\n"
    assert body.index(b"\x00") > 4096
    name = "people.csv"
    if where == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("people.csv", body)
        body, name = buffer.getvalue(), "district.zip"
    with pytest.raises(RosterError) as refused:
        bundle_from_upload(name, body)
    assert str(refused.value) == "people.csv:202: the row holds a NUL character (U+0000), which is not text."
