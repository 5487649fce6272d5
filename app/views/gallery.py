"""The results gallery: a virtualised thumbnail grid (one QListView over the results model).

Header rows (a browse's months, the divider before weaker matches) are as wide as the view,
so the flow puts each on a line of its own; photo cells all share one size.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from amc_app.models.results_model import ResultsModel
from amc_app.widgets import describe

_TEXT_LINE = 22
_SPACING = 12
HEADER_HEIGHT = 34
_Index = QModelIndex | QPersistentModelIndex


class GalleryDelegate(QStyledItemDelegate):
    """Photo cells as the style draws them; header rows as a line of text across the view."""

    def __init__(self, view: GalleryView) -> None:
        super().__init__(view)
        self._view = view
        self.cell = QSize(160 + _SPACING * 2, 160 + _SPACING + _TEXT_LINE)

    def _header(self, index: _Index) -> tuple[str, str] | None:
        model = index.model()
        return model.header(index.row()) if isinstance(model, ResultsModel) else None

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        if self._header(index) is None:
            return self.cell
        return QSize(max(self.cell.width(), self._view.viewport().width() - 4), HEADER_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        header = self._header(index)
        if header is None:
            super().paint(painter, option, index)
            return
        kind, text = header
        rect: QRect = option.rect.adjusted(_SPACING, 0, -_SPACING, 0)
        palette = self._view.palette()
        painter.save()
        font = QFont(self._view.font())
        font.setBold(kind == "section")
        if kind == "section":
            font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        role = QPalette.ColorRole.Text if kind == "section" else QPalette.ColorRole.PlaceholderText
        painter.setPen(palette.color(role))
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        drawn = painter.boundingRect(rect, flags, text)
        painter.drawText(rect, flags, text)
        if kind == "divider":  # a rule after the words: the weaker matches start here
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            y = rect.center().y()
            painter.drawLine(drawn.right() + _SPACING, y, rect.right(), y)
        painter.restore()


class GalleryView(QListView):
    """Icon grid with uniform cells: scrolling 100k results costs what a screenful costs."""

    open_requested = Signal(QModelIndex)  # Enter / Return / double-click

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(
            self,
            "Results",
            "Photos that match, best first. Enter or double-click opens one; right-click for more",
        )
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(2000)
        self.setUniformItemSizes(False)  # header rows are wider: the delegate sizes every row
        self.setSpacing(0)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setDragEnabled(False)
        self.delegate = GalleryDelegate(self)
        self.setItemDelegate(self.delegate)
        self.doubleClicked.connect(self.open_requested)

    def set_thumbnail_size(self, side: int) -> None:
        self.setIconSize(QSize(side, side))
        self.delegate.cell = QSize(side + _SPACING * 2, side + _SPACING + _TEXT_LINE)
        self.verticalScrollBar().setSingleStep(max(8, side // 4))
        self.scheduleDelayedItemsLayout()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)
