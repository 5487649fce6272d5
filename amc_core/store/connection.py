"""The catalog's connection: opening, one-transaction writes, and what every part of the
catalog shares (path encoding, chunked id queries, the photo columns)."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from amc_core.store.damage import storage_problem

PHOTO_COLUMNS = (
    "folder_id, path, size, mtime_ns, content_hash, format, width, height, taken_at, "
    "camera_make, camera_model, gps_lat, gps_lon, orientation, state, error, indexed_at"
)


def encode_path(path: str) -> bytes:
    return os.fsencode(path)


def decode_path(blob: bytes) -> str:
    return os.fsdecode(bytes(blob))


_P = ParamSpec("_P")
_R = TypeVar("_R")
_C = TypeVar("_C", bound="CatalogConnection")


def user_change(
    method: Callable[Concatenate[_C, _P], _R],
) -> Callable[Concatenate[_C, _P], _R]:
    """Marks a catalog method that changes what only the user made (names, face answers,
    clicks, folders): when the outermost such call returns (or fails), the user backup is
    rewritten, so that no caller can forget it (see amc_core.store.user_backup)."""

    @functools.wraps(method)
    def changed(self: _C, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        self._user_changes += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self._user_changes -= 1
            if self._user_changes == 0:
                self.user_data_changed()

    return changed


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CatalogConnection:
    """Owns the SQLite connection; the catalog's parts (queries, clicks, checks) build on it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._user_changes = 0  # user_change calls in progress (a rename may merge)

    def user_data_changed(self) -> None:
        """Called after every change of user-made data; the catalog backs them up."""

    @contextmanager
    def user_backup_deferred(self) -> Iterator[None]:
        """User changes made meanwhile do not rewrite the backup (a restore writes it once,
        at its end)."""
        self._user_changes += 1
        try:
            yield
        finally:
            self._user_changes -= 1

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; a full disk or a read-only library becomes one clear LibraryError
        and leaves the catalog as it was before the transaction."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            _raise_storage_problem(exc)
            raise
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):  # a damaged page may fail the rollback too
                    self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                _raise_storage_problem(exc)
            raise

    def _by_ids(self, select_where_id: str, ids: Sequence[int]) -> list[Any]:
        """`SELECT ... WHERE <id column>` + ` IN (...)`, in chunks SQLite accepts."""
        out: list[Any] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            out += self._conn.execute(f"{select_where_id} IN ({marks})", chunk).fetchall()
        return out

    @property
    def connection(self) -> sqlite3.Connection:
        """For read-only queries by engine modules (search); writes go through methods."""
        return self._conn


def _raise_storage_problem(exc: sqlite3.OperationalError) -> None:
    """A failed write because of the storage (full, read-only, busy) as one clear LibraryError;
    anything else stays the SQLite error (commands report it as damage)."""
    problem = storage_problem(exc)
    if problem is not None:
        raise problem from exc
