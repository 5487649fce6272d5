"""Small helpers every view uses: accessible names with tooltips, and text shown as plain text."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


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
