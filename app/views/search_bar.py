"""The search bar: the query box, the query-language help, and the result count and time."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QStyle, QToolButton, QVBoxLayout, QWidget

from amc_app.widgets import describe, plain_label, plain_tooltip

QUERY_HELP = (
    "Type what you are looking for: dog on the beach\n"
    "-word leaves out photos with that word: beach -people\n"
    '"quoted phrase" keeps words together: "new york"\n'
    "Filters: year:2019  month:july  place:paris  folder:holidays  camera:iphone\n"
    "            before:2020-01-01  after:2019-06-01\n"
    'People: person:anna  person:"anna smith"  -person:anna  faces:0  faces:3+'
)
QUERY_PLACEHOLDER = 'Search: dog on the beach · -word · "phrase" · year:2019 place:paris'


class SearchEdit(QLineEdit):
    """The query box; Esc and Down are its own keys (clear, go to the results)."""

    escape_pressed = Signal()
    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
        elif event.key() == Qt.Key.Key_Down:
            self.down_pressed.emit()
        else:
            super().keyPressEvent(event)


class SearchBar(QWidget):
    """Layout only; the window's search controller reacts to the edit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = SearchEdit()
        self.edit.setPlaceholderText(QUERY_PLACEHOLDER)
        self.edit.setClearButtonEnabled(True)
        describe(
            self.edit,
            "Search",
            plain_tooltip(
                "Results appear as you type; Enter searches now, Esc clears.\n\n" + QUERY_HELP
            ),
        )
        self.help_button = QToolButton()
        self.help_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxQuestion)
        )
        self.help_button.setAutoRaise(True)
        describe(self.help_button, "Search help", plain_tooltip(QUERY_HELP))
        self.info = plain_label()
        self.info.setMinimumWidth(160)
        self.info.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        describe(self.info, "Search result count", "How many photos matched, and how long it took")
        self.error = plain_label()
        self.error.setWordWrap(True)
        describe(self.error, "Query problem", "What is wrong with the query, and how to write it")
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.help_button)
        row.addWidget(self.info)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def show_info(self, text: str) -> None:
        self.info.setText(text)

    def show_error(self, text: str) -> None:
        """A malformed query: said under the box, never a dialog ("" hides it)."""
        self.error.setText(f"⚠ {text}" if text else "")
        self.error.setVisible(bool(text))
