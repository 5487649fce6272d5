"""The clicks the app records (which result was opened or inspected after which query): the
paper's training signal."""

from __future__ import annotations

import sqlite3

from amc_core.store.connection import CatalogConnection, now, user_change


class ClickLog(CatalogConnection):
    @user_change
    def record_click(self, query: str, photo_id: int, action: str) -> bool:
        """Record that a result was opened or inspected; False when the photo has left the
        library meanwhile (nothing to learn from)."""
        try:
            with self.transaction() as conn:
                conn.execute(
                    "INSERT INTO clicks (query, photo_id, action, at) VALUES (?, ?, ?, ?)",
                    (query.strip(), photo_id, action, now()),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def clicks(self) -> list[tuple[str, int, str]]:
        """(query, photo id, action), oldest first."""
        rows = self._conn.execute("SELECT query, photo_id, action FROM clicks ORDER BY id")
        return [(q, int(p), a) for q, p, a in rows]

    def click_counts(self) -> tuple[int, int]:
        """(clicks recorded, distinct queries they follow), counted by SQLite."""
        row = self._conn.execute("SELECT COUNT(*), COUNT(DISTINCT query) FROM clicks").fetchone()
        return int(row[0]), int(row[1])

    @user_change
    def clear_clicks(self) -> int:
        with self.transaction() as conn:
            return int(conn.execute("DELETE FROM clicks").rowcount)
