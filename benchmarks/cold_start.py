"""Cold start of `amc search` against the imports it cannot avoid, measured in the same run.

Times, as separate processes (a cold process each time; the page cache stays warm for both):
  1. the floor: `python -c "import numpy, onnxruntime, hnswlib"`, and
  2. `amc search QUERY --library L --json` on a small library (the dev set's 97 real photos,
     `.cache/devset/library`, built on first use).
Prints the median of N runs of each (alternated) and the ratio (target: at most 2.0x).

The project's bytecode is compiled first, as ``pip install`` does for the wheel: without it
(a checkout run with PYTHONDONTWRITEBYTECODE=1, as on our CI machines) every start would
compile the engine's modules from source, which no installed copy does.

    python benchmarks/cold_start.py [--runs 9] [--query "dog on the beach"]
    python benchmarks/cold_start.py --smoke   # 2 runs on 6 photos indexed here (seconds)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _smoke

TARGET_RATIO = 2.0


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def _medians(first: list[str], second: list[str], runs: int) -> tuple[float, float]:
    """Median run time of each, the two alternated so that a busy moment hits both."""
    a, b = [], []
    for _ in range(runs):
        a.append(_seconds(first))
        b.append(_seconds(second))
    return statistics.median(a), statistics.median(b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--query", default="dog on the beach")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.runs = 2

    import compileall

    import amc_core
    from amc_core.learn.devset import indexed_devset

    compileall.compile_dir(Path(amc_core.__file__).parent, quiet=1)

    work = Path(tempfile.mkdtemp(prefix="amc-cold-"))
    library = _smoke.tiny_library(work)[1] if args.smoke else indexed_devset().library_dir
    amc = str(Path(sys.executable).parent / "amc")
    search = [amc, "search", args.query, "--library", str(library), "--json"]
    subprocess.run(search, check=True, capture_output=True)  # warm the page cache once
    floor_cmd = [sys.executable, "-c", "import numpy, onnxruntime, hnswlib"]
    floor, cold = _medians(floor_cmd, search, args.runs)
    ratio = cold / floor
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(
        f"imports floor (numpy, onnxruntime, hnswlib): {floor * 1000:7.1f} ms (median of {args.runs})"
    )
    print(
        f"amc search, cold process:                  {cold * 1000:7.1f} ms (median of {args.runs})"
    )
    print(f"ratio {ratio:.2f}x (target <= {TARGET_RATIO:.1f}x): {verdict}")
    if args.smoke:
        print(_smoke.NOTE)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
