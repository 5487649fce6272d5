"""Keeps the library up to date in the background: folders in and out, indexing, watching.

All writes go through one writer thread, in order. Adding or removing a folder while
indexing runs stops that run (indexing is incremental and crash-safe), does the change and
indexes again; a change seen by the watcher during a run schedules one more quiet run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from amc_app.workers.jobs import GeneratorJob, OwnerThread
from amc_app.workers.library_tasks import (
    AnalyzerFactory,
    FolderRemoved,
    LibrarySnapshot,
    PeopleWritten,
    WriterHome,
)
from amc_app.workers.watcher import FolderWatcher
from amc_core.api import IndexProgress, IndexSettings

_CLOSE_WAIT_MS = 30_000


class IndexingController(QObject):
    snapshot = Signal(object)  # LibrarySnapshot after every change
    progress = Signal(object)  # IndexProgress while indexing
    running_changed = Signal(bool)
    finished = Signal(object)  # the last IndexProgress of a run (its report), or None
    problem = Signal(str)  # a clear sentence for the banner (adding or removing a folder)
    index_failed = Signal(str)  # indexing stopped with an error (locked library, no models)
    notice = Signal(str)  # a passing note for the status bar
    people_written = Signal()  # names and merges are in the photos' keywords: search again

    def __init__(
        self,
        root: Path,
        settings: IndexSettings,
        analyzer: AnalyzerFactory,
        watcher: FolderWatcher,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = OwnerThread(self)
        self._home = WriterHome(root, settings, analyzer)
        self._watcher = watcher
        self._index_job: GeneratorJob | None = None
        self._last: IndexProgress | None = None
        self._again = False  # a change was seen while indexing: run once more
        self._auto = True  # quiet rescans allowed (off after the user cancels)
        watcher.changed.connect(self.rescan_quietly)

    @property
    def running(self) -> bool:
        return self._index_job is not None

    # -- requests ----------------------------------------------------------------

    def load(self) -> None:
        """Report the library's state, then bring it up to date quietly."""
        self._submit(self._home.snapshot)
        self.rescan_quietly()

    def add_folders(self, paths: Sequence[str]) -> None:
        self._auto = True
        self._interrupt()
        self._submit(partial(self._home.add, list(paths)), self._after_change, self._change_failed)

    def remove_folder(self, path: str) -> None:
        self._interrupt()
        self._submit(partial(self._home.remove, path), self._after_change, self._change_failed)

    def rescan(self) -> None:
        """Asked for by the user: also lifts a cancel."""
        self._auto = True
        self._start_index()

    def rescan_quietly(self) -> None:
        if self._auto and not self._thread.closed:
            self._start_index()

    def write_people(self) -> None:
        """People were named, merged or corrected: rewrite their photos' keywords, in turn
        with the other writes (after a running index, which writes them too)."""
        if not self._thread.closed:
            self._submit(self._home.people_changed, on_failed=self._people_failed)

    def cancel(self) -> None:
        """The user's Cancel: stop now and make no quiet runs until asked again."""
        self._auto = False
        self._again = False
        if self._index_job is not None:
            self._index_job.cancel()

    def close(self) -> None:
        self._thread.close(self._home.close, _CLOSE_WAIT_MS)

    # -- running jobs --------------------------------------------------------------

    def _start_index(self) -> None:
        if self._thread.closed:
            return
        if self._index_job is not None:
            self._again = True
            return
        self._last = None
        self._index_job = self._submit(
            self._home.index,
            self._on_index_finished,
            self._on_index_failed,
        )
        self.running_changed.emit(True)

    def _interrupt(self) -> None:
        if self._index_job is not None:
            self._index_job.cancel()

    def _submit(
        self,
        make: Callable[[threading.Event], Iterator[object]],
        on_finished: Callable[[object], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
    ) -> GeneratorJob:
        return self._thread.submit(
            make, on_value=self._on_value, on_finished=on_finished,
            on_failed=on_failed or self._on_failed,
        )  # fmt: skip

    # -- results (on the UI thread) ------------------------------------------------

    def _on_value(self, value: object) -> None:
        if isinstance(value, IndexProgress):
            self._last = value
            self.progress.emit(value)
        elif isinstance(value, LibrarySnapshot):
            self._watcher.watch(value.watch_dirs)
            self.snapshot.emit(value)
        elif isinstance(value, PeopleWritten):
            self.people_written.emit()
        elif isinstance(value, FolderRemoved):
            self.notice.emit(
                f"Removed {value.photos} photos of {value.path} from the library "
                "(the files on disk are untouched)",
            )

    def _change_failed(self, message: str) -> None:
        self._on_failed(message)
        self._after_change(None)

    def _after_change(self, _last: object) -> None:
        if self._auto:
            self._start_index()

    def _on_index_finished(self, _last: object) -> None:
        self._end_index()
        self.finished.emit(self._last)
        if self._again and self._auto:
            self._again = False
            self._start_index()

    def _on_index_failed(self, message: str) -> None:
        self._end_index()
        self.finished.emit(None)
        if not self._thread.closed:
            self.index_failed.emit(message)

    def _end_index(self) -> None:
        self._index_job = None
        self.running_changed.emit(False)

    def _people_failed(self, message: str) -> None:
        self.notice.emit(f"Names could not reach the search yet ({message}); Rescan retries")

    def _on_failed(self, message: str) -> None:
        if not self._thread.closed:
            self.problem.emit(message)
