"""Decodes thumbnails (and inspector previews) on worker threads, newest request first.

Views ask again for what they still show each time they paint, so the queue keeps only the
most recent requests: scrolling fast through 100k photos never builds a backlog.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader

MAX_PENDING = 256


class ThumbnailLoader(QObject):
    loaded = Signal(str, QImage)  # key, image (a null image when the file cannot be read)

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._threads = threads
        self._draining = 0
        self._stopped = False

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
            start = self._draining < self._threads
            if start:
                self._draining += 1
        if start:
            self._pool.start(_Drain(self))

    def forget_pending(self) -> None:
        with self._lock:
            self._pending.clear()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._pending.clear()
        self._pool.waitForDone(5_000)

    def drain(self) -> None:
        """Called by the worker runnables: decode until nothing is pending."""
        while True:
            with self._lock:
                if not self._pending or self._stopped:
                    self._draining -= 1
                    return
                key, (path, side) = self._pending.popitem(last=True)
            self.loaded.emit(key, read_image(path, side))


class _Drain(QRunnable):
    def __init__(self, loader: ThumbnailLoader) -> None:
        super().__init__()
        self._loader = loader

    def run(self) -> None:
        self._loader.drain()


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
