"""Small helpers every view uses: accessible names with tooltips, text shown as plain text, and
a side column that scrolls rather than squeezes."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget


def describe(widget: QWidget, name: str, tip: str) -> None:
    """Every control gets an accessible name and a tooltip."""
    widget.setAccessibleName(name)
    widget.setToolTip(tip)


def plain_label(text: str = "", selectable: bool = False) -> QLabel:
    """A label that never interprets markup: file names and keywords come from the photos."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def plain_tooltip(text: str) -> str:
    """Tooltips guess rich text from the content: escape it and mark it rich, so it shows literally."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


class VerticalScroll(QScrollArea):
    """A side column (the inspector, the viewer's details) scrolled up and down when the window
    is short rather than squeezed: a squeezed column asks the window for its whole height and
    squeezes what sits beside or above it (the gallery's filter rows). As wide as the column
    wants, never scrolled sideways."""

    def __init__(self, column: QWidget) -> None:
        super().__init__()
        self._column = column
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setWidget(column)

    def _width(self, hint: QSize) -> int:
        """The column's width (a fixed width is its minimum, not its hint) and the bar's."""
        wide = max(hint.width(), self._column.minimumWidth())
        return wide + self.verticalScrollBar().sizeHint().width()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        wanted = self._column.sizeHint()
        return QSize(self._width(wanted), wanted.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self._width(self._column.minimumSizeHint()), 0)
