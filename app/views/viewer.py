"""The in-app viewer: the photo large, a row of controls above it, its details beside it.

Layout and keys only; the viewer's controller decides what is shown. Keys: Left/Right (and
Page Up/Down, Backspace/Space) step, Home/End jump to the first/last, + and - zoom, 1 is 100%,
0 or F fits, F11 is full screen, Esc goes back to the gallery.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from amc_app.models.details import PhotoDetails
from amc_app.views.photo_canvas import PhotoCanvas
from amc_app.widgets import VerticalScroll, describe, plain_label

PANEL_WIDTH = 280
MAX_KEYWORDS = 40


class MetadataPanel(QWidget):
    """Date, place, camera, size, path and keywords of the shown photo."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "Photo details", "When, where and with what the photo was taken")
        self.setFixedWidth(PANEL_WIDTH)
        self.title = plain_label(selectable=True)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.taken, self.place, self.camera = (_value() for _ in range(3))
        self.pixels, self.path, self.keywords = (_value() for _ in range(3))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for name, label in (
            ("Taken", self.taken),
            ("Place", self.place),
            ("Camera", self.camera),
            ("Size", self.pixels),
            ("File", self.path),
            ("Keywords", self.keywords),
        ):
            describe(label, name, f"The photo's {name.lower()}")
            form.addRow(_field_name(name), label)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 12, 12, 12)
        column.addWidget(self.title)
        column.addLayout(form)
        column.addStretch(1)

    def show_details(
        self, name: str, details: PhotoDetails | None, keywords: list[str], weaker: int = 0
    ) -> None:
        """keywords: those to list, most confident first; weaker: how many guesses are not."""
        self.title.setText(name)
        unknown = "—"
        self.taken.setText(details.taken or unknown if details else unknown)
        self.place.setText(details.place or unknown if details else unknown)
        self.camera.setText(details.camera or unknown if details else unknown)
        self.pixels.setText(details.size or unknown if details else unknown)
        self.path.setText(details.path if details else unknown)
        shown = keywords[:MAX_KEYWORDS]
        text = ", ".join(shown) or unknown
        if len(keywords) > len(shown):
            text += f" and {len(keywords) - len(shown)} more"
        if weaker:
            text += f" ({weaker} weaker {'guess' if weaker == 1 else 'guesses'} not listed)"
        self.keywords.setText(text)


def _field_name(text: str) -> QLabel:
    """A field's name: small and dimmed, so the values read first."""
    label = plain_label(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _value() -> QLabel:
    label = plain_label(selectable=True)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class ViewerPage(QWidget):
    """One page of the Photos tab's stack, beside the gallery."""

    back_requested = Signal()
    step_requested = Signal(int)  # -1 previous, +1 next
    jump_requested = Signal(bool)  # True: the last photo, False: the first
    full_screen_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "Photo viewer", "The photo large. Esc goes back to the results")
        self.canvas = PhotoCanvas()
        self.details = MetadataPanel()
        self.title = plain_label()
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        describe(self.title, "Shown photo", "The photo's name and its place in the results")
        self.zoom_label = plain_label()
        describe(self.zoom_label, "Zoom", "How large the photo shows: 100% is one pixel a pixel")
        self.zoom_label.setMinimumWidth(48)
        self.back_button = self._button("Back", "Back to the results (Esc)")
        self.previous_button = self._button("◀", "Previous photo (Left)", "Previous photo")
        self.next_button = self._button("▶", "Next photo (Right)", "Next photo")
        self.zoom_out_button = self._button("−", "Zoom out (-)", "Zoom out")
        self.fit_button = self._button("Fit", "Fit the photo to the window (0 or F)")
        # "1:1", not "100%": beside the zoom level's own "100%" the bar read "− 100% + Fit 100%"
        self.actual_button = self._button(
            "1:1", "Actual size: one photo pixel per screen pixel (1)", "Actual size"
        )
        self.zoom_in_button = self._button("+", "Zoom in (+)", "Zoom in")
        self.full_screen_button = self._button("Full screen", "Full screen on or off (F11)")
        self.open_button = self._button("Open with…", "Open in your desktop's photo application")
        self.folder_button = self._button("Show in folder", "Show the file in its folder")
        self.info_button = self._button("Details", "Show or hide the photo's details")
        self.info_button.setCheckable(True)
        self.info_button.setChecked(True)
        self._layout()
        self._connect()

    def _button(self, text: str, tip: str, name: str = "") -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the photo
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        describe(button, name or text, tip)
        return button

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 0)
        for widget in (self.back_button, self.previous_button, self.next_button):
            bar.addWidget(widget)
        bar.addWidget(self.title, 1)
        # in a tool bar: when the window is narrow, what does not fit goes behind its » button
        # rather than holding the whole window wide
        tools = QToolBar()
        tools.setFloatable(False)
        tools.setMovable(False)
        for widget in (
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.fit_button,
            self.actual_button,
            self.full_screen_button,
            self.open_button,
            self.folder_button,
            self.info_button,
        ):
            tools.addWidget(widget)
        bar.addWidget(tools)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.canvas, 1)
        self.details_column = VerticalScroll(self.details)
        body.addWidget(self.details_column)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(bar)
        column.addLayout(body, 1)

    def _connect(self) -> None:
        canvas = self.canvas
        self.back_button.clicked.connect(self.back_requested)
        self.previous_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.next_button.clicked.connect(lambda: self.step_requested.emit(1))
        self.zoom_out_button.clicked.connect(canvas.zoom_out)
        self.zoom_in_button.clicked.connect(canvas.zoom_in)
        self.fit_button.clicked.connect(canvas.fit)
        self.actual_button.clicked.connect(canvas.actual_size)
        self.full_screen_button.clicked.connect(self.full_screen_requested)
        self.info_button.toggled.connect(self.details_column.setVisible)
        canvas.zoom_changed.connect(self.show_zoom)

    def show_zoom(self, scale: float) -> None:
        self.zoom_label.setText(f"{scale * 100:.0f}%")

    def show_position(self, name: str, row: int, count: int) -> None:
        self.title.setText(f"{name}   ·   {row + 1:,} of {count:,}")
        self.previous_button.setEnabled(row > 0)
        self.next_button.setEnabled(row + 1 < count)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key, canvas = event.key(), self.canvas
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_PageUp: -1,
            Qt.Key.Key_Backspace: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_PageDown: 1,
            Qt.Key.Key_Space: 1,
        }
        actions = {
            Qt.Key.Key_Escape: self.back_requested.emit,
            Qt.Key.Key_Home: lambda: self.jump_requested.emit(False),
            Qt.Key.Key_End: lambda: self.jump_requested.emit(True),
            Qt.Key.Key_F11: self.full_screen_requested.emit,
            Qt.Key.Key_Plus: canvas.zoom_in,
            Qt.Key.Key_Equal: canvas.zoom_in,
            Qt.Key.Key_Minus: canvas.zoom_out,
            Qt.Key.Key_1: canvas.actual_size,
            Qt.Key.Key_0: canvas.fit,
            Qt.Key.Key_F: canvas.fit,
            Qt.Key.Key_I: self.info_button.toggle,
        }
        if key in steps:
            self.step_requested.emit(steps[Qt.Key(key)])
        elif key in actions:
            actions[Qt.Key(key)]()
        else:
            super().keyPressEvent(event)
