"""The viewer: opens on the gallery's photo, steps through the results model's rows (a search's
ranking or, later, the browse order), and goes back to the gallery where it was.

Showing a photo puts up its 256 px thumbnail at once, then the screen-size decode (from the
cache when prefetched), then, zoomed past that, the whole photo. The neighbours in the
direction of travel are decoded in the background while the photo is looked at.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, QSize
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStackedWidget, QWidget

from amc_app.models.details import listed_keywords, load_details
from amc_app.models.results_model import ResultsModel
from amc_app.views.gallery import GalleryView
from amc_app.views.viewer import ViewerPage
from amc_app.workers.previews import PREFETCH, URGENT, PreviewLoader
from amc_core.api import Catalog, SearchResult

CACHED_DECODES = 8  # screen-size images kept (the shown one, neighbours, recent steps)
FALLBACK_SIDE = 2560


class ViewerController(QObject):
    def __init__(
        self,
        view: ViewerPage,
        gallery: GalleryView,
        model: ResultsModel,
        stack: QStackedWidget,
        catalog: Catalog,
        thumbnail_path_for: Callable[[str], Path],
        window: QMainWindow,
        chrome: Sequence[QWidget] = (),
    ) -> None:
        super().__init__(window)
        self._view = view
        self._gallery = gallery
        self._model = model
        self._stack = stack
        self._catalog = catalog
        self._thumb_path = thumbnail_path_for
        self._window = window
        self._chrome = [window.menuBar(), window.statusBar(), *chrome]
        self._loader = PreviewLoader(self)
        self._cache: OrderedDict[str, tuple[QImage, QSize]] = OrderedDict()
        self._failures: dict[str, str] = {}
        self._row = -1
        self._photo_id = -1
        self._direction = 1
        self._hidden_docks: list[QDockWidget] = []
        self._hidden_chrome: list[QWidget] = []
        self._was_maximized = False
        self._gallery_scroll = 0
        self._closed = False
        self._loader.loaded.connect(self._on_loaded)
        self._loader.failed.connect(self._on_failed)
        view.back_requested.connect(self.close_viewer)
        view.step_requested.connect(self.step)
        view.jump_requested.connect(self.jump)
        view.full_screen_requested.connect(self.toggle_full_screen)
        view.canvas.wants_detail.connect(self._load_whole)
        model.modelReset.connect(self._on_model_reset)
        stack.currentChanged.connect(self._on_stack_changed)

    # -- state ------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._stack.currentWidget() is self._view

    @property
    def row(self) -> int:
        return self._row if self.is_open else -1

    def current(self) -> SearchResult | None:
        return self._model.result(self._row) if self.is_open else None

    def screen_side(self) -> int:
        """The longest side a decode needs to fill the screen (device pixels)."""
        screen = self._window.screen()
        if screen is None:
            return FALLBACK_SIDE
        size = screen.size() * screen.devicePixelRatio()
        return max(size.width(), size.height(), 256)

    # -- opening, stepping, closing ---------------------------------------------------------------

    def open_index(self, index: QModelIndex) -> None:
        if self._closed or not index.isValid():
            return
        if not self.is_open:
            self._hidden_docks = [
                d for d in self._window.findChildren(QDockWidget) if d.isVisible()
            ]
            self._gallery_scroll = self._gallery.verticalScrollBar().value()
            for dock in self._hidden_docks:
                dock.hide()  # the photo takes the room; they come back with the gallery
            self._stack.setCurrentWidget(self._view)
        self._direction = 1
        self.show_row(index.row())
        self._view.canvas.setFocus()

    def open_current(self) -> None:
        self.open_index(self._gallery.currentIndex())

    def step(self, delta: int) -> None:
        if self.is_open:
            self._direction = 1 if delta >= 0 else -1
            self.show_row(self._row + delta)

    def jump(self, to_last: bool) -> None:
        if self.is_open:
            self._direction = -1 if to_last else 1
            self.show_row(self._model.rowCount() - 1 if to_last else 0)

    def show_row(self, row: int) -> None:
        row = self._model.photo_row_near(row, self._direction)
        if row < 0:
            self.close_viewer()
            return
        if row == self._row and self.is_open and self._model.result(row).photo_id == self._photo_id:
            return
        result = self._model.result(row)
        self._row, self._photo_id = row, result.photo_id
        self._show(result)
        # the gallery follows: Esc lands on this photo, the Photo menu acts on it
        self._gallery.setCurrentIndex(self._model.index(row))
        self._prefetch(row)

    def close_viewer(self) -> None:
        if not self.is_open:
            return
        if self._window.isFullScreen():
            self.toggle_full_screen()
        self._stack.setCurrentWidget(self._gallery)  # _on_stack_changed tidies up

    def toggle_full_screen(self) -> None:
        window = self._window
        if window.isFullScreen():
            for widget in self._hidden_chrome:
                widget.show()
            self._hidden_chrome = []
            if self._was_maximized:
                window.showMaximized()
            else:
                window.showNormal()
        elif self.is_open:
            self._was_maximized = window.isMaximized()
            self._hidden_chrome = [w for w in self._chrome if w.isVisible()]
            for widget in self._hidden_chrome:
                widget.hide()
            window.showFullScreen()
        self._view.canvas.setFocus()

    def close(self) -> None:
        """The window closes: back to the gallery (its layout is saved), decoders stopped."""
        self.close_viewer()
        self._closed = True
        self._loader.stop()

    def _on_stack_changed(self, _index: int) -> None:
        if self.is_open:
            return
        if self._window.isFullScreen():
            self.toggle_full_screen()
        for dock in self._hidden_docks:
            dock.show()
        self._hidden_docks = []
        self._loader.forget()
        if self._row >= 0 and self._row < self._model.rowCount():
            index = self._model.index(self._row)
            self._gallery.setCurrentIndex(index)
            layout = self._window.layout()
            if layout is not None:
                layout.activate()  # the docks are back: the gallery has its width again
            self._gallery.doItemsLayout()
            self._gallery.verticalScrollBar().setValue(self._gallery_scroll)
            self._gallery.scrollTo(index)  # only when it is out of sight: the place is kept
            self._gallery.setFocus()
        self._row = -1

    def _on_model_reset(self) -> None:
        """A new answer while viewing: stay on the photo if it is still there, else go back."""
        if not self.is_open:
            return
        row = self._model.row_of(self._photo_id)
        if row < 0:
            self._row = -1
            self.close_viewer()
            return
        self._row = row
        self._view.show_position(
            self._name(), self._model.photo_position(row), self._model.photo_count()
        )

    # -- pixels -------------------------------------------------------------------------------

    def _show(self, result: SearchResult) -> None:
        view = self._view
        view.show_position(
            os.path.basename(result.path),
            self._model.photo_position(self._row),
            self._model.photo_count(),
        )
        details = load_details(self._catalog, result.photo_id)
        keywords, weaker = listed_keywords(self._catalog.keywords_of(result.photo_id))
        view.details.show_details(os.path.basename(result.path), details, keywords, weaker)
        self._loader.forget_prefetches()
        key = self._key(result, self.screen_side())
        if key in self._failures:
            view.canvas.show_message(_cannot_show(self._failures[key]))
            return
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            view.canvas.set_photo(QPixmap.fromImage(cached[0]), cached[1])
            return
        thumbnail = self._thumbnail(result)
        if thumbnail is not None:
            view.canvas.set_photo(thumbnail, self._full_size(result) or thumbnail.size())
        else:
            view.canvas.show_message("Loading…")
        self._loader.request(key, result.path, self.screen_side(), URGENT)

    def _prefetch(self, row: int) -> None:
        side = self.screen_side()
        for way in (-self._direction, self._direction):  # ahead is asked last
            neighbour = self._model.photo_row_near(row + way, way)
            if 0 <= neighbour != row:
                result = self._model.result(neighbour)
                key = self._key(result, side)
                if key not in self._cache and key not in self._failures:
                    self._loader.request(key, result.path, side, PREFETCH)

    def _load_whole(self) -> None:
        result = self.current()
        if result is None:
            return
        canvas = self._view.canvas
        full = canvas.full_size()
        # The screen-size decode, asked for when the photo was shown, serves any scale up to
        # the screen's size: the canvas also asks for detail while it still shows the 256 px
        # thumbnail, and a whole 12 MP decode then raced the screen-size one (and won, at times)
        if max(full.width(), full.height()) * canvas.scale() <= self.screen_side() * 1.05:
            return
        key = self._key(result, 0)
        if key not in self._cache and key not in self._failures:
            self._loader.request(key, result.path, 0, URGENT)

    def _on_loaded(self, key: str, image: QImage, full: QSize) -> None:
        if self._closed:
            return
        self._cache[key] = (image, full)
        while len(self._cache) > CACHED_DECODES:
            self._cache.popitem(last=False)
        result = self.current()
        if result is None:
            return
        canvas = self._view.canvas
        if key == self._key(result, self.screen_side()) and canvas.pixmap().width() < image.width():
            canvas.set_photo(QPixmap.fromImage(image), full, keep_view=True)
        elif key == self._key(result, 0):
            canvas.set_photo(QPixmap.fromImage(image), full, keep_view=True)
            self._cache.pop(key)  # a whole 12 MP photo is 48 MB: shown, not kept

    def _on_failed(self, key: str, reason: str) -> None:
        if self._closed:
            return
        self._failures[key] = reason
        result = self.current()
        if result is not None and key in (
            self._key(result, self.screen_side()),
            self._key(result, 0),
        ):
            self._view.canvas.show_message(_cannot_show(reason))

    def _thumbnail(self, result: SearchResult) -> QPixmap | None:
        if not result.content_hash:
            return None
        path = self._thumb_path(result.content_hash)
        pixmap = QPixmap(str(path)) if path.is_file() else QPixmap()
        return None if pixmap.isNull() else pixmap

    def _full_size(self, result: SearchResult) -> QSize | None:
        """The photo's upright size, as indexed (the thumbnail stands in for it meanwhile)."""
        record = self._catalog.photo_record(result.photo_id) or {}
        width, height = record.get("width"), record.get("height")
        if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
            return QSize(width, height)
        return None

    def _name(self) -> str:
        result = self.current()
        return os.path.basename(result.path) if result is not None else ""

    @staticmethod
    def _key(result: SearchResult, side: int) -> str:
        return f"{result.photo_id}:{result.content_hash}:{side}"


def _cannot_show(reason: str) -> str:
    return f"This photo cannot be shown: {reason}"
