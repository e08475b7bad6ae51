"""The declarative base, the naming convention, shared column types and SQLite hardening."""

from collections.abc import Mapping
from datetime import UTC, datetime

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from werkzeug.exceptions import BadRequest, UnprocessableEntity
from werkzeug.routing import IntegerConverter

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL compare the same way."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def enum_column(enum_class, length: int = 20) -> Enum:
    """An enum stored by its values as a checked string, not a native database enum, so adding
    a member needs no ALTER TYPE on PostgreSQL."""
    return Enum(enum_class, native_enum=False, length=length,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# Every id column is an INTEGER: PostgreSQL refuses a larger value with an error, and SQLite's
# driver overflows, so a larger id from a URL or a query must never reach a query.
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route names a row: 0 to ID_MAX, else the URL matches no route (404).
    The API's OpenAPI document shows the bound as the parameter's maximum."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=ID_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_argument(name: str, values=None) -> int | None:
    """The row id in query argument `name` (or in `values`, such as request.form): None when it
    is absent or empty. Anything but ASCII digits from 1 to ID_MAX is refused with a 400 naming
    the argument, never passed on: int() takes '١٢' and '0x', refuses '²' and 5,000 digits, and
    the database refuses (PostgreSQL) or overflows on (SQLite) what is beyond its INTEGER."""
    text = (request.args if values is None else values).get(name, "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= len(str(ID_MAX)) and 1 <= int(text) <= ID_MAX:
        return int(text)
    shown = text if len(text) <= 20 else text[:20] + "..."
    error = BadRequest()
    error.data = {"message": f"{name}: {shown!r} is not an id.",
                  "errors": {name: f"{shown!r} is not an id (a whole number from 1 to {ID_MAX})"}}
    raise error


def _nul_paths(value, path: str) -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for key, item in value.items()
                for p in _nul_paths(str(key), path) + _nul_paths(item, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_paths(item, f"{path}[{i}]")]
    return []


def refuse_nul_characters() -> None:
    """before_request: no text with a NUL character (U+0000) gets in. PostgreSQL's text columns
    cannot hold it (the query fails), so a search or a note carrying one would be a server error
    there and a stored oddity on SQLite; it is refused up front, naming the fields (422)."""
    sent = list(request.args.items(multi=True)) + list(request.form.items(multi=True))
    # An upload's file name is kept too (evidence shows its original name).
    sent += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    fields = [name for name, value in sent if "\x00" in name or "\x00" in value]
    if request.is_json:
        fields += _nul_paths(request.get_json(silent=True), "")
    if fields:
        error = UnprocessableEntity()
        error.data = {"message": "Nothing was changed: text may not contain a NUL character (U+0000).",
                      "errors": dict.fromkeys(fields, "contains a NUL character (U+0000)")}
        raise error


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for the configured database, with every wait bounded: a hanging
    or locked database answers an error within seconds instead of holding the worker (the
    errors become the 503 page). PostgreSQL: connect_timeout, and statement_timeout and
    lock_timeout for every session; SQLite: the busy timeout. Both: the pool's wait."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    options = {**config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if url.startswith("sqlite"):
        options["connect_args"] = {**options.get("connect_args", {}),
                                   "timeout": config["SQLITE_BUSY_TIMEOUT"]}
        return options
    options["pool_timeout"] = config["DATABASE_POOL_TIMEOUT"]
    if url.startswith("postgresql"):
        statement_ms = config["DATABASE_STATEMENT_TIMEOUT"] * 1000
        lock_ms = config["DATABASE_LOCK_TIMEOUT"] * 1000
        options["connect_args"] = {
            **options.get("connect_args", {}),
            "connect_timeout": config["DATABASE_CONNECT_TIMEOUT"],
            "options": f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}",
        }
    return options


def harden_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE for write transactions (the busy timeout is the
    driver's `timeout`, see engine_options).

    pysqlite's own transaction handling is switched off so the BEGIN we emit is the one used.
    A write request (or any CLI command) takes the write lock when its transaction starts, so
    two concurrent saves queue on the busy timeout instead of failing with "database is locked"
    when the second one upgrades its read lock. Read-only requests begin deferred and run in
    parallel under WAL, and so do a connection opened by `read_connection`, which a write
    request uses for what it reads before slow work such as hashing a password, and a write
    request that has said it `reads_only_from_here`.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        reading = (connection.get_execution_options().get("reading", False)
                   or (has_request_context() and request.method not in WRITE_METHODS)
                   or (has_app_context() and g.get("database_reads_only", False)))
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def read_connection(engine: Engine):
    """A connection of its own for what a write request reads before slow work (hashing a
    password): on SQLite it begins deferred, so it takes no write lock; close it (`with`) before
    the slow work starts."""
    return engine.connect().execution_options(reading=True)


def plain_rows(connection: Connection, statement, params: Mapping | None = None) -> list[tuple]:
    """The rows of a large read (a cycle's ratings) as the driver's own tuples, three times as fast
    as SQLAlchemy's row objects. The result's type processing is skipped too, so only for columns
    the driver returns as wanted: ids, numbers, and enums read as text (`type_coerce(..., String)`);
    SQLite returns a boolean as 0 or 1."""
    result = connection.execute(statement, params)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def reads_only_from_here(session) -> None:
    """For a write request (a POST) or a CLI command that writes nothing to the database from
    here on, such as a roster preview, which parses a file and reads the district: commit what
    it wrote so far
    (signing in with a token stamps the token's last use) and begin its further transactions
    deferred on SQLite, so that they hold no write lock and saves elsewhere go on meanwhile."""
    session.commit()
    g.database_reads_only = True
