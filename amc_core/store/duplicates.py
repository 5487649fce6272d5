"""What the duplicates finder reads of the catalog: every indexed photo's size and hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amc_core.store.catalog import Catalog
from amc_core.store.connection import decode_path


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    photo_id: int
    path: str
    content_hash: str
    width: int
    height: int
    size: int
    format: str
    taken_at: str | None
    mtime_ns: int


def duplicate_candidates(catalog: Catalog) -> list[DuplicateCandidate]:
    """Every indexed photo with a content hash (one short row each: 10^5 photos ~0.2 s)."""
    rows = catalog.connection.execute(
        "SELECT id, path, content_hash, width, height, size, format, taken_at, mtime_ns "
        "FROM photos WHERE state = 'ok' AND content_hash IS NOT NULL"
    )
    return [_candidate(r) for r in rows]


def _candidate(r: Any) -> DuplicateCandidate:  # an sqlite3 row
    pid, path, digest, width, height, size, fmt, taken, mtime = r
    return DuplicateCandidate(
        int(pid), decode_path(path), str(digest), int(width or 0), int(height or 0),
        int(size or 0), str(fmt or ""), None if taken is None else str(taken), int(mtime or 0),
    )  # fmt: skip
