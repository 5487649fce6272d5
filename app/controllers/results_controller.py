"""The selected result: the inspector, the photo's actions, and the clicks they record.

Opening a photo records an "open"; looking at one in the inspector for a moment records an
"inspect" (arrowing past a result records nothing). Each is recorded once per query.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, QPoint, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QMenu

from amc_app import system
from amc_app.controllers.learning import LearningController
from amc_app.controllers.search_controller import SearchController
from amc_app.models.details import load_details
from amc_app.models.results_model import ResultsModel
from amc_app.views.gallery import GalleryView
from amc_app.views.heatmap import FaceBox
from amc_app.views.inspector import InspectorView
from amc_app.workers.thumbnails import ThumbnailLoader
from amc_core.api import Catalog, SearchResult

INSPECT_DWELL_MS = 1500
PREVIEW_SIDE = 720


class ResultsController(QObject):
    def __init__(
        self,
        gallery: GalleryView,
        model: ResultsModel,
        inspector: InspectorView,
        catalog: Catalog,
        thumbnail_path_for: Callable[[str], Path],
        search: SearchController,
        learning: LearningController,
        parent: QObject | None = None,
        dwell_ms: int = INSPECT_DWELL_MS,
    ) -> None:
        super().__init__(parent)
        self._gallery = gallery
        self._model = model
        self._inspector = inspector
        self._catalog = catalog
        self._thumb_path = thumbnail_path_for
        self._search = search
        self._learning = learning
        self._previews = ThumbnailLoader(self, threads=1)
        self._recorded: set[tuple[int, str]] = set()  # (photo id, action) for the shown query
        self._kept_photo: int | None = None
        self._closed = False  # the window closed: answers still queued change nothing
        self._dwell = QTimer(self, singleShot=True, interval=dwell_ms)
        self._dwell.timeout.connect(self.record_inspect)
        self._previews.loaded.connect(self._on_preview)
        gallery.selectionModel().currentChanged.connect(self._on_current_changed)
        model.modelAboutToBeReset.connect(self._remember_selection)
        model.modelReset.connect(self._restore_selection)
        search.query_changed.connect(self._on_query_changed)

    # -- what is selected ---------------------------------------------------------------

    def current_result(self) -> SearchResult | None:
        index = self._gallery.currentIndex()
        return self._model.result(index.row()) if index.isValid() else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._closed:
            return
        if not current.isValid():
            self._dwell.stop()
            self._inspector.clear()
            return
        result = self._model.result(current.row())
        self._inspector.show_result(result)
        self._inspector.show_details(load_details(self._catalog, result.photo_id))
        self._inspector.show_photo(self._thumbnail(result))
        self.show_faces(result.photo_id)
        self._previews.forget_pending()
        self._previews.request(_preview_key(result), result.path, PREVIEW_SIDE)
        self._dwell.start()

    def show_faces(self, photo_id: int) -> None:
        """Boxes and names of the photo's faces (one indexed query: quick on this thread)."""
        faces = self._catalog.faces_of_photos([photo_id]).get(photo_id, [])
        self._inspector.show_faces([FaceBox(f.box, f.name) for f in faces])

    def refresh_faces(self) -> None:
        """Names changed (the People view): the inspected photo shows the new ones."""
        result = self.current_result()
        if result is not None and not self._closed:
            self.show_faces(result.photo_id)

    def _thumbnail(self, result: SearchResult) -> QPixmap | None:
        if not result.content_hash:
            return None
        path = self._thumb_path(result.content_hash)
        return QPixmap(str(path)) if path.is_file() else None

    def _on_preview(self, key: str, image: QImage) -> None:
        result = self.current_result()
        if result is not None and key == _preview_key(result) and not image.isNull():
            self._inspector.show_photo(QPixmap.fromImage(image))

    def _remember_selection(self) -> None:
        result = self.current_result()
        self._kept_photo = result.photo_id if result is not None else None

    def _restore_selection(self) -> None:
        """A re-run of the same search (after indexing) keeps the photo selected."""
        row = self._model.row_of(self._kept_photo) if self._kept_photo is not None else -1
        self._kept_photo = None
        if row >= 0:
            self._gallery.setCurrentIndex(self._model.index(row))
        else:
            self._dwell.stop()
            self._inspector.clear()

    def _on_query_changed(self, _query: str) -> None:
        self._recorded.clear()

    # -- clicks ----------------------------------------------------------------------------

    def record_inspect(self) -> None:
        result = self.current_result()
        if result is not None:
            self._record(result, "inspect")

    def _record(self, result: SearchResult, action: str) -> None:
        if (result.photo_id, action) in self._recorded:
            return
        if self._learning.record(self._model.query, result.photo_id, action):
            self._recorded.add((result.photo_id, action))

    # -- actions on the selected photo ---------------------------------------------------

    def open_index(self, index: QModelIndex) -> None:
        """Enter or a double-click: the photo opens in the viewer (the window wires that too);
        it counts as opening it."""
        if index.isValid():
            self._gallery.setCurrentIndex(index)
            result = self.current_result()
            if result is not None:
                self._record(result, "open")

    def open_current(self) -> None:
        """Open with…: the desktop's application for the file."""
        result = self.current_result()
        if result is not None and system.open_file(result.path):
            self._record(result, "open")

    def show_current_in_folder(self) -> None:
        result = self.current_result()
        if result is not None:
            system.show_in_folder(result.path)

    def copy_current_path(self) -> None:
        result = self.current_result()
        if result is not None:
            system.copy_path(result.path)

    def find_similar(self) -> None:
        result = self.current_result()
        if result is not None:
            self._search.find_similar(result.photo_id, result.path)

    def show_context_menu(self, menu: QMenu, pos: QPoint) -> None:
        index = self._gallery.indexAt(pos)
        if not index.isValid():
            return
        self._gallery.setCurrentIndex(index)
        menu.popup(self._gallery.viewport().mapToGlobal(pos))

    def set_heatmap_visible(self, visible: bool) -> None:
        self._inspector.photo.set_overlay_visible(visible)

    def close(self) -> None:
        self._closed = True
        self._dwell.stop()
        self._previews.stop()


def _preview_key(result: SearchResult) -> str:
    return f"preview:{result.photo_id}"
