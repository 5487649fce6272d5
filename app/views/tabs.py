"""The window's pages: Photos (the search box over the results), People and Duplicates."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu, QTabWidget, QToolButton, QVBoxLayout, QWidget

from amc_app.widgets import describe

PHOTOS, PEOPLE, DUPLICATES = 0, 1, 2
_PAGES = (  # index, menu text, shortcut, what it shows
    (PHOTOS, "&Photos", "Ctrl+1", "Search your photos"),
    (PEOPLE, "P&eople", "Ctrl+2", "The people in your photos: name, merge, hide them"),
    (DUPLICATES, "&Duplicates", "Ctrl+3", "Copies of the same photo: keep one, trash the rest"),
)


class MainTabs(QTabWidget):
    def __init__(
        self, search_bar: QWidget, results: QWidget, people: QWidget, duplicates: QWidget
    ) -> None:
        super().__init__()
        photos = QWidget()
        column = QVBoxLayout(photos)
        column.setContentsMargins(0, 4, 0, 0)
        column.addWidget(search_bar)
        column.addWidget(results, 1)
        self.setDocumentMode(True)
        self.addTab(photos, "Photos")
        self.addTab(people, "People")
        self.addTab(duplicates, "Duplicates")
        for index, _text, keys, tip in _PAGES:
            self.setTabToolTip(index, f"{tip} ({keys})")
        describe(self, "Photos, people or duplicates",
                 "Search your photos, see who is in them, or find copies")  # fmt: skip
        for button in self.tabBar().findChildren(QToolButton):  # Qt's scroll arrows
            side = "left" if "Left" in button.objectName() else "right"
            describe(button, f"Scroll tabs {side}", f"Show the tabs further {side}")

    def add_actions(self, menu: QMenu) -> None:
        """View > Photos (Ctrl+1), People (Ctrl+2), Duplicates (Ctrl+3), then a separator."""
        for index, text, keys, tip in _PAGES:
            action = menu.addAction(text)
            action.setShortcut(QKeySequence(keys))
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, page=index: self.setCurrentIndex(page))
        menu.addSeparator()

    def show_photos(self) -> None:
        self.setCurrentIndex(PHOTOS)

    def show_people(self) -> None:
        self.setCurrentIndex(PEOPLE)

    def show_duplicates(self) -> None:
        self.setCurrentIndex(DUPLICATES)
