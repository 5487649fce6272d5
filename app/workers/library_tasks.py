"""What the library's writer thread does: add and remove folders, index, report the state.

Everything here runs on one dedicated thread (see indexing.py) that owns its own Library
(SQLite connections stay on one thread) and the tagger (ONNX models, loaded once, there).
Each task is a generator, run by GeneratorJob, and ends by yielding a LibrarySnapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from amc_app.workers.library_home import LibraryHome
from amc_core.api import Analyzer, IndexSettings, folders_under

AnalyzerFactory = Callable[[], Analyzer]
MAX_WATCHED_DIRS = 4000


@dataclass(frozen=True, slots=True)
class LibrarySnapshot:
    folders: list[str]
    photos: int
    watch_dirs: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FolderRemoved:
    path: str
    photos: int


@dataclass(frozen=True, slots=True)
class PeopleWritten:
    """The people's names are in their photos' keywords (and vectors) now."""


class WriterHome(LibraryHome):
    """The writer thread's Library and tagger, opened lazily on that thread."""

    def __init__(self, root: Path, settings: IndexSettings, analyzer: AnalyzerFactory) -> None:
        super().__init__(root, settings)
        self._make_analyzer = analyzer
        self._analyzer: Analyzer | None = None

    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = self._make_analyzer()
        return self._analyzer

    def snapshot(self, cancel: threading.Event) -> Iterator[object]:
        yield self._snapshot()

    def add(self, paths: Sequence[str], cancel: threading.Event) -> Iterator[object]:
        self.library().add_folders(paths)
        yield self._snapshot()

    def remove(self, path: str, cancel: threading.Event) -> Iterator[object]:
        removed = self.library().remove_folder(path)
        yield FolderRemoved(path, removed)
        yield self._snapshot()

    def index(self, cancel: threading.Event) -> Iterator[object]:
        library = self.library()
        analyzer = self.analyzer()  # loads the models here, off the UI thread
        yield from library.index(None, analyzer=analyzer, cancel=cancel)
        yield self._snapshot()

    def people_changed(self, cancel: threading.Event) -> Iterator[object]:
        """After names, merges or "not this person": the photos' keywords follow. Queued
        behind an index run, which writes them itself before it ends (then this is quick)."""
        self.library().people_changed()
        yield PeopleWritten()

    def close(self, cancel: threading.Event) -> Iterator[object]:
        self._analyzer = None
        yield from super().close(cancel)

    def _snapshot(self) -> LibrarySnapshot:
        library = self.library()
        folders = [f.path for f in library.folders()]
        return LibrarySnapshot(folders, library.catalog.counts()["ok"], watch_dirs(folders))


def watch_dirs(folders: Sequence[str], limit: int = MAX_WATCHED_DIRS) -> list[str]:
    """The folders and the subfolders the scanner enters (its own skip rules), at most `limit`."""
    return folders_under(folders, limit)
