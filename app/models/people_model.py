"""The people and one person's faces as Qt item models (face crops decoded on first paint)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QPalette, QPixmap

from amc_app.widgets import plain_tooltip
from amc_app.workers.people_tasks import FaceEntry, PersonEntry, photo_name
from amc_core.api import Person, StoredFace

_Index = QModelIndex | QPersistentModelIndex
PERSON_ROLE = Qt.ItemDataRole.UserRole + 20  # the Person
COUNT_ROLE = Qt.ItemDataRole.UserRole + 21  # "5 photos"
FACE_ROLE = Qt.ItemDataRole.UserRole + 22  # the StoredFace
UNNAMED = "Unnamed"
_CROP_SIDE = 150


def person_label(person: Person) -> str:
    return person.name or UNNAMED


def photo_count(count: int) -> str:
    return f"{count:,} photo" if count == 1 else f"{count:,} photos"


def person_query(person: Person, everyone: Sequence[Person] = ()) -> str:
    """The search that shows this person's photos: by name when the name picks only them
    (person:"anna" would also find Anna Smith), else by id (what an unnamed group has)."""
    name = person.name
    if name and '"' not in name:
        words = _folded_words(name)
        others = [p.name for p in everyone if p.id != person.id and p.name]
        if not any(words <= _folded_words(other) for other in others):
            return f'person:"{name}"'
    return f"person:#{person.id}"


def _folded_words(name: str) -> set[str]:
    """A name's words as the search compares them: lower case, accents folded."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return set("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _nocase(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


class _Crops:
    """Decoded crops by face id; a soft square in the palette's mid tone stands in for none."""

    def __init__(self) -> None:
        self._pixmaps: dict[int, QPixmap] = {}
        self._blank: QPixmap | None = None

    def clear(self) -> None:
        self._pixmaps.clear()

    def get(self, face_id: int | None, data: bytes | None) -> QPixmap:
        if face_id is None or not data:
            return self._placeholder()
        pixmap = self._pixmaps.get(face_id)
        if pixmap is None:
            pixmap = QPixmap()
            if not pixmap.loadFromData(data):
                pixmap = self._placeholder()
            self._pixmaps[face_id] = pixmap
        return pixmap

    def _placeholder(self) -> QPixmap:
        if self._blank is None:
            colour = QGuiApplication.palette().color(QPalette.ColorRole.Mid)
            colour.setAlpha(90)
            self._blank = QPixmap(_CROP_SIDE, _CROP_SIDE)
            self._blank.fill(colour)
        return self._blank


class PeopleModel(QAbstractListModel):
    """One row per person, in the catalog's order: named people by name, then groups by size."""

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[PersonEntry] = []
        self._crops = _Crops()

    def set_people(self, entries: Sequence[PersonEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self._crops.clear()  # a cover may have changed (a merge, a face taken out)
        self.endResetModel()

    def people(self) -> list[Person]:
        return [e.person for e in self._entries]

    def person(self, row: int) -> Person:
        return self._entries[row].person

    def row_of(self, person_id: int) -> int:
        return next((i for i, e in enumerate(self._entries) if e.person.id == person_id), -1)

    def find_named(self, name: str, other_than: int) -> Person | None:
        """The person who already has this name, as the catalog compares names (spaces
        collapsed, ASCII letters in either case: SQLite's NOCASE), if any."""
        wanted = _nocase(" ".join(name.split()))
        for entry in self._entries:
            person = entry.person
            if person.id != other_than and person.name and _nocase(person.name) == wanted:
                return person
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        person = entry.person
        if role == Qt.ItemDataRole.DisplayRole:
            return person_label(person)
        if role == COUNT_ROLE:
            return photo_count(person.photos) + (" · hidden" if person.hidden else "")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            hidden = ", hidden" if person.hidden else ""
            return f"{person_label(person)}, {photo_count(person.photos)}{hidden}"
        if role == Qt.ItemDataRole.ToolTipRole:
            faces = "face" if person.faces == 1 else "faces"
            text = f"{person_label(person)}\n{photo_count(person.photos)}, {person.faces} {faces}"
            return plain_tooltip(text + "\nDouble-click to see the photos")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._crops.get(person.cover_face, entry.cover)
        if role == PERSON_ROLE:
            return person
        return None


class FacesModel(QAbstractListModel):
    """The faces of the selected person: suggested ones first, then the confirmed ones."""

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[FaceEntry] = []
        self._crops = _Crops()
        self.person_id: int | None = None

    def set_faces(self, person_id: int | None, entries: Sequence[FaceEntry]) -> None:
        self.beginResetModel()
        self.person_id = person_id
        self._entries = list(entries)
        self._crops.clear()
        self.endResetModel()

    def faces(self) -> list[StoredFace]:
        return [e.face for e in self._entries]

    def face(self, row: int) -> StoredFace:
        return self._entries[row].face

    def path(self, row: int) -> str:
        return self._entries[row].path

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        face = entry.face
        state = "confirmed" if face.confirmed else "suggested"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Face in {photo_name(entry.path)}, {state}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{photo_name(entry.path)}\n{state.capitalize()}")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._crops.get(face.id, entry.crop)
        if role == FACE_ROLE:
            return face
        return None
