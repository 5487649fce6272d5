"""Reads for browsing: the library (or a filtered part of it) newest first, as arrays, and the
years and places that narrow it.

A photo's date is its capture date (EXIF ``taken_at``, local time), else its file's
modification time in local time: the same ISO text either way, so one sort orders both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field

import numpy as np

from amc_core.store.connection import CatalogConnection, decode_path
from amc_core.store.schema import KEYWORD_RECORD
from amc_core.words.keyword import SOURCES

# capture date, else the file's date: "YYYY-MM-DDTHH:MM:SS" (local time)
PHOTO_DATE = (
    "COALESCE(taken_at, strftime('%Y-%m-%dT%H:%M:%S', mtime_ns / 1000000000, 'unixepoch', "
    "'localtime'))"
)
_DAY_KEY = "CAST(replace(substr(d, 1, 10), '-', '') AS INTEGER)"  # 20190704
_PLACE = SOURCES.index("place") if "place" in SOURCES else -1


@dataclass(frozen=True)
class PhotoListing:
    """Photos newest first as parallel columns: built once on the engine's thread, read row by
    row only for the rows a view paints."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    days: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # 20190704
    dates: list[str] = field(default_factory=list)  # ISO date and time
    paths: list[str] = field(default_factory=list)
    hashes: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.ids.size)

    def take(self, rows: np.ndarray) -> PhotoListing:
        """These rows, in this order (a subset, or the listing reversed)."""
        order = rows.tolist()
        return PhotoListing(
            self.ids[rows], self.days[rows], [self.dates[i] for i in order],
            [self.paths[i] for i in order], [self.hashes[i] for i in order],
        )  # fmt: skip


@dataclass(frozen=True)
class Facets:
    """What narrows a browse with one click: years with photos, the most common places."""

    years: list[tuple[int, int]] = field(default_factory=list)  # (year, photos), newest first
    places: list[tuple[str, int]] = field(default_factory=list)  # (place, photos), most first


class BrowseQueries(CatalogConnection):
    def listing(self, allowed: Set[int] | None = None) -> PhotoListing:
        """Every indexed photo (or those allowed), newest first; ties by id, newest first."""
        rows = self._conn.execute(
            f"SELECT id, {_DAY_KEY}, d, path, content_hash FROM "
            f"(SELECT id, {PHOTO_DATE} AS d, path, content_hash FROM photos WHERE state = 'ok') "
            "ORDER BY d DESC, id DESC"
        ).fetchall()
        if allowed is not None:
            rows = [r for r in rows if r[0] in allowed]
        if not rows:
            return PhotoListing()
        ids, days, dates, paths, hashes = zip(*rows, strict=True)
        return PhotoListing(
            np.array(ids, np.int64), np.array([d or 0 for d in days], np.int64), list(dates),
            [decode_path(p) for p in paths], list(hashes),
        )  # fmt: skip

    def photo_dates(self, photo_ids: Sequence[int]) -> dict[int, str]:
        """Per photo: its date (capture, else file), ISO text."""
        rows = self._by_ids(f"SELECT id, {PHOTO_DATE} FROM photos WHERE id", photo_ids)
        return {int(pid): str(date or "") for pid, date in rows}

    def shown_rows(self, photo_ids: Sequence[int]) -> dict[int, tuple[str, str | None, str]]:
        """Per photo: what a result shows (path, content hash, ISO date), in one query."""
        rows = self._by_ids(
            f"SELECT id, path, content_hash, {PHOTO_DATE} FROM photos WHERE id", photo_ids
        )
        return {int(pid): (decode_path(path), digest, str(date or ""))
                for pid, path, digest, date in rows}  # fmt: skip

    def newest_first(self, photo_ids: Iterable[int]) -> list[int]:
        """The given photos ordered by date, newest first (ties: the newer id first)."""
        dates = self.photo_dates(list(photo_ids))
        return sorted(dates, key=lambda pid: (dates[pid], pid), reverse=True)

    def facets(self, places: int = 12) -> Facets:
        """The years photos were taken in, newest first, and the most common places."""
        years = self._conn.execute(
            "SELECT CAST(substr(taken_at, 1, 4) AS INTEGER) AS y, count(*) FROM photos "
            "WHERE state = 'ok' AND taken_at IS NOT NULL GROUP BY y ORDER BY y DESC"
        ).fetchall()
        return Facets([(int(y), int(n)) for y, n in years if y], self._common_places(places))

    def _common_places(self, limit: int) -> list[tuple[str, int]]:
        """The place keywords most photos carry (one numpy pass over the packed sets)."""
        if _PLACE < 0 or limit < 1:
            return []
        blobs = [
            bytes(data) for (data,) in self._conn.execute(
                "SELECT s.data FROM photo_keyword_sets s JOIN photos p ON p.id = s.photo_id "
                "WHERE p.state = 'ok'"
            )
        ]  # fmt: skip
        records = np.frombuffer(b"".join(blobs), dtype=KEYWORD_RECORD)
        ids, counts = np.unique(records["id"][records["source"] == _PLACE], return_counts=True)
        best = np.argsort(-counts, kind="stable")[:limit]
        names = dict(
            self._by_ids("SELECT id, text FROM keyword_vocab WHERE id", ids[best].tolist())
        )
        return [(str(names[i]), int(c)) for i, c in zip(ids[best].tolist(), counts[best].tolist(),
                                                          strict=True) if i in names]  # fmt: skip
