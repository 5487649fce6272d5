"""Indexing throughput against the decode-only lower bound, measured in the same run.

Generates N photo-like 12-megapixel JPEGs (cached between runs), then times:
  1. decode-only: read + draft-mode decode + resize of every file on all cores
     (the speed limit of indexing on this machine), and
  2. `amc index` on the same files into a fresh library (the full pipeline).
Prints photos/s for both and the cost ratio (target: at most 1.3x at the
foundation stage, analysis stages off; see --with-analysis once they exist).

    python benchmarks/index_throughput.py [--count 32] [--workers 2]
    python benchmarks/index_throughput.py --smoke   # 3 small photos, every stage (seconds)
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from amc_core.describe.tagging import default_tagger
from amc_core.index.library import Library
from amc_core.index.run import Analyzer
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


def time_index(
    folder: Path, settings: IndexSettings, analyzer: Analyzer | None
) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as lib, Library(Path(lib), settings) as library:
        folders = library.add_folders([str(folder)])
        started = time.perf_counter()
        for progress in library.index(folders, analyzer=analyzer, faces=False):
            pass
        elapsed = time.perf_counter() - started
        return elapsed, progress.report.indexed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=96)
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
    settings = IndexSettings(workers=args.workers)
    decode_s = time_decode_only(paths, args.workers, settings.analysis_size)
    print(f"files:         {len(paths)} x {width}x{height} JPEG, {size_mb:.1f} MB each")
    print(f"workers:       {args.workers} decoding processes")
    print(f"decode-only:   {len(paths) / decode_s:6.1f} photos/s  ({decode_s:.2f} s)  [the bound]")
    stages: list[tuple[str, Analyzer | None, float, float]] = [
        ("index, no analysis", None, 1 / 1.3, 0.0),
        ("index + encoder + keywords, no OCR", default_tagger(ocr=False), 0.5, 0.0),
        ("index + encoder + keywords + OCR", default_tagger(ocr=True), 0.0, 0.0),
    ]
    for name, analyzer, target, _ in stages:
        index_s, indexed = time_index(args.corpus, settings, analyzer)
        assert indexed == len(paths), f"indexed {indexed} of {len(paths)}"
        share = decode_s / index_s
        verdict = (
            ""
            if not target or args.smoke
            else (f"target >= {target:.2f}x: " + ("OK" if share >= target else "MISSED"))
        )
        print(
            f"{name:<36} {len(paths) / index_s:6.1f} photos/s  ({index_s:.2f} s)  "
            f"{share:.2f}x decode-only throughput  {verdict}"
        )
    if args.smoke:
        shutil.rmtree(args.corpus, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
