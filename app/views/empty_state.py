"""First start: an invitation to add a folder (the Pictures folder suggested), or drop one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from amc_app.widgets import describe, plain_label

_CARD_WIDTH = 480


class EmptyStateView(QWidget):
    """Layout only; the window's controller acts on the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "Get started", "Your library is empty: add a folder of photos")
        self.title = plain_label("Search your photos by what is in them")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.text = plain_label(
            "Add a folder of photos. They are indexed on this computer, in the background; "
            "nothing leaves it. You can search while indexing runs."
        )
        self.text.setWordWrap(True)
        self.suggest_button = QPushButton("Add your Pictures folder")
        self.suggest_button.setDefault(True)
        describe(self.suggest_button, "Add Pictures folder", "Add your Pictures folder")
        self.choose_button = QPushButton("Choose a folder…")
        describe(self.choose_button, "Choose folder", "Pick any folder of photos to add")
        self.drop_hint = plain_label("…or drop a folder anywhere on this window.")
        self.drop_hint.setEnabled(False)  # the palette's quieter text colour

        card = QWidget()
        card.setMaximumWidth(_CARD_WIDTH)
        column = QVBoxLayout(card)
        column.setSpacing(14)
        for widget in (self.title, self.text, self.suggest_button, self.choose_button):
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.drop_hint, 0, Qt.AlignmentFlag.AlignHCenter)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(_CARD_WIDTH - 40)  # a wrapped label needs a width to be tall enough
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def set_suggestion(self, folder: str | None) -> None:
        """The Pictures folder when it exists; otherwise only "Choose a folder…" is offered."""
        self.suggest_button.setVisible(bool(folder))
        if folder:
            self.suggest_button.setText(f"Add {folder}")
            self.suggest_button.setToolTip(f"Add the photos in {folder} to the library")
