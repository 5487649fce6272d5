"""Search results, or the browsed library, as a Qt item model: thumbnails load lazily off the
UI thread, placeholders meanwhile.

Only rows a view paints ask for their icon, so 100k results decode a screenful, not 100k files.
A browse keeps the engine's columns (PhotoListing) and makes a SearchResult only for the row
asked. Header rows (a month of a browse, the divider before a search's weaker matches) have
no flags: nothing selects them, and the gallery lays them out full width.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap

from amc_app.models.sections import (
    date_order,
    dated_sections,
    plain,
    with_divider,
)
from amc_app.widgets import plain_tooltip
from amc_app.workers.thumbnails import ThumbnailLoader
from amc_core.api import PhotoListing, SearchResult

_Index = QModelIndex | QPersistentModelIndex
_CACHE_ICONS = 3000
_PLACEHOLDER_SIZE = 256
HEADER_ROLE = Qt.ItemDataRole.UserRole + 1  # "section" or "divider" for a header row, else None


class ResultsModel(QAbstractListModel):
    def __init__(self, thumbnail_path_for: Callable[[str], Path], loader: ThumbnailLoader) -> None:
        super().__init__()
        self._results: list[SearchResult] = []  # a search's, in the shown order
        self._listing: PhotoListing | None = None  # a browse's, in the shown order
        self._layout = plain(0)
        self._sort = "score"
        self._given: tuple[list[SearchResult], PhotoListing | None] = ([], None)
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

    @property
    def browsing(self) -> bool:
        """True when the rows are a browse of the library (no words searched)."""
        return self._listing is not None

    @property
    def sort_order(self) -> str:
        return self._sort

    def set_results(self, results: Sequence[SearchResult], query: str = "") -> None:
        """A search's results, best first, strong ones first: shown in the sort order."""
        self._given = (list(results), None)
        self._show(query)

    def set_listing(self, listing: PhotoListing, query: str = "") -> None:
        """A browse: photos newest first, in month sections."""
        self._given = ([], listing)
        self._show(query)

    def set_sort(self, order: str) -> None:
        """ "score" (best match first), "newest" or "oldest": a date sort orders a search's
        strong matches (the weaker ones stay after the divider, best first) or a browse."""
        if order != self._sort:
            self._sort = order
            self._show(self._query)

    def _show(self, query: str) -> None:
        self.beginResetModel()
        results, listing = self._given
        if listing is not None:
            if self._sort == "oldest" and len(listing):
                listing = listing.take(np.arange(len(listing) - 1, -1, -1))
            self._results, self._listing = [], listing
            self._layout = dated_sections(listing.days)
        else:
            strong = sum(1 for r in results if r.strong)
            if self._sort != "score":
                results = [results[i] for i in date_order([r.date for r in results[:strong]],
                                                          self._sort)] + results[strong:]  # fmt: skip
            self._results, self._listing = results, None
            self._layout = with_divider(len(results), strong)
        self._query = query
        self._waiting.clear()
        self._loader.forget_pending()
        self.endResetModel()

    def is_photo(self, row: int) -> bool:
        return 0 <= row < self._layout.rows.size and int(self._layout.rows[row]) >= 0

    def header(self, row: int) -> tuple[str, str] | None:
        """(kind, text) of a header row: ("section", "July 2019 · 12 photos") or ("divider",
        "14 weaker matches"); None for a photo."""
        item = int(self._layout.rows[row]) if 0 <= row < self._layout.rows.size else 0
        return (
            None if item >= 0 else (self._layout.kinds[-1 - item], self._layout.headers[-1 - item])
        )

    def photo_count(self) -> int:
        return len(self._listing) if self._listing is not None else len(self._results)

    def first_photo_row(self) -> int:
        """The first row that is a photo (a browse starts with its month's header); -1: none."""
        found = np.flatnonzero(self._layout.rows[:2] >= 0)
        return int(found[0]) if found.size else -1

    def photo_row_near(self, row: int, direction: int) -> int:
        """The photo row at or after `row` going `direction` (+1/-1), else the nearest one the
        other way (section headers and the divider are stepped over); -1 without photos."""
        rows = self._layout.rows
        if rows.size == 0:
            return -1
        row = max(0, min(rows.size - 1, row))
        ahead = rows[row:] if direction >= 0 else rows[: row + 1][::-1]
        found = np.flatnonzero(ahead >= 0)
        if found.size:
            return row + int(found[0]) if direction >= 0 else row - int(found[0])
        return self.photo_row_near(row, -direction) if (rows >= 0).any() else -1

    def photo_position(self, row: int) -> int:
        """0-based place of a photo row among the photos (headers not counted)."""
        return row - int((self._layout.rows[:row] < 0).sum())

    def photo_rows(self) -> list[int]:
        """The rows that are photos, in order (header rows left out)."""
        return self._layout.photo_rows().tolist()

    def result(self, row: int) -> SearchResult:
        """The photo of this row (of a header row: the photo after it, else the one before)."""
        rows = self._layout.rows
        item = int(rows[row])
        if item < 0:
            after = rows[row:][rows[row:] >= 0]
            item = int(after[0]) if after.size else int(rows[:row][rows[:row] >= 0][-1])
        if self._listing is None:
            return self._results[item]
        listing = self._listing
        return SearchResult(
            int(listing.ids[item]), listing.paths[item], 1.0, 0.0, 1.0, [], listing.hashes[item],
            [], "filter" if self._query else "browse", date=listing.dates[item],
        )  # fmt: skip

    def row_of(self, photo_id: int) -> int:
        if self._listing is not None:
            found = np.flatnonzero(self._listing.ids == photo_id)
            item = int(found[0]) if found.size else -1
        else:
            item = next((i for i, r in enumerate(self._results) if r.photo_id == photo_id), -1)
        if item < 0:
            return -1
        return int(np.flatnonzero(self._layout.rows == item)[0])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else int(self._layout.rows.size)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if self.is_photo(index.row()):
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.NoItemFlags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = index.row()
        if not index.isValid() or row >= self._layout.rows.size:
            return None
        header = self.header(row)
        if header is not None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return header[1]
            return header[0] if role == HEADER_ROLE else None
        if role == HEADER_ROLE:
            return None
        if self._listing is not None:
            return self._listing_data(int(self._layout.rows[row]), row, role)
        result = self._results[int(self._layout.rows[row])]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return os.path.basename(result.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{result.path}\nscore {result.score:.3f}")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(row, result.content_hash)
        return None

    def _listing_data(self, item: int, row: int, role: int) -> object:
        listing = self._listing
        assert listing is not None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return os.path.basename(listing.paths[item])
        if role == Qt.ItemDataRole.ToolTipRole:
            date = listing.dates[item].replace("T", " ")
            return plain_tooltip(f"{listing.paths[item]}\n{date}")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(row, listing.hashes[item])
        return None

    def _icon(self, row: int, key: str | None) -> QIcon:
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
            if row < self._layout.rows.size:
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
