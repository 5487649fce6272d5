"""What `amc repair` asks of the catalog: SQLite's own check, the feature blobs to verify,
and the rebuilds it may start."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from amc_core.store.connection import CatalogConnection


class CatalogChecks(CatalogConnection):
    def integrity_problems(self) -> list[str]:
        """What SQLite's own check finds wrong (empty when the database is sound)."""
        rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return [str(r[0]) for r in rows if r[0] != "ok"]

    def all_features(self) -> Iterator[tuple[int, bytes]]:
        """Every stored feature blob, one at a time (for checks: never all in memory)."""
        for photo_id, blob in self._conn.execute("SELECT photo_id, data FROM photo_features"):
            yield int(photo_id), bytes(blob)

    def forget_analysis(self, photo_ids: Sequence[int]) -> None:
        """Make the next index run analyse these photos again (their size no longer matches)."""
        with self.transaction() as tx:
            tx.executemany("UPDATE photos SET size = -1 WHERE id = ?", [(i,) for i in photo_ids])

    def checkpoint(self) -> None:
        """Move the write-ahead log into the file, so the file alone is the whole catalog."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def rebuild_full_text(self) -> None:
        with self.transaction() as tx:
            tx.execute("INSERT INTO photo_text(photo_text) VALUES ('rebuild')")
