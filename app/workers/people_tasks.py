"""What the People view's own thread does: read the people and their faces, and write the
user's answers (names, merges, "not this person", confirmations, hiding).

Everything here runs on one dedicated thread that owns its own Library (SQLite connections
stay on one thread); these writes are single quick transactions, so they never wait for an
index run. Rewriting the photos' keywords afterwards (``Library.people_changed``) is the
writer thread's job (see library_tasks.py): it takes the library's write lock, like indexing.
Each task is a generator, run by GeneratorJob.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from amc_app.workers.library_home import LibraryHome
from amc_core.api import Person, StoredFace


@dataclass(frozen=True, slots=True)
class PersonEntry:
    person: Person
    cover: bytes | None  # the cover face's aligned crop (JPEG), None when there is none


@dataclass(frozen=True, slots=True)
class PeopleSnapshot:
    people: list[PersonEntry]
    unassigned: int  # faces found and measured but in no group yet
    hidden: int  # hidden people (listed only when asked for)


@dataclass(frozen=True, slots=True)
class FaceEntry:
    face: StoredFace
    crop: bytes | None
    path: str  # the photo the face is in


@dataclass(frozen=True, slots=True)
class PersonFaces:
    person_id: int
    faces: list[FaceEntry]


@dataclass(frozen=True, slots=True)
class PeopleEdited:
    """A change went through; `person_id` is who to select afterwards (a merge keeps one)."""

    person_id: int | None
    merged: bool = False
    keywords: bool = True  # the photos' keywords must follow (hiding changes none)


class PeopleHome(LibraryHome):
    """The People thread's Library, opened lazily on that thread."""

    # -- reading ---------------------------------------------------------------------

    def load(self, include_hidden: bool, cancel: threading.Event) -> Iterator[object]:
        catalog = self.library().catalog
        everyone = catalog.people(include_hidden=True)
        shown = [p for p in everyone if include_hidden or not p.hidden]
        entries = []
        for person in shown:
            if cancel.is_set():
                return
            cover = catalog.face_crop(person.cover_face) if person.cover_face else None
            entries.append(PersonEntry(person, cover))
        hidden = sum(1 for p in everyone if p.hidden)
        yield PeopleSnapshot(entries, catalog.unassigned_faces(), hidden)

    def faces(self, person_id: int, cancel: threading.Event) -> Iterator[object]:
        catalog = self.library().catalog
        faces = catalog.person_faces(person_id)
        # suggested faces first: those are the ones to look at; then by photo
        faces.sort(key=lambda f: (f.confirmed, f.photo_id, f.id))
        entries = []
        paths: dict[int, str] = {}
        for face in faces:
            if cancel.is_set():
                return
            if face.photo_id not in paths:
                record = catalog.photo_record(face.photo_id)
                paths[face.photo_id] = str(record["path"]) if record else ""
            entries.append(FaceEntry(face, catalog.face_crop(face.id), paths[face.photo_id]))
        yield PersonFaces(person_id, entries)

    # -- the user's answers ------------------------------------------------------------

    def name(self, person_id: int, name: str, cancel: threading.Event) -> Iterator[object]:
        kept = self.library().catalog.name_person(person_id, name)
        yield PeopleEdited(kept, merged=kept != person_id)

    def merge(self, keep: int, gone: int, cancel: threading.Event) -> Iterator[object]:
        self.library().catalog.merge_people(keep, gone)
        yield PeopleEdited(keep, merged=True)

    def reject(
        self, person_id: int, face_ids: Sequence[int], cancel: threading.Event
    ) -> Iterator[object]:
        catalog = self.library().catalog
        for face_id in face_ids:
            catalog.reject_face(face_id)
        # an unnamed group left without faces is gone: select nobody then
        still = any(p.id == person_id for p in catalog.people(include_hidden=True))
        yield PeopleEdited(person_id if still else None)

    def confirm(
        self, person_id: int, face_ids: Sequence[int], cancel: threading.Event
    ) -> Iterator[object]:
        self.library().catalog.confirm_faces(person_id, face_ids)
        yield PeopleEdited(person_id)

    def hide(self, person_id: int, hidden: bool, cancel: threading.Event) -> Iterator[object]:
        self.library().catalog.hide_person(person_id, hidden)
        yield PeopleEdited(person_id, keywords=False)


def photo_name(path: str) -> str:
    return os.path.basename(path) or "an unknown photo"
