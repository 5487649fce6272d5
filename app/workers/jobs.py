"""The one adapter that runs engine generators off the UI thread and turns yields into signals."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance

from amc_core.api import AmcError, CatalogDamagedError, as_library_error


class DamageAlarm(QObject):
    """Rings when any job meets a damaged catalog, wherever it runs: the app session listens
    and offers to repair. One per process, made on the importing (GUI) thread, so its signal
    reaches the GUI thread from any job's thread."""

    damaged = Signal(str)  # the one-line message


DAMAGE_ALARM = DamageAlarm()


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
                if not _tell(self.signals.progress, value):
                    return
        except Exception as raised:  # shown to the user, never a crash of the UI
            if self._cancel.is_set():
                return  # stopped on purpose (its window closed): what failed after is moot
            exc = as_library_error(raised)
            message = str(exc) or type(exc).__name__
            if not isinstance(exc, AmcError):  # an AmcError is a sentence for the user, not a bug
                traceback.print_exc()
            if isinstance(exc, CatalogDamagedError):
                DAMAGE_ALARM.damaged.emit(message)
            _tell(self.signals.failed, message)
            return
        _tell(self.signals.finished, last)

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(self)


def _tell(signal: SignalInstance, value: object) -> bool:
    """Emit, unless whoever owned the job is gone (a window closed while it ran): False."""
    try:
        signal.emit(value)
    except RuntimeError:  # "Signal source has been deleted"
        return False
    return True


def single_thread_pool(parent: QObject | None = None) -> QThreadPool:
    """A pool whose one thread never expires: what runs there stays on one thread (SQLite)."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    pool.setExpiryTimeout(-1)
    return pool


class JobSet(QObject):
    """Keeps jobs alive until they end (the pool does not own them)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[int, GeneratorJob] = {}

    def submit(
        self,
        make: Callable[[threading.Event], Iterator[object]],
        pool: QThreadPool | None = None,
        *,
        on_value: Callable[[object], None] | None = None,
        on_finished: Callable[[object], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
    ) -> GeneratorJob:
        """Run make() as a job; every slot is connected before it starts, so none is missed."""
        job = GeneratorJob(make)
        if on_value is not None:
            job.signals.progress.connect(on_value)
        if on_finished is not None:
            job.signals.finished.connect(on_finished)
        if on_failed is not None:
            job.signals.failed.connect(on_failed)
        return self.start(job, pool)

    def start(self, job: GeneratorJob, pool: QThreadPool | None = None) -> GeneratorJob:
        self._jobs[id(job.signals)] = job
        job.signals.finished.connect(self._forget)
        job.signals.failed.connect(self._forget)
        job.start(pool)
        return job

    def __len__(self) -> int:
        return len(self._jobs)

    def cancel_all(self) -> None:
        for job in self._jobs.values():
            job.cancel()

    def _forget(self, _value: object) -> None:
        self._jobs.pop(id(self.sender()), None)


class OwnerThread(QObject):
    """One thread that owns a resource (a Library, the engine: SQLite connections stay on the
    thread that opened them). Jobs run there one after another; close() cancels what is
    queued or running, runs the owner's own close there last, and waits for it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = single_thread_pool(self)
        self._jobs = JobSet(self)
        self.closed = False

    def submit(
        self,
        make: Callable[[threading.Event], Iterator[object]],
        *,
        on_value: Callable[[object], None] | None = None,
        on_finished: Callable[[object], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
    ) -> GeneratorJob:
        return self._jobs.submit(make, self._pool, on_value=on_value, on_finished=on_finished,
                                 on_failed=on_failed)  # fmt: skip

    @property
    def busy(self) -> bool:
        return len(self._jobs) > 0

    def close(self, last: Callable[[threading.Event], Iterator[object]], wait_ms: int) -> None:
        if self.closed:
            return
        self.closed = True
        self._jobs.cancel_all()
        self._jobs.submit(last, self._pool)
        self._pool.waitForDone(wait_ms)
