"""kill -9 in the middle of `amc index`, then resume: the count is exact, nothing duplicated."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from amc_core.index.library import Library
from photo_factory import write_photo


def _committed(catalog: Path) -> int:
    try:
        with sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM photos").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_kill_9_then_resume(tmp_path: Path, photos_dir: Path):
    total = 40
    for i in range(total):
        write_photo(photos_dir / f"day{i % 4}" / f"p{i:03d}.jpg", width=640, height=480, seed=i)
    lib = tmp_path / "lib"
    cmd = [
        sys.executable,
        "-m",
        "amc_core.cli",
        "index",
        str(photos_dir),
        "--library",
        str(lib),
        "--batch-size",
        "3",
        "--workers",
        "1",
        "--json",
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _committed(lib / "catalog.sqlite3") < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = _committed(lib / "catalog.sqlite3")
    assert 6 <= killed_at < total, "the kill must land in the middle of the run"

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    with Library(lib) as library:
        rows = library.catalog.photo_rows()
        paths = [str(r["path"]) for r in rows]
        assert len(paths) == total and len(set(paths)) == total
        assert all(r["state"] == "ok" for r in rows)
        # no orphans: every thumbnail belongs to a photo and every photo has one
        assert set(library.thumbnails.hashes()) == library.catalog.hashes_in_use()
        assert not list(library.paths.thumbnails.rglob(".tmp-*"))
    assert os.path.exists(lib / "catalog.sqlite3")
