"""Opening the history database: WAL, foreign keys, the schema's migrations, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA_MIGRATIONS = 2  # how many migrations storage.schema defines (a test keeps them equal)


class StorageError(Exception):
    """The database cannot be opened or written; the message is one line for the user."""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open the database with foreign keys on; readonly refuses every write."""
    try:
        if readonly:
            if not path.exists():
                raise StorageError(f"{path}: no database yet (run `partnerwatch run` first)")
            uri = f"{path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            if not applied_migrations(conn):
                raise StorageError(f"{path}: not a partnerwatch database")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(f"{path}: cannot open database ({exc})") from None


READ_ONLY_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}


def _allow_reading(action: int, _arg1: str | None, arg2: str | None, *_: object) -> int:
    """An authorizer that lets queries read, call functions and ask pragmas, nothing else."""
    reading_pragma = action == sqlite3.SQLITE_PRAGMA and arg2 is None
    allowed = action in READ_ONLY_ACTIONS or reading_pragma
    return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY


def read_only(conn: sqlite3.Connection) -> sqlite3.Connection:
    """The connection, refusing from now on every statement that is not a read.

    A read-only open alone still lets `VACUUM INTO` and `ATTACH` create files elsewhere.
    """
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.set_authorizer(_allow_reading)
    return conn


def applied_migrations(conn: sqlite3.Connection) -> int:
    """How many schema migrations this database has had."""
    try:
        row = conn.execute(
            "select count(*) from _sqlite_migrations where migration_set = 'partnerwatch'"
        ).fetchone()
    except sqlite3.OperationalError:  # a new, empty database
        return 0
    return row[0]


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating or migrating) the history database for writing, in WAL mode."""
    conn = connect(path)
    try:
        if applied_migrations(conn) < SCHEMA_MIGRATIONS:
            from sqlite_utils import Database

            from storage.schema import migrations

            db = Database(conn, execute_plugins=False)
            db.enable_wal()
            migrations.apply(db)
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: cannot prepare database ({exc})") from None
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All of the block's writes, or (on any error, or a crash) none of them."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def one_snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Reads in the block all see the same state, whatever a run commits meanwhile."""
    conn.execute("BEGIN")  # deferred: a read transaction on WAL needs no lock against writers
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    """Insert one row (table and column names are the schema's own) and return its id."""
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = conn.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))
    return cursor.lastrowid


def update(conn: sqlite3.Connection, table: str, where: tuple[str, Any], values: dict) -> None:
    """Set `values` on the row(s) whose column where[0] equals where[1]."""
    assignments = ", ".join(f"{column} = ?" for column in values)
    conn.execute(
        f"update {table} set {assignments} where {where[0]} = ?", [*values.values(), where[1]]
    )
