"""Damage the catalog of a real library in many ways and seeds; every command must answer in
one line (never a traceback), `amc repair` must exit 0 every time, and afterwards every photo
must be counted and searchable.

One library of 24 dev-set photos (with people named and clicks recorded when the backup
exists) is indexed once; each trial copies it, damages the copy, then runs through the CLI
(separate processes, as a user would): status, search, index (on the damaged catalog),
repair, then status and search again.

Kinds of damage, in turn: three random 4 KB pages overwritten (most seeds, as a failing disk
or a sync tool copying a half-written file would), the file truncated, the write-ahead log
from another moment beside it, the catalog
deleted outright.

    python benchmarks/damage_trials.py [--seeds 50] [--photos 24]
    python benchmarks/damage_trials.py --smoke   # one seed, 4 photos (seconds)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, TypedDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fault_injection import overwrite_pages, stale_wal, truncate  # noqa: E402

AMC = [sys.executable, "-m", "amc_core.cli"]
KINDS = ("pages", "pages", "pages", "pages", "truncate", "pages", "stale wal", "deleted")


def amc(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AMC, *args], capture_output=True, text=True, timeout=timeout)


class Outcome(TypedDict, total=False):
    """One trial: what was damaged and how every command answered."""

    seed: int
    damage: str
    tracebacks: list[str]  # commands that printed a traceback
    other_errors: list[tuple[str, str]]  # (command, end of its stderr): exit not 0 or 3
    codes: dict[str, int]  # command -> exit code
    repair_s: float
    repair_report: dict[str, Any] | None
    photos_after: int | None
    searchable_after: int
    complete: bool


def build_base(work: Path, photos: int, quick: bool = False) -> tuple[Path, Path, Path]:
    """A library of dev-set photos, indexed, with a write-ahead log kept beside it (a
    second connection holds it open while the catalog is copied, as during a live run)."""
    folder = work / "photos"
    folder.mkdir()
    for src in sorted((ROOT / "data/devset/photos").glob("*.jpg"))[:photos]:
        shutil.copy(src, folder / src.name)
    base = work / "base"
    more = ("--no-faces", "--no-ocr") if quick else ()
    done = amc("index", str(folder), "--library", str(base), "--json", *more)
    if done.returncode != 0:
        raise SystemExit(f"indexing the base library failed: {done.stderr}")
    wal_copy = work / "some-other-moment.wal"
    _write_a_wal(base / "catalog.sqlite3", wal_copy)
    return folder, base, wal_copy


def _write_a_wal(catalog: Path, keep: Path) -> None:
    """Make a write-ahead log (a committed change kept in the log, not yet checkpointed)."""
    import sqlite3

    conn = sqlite3.connect(catalog, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("INSERT INTO meta (key, value) VALUES ('trial', '1') "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value")  # fmt: skip
    shutil.copyfile(str(catalog) + "-wal", keep)
    conn.execute("DELETE FROM meta WHERE key = 'trial'")
    conn.close()


def damage(lib: Path, kind: str, seed: int, wal_copy: Path) -> str:
    catalog = lib / "catalog.sqlite3"
    if kind == "pages":
        return f"pages {overwrite_pages(catalog, seed)}"
    if kind == "truncate":
        truncate(catalog, 0.3 + 0.1 * (seed % 6))
        return "truncated"
    if kind == "stale wal":
        # another moment's log beside the catalog (restored from two different backups)
        stale_wal(catalog, wal_copy)
        overwrite_pages(catalog, seed, pages=1)
        return "stale write-ahead log, one page damaged"
    if kind == "deleted":
        catalog.unlink()
        return "catalog deleted"
    raise ValueError(kind)


def trial(
    seed: int, kind: str, folder: Path, base: Path, wal_copy: Path, work: Path, photos: int
) -> Outcome:
    lib = work / f"lib{seed}"
    shutil.rmtree(lib, ignore_errors=True)
    shutil.copytree(base, lib)
    what = damage(lib, kind, seed, wal_copy)
    outcome: Outcome = {"seed": seed, "damage": what, "tracebacks": []}
    codes: dict[str, int] = {}
    for name, args in (
        ("status", ("status", "--json")),
        ("search", ("search", "dog", "--json")),
        ("index", ("index", str(folder), "--json", "--no-faces")),
        ("repair", ("repair", "--json")),
        ("status after", ("status", "--json")),
        ("search after", ("search", "photo", "--top", "100", "--json")),
    ):
        started = time.perf_counter()
        done = amc(*args, "--library", str(lib))
        codes[name] = done.returncode
        if "Traceback" in done.stderr:
            outcome["tracebacks"].append(name)
        if name == "repair":
            outcome["repair_s"] = round(time.perf_counter() - started, 1)
            outcome["repair_report"] = _json(done.stdout)
        if name == "status after":
            outcome["photos_after"] = (_json(done.stdout) or {}).get("photos")
        if name == "search after":
            outcome["searchable_after"] = len((_json(done.stdout) or {}).get("results", []))
        if done.returncode not in (0, 3):
            outcome.setdefault("other_errors", []).append((name, done.stderr.strip()[-300:]))
    outcome["codes"] = codes
    outcome["complete"] = (
        codes["repair"] == 0
        and outcome.get("photos_after") == photos
        and outcome.get("searchable_after") == photos
    )
    shutil.rmtree(lib, ignore_errors=True)
    return outcome


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--out", type=Path, help="write every trial's outcome here (JSON)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args()
    if args.smoke:
        args.seeds, args.photos = 1, 4
    work = Path(tempfile.mkdtemp(prefix="amc-damage-"))
    try:
        folder, base, wal_copy = build_base(work, args.photos, quick=args.smoke)
        outcomes: list[Outcome] = []
        for seed in range(args.seeds):
            kind = KINDS[seed % len(KINDS)]
            outcome = trial(seed, kind, folder, base, wal_copy, work, args.photos)
            outcomes.append(outcome)
            print(
                f"seed {seed:3d} {outcome['damage'][:40]:<40} codes {outcome['codes']} "
                f"repair {outcome['repair_s']} s, photos {outcome['photos_after']}, "
                f"searchable {outcome['searchable_after']}"
                + (f"  TRACEBACK in {outcome['tracebacks']}" if outcome["tracebacks"] else ""),
                flush=True,
            )
        if args.out:
            args.out.write_text(json.dumps(outcomes, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tracebacks = Counter(name for o in outcomes for name in o["tracebacks"])
    repaired = sum(o["codes"]["repair"] == 0 for o in outcomes)
    complete = sum(bool(o["complete"]) for o in outcomes)
    damaged_reported = sum(3 in o["codes"].values() for o in outcomes)
    print()
    print(f"trials                                   {len(outcomes)}")
    print(
        f"tracebacks (status, search, index, repair) {sum(tracebacks.values())} {dict(tracebacks)}"
    )
    print(f"damage reported as one line (exit 3)     {damaged_reported}")
    print(f"repair exit 0                            {repaired}/{len(outcomes)}")
    print(f"every photo counted and searchable after {complete}/{len(outcomes)}")
    ok = not tracebacks and repaired == complete == len(outcomes)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
