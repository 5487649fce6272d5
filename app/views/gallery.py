"""The results gallery: a virtualised thumbnail grid (one QListView over the results model)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from amc_app.widgets import describe

_TEXT_LINE = 22
_SPACING = 12


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
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setDragEnabled(False)
        self.doubleClicked.connect(self.open_requested)

    def set_thumbnail_size(self, side: int) -> None:
        self.setIconSize(QSize(side, side))
        self.setGridSize(QSize(side + _SPACING * 2, side + _SPACING + _TEXT_LINE))
        self.verticalScrollBar().setSingleStep(max(8, side // 4))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)
