"""The engine's front door: one Library object per library folder, used by the CLI and the app."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import struct
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from amc_core.describe.analysis import FEATURE_MODEL
from amc_core.errors import LibraryLockedError, UserInputError
from amc_core.index.run import Analyzer, IndexProgress, IndexReport, index_folders, unchanged
from amc_core.index.vectors import sync_vector_index
from amc_core.ingest.scan import scan_folder
from amc_core.settings import IndexSettings
from amc_core.store.catalog import Catalog
from amc_core.store.features import sparse_posteriors
from amc_core.store.layout import (
    LibraryPaths,
    WriteLock,
    ensure_library_dir,
    folder_size_bytes,
    restrict_to_user,
)
from amc_core.store.records import Folder, path_within
from amc_core.store.thumbnails import ThumbnailStore


@dataclass(frozen=True, slots=True)
class LibraryStatus:
    root: Path
    folders: list[str]
    photos: int
    failed: int
    pending: int
    size_bytes: int


def normalise_folder(path: str) -> str:
    """An absolute, symlink-free folder path, or a clear error."""
    expanded = os.path.expanduser(path)
    if not os.path.exists(expanded):
        raise UserInputError(f"folder not found: {path}")
    if not os.path.isdir(expanded):
        raise UserInputError(f"not a folder: {path}")
    if not os.access(expanded, os.R_OK | os.X_OK):
        raise UserInputError(f"folder not readable: {path}")
    return os.path.realpath(expanded)


class Library:
    """Owns a library's catalog and thumbnail store; indexing takes its write lock."""

    def __init__(self, root: Path, settings: IndexSettings | None = None) -> None:
        self.paths: LibraryPaths = ensure_library_dir(root)
        self.settings = settings or IndexSettings()
        self.catalog = Catalog.open(self.paths.catalog)
        restrict_to_user(self.paths.catalog)
        self.thumbnails = ThumbnailStore(self.paths.thumbnails)

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def folders(self) -> list[Folder]:
        return self.catalog.folders()

    def add_folders(self, paths: Sequence[str]) -> list[Folder]:
        with WriteLock(self.paths):
            added = [self.catalog.add_folder(normalise_folder(p)) for p in paths]
            self._remember_folders()
        known = {f.id for f in self.catalog.folders()}
        unique: dict[int, Folder] = {}
        for folder in added:
            # a folder added earlier in this call may have been absorbed by a later parent
            current = folder if folder.id in known else self._covering(folder.path)
            if current is not None:
                unique[current.id] = current
        return list(unique.values())

    def _covering(self, path: str) -> Folder | None:
        for folder in self.catalog.folders():
            if path_within(path, folder.path):
                return folder
        return None

    def remove_folder(self, path: str) -> int:
        folder = self.catalog.find_folder(os.path.realpath(os.path.expanduser(path)))
        if folder is None:
            raise UserInputError(f"not a folder of this library: {path}")
        with WriteLock(self.paths):
            removed = self.catalog.remove_folder(folder)
            self._remember_folders()
            self.thumbnails.collect_garbage(self.catalog.hashes_in_use())
            sync_vector_index(self.catalog, self.paths)
        return removed

    def forget_photos(self, photo_ids: Sequence[int], wait_for_lock_s: float = 30.0) -> int:
        """After their files went to the trash: the catalog, thumbnails and vector index
        forget these photos (the files themselves are the caller's business)."""
        with WriteLock(self.paths, timeout=wait_for_lock_s):
            removed = self.catalog.delete_photos(photo_ids)
            self.thumbnails.collect_garbage(self.catalog.hashes_in_use())
            sync_vector_index(self.catalog, self.paths)
        return removed

    def _remember_folders(self) -> None:
        """A copy of the folder list beside the catalog: if the catalog is ever damaged beyond
        use, `amc repair` rebuilds it from the folders (the photos are the source of truth)."""
        record = self.paths.folders_record
        tmp = record.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps([os.fsencode(f.path).hex() for f in self.catalog.folders()]))
            tmp.replace(record)
        except OSError:
            pass  # a convenience copy: the catalog itself stays the record

    def index(
        self,
        folders: Sequence[Folder] | None = None,
        analyzer: Analyzer | None = None,
        cancel: threading.Event | None = None,
        wait_for_lock_s: float = 0.0,
        faces: bool = True,
    ) -> Iterator[IndexProgress]:
        """Index the given folders (default: all), then (unless `faces` is False) run the
        faces pass; holds the write lock while it runs, and leaves the library complete: the
        vector index follows the catalog before "done"."""
        targets = list(folders) if folders is not None else self.catalog.folders()
        with WriteLock(self.paths, timeout=wait_for_lock_s):
            for progress in index_folders(
                self.catalog, self.thumbnails, targets, self.settings, analyzer, cancel
            ):
                if progress.finished:
                    yield dataclasses.replace(progress, phase="finishing")
                    sync_vector_index(self.catalog, self.paths, progress.report.rewritten)
                    if faces and not progress.report.cancelled:
                        yield from self._faces_pass(progress, cancel)
                yield progress

    def find_people(self, cancel: threading.Event | None = None) -> Iterator[IndexProgress]:
        """The faces pass alone (what `index` runs after the main pass)."""
        with WriteLock(self.paths):
            last = IndexProgress("done", 0, 0, 0.0, IndexReport())
            yield from self._faces_pass(last, cancel)
            yield last

    def _faces_pass(
        self, last: IndexProgress, cancel: threading.Event | None
    ) -> Iterator[IndexProgress]:
        """Run the faces pass, reporting into last.report; search keeps working meanwhile."""
        from amc_core.index.faces_pass import find_people

        start = time.perf_counter()
        for step in find_people(self.catalog, self.settings.workers, cancel=cancel):
            last.report.faces = step.report.as_json()
            elapsed = time.perf_counter() - start
            if step.step == "done":
                changed = step.report.keywords_changed or []
                if changed:
                    sync_vector_index(self.catalog, self.paths, changed)
            else:
                yield IndexProgress("faces", step.done, step.total, elapsed, last.report, step.step)
        if cancel is not None and cancel.is_set():
            last.report.cancelled = True

    def people_changed(self, photo_ids: Sequence[int] | None = None) -> None:
        """After naming, merging or "not this person": rewrite the names in the photos'
        keywords, and their vectors. While an index runs, the change stays marked in the
        catalog and that run writes it before it finishes."""
        from amc_core.index.faces_pass import write_face_keywords

        with contextlib.suppress(LibraryLockedError), WriteLock(self.paths):
            changed = write_face_keywords(self.catalog, photo_ids)
            if changed:
                sync_vector_index(self.catalog, self.paths, changed)

    def repair(self) -> dict[str, object]:
        """Check and repair what can be rebuilt from the catalog, touching no photo:
        SQLite integrity, the full-text index, damaged feature blobs (their photos are
        re-indexed at the next run), thumbnails nobody uses, and the vector index (rebuilt)."""
        problems = self.catalog.integrity_problems()
        with WriteLock(self.paths):
            damaged = [
                photo_id
                for photo_id, blob in self.catalog.all_features()
                if not _readable_features(blob)
            ]
            self.catalog.forget_analysis(damaged)
            self.catalog.rebuild_full_text()
            removed = self.thumbnails.collect_garbage(self.catalog.hashes_in_use())
            self.paths.vector_graph.unlink(missing_ok=True)
            added, _ = sync_vector_index(self.catalog, self.paths)
        return {
            "integrity": problems or ["ok"],
            "damaged_features": len(damaged),
            "fulltext_index": "rebuilt",
            "unused_thumbnails_removed": removed,
            "vector_index_photos": added,
        }

    def status(self) -> LibraryStatus:
        counts = self.catalog.counts()
        folders = self.catalog.folders()
        pending = self._pending(folders)
        return LibraryStatus(
            root=self.paths.root,
            folders=[f.path for f in folders],
            photos=counts["ok"],
            failed=counts["failed"],
            pending=pending,
            size_bytes=folder_size_bytes(self.paths.root),
        )

    def _pending(self, folders: list[Folder]) -> int:
        """Files on disk that are new or changed since they were indexed, or were analysed by
        an older model (a stat-only walk)."""
        pending = 0
        for folder in folders:
            if not os.path.isdir(folder.path):
                continue
            stored = self.catalog.stored_photos(folder.id)
            pending += sum(
                not unchanged(stored.get(s.path), s, FEATURE_MODEL)
                for s in scan_folder(folder.path)
            )
        return pending


def remembered_folders(root: Path) -> list[str]:
    try:
        data = json.loads(LibraryPaths(root).folders_record.read_text())
        return [os.fsdecode(bytes.fromhex(h)) for h in data]
    except (OSError, ValueError, TypeError):
        return []


def _readable_features(blob: bytes) -> bool:
    try:
        sparse_posteriors(blob)
    except (ValueError, struct.error):
        return False
    return True
