"""kill -9 `amc index` at random moments, many times in a row, then check the library.

Each trial starts `amc index` on the same folder and kills it (SIGKILL) after a random delay
(fixed seed); the last run finishes. Every time, the library must open; at the end the
catalog must equal a clean run's: the same photos with the same content hashes, no
duplicates, no orphan features, keyword sets, thumbnails or vector-index entries.

    python benchmarks/crash_trials.py [--trials 30] [--photos 60] [--seed 1]
    python benchmarks/crash_trials.py --smoke   # one trial on 4 photos (seconds)
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from amc_core.index.library import Library
from amc_core.store.vector_index import VectorIndex
from amc_core.words.space import semantic_space
from photo_factory import write_photo

AMC = [sys.executable, "-m", "amc_core.cli"]


class Snapshot(TypedDict):
    photos: list[tuple[str, str, str]]  # (path, content hash, state), sorted
    duplicates: int
    orphan_features: int
    orphan_keyword_sets: int
    orphan_text: int
    thumbnails_match: bool


def snapshot(lib: Path) -> Snapshot:
    with Library(lib) as library:
        rows = library.catalog.photo_rows()
        conn = library.catalog.connection
        ids = {int(r["id"]) for r in rows}  # type: ignore[call-overload]
        features = {int(r[0]) for r in conn.execute("SELECT photo_id FROM photo_features")}
        keyword_sets = {int(r[0]) for r in conn.execute("SELECT photo_id FROM photo_keyword_sets")}
        text = {int(r[0]) for r in conn.execute("SELECT rowid FROM photo_text")}
        return {
            "photos": sorted(
                (str(r["path"]), str(r["content_hash"]), str(r["state"])) for r in rows
            ),
            "duplicates": len(rows) - len({str(r["path"]) for r in rows}),
            "orphan_features": len(features - ids),
            "orphan_keyword_sets": len(keyword_sets - ids),
            "orphan_text": len(text - ids),
            "thumbnails_match": set(library.thumbnails.hashes()) == library.catalog.hashes_in_use(),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args()
    if args.smoke:
        args.trials, args.photos = 1, 4
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="amc-crash-"))
    photos = work / "photos"
    for i in range(args.photos):
        write_photo(photos / f"album{i % 5}" / f"p{i:03d}.jpg", 800, 600, seed=i)
    clean, crashed = work / "clean", work / "crashed"
    all_photos = sorted(photos.rglob("*.jpg"))
    survived = 0
    for trial in range(1, args.trials + 1):
        # every trial has work to interrupt: some photos change, one moves, one goes, one comes
        for path in rng.sample(all_photos, k=max(1, len(all_photos) // 5)):
            write_photo(path, 800, 600, seed=rng.randrange(10**6))
        new = photos / "new" / f"n{trial:03d}.jpg"
        write_photo(new, 800, 600, seed=10**6 + trial)
        all_photos.append(new)
        victim = all_photos.pop(rng.randrange(len(all_photos)))
        victim.unlink()
        process = subprocess.Popen([*AMC, "index", str(photos), "--library", str(crashed),
                                    "--batch-size", "4"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(1.0, 3.5))  # model loading takes ~1.5 s of it
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = snapshot(crashed)  # the library must open after every kill
        ok = (state["duplicates"], state["orphan_features"], state["orphan_keyword_sets"],
              state["orphan_text"]) == (0, 0, 0, 0)  # fmt: skip
        survived += ok
        print(
            f"trial {trial:3d}: killed {'after it finished' if finished else 'mid-run'}, "
            f"{len(state['photos'])} photos committed, consistent={ok}",
            flush=True,
        )
    quick = ["--no-faces", "--no-ocr"] if args.smoke else []  # the same for both libraries
    subprocess.run([*AMC, "index", str(photos), "--library", str(crashed), *quick], check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run([*AMC, "index", str(photos), "--library", str(clean), *quick], check=True,
                   capture_output=True)  # fmt: skip
    final, reference = snapshot(crashed), snapshot(clean)
    same = final["photos"] == reference["photos"] and final["thumbnails_match"]
    # the saved vector index, as the last `amc index` left it (search only reads it)
    saved = VectorIndex(crashed, semantic_space().dim)
    saved.load()
    vector_ids = saved.ids
    with Library(crashed) as library:
        catalog_ids = {int(r["id"]) for r in library.catalog.photo_rows()}  # type: ignore[call-overload]
    print(
        f"\n{survived}/{args.trials} kills left a consistent library; final catalog equals a "
        f"clean run's: {same}; vector index matches catalog: {set(vector_ids) == catalog_ids}"
    )
    if args.smoke:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if survived == args.trials and same and set(vector_ids) == catalog_ids else 1


if __name__ == "__main__":
    sys.exit(main())
