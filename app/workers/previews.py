"""Decodes photos for the viewer on worker threads: the shown photo first, then its neighbours.

Requests carry a priority: the photo on screen jumps the queue, prefetches of the next and
previous photos wait behind it, and a step forgets prefetches no longer wanted. The QImage is
made on the worker (a copy of the engine's pixels); the view makes its QPixmap on the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from amc_app.workers.draining import DrainingWorkers
from amc_core.api import load_preview

URGENT, PREFETCH = 0, 1


class PreviewLoader(DrainingWorkers[tuple[str, str, int]]):
    loaded = Signal(str, QImage, QSize)  # key, the upright image, the photo's full size
    failed = Signal(str, str)  # key, why it cannot be shown

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent, threads)
        self._pending: dict[str, tuple[int, int, str, int]] = {}  # key: (priority, order, ...)
        self._running: set[str] = set()
        self._order = 0

    def request(self, key: str, path: str, max_side: int, priority: int = URGENT) -> None:
        """Decode `path` at about `max_side` px (0: whole); `loaded` or `failed` answers."""
        with self._lock:
            if self._stopped or key in self._running:
                return
            self._order += 1
            known = self._pending.get(key)
            if known is not None:
                priority = min(priority, known[0])
            self._pending[key] = (priority, -self._order, path, max_side)
        self._wake()

    def forget_prefetches(self) -> None:
        """The user stepped on: neighbours of an earlier photo are no longer needed."""
        with self._lock:
            self._pending = {k: v for k, v in self._pending.items() if v[0] == URGENT}

    def forget(self) -> None:
        with self._lock:
            self._pending.clear()

    def busy(self) -> bool:
        with self._lock:
            return bool(self._pending or self._running)

    def _take(self) -> tuple[str, str, int] | None:
        """The most wanted: the shown photo before prefetches, the newest request first."""
        if not self._pending:
            return None
        key = min(self._pending, key=lambda k: self._pending[k][:2])
        _priority, _order, path, side = self._pending.pop(key)
        self._running.add(key)
        return key, path, side

    def _work(self, item: tuple[str, str, int]) -> None:
        key, path, side = item
        try:
            image, size = _decode(path, side)
        except Exception as exc:  # a broken photo says why; it never stops the viewer
            image, size, reason = QImage(), QSize(), _reason(exc)
        else:
            reason = ""
        with self._lock:
            self._running.discard(key)
            if self._stopped:
                return
        if reason:
            self.failed.emit(key, reason)
        else:
            self.loaded.emit(key, image, size)

    def _clear(self) -> None:
        self._pending.clear()


def _decode(path: str, max_side: int) -> tuple[QImage, QSize]:
    preview = load_preview(path, max_side)
    pixels = preview.pixels
    height, width = pixels.shape[:2]
    data = pixels.tobytes() if not pixels.flags.c_contiguous else pixels.data
    image = QImage(data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
    return image, QSize(preview.width, preview.height)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, MemoryError):
        return "not enough memory to show this photo"
    return str(exc) or type(exc).__name__
