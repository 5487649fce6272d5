"""Search results as a Qt item model: thumbnails load lazily off the UI thread, placeholders meanwhile.

Only rows a view paints ask for their icon, so 100k results decode a screenful, not 100k files.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap

from amc_app.widgets import plain_tooltip
from amc_app.workers.thumbnails import ThumbnailLoader
from amc_core.api import SearchResult

_Index = QModelIndex | QPersistentModelIndex
_CACHE_ICONS = 3000
_PLACEHOLDER_SIZE = 256


class ResultsModel(QAbstractListModel):
    def __init__(self, thumbnail_path_for: Callable[[str], Path], loader: ThumbnailLoader) -> None:
        super().__init__()
        self._results: list[SearchResult] = []
        self._query = ""
        self._thumb_path = thumbnail_path_for
        self._loader = loader
        self._icons: OrderedDict[str, QIcon] = OrderedDict()  # by content hash, across searches
        self._waiting: dict[str, set[int]] = {}  # content hash -> rows painted with a placeholder
        self._placeholder = _placeholder()
        loader.loaded.connect(self._on_loaded)

    @property
    def query(self) -> str:
        """The query these results answer ("" for "find similar")."""
        return self._query

    def set_results(self, results: Sequence[SearchResult], query: str = "") -> None:
        self.beginResetModel()
        self._results = list(results)
        self._query = query
        self._waiting.clear()
        self._loader.forget_pending()
        self.endResetModel()

    def result(self, row: int) -> SearchResult:
        return self._results[row]

    def row_of(self, photo_id: int) -> int:
        return next((i for i, r in enumerate(self._results) if r.photo_id == photo_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._results)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._results):
            return None
        result = self._results[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return os.path.basename(result.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{result.path}\nscore {result.score:.3f}")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(index.row(), result)
        return None

    def _icon(self, row: int, result: SearchResult) -> QIcon:
        key = result.content_hash
        if not key:
            return self._placeholder
        cached = self._icons.get(key)
        if cached is not None:
            self._icons.move_to_end(key)
            return cached
        self._waiting.setdefault(key, set()).add(row)
        self._loader.request(key, str(self._thumb_path(key)))
        return self._placeholder

    def _on_loaded(self, key: str, image: QImage) -> None:
        rows = self._waiting.pop(key, None)
        if rows is None:
            return  # asked for by an older search, or by someone else
        icon = self._placeholder if image.isNull() else QIcon(squared(image))
        self._icons[key] = icon
        while len(self._icons) > _CACHE_ICONS:
            self._icons.popitem(last=False)
        roles = [Qt.ItemDataRole.DecorationRole]
        for row in rows:
            if row < len(self._results):
                index = self.index(row)
                self.dataChanged.emit(index, index, roles)


def squared(image: QImage) -> QPixmap:
    """The thumbnail centred on a transparent square: every cell's text lines up."""
    side = max(image.width(), image.height())
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.drawImage((side - image.width()) // 2, (side - image.height()) // 2, image)
    painter.end()
    return pixmap


def _placeholder() -> QIcon:
    """A soft square in the palette's own mid tone: right in light and dark mode."""
    colour = QGuiApplication.palette().color(QPalette.ColorRole.Mid)
    colour.setAlpha(90)
    pixmap = QPixmap(QSize(_PLACEHOLDER_SIZE, _PLACEHOLDER_SIZE))
    pixmap.fill(colour)
    return QIcon(pixmap)
