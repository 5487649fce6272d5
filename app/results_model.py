"""Search results as a Qt item model: thumbnails load lazily from the cache, placeholders meanwhile."""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap

from amc_core.search import SearchResult

_Index = QModelIndex | QPersistentModelIndex
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
RESULT_ROLE = Qt.ItemDataRole.UserRole + 2


class ResultsModel(QAbstractListModel):
    def __init__(self, thumbnail_path_for: object, icon_size: int = 160) -> None:
        super().__init__()
        self._results: list[SearchResult] = []
        self._thumb_path = thumbnail_path_for  # callable(content_hash) -> Path
        self._cache: OrderedDict[int, QIcon] = OrderedDict()
        self._placeholder = _placeholder(icon_size)

    def set_results(self, results: list[SearchResult]) -> None:
        self.beginResetModel()
        self._results = list(results)
        self._cache.clear()
        self.endResetModel()

    def result(self, row: int) -> SearchResult:
        return self._results[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._results)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        result = self._results[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return os.path.basename(result.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{result.path}\nscore {result.score:.3f}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(result)
        if role == PATH_ROLE:
            return result.path
        if role == RESULT_ROLE:
            return result
        return None

    def _icon(self, result: SearchResult) -> QIcon:
        """Only visible rows ask for icons, so 100k results load a screenful, not 100k files."""
        cached = self._cache.get(result.photo_id)
        if cached is not None:
            self._cache.move_to_end(result.photo_id)
            return cached
        path = self._thumb_path(result.content_hash) if result.content_hash else None  # type: ignore[operator]
        if not isinstance(path, Path) or not path.is_file():
            return self._placeholder
        icon = QIcon(QPixmap(str(path)))
        self._cache[result.photo_id] = icon
        if len(self._cache) > 2000:
            self._cache.popitem(last=False)
        return icon


def _placeholder(size: int) -> QIcon:
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(QColor(128, 128, 128, 60))
    return QIcon(pixmap)
