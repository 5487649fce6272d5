"""What an SQLite error means for the person whose library it is: one sentence, and whether
`amc repair` is the way out. Every command and the app pass their errors through here."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeGuard

from amc_core.errors import CatalogDamagedError, LibraryError

# Errors of the place the catalog lives, not of the catalog: repair would not help.
_STORAGE_ERRORS = {
    "SQLITE_FULL": "the disk that holds the library is full: free some space and run the "
    "command again (nothing saved so far is lost)",
    "SQLITE_READONLY": "the library folder is read-only: nothing can be saved to it",
    "SQLITE_BUSY": "the library is busy (another program is writing to it); try again",
    "SQLITE_LOCKED": "the library is busy (another program is writing to it); try again",
    "SQLITE_CANTOPEN": "the catalog cannot be opened: is the library folder readable and on a "
    "mounted disk?",
    "SQLITE_PERM": "the catalog cannot be opened: permission denied",
}


def damaged_message(catalog: Path | None, detail: str) -> str:
    """The one line every command prints for a damaged library."""
    named = f" {catalog}" if catalog is not None else ""
    return (
        f"the library's catalog{named} is damaged ({detail}); your photos are untouched: "
        "run `amc repair` to rebuild it"
    )


def storage_problem(exc: sqlite3.Error) -> LibraryError | None:
    """The storage's own trouble (full, read-only, busy, unreadable folder), or None."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    base = "_".join(name.split("_")[:2])  # SQLITE_READONLY_DBMOVED -> SQLITE_READONLY
    message = _STORAGE_ERRORS.get(base)
    return LibraryError(message) if message else None


def database_error(exc: sqlite3.Error, catalog: Path | None) -> LibraryError:
    """An SQLite error as the user's error: the storage's own trouble as such, everything
    else (malformed pages, a truncated file, a stale log, a missing table) as damage."""
    problem = storage_problem(exc)
    if problem is not None:
        if catalog is not None and not os.access(catalog.parent, os.W_OK):
            return LibraryError(
                f"the library folder {catalog.parent} is read-only (a read-only disk or "
                "permissions): the library needs to write its catalog there"
            )
        return problem
    return CatalogDamagedError(damaged_message(catalog, str(exc) or type(exc).__name__))


def is_database_error(exc: BaseException) -> TypeGuard[sqlite3.Error]:
    """An SQLite error about the data (not our own misuse of a connection)."""
    return isinstance(exc, sqlite3.Error) and not isinstance(
        exc, sqlite3.ProgrammingError | sqlite3.InterfaceError
    )


def file_problem(catalog: Path, thorough: bool = True) -> str | None:
    """What is wrong with the catalog file, or None when it is sound: the schema version,
    then SQLite's own check of every page (thorough: also every index, and the full-text
    index's own check; quick: the pages only). Busy or read-only is not damage: None."""
    from amc_core.store.schema import SCHEMA_VERSION

    try:
        conn = sqlite3.connect(catalog, timeout=5.0)  # read-write: FTS5's check is an INSERT
        try:
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                return f"written by a newer version (catalog version {version})"
            check = "integrity_check" if thorough else "quick_check"
            found = [str(r[0]) for r in conn.execute(f"PRAGMA {check}(20)") if r[0] != "ok"]
            if found:
                return "; ".join(found[:3])
            if thorough and version == SCHEMA_VERSION:
                conn.execute("INSERT INTO photo_text(photo_text) VALUES ('integrity-check')")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if storage_problem(exc) is not None:
            return None  # not for repair to fix
        return str(exc) or type(exc).__name__
    return None


def as_user_error(exc: BaseException, catalog: Path | None) -> BaseException:
    """An SQLite error from this catalog as the user's error; anything else (our own mistakes
    with a connection among them: a bug, not damage) as it is."""
    if is_database_error(exc):
        return database_error(exc, catalog)
    return exc


@contextmanager
def damage_as_error(catalog: Path) -> Iterator[None]:
    """Turn any SQLite error raised inside into the user's error about this catalog."""
    try:
        yield
    except sqlite3.Error as exc:
        error = as_user_error(exc, catalog)
        if error is exc:
            raise
        raise error from exc
