"""The library folder: where its files live (every name defined here, once), and the lock that
allows one writer at a time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from amc_core.errors import LibraryError, LibraryLockedError

CATALOG_NAME = "catalog.sqlite3"  # SQLite (WAL): folders, photos, keywords, features, clicks
THUMBNAILS_NAME = "thumbnails"  # 256 px JPEGs keyed by content hash
VECTOR_GRAPH_NAME = "vectors.hnsw"  # the ANN graph over photo vectors
VECTOR_CODES_NAME = "vectors.codes.npz"  # its 8-bit copy of every vector
VECTOR_META_NAME = "vectors.json"  # its size and format
KEYWORD_VECTORS_NAME = "keywords.vectors"  # float32 vector of every vocabulary keyword
MODELS_NAME = "models"  # the user's fine-tuned ranking, when there is one
WRITE_LOCK_NAME = "write.lock"
FOLDERS_RECORD_NAME = "folders.json"  # a copy of the folder list, for `amc repair`
REPAIR_STATE_NAME = "repair-in-progress.json"  # where an interrupted `amc repair` goes on
REBUILDING_SUFFIX = ".rebuilding"  # the fresh catalog repair fills before it takes the place
# what only the user made (names, face answers, clicks, folders), rewritten after each change
# for `amc repair`; deliberately not named like the catalog, so nobody deletes it with it
USER_BACKUP_NAME = "user-data.backup.json"


@dataclass(frozen=True, slots=True)
class LibraryPaths:
    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / CATALOG_NAME

    @property
    def thumbnails(self) -> Path:
        return self.root / THUMBNAILS_NAME

    @property
    def vector_graph(self) -> Path:
        return self.root / VECTOR_GRAPH_NAME

    @property
    def vector_codes(self) -> Path:
        return self.root / VECTOR_CODES_NAME

    @property
    def keyword_vectors(self) -> Path:
        return self.root / KEYWORD_VECTORS_NAME

    @property
    def models(self) -> Path:
        return self.root / MODELS_NAME

    @property
    def write_lock(self) -> Path:
        return self.root / WRITE_LOCK_NAME

    @property
    def folders_record(self) -> Path:
        return self.root / FOLDERS_RECORD_NAME

    @property
    def user_backup(self) -> Path:
        return self.root / USER_BACKUP_NAME

    @property
    def repair_state(self) -> Path:
        return self.root / REPAIR_STATE_NAME

    @property
    def rebuilding_catalog(self) -> Path:
        return self.root / (CATALOG_NAME + REBUILDING_SUFFIX)

    def derived_vector_files(self) -> list[Path]:
        """Files made from the catalog's ids: stale once the catalog is rebuilt."""
        return [
            self.vector_graph, self.vector_codes, self.root / VECTOR_META_NAME,
            self.keyword_vectors,
        ]  # fmt: skip


def library_had_catalog(root: Path) -> bool:
    """Whether this library folder once held a catalog (its folder list or the user backup
    was written beside it): a missing catalog there is a lost one, not a new library."""
    return (root / FOLDERS_RECORD_NAME).is_file() or (root / USER_BACKUP_NAME).is_file()


def ensure_library_dir(root: Path) -> LibraryPaths:
    """Create the library folder (user-only permissions) if needed; fail with a clear message."""
    if root.exists() and not root.is_dir():
        raise LibraryError(f"the library path {root} exists but is not a folder")
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        (root / THUMBNAILS_NAME).mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"cannot create the library folder {root}: {exc.strerror}") from exc
    if not os.access(root, os.R_OK | os.X_OK):
        raise LibraryError(f"the library folder {root} is not readable")
    return LibraryPaths(root)


def restrict_to_user(path: Path) -> None:
    """Library files hold where a person's photos were taken: keep them private."""
    try:
        if path.exists():
            path.chmod(0o600)
    except OSError:
        pass  # a read-only or foreign-owned library still opens; permissions stay as they are


class WriteLock:
    """An exclusive, process-wide lock on a library for indexing and repairs.

    The OS releases it when the holder dies (even by kill -9), so a crash never
    leaves a library locked.
    """

    def __init__(self, paths: LibraryPaths, timeout: float = 0.0) -> None:
        import filelock  # only writers lock: a search never pays for importing it

        self._lock = filelock.FileLock(str(paths.write_lock), timeout=timeout)
        self._timeout_error = filelock.Timeout
        self._timeout = timeout

    def __enter__(self) -> WriteLock:
        try:
            self._lock.acquire()
        except self._timeout_error as exc:
            raise LibraryLockedError(
                "another program is updating this library right now "
                "(an `amc index` or the app); try again when it has finished"
            ) from exc
        except OSError as exc:
            raise LibraryError(f"cannot lock the library: {exc.strerror}") from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


def folder_size_bytes(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total
