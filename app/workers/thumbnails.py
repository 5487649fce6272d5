"""Decodes thumbnails (and inspector previews) on worker threads, newest request first.

Views ask again for what they still show each time they paint, so the queue keeps only the
most recent requests: scrolling fast through 100k photos never builds a backlog.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from amc_app.workers.draining import DrainingWorkers

MAX_PENDING = 256


class ThumbnailLoader(DrainingWorkers[tuple[str, str, int]]):
    loaded = Signal(str, QImage)  # key, image (a null image when the file cannot be read)

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent, threads)
        self._pending: OrderedDict[str, tuple[str, int]] = OrderedDict()

    def request(self, key: str, path: str, longest_side: int = 0) -> None:
        """Load `path` (scaled to fit `longest_side` when > 0); `loaded` answers with `key`."""
        with self._lock:
            if self._stopped:
                return
            if key in self._pending:
                self._pending.move_to_end(key)
                return
            self._pending[key] = (path, longest_side)
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)  # scrolled past long ago
        self._wake()

    def forget_pending(self) -> None:
        with self._lock:
            self._pending.clear()

    def stop(self, wait_ms: int = 5_000) -> None:
        super().stop(wait_ms)

    def _take(self) -> tuple[str, str, int] | None:
        if not self._pending:
            return None
        key, (path, side) = self._pending.popitem(last=True)  # newest request first
        return key, path, side

    def _work(self, item: tuple[str, str, int]) -> None:
        key, path, side = item
        self.loaded.emit(key, read_image(path, side))

    def _clear(self) -> None:
        self._pending.clear()


def read_image(path: str, longest_side: int = 0) -> QImage:
    """Decode an image, upright (EXIF orientation), scaled while decoding when asked."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    if longest_side > 0:
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > longest_side:
            bound = QSize(longest_side, longest_side)
            reader.setScaledSize(size.scaled(bound, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return image if not image.isNull() else QImage()
