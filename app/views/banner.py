"""An inline, non-modal message at the top of the window, with an optional action."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QWidget

from amc_app.widgets import describe, plain_label

_ICON = 20


class Banner(QFrame):
    action_clicked = Signal(str)  # the action's name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "Message", "A message about the library or the search")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.icon = QLabel()
        self.message = plain_label()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        describe(self.action_button, "Banner action", "Do what the message suggests")
        self.close_button = QToolButton()
        self.close_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DialogCloseButton)
        )
        self.close_button.setAutoRaise(True)
        describe(self.close_button, "Dismiss message", "Hide this message")
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self._action = ""
        self.action_button.clicked.connect(self._on_action)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def show_message(self, text: str, action: str = "", action_label: str = "") -> None:
        """Something went wrong; `action` names what action_label's button offers."""
        self._show(QStyle.StandardPixmap.SP_MessageBoxWarning, text, action, action_label)

    def show_info(self, text: str) -> None:
        """An outcome worth reading (not a problem)."""
        self._show(QStyle.StandardPixmap.SP_MessageBoxInformation, text, "", "")

    def _show(self, kind: QStyle.StandardPixmap, text: str, action: str, action_label: str) -> None:
        icon = self.style().standardIcon(kind)
        self.icon.setPixmap(icon.pixmap(_ICON, _ICON))
        self.message.setText(text)
        self._action = action
        self.action_button.setVisible(bool(action))
        self.action_button.setText(action_label)
        self.show()

    def text(self) -> str:
        return self.message.text() if self.isVisible() else ""

    def _on_action(self) -> None:
        self.hide()
        self.action_clicked.emit(self._action)
