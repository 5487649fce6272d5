"""Shared by the benchmarks' ``--smoke`` modes (a library module, not a benchmark).

A smoke run exercises a benchmark's real code path end to end at tiny sizes, in seconds, so
that the test suite (tests/test_benchmarks.py) notices when a refactor breaks one. Its
timings mean nothing; a missed timing target never fails a smoke run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amc_core.learn.devset import DevSet

ROOT = Path(__file__).resolve().parent.parent
DEV_PHOTOS = ROOT / "data" / "devset" / "photos"
NOTE = "(smoke run: tiny sizes, the timings mean nothing; targets are not checked)"


def devset_photos(count: int) -> list[Path]:
    """The first `count` dev-set photos (committed in the repository)."""
    return sorted(DEV_PHOTOS.glob("*.jpg"))[:count]


def tiny_library(
    work: Path, count: int = 6, faces: bool = False, photos: list[Path] | None = None
) -> tuple[Path, Path]:
    """(photo folder, library folder): `count` dev-set photos (or `photos`) indexed by
    `amc index` (the real CLI, models included) into `work`, instead of the cached dev-set
    library (.cache/devset/library, 1-2 minutes to build on a clean clone)."""
    folder, library = work / "photos", work / "library"
    folder.mkdir(parents=True, exist_ok=True)
    for src in photos or devset_photos(count):
        shutil.copy(src, folder / src.name)
    command = [sys.executable, "-m", "amc_core.cli", "index", str(folder), "--library",
               str(library), "--json", "--no-ocr"]  # fmt: skip
    if not faces:
        command.append("--no-faces")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"indexing the smoke library failed: {done.stderr[-2000:]}")
    return folder, library


def tiny_devset(work: Path, count: int = 8) -> DevSet:
    """A dev set of the `count` photos most often judged relevant by the dev split's queries,
    indexed here; its queries keep only those photos (and only queries that still have one)."""
    from collections import Counter

    from amc_core.learn.devset import DevSet, Judged, load_queries
    from amc_core.store.catalog import Catalog

    queries = load_queries()
    votes = Counter(p for q in queries["dev"] for p in q.relevant)
    keep = sorted(p for p, _ in votes.most_common(count))
    _, library = tiny_library(work, photos=[DEV_PHOTOS / f"{p}.jpg" for p in keep])
    with Catalog.open(library / "catalog.sqlite3") as catalog:
        photo_of = {int(r["id"]): Path(str(r["path"])).stem for r in catalog.photo_rows()}  # type: ignore[call-overload]
    kept = {
        split: [
            Judged(q.id, q.query, q.kind, relevant, q.group)
            for q in judged
            if (relevant := {p: g for p, g in q.relevant.items() if p in keep})
        ]
        for split, judged in queries.items()
    }
    return DevSet(library, photo_of, kept)
