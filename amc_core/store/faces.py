"""Faces and people in the catalog: what the faces pass found, how faces are grouped, and the
names, merges and "not this person" answers the user gave (never lost by re-grouping)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from amc_core.errors import UserInputError
from amc_core.store.bodies import FoundBody, replace_bodies
from amc_core.store.connection import CatalogConnection, decode_path, now, user_change

EMBEDDING_DTYPE = np.float32


@dataclass(frozen=True, slots=True)
class FoundFace:
    """A face as the faces pass stores it."""

    box: tuple[float, float, float, float]  # x, y, w, h as fractions of the oriented photo
    score: float  # detector confidence 0-1
    quality: float  # 0-1: score and size together (which face shows a person best)
    crop: bytes | None  # the aligned crop (JPEG) the embedding reads; None without aligner


@dataclass(frozen=True, slots=True)
class StoredFace:
    id: int
    photo_id: int
    box: tuple[float, float, float, float]
    score: float
    person_id: int | None
    name: str | None
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str | None
    hidden: bool
    faces: int
    photos: int
    cover_face: int | None  # the face that shows them best


@dataclass(frozen=True, slots=True)
class FaceTable:
    """Every embedded face, as arrays for grouping."""

    ids: np.ndarray  # (N,) int64
    photos: np.ndarray  # (N,) int64
    persons: np.ndarray  # (N,) int64, -1: no person
    confirmed: np.ndarray  # (N,) bool
    quality: np.ndarray  # (N,) float32
    embeddings: np.ndarray  # (N, D) float32


class FaceRecords(CatalogConnection):
    # -- the faces pass --------------------------------------------------------

    def photos_to_scan(self, detector: str) -> list[tuple[int, str, str | None]]:
        """(photo id, path, content hash) of readable photos whose faces were not read by
        this detector from their current content."""
        rows = self._conn.execute(
            "SELECT p.id, p.path, p.content_hash FROM photos p LEFT JOIN face_scans s ON s.photo_id = p.id "
            "WHERE p.state = 'ok' AND (s.photo_id IS NULL OR s.detector != ? "
            "OR s.content_hash IS NOT p.content_hash) ORDER BY p.id",
            (detector,),
        )
        return [(int(i), decode_path(p), h) for i, p, h in rows]

    def save_face_scan(
        self,
        photo_id: int,
        content_hash: str | None,
        detector: str,
        faces: Sequence[FoundFace],
        bodies: Sequence[FoundBody] = (),
    ) -> bool:
        """Replace a photo's faces and the people seen whole in it with a new reading; False
        if the photo left meanwhile."""
        with self.transaction() as conn:
            if not conn.execute("SELECT 1 FROM photos WHERE id = ?", (photo_id,)).fetchone():
                return False
            conn.execute("DELETE FROM faces WHERE photo_id = ?", (photo_id,))
            conn.executemany(
                "INSERT INTO faces (photo_id, x, y, w, h, score, quality, crop) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(photo_id, *f.box, f.score, f.quality, f.crop) for f in faces],
            )
            replace_bodies(conn, photo_id, bodies)
            best = max((b.confidence for b in bodies), default=0.0)
            conn.execute(
                "INSERT INTO face_scans (photo_id, content_hash, detector, face_count, "
                "body_count, body_confidence, keywords_done, scanned_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT(photo_id) DO UPDATE SET "
                "content_hash = excluded.content_hash, detector = excluded.detector, "
                "face_count = excluded.face_count, body_count = excluded.body_count, "
                "body_confidence = excluded.body_confidence, keywords_done = 0, "
                "scanned_at = excluded.scanned_at",
                (photo_id, content_hash, detector, len(faces), len(bodies), best, now()),
            )
        return True

    def faces_to_embed(self, model: str, limit: int) -> list[tuple[int, bytes]]:
        """(face id, crop) of faces without an embedding from this model."""
        rows = self._conn.execute(
            "SELECT id, crop FROM faces WHERE crop IS NOT NULL AND "
            "(embedding IS NULL OR model IS NOT ?) ORDER BY id LIMIT ?",
            (model, limit),
        )
        return [(int(i), bytes(c)) for i, c in rows]

    def count_faces_to_embed(self, model: str) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM faces WHERE crop IS NOT NULL AND "
            "(embedding IS NULL OR model IS NOT ?)",
            (model,),
        ).fetchone()
        return int(row[0])

    def save_embeddings(self, face_ids: Sequence[int], vectors: np.ndarray, model: str) -> None:
        """vectors: (N, D) float32, one row per face id."""
        data = np.ascontiguousarray(vectors, dtype=EMBEDDING_DTYPE)
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE faces SET embedding = ?, model = ? WHERE id = ?",
                [(row.tobytes(), model, fid) for fid, row in zip(face_ids, data, strict=True)],
            )

    def face_table(self, model: str) -> FaceTable:
        rows = self._conn.execute(
            "SELECT id, photo_id, COALESCE(person_id, -1), confirmed, quality, embedding "
            "FROM faces WHERE embedding IS NOT NULL AND model = ? ORDER BY id",
            (model,),
        ).fetchall()
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return FaceTable(empty, empty, empty, empty.astype(bool),
                             empty.astype(np.float32), np.zeros((0, 0), EMBEDDING_DTYPE))  # fmt: skip
        columns = list(zip(*rows, strict=True))
        return FaceTable(
            np.array(columns[0], dtype=np.int64),
            np.array(columns[1], dtype=np.int64),
            np.array(columns[2], dtype=np.int64),
            np.array(columns[3], dtype=bool),
            np.array(columns[4], dtype=np.float32),
            np.stack([np.frombuffer(b, dtype=EMBEDDING_DTYPE) for b in columns[5]]),
        )

    def rejections(self) -> set[tuple[int, int]]:
        """(face id, person id): the user said this face is not this person."""
        return {(int(f), int(p)) for f, p in self._conn.execute("SELECT * FROM face_rejections")}

    @user_change
    def save_groups(self, joins: dict[int, int], new_groups: Sequence[Sequence[int]]) -> list[int]:
        """Faces that join existing people, and new unnamed people made of faces; drops
        unnamed people left without faces. Returns the new people's ids."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE faces SET person_id = ? WHERE id = ? AND person_id IS NULL",
                [(p, f) for f, p in joins.items()],
            )
            created = []
            for group in new_groups:
                cur = conn.execute("INSERT INTO people (created_at) VALUES (?)", (now(),))
                person = int(cur.lastrowid or 0)
                conn.executemany(
                    "UPDATE faces SET person_id = ? WHERE id = ? AND person_id IS NULL",
                    [(person, f) for f in group],
                )
                created.append(person)
            _drop_empty_groups(conn)
        return created

    # -- keywords of faces -----------------------------------------------------

    def photos_needing_face_keywords(self) -> list[int]:
        rows = self._conn.execute("SELECT photo_id FROM face_scans WHERE keywords_done = 0")
        return [int(r[0]) for r in rows]

    def faces_of_photos(self, photo_ids: Sequence[int]) -> dict[int, list[StoredFace]]:
        rows = self._by_ids(_FACES_SELECT + " WHERE f.photo_id", photo_ids)
        out: dict[int, list[StoredFace]] = {pid: [] for pid in photo_ids}
        for r in rows:
            face = _stored_face(r)
            out.setdefault(face.photo_id, []).append(face)
        return out

    def photo_sizes(self, photo_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """(width, height) of oriented photos."""
        rows = self._by_ids("SELECT id, width, height FROM photos WHERE id", photo_ids)
        return {int(i): (int(w or 1), int(h or 1)) for i, w, h in rows}

    def _mark_keywords_stale(self, conn: sqlite3.Connection, person_ids: Sequence[int]) -> None:
        conn.executemany(
            "UPDATE face_scans SET keywords_done = 0 WHERE photo_id IN "
            "(SELECT photo_id FROM faces WHERE person_id = ?)",
            [(p,) for p in person_ids],
        )

    # -- people ----------------------------------------------------------------

    def people(self, include_hidden: bool = False) -> list[Person]:
        """Named people first (by name), then unnamed groups, largest first."""
        rows = self._conn.execute(
            "SELECT p.id, p.name, p.hidden, COUNT(f.id), COUNT(DISTINCT f.photo_id), "
            "(SELECT id FROM faces WHERE person_id = p.id ORDER BY confirmed DESC, quality DESC "
            " LIMIT 1) FROM people p LEFT JOIN faces f ON f.person_id = p.id "
            "GROUP BY p.id ORDER BY p.name IS NULL, p.name COLLATE NOCASE, COUNT(f.id) DESC, p.id"
        )
        people = [Person(int(r[0]), r[1], bool(r[2]), int(r[3]), int(r[4]), r[5]) for r in rows]
        # an unnamed group whose photos all left the library is nobody any more (a named
        # person stays: names are never lost)
        return [p for p in people if (include_hidden or not p.hidden) and (p.name or p.faces)]

    def person_names(self) -> list[str]:
        return [
            str(r[0]) for r in self._conn.execute("SELECT name FROM people WHERE name NOT NULL")
        ]

    def person(self, person_id: int) -> Person:
        for person in self.people(include_hidden=True):
            if person.id == person_id:
                return person
        raise UserInputError(f"no person with id {person_id}; `amc people` lists them")

    def unassigned_faces(self) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM faces WHERE person_id IS NULL AND embedding IS NOT NULL"
        ).fetchone()
        return int(row[0])

    def person_photo_ids(self, person_id: int) -> list[int]:
        rows = self._conn.execute(
            "SELECT DISTINCT f.photo_id FROM faces f JOIN photos p ON p.id = f.photo_id "
            "WHERE f.person_id = ? AND p.state = 'ok' ORDER BY p.taken_at DESC, p.id",
            (person_id,),
        )
        return [int(r[0]) for r in rows]

    def person_faces(self, person_id: int) -> list[StoredFace]:
        """A person's faces in readable photos, newest photo first."""
        rows = self._conn.execute(
            _FACES_SELECT + " JOIN photos ph ON ph.id = f.photo_id WHERE f.person_id = ? "
            "AND ph.state = 'ok' ORDER BY ph.taken_at DESC, ph.id, f.id",
            (person_id,),
        )
        return [_stored_face(r) for r in rows]

    def face_crop(self, face_id: int) -> bytes | None:
        row = self._conn.execute("SELECT crop FROM faces WHERE id = ?", (face_id,)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    @user_change
    def name_person(self, person_id: int, name: str) -> int:
        """Name (or rename) a person; a name another person has already merges the two.
        Returns the id the person has afterwards."""
        cleaned = " ".join(name.split())
        if not cleaned:
            raise UserInputError("a name needs at least one letter")
        self.person(person_id)  # a clear error for an unknown id
        row = self._conn.execute(
            "SELECT id FROM people WHERE name = ? COLLATE NOCASE AND id != ?",
            (cleaned, person_id),
        ).fetchone()
        if row:
            self.merge_people(int(row[0]), person_id)
            return int(row[0])
        with self.transaction() as conn:
            conn.execute("UPDATE people SET name = ? WHERE id = ?", (cleaned, person_id))
            self._mark_keywords_stale(conn, [person_id])
        return person_id

    @user_change
    def merge_people(self, keep: int, gone: int, name: str | None = None) -> None:
        """Move every face of `gone` to `keep` (its name stays, or becomes `name`)."""
        if keep == gone:
            raise UserInputError("merging a person with themselves changes nothing")
        kept, merged = self.person(keep), self.person(gone)
        with self.transaction() as conn:
            self._mark_keywords_stale(conn, [gone])
            conn.execute("UPDATE faces SET person_id = ? WHERE person_id = ?", (keep, gone))
            conn.execute(
                "INSERT OR IGNORE INTO face_rejections SELECT face_id, ? FROM face_rejections "
                "WHERE person_id = ?",
                (keep, gone),
            )
            conn.execute("DELETE FROM people WHERE id = ?", (gone,))
            final = name or kept.name or merged.name
            conn.execute("UPDATE people SET name = ? WHERE id = ?", (final, keep))
            self._mark_keywords_stale(conn, [keep])

    @user_change
    def reject_face(self, face_id: int) -> None:
        """ "Not this person": the face leaves its person and never joins them again."""
        with self.transaction() as conn:
            row = conn.execute("SELECT person_id FROM faces WHERE id = ?", (face_id,)).fetchone()
            if row is None:
                raise UserInputError(f"no face with id {face_id}")
            if row[0] is None:
                return
            conn.execute("INSERT OR IGNORE INTO face_rejections VALUES (?, ?)", (face_id, row[0]))
            conn.execute(
                "UPDATE faces SET person_id = NULL, confirmed = 0 WHERE id = ?", (face_id,)
            )
            conn.execute("UPDATE face_scans SET keywords_done = 0 WHERE photo_id = "
                         "(SELECT photo_id FROM faces WHERE id = ?)", (face_id,))  # fmt: skip
            _drop_empty_groups(conn)

    @user_change
    def confirm_faces(self, person_id: int, face_ids: Sequence[int]) -> None:
        """The user says these faces are this person (suggested ones accepted in bulk)."""
        self.person(person_id)
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE faces SET person_id = ?, confirmed = 1 WHERE id = ?",
                [(person_id, f) for f in face_ids],
            )
            conn.executemany(
                "DELETE FROM face_rejections WHERE face_id = ? AND person_id = ?",
                [(f, person_id) for f in face_ids],
            )
            self._mark_keywords_stale(conn, [person_id])
            _drop_empty_groups(conn)

    @user_change
    def hide_person(self, person_id: int, hidden: bool = True) -> None:
        self.person(person_id)
        with self.transaction() as conn:
            conn.execute("UPDATE people SET hidden = ? WHERE id = ?", (int(hidden), person_id))

    @user_change
    def forget_faces(self) -> list[int]:
        """Delete every face, embedding, name and answer; returns the photos whose face
        keywords must be rewritten (the faces pass reads the photos again next time)."""
        with self.transaction() as conn:
            photos = [int(r[0]) for r in conn.execute("SELECT photo_id FROM face_scans")]
            for table in ("face_rejections", "faces", "bodies", "people", "face_scans"):
                conn.execute(f"DELETE FROM {table}")
        return photos


_FACES_SELECT = (
    "SELECT f.id, f.photo_id, f.x, f.y, f.w, f.h, f.score, f.person_id, p.name, f.confirmed "
    "FROM faces f LEFT JOIN people p ON p.id = f.person_id"
)


def _stored_face(row: Any) -> StoredFace:  # a row of _FACES_SELECT
    box = (float(row[2]), float(row[3]), float(row[4]), float(row[5]))
    person = int(row[7]) if row[7] is not None else None
    return StoredFace(int(row[0]), int(row[1]), box, float(row[6]), person, row[8], bool(row[9]))


def _drop_empty_groups(conn: sqlite3.Connection) -> None:
    """Unnamed groups with no face left go; named people stay (a name is never lost)."""
    conn.execute(
        "DELETE FROM people WHERE name IS NULL AND id NOT IN "
        "(SELECT person_id FROM faces WHERE person_id IS NOT NULL)"
    )
