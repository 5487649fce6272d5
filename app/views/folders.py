"""The folders panel: the library's folders, with add, remove and rescan."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from amc_app.widgets import describe, plain_label, plain_tooltip


class FoldersPanel(QWidget):
    """Layout only; the window's controller acts on the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "Folders", "The folders in your library")
        self.list = QListWidget()
        describe(
            self.list,
            "Library folders",
            "Folders whose photos you can search; they are watched for new and changed photos",
        )
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.add_button = QPushButton("Add…")
        describe(self.add_button, "Add folder", "Add a folder of photos to the library")
        self.remove_button = QPushButton("Remove")
        describe(
            self.remove_button,
            "Remove folder",
            "Remove the selected folder's photos from the library (the files stay on disk)",
        )
        self.rescan_button = QPushButton("Rescan")
        describe(
            self.rescan_button,
            "Rescan folders",
            "Look for new, changed and deleted photos in all folders now",
        )
        self.note = plain_label("Removing a folder never deletes files.")
        self.note.setWordWrap(True)
        self.note.setEnabled(False)  # the palette's quieter text colour
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.rescan_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_folders(self, folders: Sequence[str]) -> None:
        selected = self.selected_folder()
        self.list.clear()
        for path in folders:
            item = QListWidgetItem(path)
            item.setToolTip(plain_tooltip(path))
            self.list.addItem(item)
            if path == selected:
                item.setSelected(True)
        self._update_buttons()

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def selected_folder(self) -> str | None:
        items = self.list.selectedItems()
        return items[0].text() if items else None

    def select(self, path: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setSelected(item.text() == path)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.selected_folder() is not None)
        self.rescan_button.setEnabled(self.list.count() > 0)
