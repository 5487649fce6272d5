"""Peak memory of `amc index` on very large photos and on a folder of 10^4 files.

Runs `amc index` as a child process and reads its peak RSS (and that of its decode workers)
with resource.getrusage(RUSAGE_CHILDREN): a bound that must not grow with the folder.

    python benchmarks/memory_bounds.py [--big 3] [--many 10000]
    python benchmarks/memory_bounds.py --smoke   # 1 photo of 4 MP, 20 small ones (seconds)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

AMC = [sys.executable, "-m", "amc_core.cli"]


_MEASURE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_rss_of(cmd: list[str]) -> tuple[float, float]:
    """(peak RSS in MB of the child and its workers, seconds). Measured from a fresh process
    each time: RUSAGE_CHILDREN keeps the largest peak of every child a process ever had."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout.split()[-1]) / 1024, time.monotonic() - started


def big_photos(folder: Path, count: int, size: tuple[int, int] = (8660, 5773)) -> None:
    """50-megapixel JPEGs (8660 x 5773) with photo-like content."""
    rng = np.random.default_rng(0)
    for i in range(count):
        small = (rng.random((24, 36, 3)) * 255).astype(np.uint8)
        image = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
        image.save(folder / f"big_{i}.jpg", quality=90)


def many_photos(folder: Path, count: int) -> None:
    rng = np.random.default_rng(1)
    base = (rng.random((48, 64, 3)) * 255).astype(np.uint8)
    for i in range(count):
        sub = folder / f"d{i // 500:03d}"
        sub.mkdir(exist_ok=True)
        Image.fromarray(np.roll(base, i, axis=1)).save(sub / f"p{i:05d}.jpg", quality=80)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=3)
    parser.add_argument("--many", type=int, default=10_000)
    parser.add_argument("--few", type=int, default=1_000, help="the folder --many is held to")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args()
    size, megapixels = (8660, 5773), 50
    if args.smoke:
        args.big, args.many, args.few, size, megapixels = 1, 20, 5, (2450, 1633), 4
        print("smoke run: tiny sizes; the numbers mean nothing")
    work = Path(tempfile.mkdtemp(prefix="amc-mem-"))
    (work / "big").mkdir()
    big_photos(work / "big", args.big, size)
    rss, seconds = peak_rss_of([*AMC, "index", str(work / "big"), "--library", str(work / "l1")])
    print(
        f"{args.big} x {megapixels} MP JPEG:     peak RSS {rss:7.0f} MB   ({seconds:.1f} s)",
        flush=True,
    )
    peaks = {}
    for count in (args.few, args.many):
        folder = work / f"n{count}"
        folder.mkdir()
        many_photos(folder, count)
        peaks[count], seconds = peak_rss_of([*AMC, "index", str(folder), "--library",
                                             str(work / f"l{count}"), "--no-ocr", "--no-faces"])  # fmt: skip
        print(
            f"{count} small photos: peak RSS {peaks[count]:7.0f} MB   ({seconds:.1f} s, "
            f"{count / seconds:.0f} photos/s)",
            flush=True,
        )
    growth = peaks[args.many] / peaks[args.few] - 1
    verdict = "" if args.smoke else ("OK" if growth <= 0.10 else "MISSED")
    print(f"{args.many} vs {args.few} files: peak RSS {growth:+.1%} (target <= +10%)  {verdict}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
