"""The one adapter that runs engine generators off the UI thread and turns yields into signals."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class JobSignals(QObject):
    progress = Signal(object)  # each value the generator yields
    finished = Signal(object)  # the last value yielded (or None)
    failed = Signal(str)  # a message fit for the user


class GeneratorJob(QRunnable):
    """Runs ``make()`` (which returns a generator) on the thread pool; cancel() stops it cleanly."""

    def __init__(self, make: Callable[[threading.Event], Iterator[object]]) -> None:
        super().__init__()
        self.signals = JobSignals()
        self._make = make
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        last: object = None
        try:
            for value in self._make(self._cancel):
                last = value
                self.signals.progress.emit(value)
        except Exception as exc:  # shown to the user, never a crash of the UI
            message = str(exc) or type(exc).__name__
            traceback.print_exc()
            self.signals.failed.emit(message)
            return
        self.signals.finished.emit(last)

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(self)
