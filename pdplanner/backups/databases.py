"""A consistent copy of the database, one way per backend (a registry by SQLAlchemy dialect).

SQLite: the online backup API (sqlite3.Connection.backup) copies the database page by page as
one consistent snapshot while the app keeps running, and restores the same way into the live
file, in one step that other connections see all at once.

PostgreSQL: pg_dump in its custom format and pg_restore. Chosen over a dump of every table
through SQLAlchemy because pg_dump reads in one repeatable-read snapshot (consistent without
stopping the app), keeps exactly what PostgreSQL holds (types, sequences and their values,
constraints, indexes, the alembic_version row) and is the tool PostgreSQL operators already
know; pg_restore --single-transaction restores all of it or nothing. The client tools must be on
PATH, in the server's major version or newer."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from pdplanner.backups.archive import BackupError


class SqliteCopy:
    member = "database/pdplanner.sqlite3"

    def dump(self, engine: Engine, target: Path) -> None:
        with engine.connect() as connection:
            source = connection.connection.driver_connection
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            except sqlite3.Error as exc:
                raise BackupError(f"The SQLite backup failed: {exc}.") from None
            finally:
                destination.close()

    def restore(self, engine: Engine, source_path: Path) -> None:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        try:
            try:
                verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{self.member}: not a SQLite database ({exc}).") from None
            if verdict != "ok":
                raise BackupError(f"{self.member}: SQLite's integrity check fails ({verdict}).")
            engine.dispose()
            with engine.connect() as connection:
                try:
                    source.backup(connection.connection.driver_connection)
                except sqlite3.Error as exc:
                    raise BackupError(f"{self.member}: could not be restored ({exc}); the database "
                                      f"is unchanged.") from None
        finally:
            source.close()
            engine.dispose()


class PostgresCopy:
    member = "database/pdplanner.pgdump"

    def dump(self, engine: Engine, target: Path) -> None:
        self._run("pg_dump", ["--format=custom", f"--file={target}"], engine)

    def restore(self, engine: Engine, source_path: Path) -> None:
        engine.dispose()   # our own idle connections must not hold locks the DROPs wait for
        self._run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges",
                                 "--single-transaction", "--exit-on-error", str(source_path)], engine)

    @staticmethod
    def _run(tool: str, arguments: list[str], engine: Engine) -> None:
        program = shutil.which(tool)
        if program is None:
            raise BackupError(f"{tool} is not on PATH: install the PostgreSQL client tools "
                              f"(the server's major version or newer) and try again.")
        url = engine.url
        connection = [f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}",
                      f"--username={url.username or 'postgres'}", f"--dbname={url.database}"]
        environment = os.environ | {"PGCONNECT_TIMEOUT": "10"}
        if url.password:   # through the environment: a command line is visible to every user in `ps`
            environment["PGPASSWORD"] = url.password
        done = subprocess.run([program, "--no-password", *connection, *arguments], env=environment,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}")


COPIES = {"sqlite": SqliteCopy(), "postgresql": PostgresCopy()}


def copy_for(engine: Engine) -> SqliteCopy | PostgresCopy:
    try:
        return COPIES[engine.dialect.name]
    except KeyError:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine.dialect.name}.") from None
