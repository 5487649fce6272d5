"""The Duplicates view: the groups found on the left; the selected group's photos side by side
on the right (thumbnail, resolution, size, format, date, path), the keeper marked and
changeable. Layout only; the duplicates controller fills it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from amc_app.widgets import describe, plain_label
from amc_core.api import DuplicateGroup, DuplicatePhoto

THUMB_SIDE = 200


class PhotoCard(QFrame):
    """One photo of a group: its thumbnail, facts, and "Keep this one"."""

    def __init__(self, photo: DuplicatePhoto, thumbnail: Path | None) -> None:
        super().__init__()
        self.photo = photo
        self.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(self)
        picture = plain_label()
        picture.setFixedSize(THUMB_SIDE, THUMB_SIDE)
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap(str(thumbnail)) if thumbnail is not None else QPixmap()
        if not pixmap.isNull():
            picture.setPixmap(pixmap.scaled(THUMB_SIDE, THUMB_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation))  # fmt: skip
        column.addWidget(picture)
        self.keep = QRadioButton("Keep this one")
        describe(self.keep, "Keep this one", "Keep this photo; the others go to the trash")
        column.addWidget(self.keep)
        self.reason = plain_label(photo.reason)
        column.addWidget(self.reason)
        facts = [
            f"{photo.width} × {photo.height}",
            f"{photo.size_bytes / 1e6:.1f} MB · {photo.format or '?'}",
            (photo.taken_at or "no date")[:19].replace("T", " "),
            photo.path,
        ]
        details = plain_label("\n".join(facts), selectable=True)
        details.setWordWrap(True)
        details.setMaximumWidth(THUMB_SIDE + 40)
        column.addWidget(details)
        column.addStretch(1)


class DuplicatesView(QWidget):
    keeper_chosen = Signal(int)  # the photo id the user keeps

    def __init__(self) -> None:
        super().__init__()
        self.find_button = QPushButton("Find duplicates")
        describe(self.find_button, "Find duplicates", "Look for copies of the same photo")
        self.status = plain_label("Find copies and near-duplicates of your photos.")
        self.groups = QListWidget()
        describe(self.groups, "Duplicate groups", "Each group holds copies of one photo")
        self.title = plain_label()
        self.trash_button = QPushButton("Move others to trash…")
        describe(self.trash_button, "Move others to trash",
                 "Move every photo of the group but the keeper to the desktop trash")  # fmt: skip
        self.trash_button.setEnabled(False)
        self.cards: list[PhotoCard] = []
        self._keep_group = QButtonGroup(self)
        self._row = QHBoxLayout()
        self._row.addStretch(1)
        strip = QWidget()
        strip.setLayout(self._row)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(strip)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.addWidget(self.title)
        right_column.addWidget(scroll, 1)
        right_column.addWidget(self.trash_button, 0, Qt.AlignmentFlag.AlignRight)
        splitter = QSplitter()
        splitter.addWidget(self.groups)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        top = QHBoxLayout()
        top.addWidget(self.find_button)
        top.addWidget(self.status, 1)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(splitter, 1)

    def show_group(self, group: DuplicateGroup | None, thumbnails: dict[str, Path]) -> None:
        """The group's photos side by side, its keeper checked (None: nothing selected)."""
        for card in self.cards:
            self._keep_group.removeButton(card.keep)
            self._row.removeWidget(card)
            card.deleteLater()
        self.cards = []
        self.trash_button.setEnabled(group is not None)
        if group is None:
            self.title.setText("")
            return
        others = len(group.photos) - 1
        self.title.setText(f"{len(group.photos)} copies of one photo: keep one, "
                           f"move {others} to the trash")  # fmt: skip
        for photo in group.photos:
            card = PhotoCard(photo, thumbnails.get(photo.content_hash))
            card.keep.setChecked(photo.photo_id == group.keeper.photo_id)
            card.keep.toggled.connect(
                lambda on, pid=photo.photo_id: self.keeper_chosen.emit(pid) if on else None
            )
            self._keep_group.addButton(card.keep)
            self._row.insertWidget(self._row.count() - 1, card)
            self.cards.append(card)
