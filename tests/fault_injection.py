"""Ways a catalog gets damaged in real life, for the fault-injection tests and benchmarks:
pages overwritten (a failing disk, a sync tool copying a half-written file), a truncated file,
a lost or stale write-ahead log."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

PAGE = 4096  # SQLite's default page size, the catalog's


def overwrite_pages(catalog: Path, seed: int, pages: int = 3) -> list[int]:
    """Overwrite `pages` random pages of the catalog with random bytes, never the first (the
    header, a case handled apart); returns the page numbers (0-based)."""
    rng = random.Random(seed)
    count = os.path.getsize(catalog) // PAGE
    chosen = sorted(rng.sample(range(1, count), min(pages, count - 1)))
    with open(catalog, "r+b") as f:
        for page in chosen:
            f.seek(page * PAGE)
            f.write(rng.randbytes(PAGE))
    return chosen


def truncate(catalog: Path, keep_share: float) -> None:
    """Cut the file short, at a page boundary past the header."""
    size = os.path.getsize(catalog)
    keep = max(PAGE, int(size * keep_share) // PAGE * PAGE)
    with open(catalog, "r+b") as f:
        f.truncate(keep)


def stale_wal(catalog: Path, wal_from: Path) -> None:
    """Put another moment's write-ahead log beside the catalog (a restore from two backups)."""
    shutil.copyfile(wal_from, str(catalog) + "-wal")
    Path(str(catalog) + "-shm").unlink(missing_ok=True)
