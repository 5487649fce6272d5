"""Cold start of `amc search` against the imports it cannot avoid, measured in the same run.

Times, as separate processes (a cold process each time; the page cache stays warm for both):
  1. the floor: `python -c "import numpy, onnxruntime, hnswlib"`, and
  2. `amc search QUERY --library L --json` on a small library (the dev set's 97 real photos,
     `.cache/devset/library`, built on first use).
Prints the median of N runs of each and the ratio (target: at most 2.0x).

    python benchmarks/cold_start.py [--runs 5] [--query "dog on the beach"]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_RATIO = 2.0


def _median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default="dog on the beach")
    args = parser.parse_args(argv)

    from amc_core.learn.devset import indexed_devset

    library = indexed_devset().library_dir
    amc = str(Path(sys.executable).parent / "amc")
    search = [amc, "search", args.query, "--library", str(library), "--json"]
    subprocess.run(search, check=True, capture_output=True)  # warm the page cache once
    floor = _median_seconds([sys.executable, "-c", "import numpy, onnxruntime, hnswlib"], args.runs)
    cold = _median_seconds(search, args.runs)
    ratio = cold / floor
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(
        f"imports floor (numpy, onnxruntime, hnswlib): {floor * 1000:7.1f} ms (median of {args.runs})"
    )
    print(
        f"amc search, cold process:                  {cold * 1000:7.1f} ms (median of {args.runs})"
    )
    print(f"ratio {ratio:.2f}x (target <= {TARGET_RATIO:.1f}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
