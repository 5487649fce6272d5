"""People seen whole in the catalog: the boxes the faces pass's body detector found, and
their count and best confidence, kept with the photo's face scan (the people keywords are
written from those; search reads the boxes: store/queries.py body_boxes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from amc_core.store.connection import CatalogConnection, decode_path


@dataclass(frozen=True, slots=True)
class FoundBody:
    """A person seen whole (not by their face), as the faces pass stores them."""

    box: tuple[float, float, float, float]  # x, y, w, h as fractions of the oriented photo
    confidence: float  # 0-1, from the detector's margin (describe/bodies.body_confidence)


class BodyRecords(CatalogConnection):
    def bodies_of(self, photo_ids: Sequence[int]) -> dict[int, tuple[int, float]]:
        """(people seen whole, the best one's confidence) of photos whose faces were read."""
        rows = self._by_ids(
            "SELECT photo_id, body_count, body_confidence FROM face_scans WHERE photo_id",
            photo_ids,
        )
        return {int(p): (int(n), float(c)) for p, n, c in rows}

    def photos_without_body_boxes(self) -> list[tuple[int, str, str | None]]:
        """(photo id, path, content hash) of readable photos whose people seen whole were
        counted before their boxes were kept (catalog version < 7): only the body detector
        reads them again, so their faces, and the names given to them, stay."""
        rows = self._conn.execute(
            "SELECT p.id, p.path, p.content_hash FROM face_scans s "
            "JOIN photos p ON p.id = s.photo_id "
            "WHERE p.state = 'ok' AND s.body_count > 0 AND s.content_hash IS p.content_hash "
            "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.photo_id = s.photo_id) ORDER BY p.id"
        )
        return [(int(i), decode_path(p), h) for i, p, h in rows]

    def save_body_boxes(
        self, photo_id: int, content_hash: str | None, bodies: Sequence[FoundBody]
    ) -> bool:
        """Keep the boxes of the people seen whole in a photo's content as it was scanned;
        False if the photo left or changed meanwhile (its next full scan reads them). A
        changed count or confidence rewrites its people keywords (person, people, crowd)."""
        best = max((b.confidence for b in bodies), default=0.0)
        with self.transaction() as conn:
            updated = conn.execute(
                "UPDATE face_scans SET keywords_done = CASE WHEN body_count = ? AND "
                "body_confidence = ? THEN keywords_done ELSE 0 END, body_count = ?, "
                "body_confidence = ? WHERE photo_id = ? AND content_hash IS ?",
                (len(bodies), best, len(bodies), best, photo_id, content_hash),
            ).rowcount
            if updated != 1:
                return False
            replace_bodies(conn, photo_id, bodies)
        return True


def replace_bodies(conn: sqlite3.Connection, photo_id: int, bodies: Sequence[FoundBody]) -> None:
    """Within the caller's transaction: the photo's people seen whole are these."""
    conn.execute("DELETE FROM bodies WHERE photo_id = ?", (photo_id,))
    conn.executemany(
        "INSERT INTO bodies (photo_id, x, y, w, h, confidence) VALUES (?, ?, ?, ?, ?, ?)",
        [(photo_id, *b.box, b.confidence) for b in bodies],
    )
