"""Bringing the catalog up to date with folders: a generator that yields progress.

scan -> decide (new / changed / moved / gone / unchanged) -> decode (worker
processes) -> analyse (encoder, keywords: pluggable) -> store, one
transaction per batch. A crash at any moment leaves whole batches only; the
next run skips what was stored and picks up the rest.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from amc_core.describe.analysis import Analysis
from amc_core.index.pool import decode_many
from amc_core.ingest.decode import DecodedPhoto, DecodeFailure
from amc_core.ingest.hashing import hash_file
from amc_core.ingest.scan import ScannedFile, scan_folder
from amc_core.settings import IndexSettings
from amc_core.store.catalog import Catalog
from amc_core.store.records import Folder, PhotoMove, PhotoRow, StoredPhoto, path_within
from amc_core.store.thumbnails import ThumbnailStore
from amc_core.words.keyword import Keyword
from amc_core.words.normalise import merge_keywords
from amc_core.words.path_words import PATH_SOURCES, path_keywords

_COMMIT_EVERY_S = 2.0


class Analyzer(Protocol):
    """The encoder + keyword generator stage; gets photos in batches (good for ONNX)."""

    @property
    def pixel_sources(self) -> tuple[str, ...]:
        """Per-photo pixel keyword sources it wants run in the decode workers."""
        ...

    def analyze(self, photos: Sequence[DecodedPhoto], roots: Sequence[str]) -> list[Analysis]: ...


@dataclass(slots=True)
class IndexReport:
    indexed: int = 0
    skipped: int = 0
    removed: int = 0
    moved: int = 0
    failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False
    # photos whose analysis or keywords this run rewrote (same id): their vectors are stale
    rewritten: list[int] = field(default_factory=list, repr=False)
    faces: dict[str, object] | None = None  # the faces pass's numbers (FacesReport.as_json)

    def as_json(self) -> dict[str, object]:
        return {
            "indexed": self.indexed,
            "skipped": self.skipped,
            "removed": self.removed,
            "moved": self.moved,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "errors": [{"path": p, "error": e} for p, e in self.errors],
            **({"faces": self.faces} if self.faces is not None else {}),
        }


# The faces pass's steps (IndexProgress.step): what each does and what it counts, for the
# progress lines of the CLI and the app
FACE_STEPS: dict[str, tuple[str, str]] = {
    "reading": ("looking for faces in photo", "photos"),
    "boxing": ("locating people in photo", "photos"),  # libraries from before boxes were kept
    "embedding": ("measuring face", "faces"),
    "grouping": ("grouping faces", ""),
}


@dataclass(slots=True)
class IndexProgress:
    phase: str  # "scanning" | "indexing" | "finishing" | "faces" | "done"
    done: int
    total: int
    elapsed_s: float
    report: IndexReport
    step: str = ""  # within "faces": one of FACE_STEPS

    @property
    def finished(self) -> bool:
        return self.phase == "done"


@dataclass(slots=True)
class _Plan:
    work: list[tuple[ScannedFile, int]] = field(default_factory=list)  # (file, folder id)
    missing: dict[str, StoredPhoto] = field(default_factory=dict)


def index_folders(
    catalog: Catalog,
    thumbnails: ThumbnailStore,
    folders: Sequence[Folder],
    settings: IndexSettings,
    analyzer: Analyzer | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[IndexProgress]:
    """Index new and changed photos in folders, drop deleted ones, skip unchanged ones."""
    started = time.monotonic()
    report = IndexReport()
    cancel = cancel or threading.Event()

    def progress(phase: str, done: int, total: int) -> IndexProgress:
        return IndexProgress(phase, done, total, time.monotonic() - started, report)

    plan = _Plan()
    # an analyzer that names its model has photos analysed by another one read again
    model = getattr(analyzer, "feature_model", None)
    yield from _scan(catalog, folders, plan, report, lambda n: progress("scanning", n, 0), model)
    if not cancel.is_set():
        _apply_moves(catalog, plan, report, {f.id: f.path for f in folders})
        report.removed += catalog.delete_photos(s.id for s in plan.missing.values())
    roots = [f.path for f in folders]
    total = len(plan.work)
    writer = _BatchWriter(catalog, thumbnails, analyzer, roots, settings.batch_size)
    if analyzer is not None:
        settings = dataclasses.replace(
            settings, pixel_sources=analyzer.pixel_sources, model_input=True
        )
    items = [(f.path, f.size, f.mtime_ns) for f, _ in plan.work]
    folder_of = {f.path: folder_id for f, folder_id in plan.work}
    results = decode_many(items, settings)
    try:
        for done, result in enumerate(results, start=1):
            writer.add(result, folder_of[result.path], report)
            yield progress("indexing", done, total)
            if cancel.is_set():
                report.cancelled = True
                break
    finally:
        close = getattr(results, "close", None)
        if close:
            close()
        writer.flush(report)
    yield progress("finishing", total, total)
    if not report.cancelled and (report.indexed or report.failed or report.removed):
        # only these can orphan a thumbnail (a move keeps its content, so its thumbnail)
        thumbnails.collect_garbage(catalog.hashes_in_use())
    yield progress("done", total, total)


def _scan(
    catalog: Catalog,
    folders: Sequence[Folder],
    plan: _Plan,
    report: IndexReport,
    progress: object,
    feature_model: str | None = None,
) -> Iterator[IndexProgress]:
    seen_count = 0
    for folder in folders:
        if not os.path.isdir(folder.path):
            report.errors.append(
                (
                    folder.path,
                    "folder not found (moved, deleted or not mounted); its photos were kept",
                )
            )
            continue
        stored = catalog.stored_photos(folder.id)
        unreadable: list[str] = []

        def on_error(path: str, error: str, _bad: list[str] = unreadable) -> None:
            _bad.append(path)
            report.errors.append((path, error))

        seen: set[str] = set()
        for scanned in scan_folder(folder.path, on_error):
            seen.add(scanned.path)
            if unchanged(stored.get(scanned.path), scanned, feature_model):
                report.skipped += 1
            else:
                plan.work.append((scanned, folder.id))
            seen_count += 1
            if seen_count % 500 == 0:
                yield progress(seen_count)  # type: ignore[operator]
        for path, row in stored.items():
            if path not in seen and not any(path_within(path, bad) for bad in unreadable):
                plan.missing[path] = row


def unchanged(
    stored: StoredPhoto | None, scanned: ScannedFile, feature_model: str | None = None
) -> bool:
    """Indexed before, the file's size and modification time are as they were then, and,
    given the model this run analyses with, the photo was not analysed by another one: a photo
    analysed by an older model (before the scene probe's evidence, say) is read again, keeping
    its id. (A photo stored without features keeps them absent: a run without an analyzer.)"""
    if stored is None or (stored.size, stored.mtime_ns) != (scanned.size, scanned.mtime_ns):
        return False
    if feature_model is None or stored.state != "ok":
        return True
    return stored.feature_model in (None, feature_model)


def _apply_moves(catalog: Catalog, plan: _Plan, report: IndexReport, roots: dict[int, str]) -> None:
    """A new path whose content equals a vanished photo's is that photo, moved: keep its
    analysis, with the folder and file words of its new path."""
    by_size: dict[int, list[StoredPhoto]] = {}
    for row in plan.missing.values():
        if row.state == "ok" and row.content_hash:
            by_size.setdefault(row.size, []).append(row)
    if not by_size:
        return
    remaining: list[tuple[ScannedFile, int]] = []
    moves: list[PhotoMove] = []
    for scanned, folder_id in plan.work:
        candidates = by_size.get(scanned.size)
        digest = hash_file(scanned.path) if candidates else None
        match = next((c for c in candidates or [] if c.content_hash == digest), None)
        if match is None:
            remaining.append((scanned, folder_id))
            continue
        candidates.remove(match)  # type: ignore[union-attr]
        del plan.missing[match.path]
        keywords = _moved_keywords(catalog.keywords_of(match.id), scanned.path, roots[folder_id])
        moves.append(PhotoMove(match.id, scanned.path, folder_id, scanned.mtime_ns, keywords))
    catalog.move_photos(moves)
    report.moved += len(moves)
    report.rewritten.extend(m.photo_id for m in moves)
    plan.work = remaining


def _moved_keywords(old: list[Keyword], new_path: str, root: str) -> list[Keyword]:
    """The stored keywords with the old path's words swapped for the new path's (a photo
    indexed without analysis has none, and gets none)."""
    if not old:
        return []
    kept = [k for k in old if k.source not in PATH_SOURCES]
    return merge_keywords([kept, path_keywords(new_path, root)])


class _BatchWriter:
    """Collects decoded photos, runs the analyzer on each batch, commits it in one transaction."""

    def __init__(
        self,
        catalog: Catalog,
        thumbnails: ThumbnailStore,
        analyzer: Analyzer | None,
        roots: list[str],
        batch_size: int,
    ) -> None:
        self._catalog = catalog
        self._thumbnails = thumbnails
        self._analyzer = analyzer
        self._roots = roots
        self._batch_size = batch_size
        self._decoded: list[tuple[DecodedPhoto, int]] = []
        self._failed: list[PhotoRow] = []
        self._last_flush = time.monotonic()

    def add(
        self, result: DecodedPhoto | DecodeFailure, folder_id: int, report: IndexReport
    ) -> None:
        if isinstance(result, DecodeFailure):
            self._failed.append(
                PhotoRow(
                    result.path, folder_id, result.size, result.mtime_ns, "failed", result.error
                )
            )
        else:
            self._decoded.append((result, folder_id))
        pending = len(self._decoded) + len(self._failed)
        due = time.monotonic() - self._last_flush > _COMMIT_EVERY_S
        if pending >= self._batch_size or (pending and due):
            self.flush(report)

    def flush(self, report: IndexReport) -> None:
        photos = [p for p, _ in self._decoded]
        analyses = self._analyze(photos)
        rows = list(self._failed)
        for (photo, folder_id), analysis in zip(self._decoded, analyses, strict=True):
            # The thumbnail is written before the row that points at it is committed;
            # an interrupted run leaves at most an unreferenced file, collected later.
            self._thumbnails.put(photo.content_hash, photo.thumbnail_jpeg)
            rows.append(_ok_row(photo, folder_id, analysis))
        if rows:
            written = self._catalog.write_photos(rows)
            report.rewritten.extend(
                i for i, r in zip(written, rows, strict=True) if r.state == "ok"
            )
        report.indexed += len(photos)
        report.failed += len(self._failed)
        report.errors.extend((r.path, r.error or "") for r in self._failed)
        self._decoded.clear()
        self._failed.clear()
        self._last_flush = time.monotonic()

    def _analyze(self, photos: list[DecodedPhoto]) -> list[Analysis]:
        if not photos:
            return []
        if self._analyzer is None:
            return [Analysis() for _ in photos]
        return self._analyzer.analyze(photos, self._roots)


def _ok_row(photo: DecodedPhoto, folder_id: int, analysis: Analysis) -> PhotoRow:
    exif = photo.exif
    return PhotoRow(
        path=photo.path,
        folder_id=folder_id,
        size=photo.size,
        mtime_ns=photo.mtime_ns,
        state="ok",
        content_hash=photo.content_hash,
        format=photo.format,
        width=photo.width,
        height=photo.height,
        taken_at=exif.taken_at.isoformat() if exif.taken_at else None,
        camera_make=exif.camera_make,
        camera_model=exif.camera_model,
        gps_lat=exif.gps_lat,
        gps_lon=exif.gps_lon,
        orientation=exif.orientation,
        keywords=analysis.keywords,
        features=analysis.features,
        feature_model=analysis.feature_model,
    )
