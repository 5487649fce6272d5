"""A queue of decoding work drained by a few pool threads: the loaders of thumbnails and of
viewer previews keep their own queue and order, and share how threads are started and
stopped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool

Item = TypeVar("Item")


class DrainingWorkers(QObject, Generic[Item]):
    """Subclasses keep their queue under `_lock`, call `_wake()` after adding to it, and
    implement `_take` (the next item, under the lock; None when the queue is empty), `_work`
    (off the lock, on a pool thread) and `_clear`."""

    def __init__(self, parent: QObject | None, threads: int) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._threads = threads
        self._draining = 0  # pool threads working the queue now
        self._stopped = False

    def _take(self) -> Item | None:
        raise NotImplementedError

    def _work(self, item: Item) -> None:
        raise NotImplementedError

    def _clear(self) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """After adding to the queue: one more thread, unless all are at work already."""
        with self._lock:
            start = not self._stopped and self._draining < self._threads
            if start:
                self._draining += 1
        if start:
            self._pool.start(_Drain(self.drain))

    def stop(self, wait_ms: int = 10_000) -> None:
        with self._lock:
            self._stopped = True
            self._clear()
        self._pool.waitForDone(wait_ms)

    def drain(self) -> None:
        """A pool thread's loop: work the queue until it is empty (or the loader stopped)."""
        while True:
            with self._lock:
                item = None if self._stopped else self._take()
                if item is None:
                    self._draining -= 1
                    return
            self._work(item)


class _Drain(QRunnable):
    def __init__(self, drain: Callable[[], None]) -> None:
        super().__init__()
        self._drain = drain

    def run(self) -> None:
        self._drain()
