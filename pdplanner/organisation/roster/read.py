"""Roster readers: the simple CSV of SPEC section 7 and OneRoster 1.1 / 1.2 CSV bundles, from a
single CSV, a folder or a zip. No database here: a reader turns files into a `Roster` of
normalised people, each with the file and line it came from, plus the rows it rejected (with a
reason naming the field and value) and the rows it skipped (students, guardians ...).

Real files are messy, so the readers are lenient where meaning is not at stake: a BOM, CRLF,
every field quoted, header case and spacing, extension / `metadata.*` / unknown columns, trailing
empty header columns and ragged rows, missing optional files, manifest typos and empty values,
dates in several formats. They are strict where it is: an email, a role, a school.
"""

import csv
import hashlib
import io
import re
import secrets
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from flask import current_app

from pdplanner.accounts.models import Role

# Bytes a roster (a CSV, or a zip with everything inside it unpacked) may take: a district of
# 50,000 people is a few MB, so these leave room without letting a zip bomb fill the memory.
MAX_ROSTER_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# CSV text deflates to between a third and a thirtieth of its size; a zip bomb, a thousandth.
# Past the first MB (where tiny files may look extreme), a member or the whole zip unpacking to
# more than this many times its packed size is refused, as soon as the bytes read say so.
MAX_ZIP_RATIO = 100
RATIO_FREE_BYTES = 1024 * 1024
INFLATE_CHUNK = 64 * 1024

# Role words of the simple CSV and OneRoster (1.1 and 1.2), compared without case or spaces.
ROLE_WORDS = {
    "teacher": Role.TEACHER,
    "coach": Role.COACH,
    "principal": Role.PRINCIPAL,
    "administrator": Role.PRINCIPAL,
    "siteadministrator": Role.PRINCIPAL,
    "districtadministrator": Role.DISTRICT_ADMIN,
    "districtadmin": Role.DISTRICT_ADMIN,
}
# People pdplanner does not serve: counted and left out, never rejected.
SKIPPED_ROLE_WORDS = {"student", "guardian", "parent", "relative", "aide", "proctor", "counselor",
                      "systemadministrator"}
# OneRoster org types that are not a school a teacher or principal can belong to.
NON_SCHOOL_ORG_TYPES = {"district", "local", "state", "national"}

# At most 254 characters (RFC 5321's path limit, and the width of the email column).
EMAIL = re.compile(r"^(?=.{3,254}$)[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
SCHOOL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class RosterError(ValueError):
    """The input as a whole cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Org:
    """A OneRoster org: the school (or department) staff belong to."""

    sourced_id: str
    name: str
    type: str
    identifier: str


@dataclass(frozen=True)
class RosterPerson:
    """One person as the roster describes them. `schools` maps a school reference (an org's
    sourcedId for OneRoster, a school code for the simple CSV) to the role held there."""

    file: str
    line: int
    email: str
    given_name: str
    family_name: str
    sourced_id: str | None = None
    schools: dict[str, Role] = field(default_factory=dict)
    district_admin: bool = False
    coach_emails: tuple[str, ...] | None = None   # None: the roster does not say
    deactivate: bool = False                      # status tobedeleted/inactive or enabledUser false


@dataclass(frozen=True)
class Rejection:
    file: str
    line: int
    reason: str
    # Who the row was about, when the row said: they are not "missing" from the roster.
    email: str | None = None
    sourced_id: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class Roster:
    format: str
    full: bool
    people: list[RosterPerson] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)   # role word -> rows
    orgs: dict[str, Org] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)      # oddities that changed nothing


# -- files ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvFile:
    name: str
    content: bytes


class Bundle:
    """The CSV files of an upload, looked up by name without case."""

    def __init__(self, files: list[CsvFile]):
        self.files = {f.name.lower(): f for f in files}

    def get(self, name: str) -> CsvFile | None:
        return self.files.get(name.lower())

    def __len__(self) -> int:
        return len(self.files)


def bundle_from_path(path: Path) -> Bundle:
    """A CSV file, a zip or a folder of CSV files."""
    if path.is_dir():
        files = [_csv_file(p.name, p.read_bytes()) for p in sorted(path.iterdir())
                 if p.is_file() and p.suffix.lower() == ".csv"]
        if not files:
            raise RosterError(f"{path.name}: the folder has no .csv files.")
        if sum(len(f.content) for f in files) > MAX_UNPACKED_BYTES:
            raise RosterError(f"{path.name}: the files are larger than {MAX_UNPACKED_BYTES // 2**20} MB.")
        return Bundle(files)
    if not path.is_file():
        raise RosterError(f"{path}: no such file or folder.")
    if path.stat().st_size > MAX_ROSTER_BYTES:
        raise RosterError(f"{path.name}: larger than {MAX_ROSTER_BYTES // 2**20} MB.")
    return bundle_from_upload(path.name, path.read_bytes())


def bundle_from_upload(filename: str, content: bytes) -> Bundle:
    name = PurePosixPath(filename.replace("\\", "/")).name or "roster"
    if not content:
        raise RosterError(f"{name}: the file is empty.")
    if content.startswith(b"PK\x03\x04"):
        return _bundle_from_zip(name, content)
    if name.lower().endswith(".zip"):
        raise RosterError(f"{name}: this is not a zip file.")
    if b"\x00" in content[:4096]:
        raise RosterError(f"{name}: this is not a CSV file (it holds binary data).")
    return Bundle([_csv_file(name, content)])


def _csv_file(name: str, content: bytes) -> CsvFile:
    """A NUL anywhere (not only in the first 4,096 bytes, where binary files are told apart) is
    refused naming the line: no text column can hold one (PostgreSQL refuses it)."""
    nul = content.find(b"\x00")
    if nul >= 0:
        line = content.count(b"\n", 0, nul) + 1
        raise RosterError(f"{name}:{line}: the row holds a NUL character (U+0000), which is not text.")
    return CsvFile(name, content)


def _bundle_from_zip(name: str, content: bytes) -> Bundle:
    """The CSV members of a zip, unpacked while counting the bytes that really come out (the
    sizes a zip declares are the attacker's to write): the total, each member's ratio to its
    packed size and the whole zip's ratio are capped, and the first chunk past a cap stops it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = [m for m in archive.infolist() if not m.is_dir()
                   and m.filename.lower().endswith(".csv") and not m.filename.startswith("__MACOSX/")]
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise RosterError(f"{name}: unpacked, it is larger than {MAX_UNPACKED_BYTES // 2**20} MB.")
        files, unpacked = [], 0
        for member in members:
            chunks, size = [], 0
            with archive.open(member) as stream:
                while chunk := stream.read(INFLATE_CHUNK):
                    size += len(chunk)
                    unpacked += len(chunk)
                    _refuse_a_bomb(name, member, size, unpacked, len(content))
                    chunks.append(chunk)
            # Bundles are zipped flat or inside one folder: the file name is what counts.
            files.append(_csv_file(PurePosixPath(member.filename).name, b"".join(chunks)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise RosterError(f"{name}: the zip cannot be read ({exc}).") from None
    if not files:
        raise RosterError(f"{name}: the zip holds no .csv files.")
    names = [f.name.lower() for f in files]
    if len(set(names)) != len(names):
        raise RosterError(f"{name}: the zip holds two files with the same name in different folders.")
    return Bundle(files)


def _refuse_a_bomb(name: str, member: zipfile.ZipInfo, size: int, unpacked: int, packed: int) -> None:
    where = f"{name}: {member.filename}"
    if unpacked > MAX_UNPACKED_BYTES:
        raise RosterError(f"{where}: unpacked, the zip is larger than {MAX_UNPACKED_BYTES // 2**20} MB "
                          "(more than its header says). Nothing was imported.")
    if size > RATIO_FREE_BYTES and size > MAX_ZIP_RATIO * max(member.compress_size, 1):
        raise RosterError(f"{where}: unpacks to more than {MAX_ZIP_RATIO} times its packed size, "
                          "which no roster does (a zip bomb?). Nothing was imported.")
    if unpacked > RATIO_FREE_BYTES and unpacked > MAX_ZIP_RATIO * packed:
        raise RosterError(f"{where}: the zip unpacks to more than {MAX_ZIP_RATIO} times its size, "
                          "which no roster does (a zip bomb?). Nothing was imported.")


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]   # normalised header -> stripped value

    def get(self, *keys: str) -> str:
        for key in keys:
            if key in self.values:
                return self.values[key]
        return ""


def header_key(text: str) -> str:
    """'Given name', 'given_name', 'givenName' and ' GIVENNAME ' are one column."""
    return re.sub(r"[\s_\-]", "", text).lower()


def _text(f: CsvFile) -> str:
    try:
        return f.content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet programs still save "CSV" as Windows-1252.
        return f.content.decode("cp1252", errors="replace")


def read_csv(f: CsvFile) -> tuple[list[str], list[CsvRow]]:
    """The normalised header and the rows, each with the line it starts on. Empty header
    columns and the values under them are dropped; blank lines are skipped."""
    reader = csv.reader(io.StringIO(_text(f), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError(f"{f.name}: the file is empty.") from None
    except csv.Error as exc:
        raise RosterError(f"{f.name}:1: the header cannot be read ({exc}).") from None
    keys = [header_key(h) for h in header]
    rows: list[CsvRow] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            if any(v.strip() for v in values):
                rows.append(CsvRow(start, {k: v.strip() for k, v in zip(keys, values, strict=False) if k}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(f"{f.name}:{start}: the row cannot be read ({exc}).") from None
    return [k for k in keys if k], rows


def parse_roster_date(text: str) -> date | None:
    """The date of a OneRoster value in any of the forms real files use: ISO dates and datetimes
    (with or without Z, fractions or a space), and day-first D/M/YYYY as in
    `15/06/2023` (month-first when the day-first reading is impossible). None when empty;
    ValueError when it is not a date."""
    text = text.strip()
    if not text:
        return None
    iso = text.replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        return datetime.fromisoformat(iso).date()
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if match:
        first, second, year = (int(g) for g in match.groups())
        for day, month in ((first, second), (second, first)):
            try:
                return date(year, month, day)
            except ValueError:
                continue
    raise ValueError(text)


def _date_problem(row: CsvRow, *columns: str) -> str | None:
    """Dates decide nothing here (a bulk roster lists current roles), but a value that is no
    date at all means the columns are not what the header says."""
    for column in columns:
        try:
            parse_roster_date(row.get(header_key(column)))
        except ValueError:
            return f"{column}: {row.get(header_key(column))!r} is not a date."
    return None


def _split_list(text: str) -> list[str]:
    """A comma (or semicolon) list inside one field: "a,b", "a, b", "a;b"."""
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


# -- the simple CSV ------------------------------------------------------------------------

SIMPLE_COLUMNS = {
    "email": ("email", "emailaddress"),
    "given_name": ("givenname", "firstname"),
    "family_name": ("familyname", "lastname", "surname"),
    "role": ("role",),
    "school_code": ("schoolcode", "school", "schoolcodes"),
    "coach_email": ("coachemail", "coach", "coachemails"),
}


def simple_template(school_code: str) -> str:
    """A simple-CSV roster to fill in: the header this reader looks for (SIMPLE_COLUMNS, so the
    two cannot drift) and one example teacher at `school_code`, a school of the district, so the
    template itself imports. Its coach column is empty: an empty cell leaves coaches as they are."""
    example = {"email": "alex.rivera@example.org", "given_name": "Alex", "family_name": "Rivera",
               "role": "teacher", "school_code": school_code, "coach_email": ""}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SIMPLE_COLUMNS)
    writer.writerow(example[column] for column in SIMPLE_COLUMNS)
    return out.getvalue()


def _is_simple(bundle: Bundle) -> bool:
    if len(bundle) != 1:
        return False
    [only] = bundle.files.values()
    header, _ = read_csv(only)
    return "email" in header and "role" in header and "sourcedid" not in header


def read_simple(bundle: Bundle, *, partial: bool = False) -> Roster:
    [f] = bundle.files.values()
    header, rows = read_csv(f)
    missing = [name for name, keys in SIMPLE_COLUMNS.items()
               if name not in ("coach_email", "school_code") and not set(keys) & set(header)]
    if missing:
        raise RosterError(f"{f.name}:1: the header has no {', '.join(missing)} column "
                          f"(expected: {', '.join(SIMPLE_COLUMNS)}).")
    roster = Roster(format="Simple CSV", full=not partial)
    if partial:
        roster.notes.append("Partial roster: people who are not in it stay as they are.")
    seen: dict[str, int] = {}
    for row in rows:
        person_or_reason = _simple_person(f.name, row, header)
        if isinstance(person_or_reason, str):
            if person_or_reason.startswith("skip:"):
                roster.skipped[person_or_reason[5:]] += 1
                continue
            roster.rejected.append(Rejection(f.name, row.line, person_or_reason,
                                             email=row.get(*SIMPLE_COLUMNS["email"]).lower() or None))
            continue
        if person_or_reason.email in seen:
            roster.rejected.append(Rejection(f.name, row.line, f"email: {person_or_reason.email} is "
                                             f"already on line {seen[person_or_reason.email]}."))
            continue
        seen[person_or_reason.email] = row.line
        roster.people.append(person_or_reason)
    return roster


def _simple_person(file: str, row: CsvRow, header: list[str]) -> RosterPerson | str:
    """The person on a simple-CSV row, or the reason it is rejected ('skip:<role>' to skip)."""
    role_word = row.get("role")
    key = header_key(role_word)
    if key in SKIPPED_ROLE_WORDS:
        return f"skip:{key}"
    role = ROLE_WORDS.get(key)
    if role is None:
        return (f"role: {role_word!r} is not a role here (use teacher, coach, principal or "
                f"district_admin)." if role_word else "role: empty.")
    email = row.get(*SIMPLE_COLUMNS["email"]).lower()
    if not EMAIL.match(email):
        return f"email: {email!r} is not an email address." if email else "email: empty."
    given, family = row.get(*SIMPLE_COLUMNS["given_name"]), row.get(*SIMPLE_COLUMNS["family_name"])
    if not given:
        return "given name: empty."
    if len(given) > 100 or len(family) > 100:
        return "name: longer than 100 characters."
    codes = [c.upper() for c in _split_list(row.get(*SIMPLE_COLUMNS["school_code"]))]
    if role == Role.DISTRICT_ADMIN:
        codes = []
    elif not codes:
        return f"school code: empty; a {role.label.lower()} needs a school."
    bad_code = next((c for c in codes if not SCHOOL_CODE.match(c)), None)
    if bad_code:
        return f"school code: {bad_code!r} is not a school code."
    coach_text = row.get(*SIMPLE_COLUMNS["coach_email"])
    coaches = tuple(c.lower() for c in _split_list(coach_text))
    bad_coach = next((c for c in coaches if not EMAIL.match(c)), None)
    if bad_coach:
        return f"coach email: {bad_coach!r} is not an email address."
    if email in coaches:
        return f"coach email: {email} cannot coach themself."
    if coaches and role not in (Role.TEACHER, Role.COACH):
        return f"coach email: only teachers and coaches have a coach, and {email} is a {role.label.lower()}."
    has_coach_column = bool(set(SIMPLE_COLUMNS["coach_email"]) & set(header))
    return RosterPerson(
        file=file, line=row.line, email=email, given_name=given, family_name=family,
        schools=dict.fromkeys(codes, role), district_admin=role == Role.DISTRICT_ADMIN,
        # An empty coach cell leaves the person's coaches as they are.
        coach_emails=coaches if has_coach_column and coaches else None,
    )


# -- OneRoster -----------------------------------------------------------------------------

MANIFEST_MODES = {"bulk", "delta", "absent"}


@dataclass
class Manifest:
    version: str | None = None
    files: dict[str, str] = field(default_factory=dict)   # lower-case file stem -> bulk/delta/absent
    present: bool = False


def read_manifest(bundle: Bundle, notes: list[str]) -> Manifest:
    f = bundle.get("manifest.csv")
    manifest = Manifest()
    if f is None:
        return manifest
    manifest.present = True
    _, rows = read_csv(f)
    for row in rows:
        name, value = row.get("propertyname").strip(), row.get("value").strip().lower()
        key = name.lower()
        if key == "oneroster.version":
            manifest.version = value
        elif key.startswith("file."):
            if value and value not in MANIFEST_MODES:
                notes.append(f"{f.name}:{row.line}: {name} has the unknown value {value!r}; ignored.")
            manifest.files[key[5:]] = value if value in MANIFEST_MODES else "absent"
        elif not key.startswith(("source.", "manifest.")):
            notes.append(f"{f.name}:{row.line}: unknown property {name!r}; ignored.")
    for stem, mode in sorted(manifest.files.items()):
        if mode in ("bulk", "delta") and bundle.get(f"{stem}.csv") is None:
            notes.append(f"manifest.csv lists {stem}.csv as {mode} but the bundle has no {stem}.csv.")
    return manifest


def _oneroster_version(bundle: Bundle) -> str | None:
    if bundle.get("users.csv") is None:
        return None
    manifest = read_manifest(bundle, [])
    if manifest.version:
        return "1.2" if manifest.version.startswith("1.2") else "1.1"
    header, _ = read_csv(bundle.get("users.csv"))
    return "1.2" if "role" not in header and bundle.get("roles.csv") is not None else "1.1"


def _is_oneroster(version: str):
    return lambda bundle: _oneroster_version(bundle) == version


def read_orgs(bundle: Bundle, roster: Roster) -> None:
    f = bundle.get("orgs.csv")
    if f is None:
        return
    _, rows = read_csv(f)
    for row in rows:
        sourced_id = row.get("sourcedid")
        if not sourced_id:
            roster.notes.append(f"{f.name}:{row.line}: an org without a sourcedId; ignored.")
            continue
        roster.orgs[sourced_id] = Org(sourced_id, row.get("name") or sourced_id,
                                      row.get("type").lower(), row.get("identifier"))


def _mode(manifest: Manifest, roster: Roster) -> bool:
    """Whether the users file is a full (bulk) roster."""
    users_mode = manifest.files.get("users")
    if not manifest.present:
        roster.notes.append("No manifest.csv: read as a partial roster, so nobody is deactivated.")
        return False
    if users_mode == "delta":
        roster.notes.append("users.csv is a delta: people who are not in it stay as they are.")
        return False
    if users_mode != "bulk":
        roster.notes.append("manifest.csv does not say file.users is bulk: read as a partial roster, "
                            "so nobody is deactivated.")
        return False
    return True


@dataclass
class _UserRow:
    row: CsvRow
    sourced_id: str
    email: str
    given_name: str
    family_name: str
    deactivate: bool


def _user_row(file: str, row: CsvRow) -> _UserRow | str:
    sourced_id = row.get("sourcedid")
    if not sourced_id:
        return "sourcedId: empty."
    problem = _date_problem(row, "dateLastModified")
    if problem:
        return problem
    status = row.get("status").lower()
    enabled = row.get("enableduser").lower()
    return _UserRow(row, sourced_id, row.get("email").lower(), row.get("givenname"),
                    row.get("familyname"),
                    deactivate=status in ("tobedeleted", "inactive") or enabled in ("false", "0", "no"))


def _person(file: str, user: _UserRow, schools: dict[str, Role], district_admin: bool) -> RosterPerson | str:
    if not EMAIL.match(user.email):
        return (f"email: {user.email!r} is not an email address." if user.email else
                f"email: empty; {user.sourced_id} cannot sign in without one.")
    if not user.given_name and not user.family_name:
        return "givenName and familyName: both empty."
    if len(user.given_name) > 100 or len(user.family_name) > 100:
        return "name: longer than 100 characters."
    return RosterPerson(file=file, line=user.row.line, email=user.email,
                        given_name=user.given_name or user.family_name, family_name=user.family_name,
                        sourced_id=user.sourced_id, schools=schools, district_admin=district_admin,
                        deactivate=user.deactivate)


def _add_role(schools: dict[str, Role], org: str, role: Role) -> None:
    """One role per school: the widest the roster gives there."""
    rank = {Role.TEACHER: 0, Role.COACH: 1, Role.PRINCIPAL: 2}
    if org not in schools or rank[role] > rank[schools[org]]:
        schools[org] = role


def _check_orgs(roster: Roster, orgs: list[str], role: Role) -> str | None:
    """Why these orgs cannot hold this role, if they cannot. Orgs missing from orgs.csv are
    checked against the district's schools later, when there is a database."""
    if not orgs:
        return f"a {role.label.lower()} needs a school, and orgSourcedIds is empty."
    for org in orgs:
        known = roster.orgs.get(org)
        if known is not None and known.type in NON_SCHOOL_ORG_TYPES:
            return (f"orgSourcedIds: {org!r} is a {known.type}, not a school, so it cannot have a "
                    f"{role.label.lower()}.")
    return None


def _unique(roster: Roster, people: list[tuple[RosterPerson, str]]) -> None:
    seen_email: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    for person, file in people:
        if person.email in seen_email:
            roster.rejected.append(Rejection(file, person.line, f"email: {person.email} is already on line "
                                             f"{seen_email[person.email]}.", sourced_id=person.sourced_id))
        elif person.sourced_id in seen_id:
            roster.rejected.append(Rejection(file, person.line, f"sourcedId: {person.sourced_id} is already "
                                             f"on line {seen_id[person.sourced_id]}.", email=person.email))
        else:
            seen_email[person.email] = seen_id[person.sourced_id] = person.line
            roster.people.append(person)


def read_oneroster_11(bundle: Bundle, **_) -> Roster:
    """OneRoster 1.1 (and 1.0): each user's role and orgs are on their users.csv row."""
    roster = Roster(format="OneRoster 1.1", full=False)
    manifest = read_manifest(bundle, roster.notes)
    roster.full = _mode(manifest, roster)
    read_orgs(bundle, roster)
    f = bundle.get("users.csv")
    header, rows = read_csv(f)
    if "role" not in header:
        raise RosterError(f"{f.name}:1: no role column. A OneRoster 1.2 bundle gives roles in roles.csv: "
                          "check the manifest's oneroster.version.")
    people = []
    for row in rows:
        user = _user_row(f.name, row)
        if isinstance(user, str):
            roster.rejected.append(Rejection(f.name, row.line, user, email=row.get("email").lower() or None))
            continue
        role_word = row.get("role")
        key = header_key(role_word)
        if key in SKIPPED_ROLE_WORDS:
            roster.skipped[key] += 1
            continue
        role = ROLE_WORDS.get(key) if key != "coach" else None
        reason = None
        if role is None:
            reason = f"role: {role_word!r} is not a OneRoster role." if role_word else "role: empty."
        orgs = _split_list(row.get("orgsourcedids", "orgsourcedid"))
        if reason is None and role != Role.DISTRICT_ADMIN:
            reason = _check_orgs(roster, orgs, role)
        admin = role == Role.DISTRICT_ADMIN
        person = reason or _person(f.name, user, {} if admin else dict.fromkeys(orgs, role), admin)
        if isinstance(person, str):
            roster.rejected.append(Rejection(f.name, row.line, person, email=user.email or None,
                                             sourced_id=user.sourced_id))
        else:
            people.append((person, f.name))
    _unique(roster, people)
    return roster


def read_oneroster_12(bundle: Bundle, **_) -> Roster:
    """OneRoster 1.2: users.csv names people; roles.csv gives each their roles in orgs."""
    roster = Roster(format="OneRoster 1.2", full=False)
    manifest = read_manifest(bundle, roster.notes)
    roster.full = _mode(manifest, roster)
    read_orgs(bundle, roster)
    roles_file = bundle.get("roles.csv")
    if roles_file is None:
        raise RosterError("roles.csv: missing. A OneRoster 1.2 bundle gives people their roles in roles.csv.")
    users_file = bundle.get("users.csv")
    _, user_rows = read_csv(users_file)
    users: dict[str, _UserRow] = {}
    for row in user_rows:
        user = _user_row(users_file.name, row)
        if isinstance(user, str):
            roster.rejected.append(Rejection(users_file.name, row.line, user,
                                             email=row.get("email").lower() or None))
        elif user.sourced_id in users:
            roster.rejected.append(Rejection(users_file.name, row.line, f"sourcedId: {user.sourced_id} is "
                                             f"already on line {users[user.sourced_id].row.line}."))
        else:
            users[user.sourced_id] = user
    granted: dict[str, dict[str, Role]] = {}
    admins: set[str] = set()
    skipped_roles: dict[str, str] = {}
    _, role_rows = read_csv(roles_file)
    for row in role_rows:
        user_id, role_word = row.get("usersourcedid"), row.get("role")
        key = header_key(role_word)
        reason = _date_problem(row, "beginDate", "endDate")
        if reason is None and user_id not in users:
            reason = f"userSourcedId: {user_id!r} is not in users.csv." if user_id else "userSourcedId: empty"
        if reason is None and row.get("status").lower() == "tobedeleted":
            continue
        if reason is None and key in SKIPPED_ROLE_WORDS:
            skipped_roles.setdefault(user_id, key)
            continue
        role = ROLE_WORDS.get(key) if key != "coach" else None
        if reason is None and role is None:
            reason = f"role: {role_word!r} is not a OneRoster role." if role_word else "role: empty."
        if reason is None and role != Role.DISTRICT_ADMIN:
            reason = _check_orgs(roster, _split_list(row.get("orgsourcedid")), role)
        if reason:
            user = users.get(user_id)
            roster.rejected.append(Rejection(roles_file.name, row.line, reason, sourced_id=user_id or None,
                                             email=user.email if user else None))
            continue
        if role == Role.DISTRICT_ADMIN:
            admins.add(user_id)
        else:
            for org in _split_list(row.get("orgsourcedid")):
                _add_role(granted.setdefault(user_id, {}), org, role)
    rejected_users = {r.sourced_id for r in roster.rejected if r.file == roles_file.name}
    people = []
    for sourced_id, user in users.items():
        if sourced_id not in granted and sourced_id not in admins:
            if sourced_id in skipped_roles:
                roster.skipped[skipped_roles[sourced_id]] += 1
            elif sourced_id not in rejected_users:
                roster.rejected.append(Rejection(users_file.name, user.row.line,
                                                 f"roles.csv gives {sourced_id} no role.",
                                                 email=user.email or None, sourced_id=sourced_id))
            continue
        person = _person(users_file.name, user, granted.get(sourced_id, {}), sourced_id in admins)
        if isinstance(person, str):
            roster.rejected.append(Rejection(users_file.name, user.row.line, person,
                                             email=user.email or None, sourced_id=sourced_id))
        else:
            people.append((person, users_file.name))
    _unique(roster, people)
    return roster


@dataclass(frozen=True)
class RosterFormat:
    name: str
    detect: object    # Bundle -> bool
    read: object      # (Bundle, partial=bool) -> Roster


# Tried in order; the first that recognises the files reads them.
FORMATS = [
    RosterFormat("OneRoster 1.2", _is_oneroster("1.2"), read_oneroster_12),
    RosterFormat("OneRoster 1.1", _is_oneroster("1.1"), read_oneroster_11),
    RosterFormat("Simple CSV", _is_simple, read_simple),
]


def read_roster(bundle: Bundle, *, partial: bool = False) -> Roster:
    """Read whichever format the files are. `partial` marks a simple CSV as not the whole
    district (OneRoster says so itself, in its manifest)."""
    for roster_format in FORMATS:
        if roster_format.detect(bundle):
            return roster_format.read(bundle, partial=partial)
    names = ", ".join(sorted(f.name for f in bundle.files.values()))
    raise RosterError(f"{names}: not a roster. Expected a CSV with the columns email, given name, "
                      "family name, role, school code, coach email; or a OneRoster bundle with users.csv.")


# -- uploads -------------------------------------------------------------------------------
# An uploaded roster is kept between its preview and the click on Apply, outside the web root
# under a generated name; Apply names the upload and the SHA-256 of what the preview read, so
# the import applied is the one previewed.

STORED_NAME = re.compile(r"^[0-9a-f]{32}$")
KEEP_UPLOADS_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StoredRoster:
    stored_name: str
    filename: str
    digest: str
    content: bytes

    def bundle(self) -> Bundle:
        return bundle_from_upload(self.filename, self.content)

    def remove(self) -> None:
        (roster_dir() / self.stored_name).unlink(missing_ok=True)


def roster_dir() -> Path:
    path = Path(current_app.config["ROSTER_DIR"] or Path(current_app.instance_path) / "rosters")
    path.mkdir(parents=True, exist_ok=True)
    return path


def checked_upload(upload) -> tuple[str, bytes, Bundle]:
    """An uploaded file's name, content and files once its type and size pass and it opens as a
    CSV or a zip; otherwise RosterError. A name without an extension (an API client's part named
    "file", say) is told apart by its content."""
    filename = PurePosixPath((upload.filename or "roster.csv").replace("\\", "/")).name[:200]
    if PurePosixPath(filename).suffix.lower() not in ("", ".csv", ".zip"):
        raise RosterError(f"{filename}: upload a .csv file or a .zip of OneRoster .csv files.")
    limit = current_app.config["ROSTER_MAX_BYTES"]
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise RosterError(f"{filename}: larger than {limit // 2**20} MB.")
    return filename, content, bundle_from_upload(filename, content)


def store_upload(upload) -> StoredRoster:
    """Check an uploaded file (`checked_upload`) and keep it for the preview's Apply button."""
    filename, content, _ = checked_upload(upload)    # refuse what cannot be read before keeping it
    folder = roster_dir()
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - KEEP_UPLOADS_SECONDS:
            old.unlink(missing_ok=True)
    stored_name = secrets.token_hex(16)
    (folder / stored_name).write_bytes(content)
    return StoredRoster(stored_name, filename, hashlib.sha256(content).hexdigest(), content)


def stored_upload(stored_name: str, filename: str, digest: str) -> StoredRoster:
    """The upload a preview showed, unchanged, or RosterError."""
    path = roster_dir() / stored_name if STORED_NAME.match(stored_name or "") else None
    if path is None or not path.is_file():
        raise RosterError("This preview has expired: upload the roster again.")
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != digest:
        raise RosterError("The stored roster is not the one previewed: upload it again.")
    return StoredRoster(stored_name, PurePosixPath(filename.replace("\\", "/")).name or "roster.csv",
                        digest, content)
