"""Indexing throughput against the decode-only lower bound, measured in the same run.

Generates N photo-like 12-megapixel JPEGs (cached between runs), then times, in one run:
  1. decode-only: read + draft-mode decode + resize of every file on all cores (the speed
     limit of indexing on this machine),
  2. the start-up: `amc index` (the CLI, as a user runs it) of a one-photo folder, and
  3. `amc index --no-faces` of all of them, with the defaults and with `--no-ocr`, each into
     a fresh library, start-up taken out.
Prints photos/s and the ratio to decode-only (issue 17's targets: >= 0.5 with the defaults,
>= 0.75 with --no-ocr, start-up <= 1 s). The faces pass has targets of its own (faces.py).

    python benchmarks/index_throughput.py [--count 80] [--workers 2]
    python benchmarks/index_throughput.py --smoke   # 3 small photos, every stage (seconds)
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from amc_core.settings import IndexSettings
from photo_factory import photo_like

WIDTH, HEIGHT = 4000, 3000  # 12 MP


def make_corpus(folder: Path, count: int, width: int = WIDTH, height: int = HEIGHT) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"IMG_{i:04d}.jpg"
        if not path.exists():
            photo_like(width, height, seed=1000 + i).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def decode_only(path: str, max_side: int) -> tuple[int, int]:
    with open(path, "rb") as handle:
        data = handle.read()
    opened = Image.open(io.BytesIO(data))
    opened.draft("RGB", (max_side, max_side))
    image = opened.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image.size


def time_decode_only(paths: list[Path], workers: int, max_side: int) -> float:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(decode_only, [str(paths[0])] * workers, [max_side] * workers))  # warm up
        started = time.perf_counter()
        list(pool.map(decode_only, [str(p) for p in paths], [max_side] * len(paths)))
        return time.perf_counter() - started


AMC = [sys.executable, "-m", "amc_core.cli", "index"]
TARGETS = {"defaults": 0.5, "--no-ocr": 0.75}  # share of the decode-only throughput
STARTUP_TARGET_S = 1.0


def time_cli(folder: Path, *flags: str) -> float:
    """Wall seconds of `amc index FOLDER --no-faces FLAGS` into a fresh library, as a user
    runs it (the main pass; the faces pass has targets of its own)."""
    with tempfile.TemporaryDirectory() as lib:
        started = time.perf_counter()
        done = subprocess.run([*AMC, str(folder), "--library", lib, "--no-faces", "--json",
                               *flags], capture_output=True, text=True)  # fmt: skip
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"amc index failed: {done.stderr[-2000:]}")
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=80)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument(
        "--corpus", type=Path, default=Path(tempfile.gettempdir()) / "amc-bench-12mp-v2"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args()
    width, height = WIDTH, HEIGHT
    if args.smoke:  # small photos in a fresh folder (not the cached 12 MP corpus)
        args.count, args.workers = 3, 1
        args.corpus = Path(tempfile.mkdtemp(prefix="amc-bench-smoke-"))
        width, height = 640, 480
        print("smoke run: 3 photos of 640x480; the timings mean nothing, targets not checked")

    print(f"generating/using {args.count} photo-like {width}x{height} JPEGs in {args.corpus} ...",
          flush=True)  # fmt: skip
    paths = make_corpus(args.corpus, args.count, width, height)
    size_mb = sum(p.stat().st_size for p in paths) / len(paths) / 2**20
    decode_s = time_decode_only(paths, args.workers, IndexSettings().analysis_size)
    bound = len(paths) / decode_s
    print(f"files:         {len(paths)} x {width}x{height} JPEG, {size_mb:.1f} MB each")
    print(f"decode-only:   {bound:6.1f} photos/s  ({decode_s:.2f} s, {args.workers} processes)"
          "  [the bound]")  # fmt: skip
    with tempfile.TemporaryDirectory() as one:
        shutil.copy(paths[0], one)
        startup = time_cli(Path(one))
    verdict = "" if args.smoke else ("OK" if startup <= STARTUP_TARGET_S else "MISSED")
    print(f"start-up:      {startup:6.2f} s  (`amc index` of a one-photo folder; target <= "
          f"{STARTUP_TARGET_S:.0f} s) {verdict}")  # fmt: skip
    for name, flags in (("defaults", ()), ("--no-ocr", ("--no-ocr",))):
        total = time_cli(args.corpus, *flags)
        work = max(total - startup, 1e-6)
        rate = len(paths) / work
        target = TARGETS[name]
        verdict = "" if args.smoke else ("OK" if rate / bound >= target else "MISSED")
        print(f"amc index {name:<9} {rate:6.1f} photos/s with start-up taken out ({total:.2f} s "
              f"in all)  ratio {rate / bound:.2f} (target >= {target})  {verdict}")  # fmt: skip
    if args.smoke:
        shutil.rmtree(args.corpus, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
