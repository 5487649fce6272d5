"""Learning from the user: clicks recorded locally, and fine-tuning on them in the background.

The trainer (``amc_core.api.Trainer``) imports torch, so it is loaded inside the job, off the
UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from amc_app.settings import AppSettings
from amc_app.workers.jobs import GeneratorJob, JobSet, OwnerThread
from amc_core.api import MIN_CLICKED_QUERIES, Catalog, Trainer, load_trainer, open_catalog

ACTIONS = ("open", "inspect")
TrainerLoader = Callable[[], Trainer]


class LearningController(QObject):
    notice = Signal(str)  # status bar
    report = Signal(str)  # the banner: an outcome the user should read
    improved = Signal()  # new ranking parameters are in use: the engine must reload them
    running_changed = Signal(bool)

    def __init__(
        self,
        catalog: Catalog,
        settings: AppSettings,
        library_dir: Path,
        trainer: TrainerLoader = load_trainer,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._settings = settings
        self._library_dir = library_dir
        self._load_trainer = trainer
        self._jobs = JobSet(self)
        self._job: GeneratorJob | None = None
        # clicks are written on a thread of their own: a write may wait for indexing's;
        # closing it lets queued writes finish (they do not look at cancel), then closes
        self._writes = OwnerThread(self)
        self._clicks = _ClickWriter(library_dir)

    # -- clicks ---------------------------------------------------------------------

    def set_recording(self, on: bool) -> None:
        self._settings.record_clicks = on
        self.notice.emit(
            "Your searches and clicks are recorded on this computer to improve results"
            if on
            else "Clicks are no longer recorded",
        )

    def record(self, query: str, photo_id: int, action: str) -> bool:
        """Queue the click for writing; False when it is not to be recorded."""
        if not self._settings.record_clicks or not query.strip() or action not in ACTIONS:
            return False
        self._write(partial(self._clicks.record, query, photo_id, action))
        return True

    def click_count(self) -> int:
        return self._catalog.click_counts()[0]  # a read: never waits for a writer

    def clear(self) -> None:
        self._write(self._clicks.clear, self._on_cleared)

    def close(self) -> None:
        if not self._writes.closed:
            self.cancel()
        self._writes.close(self._clicks.close, 5_000)

    def _write(
        self,
        make: Callable[[threading.Event], Iterator[object]],
        on_value: Callable[[object], None] | None = None,
    ) -> None:
        self._writes.submit(make, on_value=on_value, on_failed=self._on_write_failed)

    def _on_cleared(self, removed: object) -> None:
        self.notice.emit(f"Cleared {removed} recorded clicks")

    def _on_write_failed(self, message: str) -> None:
        self.notice.emit(f"Could not record the click: {message}")

    # -- fine-tuning ------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._job is not None

    def clicked_queries(self) -> int:
        return self._catalog.click_counts()[1]

    def improve(self) -> None:
        if self._job is not None:
            return
        have = self.clicked_queries()
        if have < MIN_CLICKED_QUERIES:
            self.report.emit(
                f"Improving results needs clicks after at least {MIN_CLICKED_QUERIES} different "
                f"searches; you have clicks after {have}. Search, then open or look at the "
                "photos you wanted, and try again.",
            )
            return
        self._start(partial(_improve, self._load_trainer, self._library_dir), self._on_finished)
        self.notice.emit("Improving results from your searches…")

    def reset_to_default(self) -> None:
        if self._job is None:
            self._start(partial(_reset, self._load_trainer, self._library_dir), self._on_reset)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _start(
        self,
        make: Callable[[threading.Event], Iterator[object]],
        on_finished: Callable[[object], None],
    ) -> None:
        self._job = self._jobs.submit(
            make, on_value=self._on_progress, on_finished=on_finished, on_failed=self._on_failed
        )
        self.running_changed.emit(True)

    def _on_progress(self, value: object) -> None:
        epoch, epochs = getattr(value, "epoch", 0), getattr(value, "epochs", 0)
        if epochs:
            self.notice.emit(f"Improving results from your searches… round {epoch} of {epochs}")

    def _on_reset(self, found: object) -> None:
        self._end()
        self.improved.emit()
        self.report.emit(
            "Search uses the default ranking again."
            if found
            else "Search already uses the default ranking.",
        )

    def _on_finished(self, last: object) -> None:
        self._end()
        if last is None or not hasattr(last, "kept"):
            self.report.emit("Improving results stopped before it finished.")
            return
        self.report.emit(describe_outcome(last))
        if getattr(last, "kept", False):
            self.improved.emit()

    def _on_failed(self, message: str) -> None:
        self._end()
        self.report.emit(f"Learning from your clicks stopped: {message}")

    def _end(self) -> None:
        self._job = None
        self.running_changed.emit(False)


class _ClickWriter:
    """The click writer thread's own catalog connection, opened there on first use."""

    def __init__(self, library_dir: Path) -> None:
        self._library_dir = library_dir
        self._catalog: Catalog | None = None

    def _open(self) -> Catalog:
        if self._catalog is None:
            self._catalog = open_catalog(self._library_dir)
        return self._catalog

    def record(
        self, query: str, photo_id: int, action: str, cancel: threading.Event
    ) -> Iterator[object]:
        if self._open().record_click(query, photo_id, action):  # False: the photo has gone
            yield True

    def clear(self, cancel: threading.Event) -> Iterator[object]:
        yield self._open().clear_clicks()

    def close(self, cancel: threading.Event) -> Iterator[object]:
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None
        yield True


def _improve(load: TrainerLoader, library_dir: Path, cancel: threading.Event) -> Iterator[object]:
    yield from load().improve_from_clicks(library_dir, cancel)


def _reset(load: TrainerLoader, library_dir: Path, cancel: threading.Event) -> Iterator[object]:
    yield bool(load().reset_to_default(library_dir))


def describe_outcome(last: object) -> str:
    message = str(getattr(last, "message", "") or "")
    before = float(getattr(last, "before", 0.0))
    after = float(getattr(last, "after", 0.0))
    kept = bool(getattr(last, "kept", False))
    if not kept and before == after == 0.0:
        return f"Results were not changed: {message}" if message else "Results were not changed."
    verdict = (
        "the new ranking is in use"
        if kept
        else "the new ranking was not better, so the previous one stays"
    )
    text = (
        f"Search quality on your held-out clicks (NDCG@10): {before:.3f} before, "
        f"{after:.3f} after; {verdict}."
    )
    return f"{text} {message}".strip()
