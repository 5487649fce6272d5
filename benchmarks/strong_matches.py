"""Weak matches set apart: how well each query's own "strong" line holds, on the dev set.

For every query of a split, the engine's results (best first, up to the app's 200) are split
into strong (above the gallery's divider) and weak by amc_core.search.strong. Printed per
split: recall (the share of the relevant photos that are above the divider) and precision (the
share of the photos above the divider that are relevant), both pooled over the queries, and
the mean number of strong results. The gap setting was chosen on the dev split only (--tune
prints the grid); the test split is for the report.

    python benchmarks/strong_matches.py            # dev and test, the chosen setting (~30 s)
    python benchmarks/strong_matches.py --tune     # dev split, a grid of gap settings
    python benchmarks/strong_matches.py --smoke    # 8 photos indexed here: seconds
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import _smoke
import numpy as np

from amc_core.learn.devset import DevSet, Judged, indexed_devset
from amc_core.search.engine import SearchEngine
from amc_core.search.strong import MIN_GAP, strong_count

TOP = 200  # what the app asks for


def scored(engine: SearchEngine, devset: DevSet, queries: list[Judged]) -> list[tuple]:
    """Per query: the results' scores (best first) and which of them are relevant."""
    out = []
    for judged in queries:
        response = engine.search(judged.query, TOP)
        relevant = [devset.photo_of_catalog_id.get(r.photo_id) in judged.relevant
                    for r in response.results]  # fmt: skip
        out.append((np.array([r.score for r in response.results]), np.array(relevant, bool),
                    len(judged.relevant)))  # fmt: skip
    return out


def measure(runs: list[tuple], min_gap: float) -> tuple[float, float, float]:
    """(recall, precision, mean strong count), pooled over the queries."""
    found = shown = relevant = 0
    counts = []
    for scores, hits, total in runs:
        k = strong_count(scores, min_gap) if scores.size else 0
        found += int(hits[:k].sum())
        shown += k
        relevant += total
        counts.append(k)
    return found / max(relevant, 1), found / max(shown, 1), float(np.mean(counts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="dev split: a grid of gap settings")
    parser.add_argument("--smoke", action="store_true", help="8 photos indexed here, seconds")
    args = parser.parse_args(argv)
    if args.smoke:
        with tempfile.TemporaryDirectory() as work:
            print(_smoke.NOTE)
            return _report(_smoke.tiny_devset(Path(work)), args.tune)
    return _report(indexed_devset(), args.tune)


def _report(devset: DevSet, tune: bool) -> int:
    args = argparse.Namespace(tune=tune)
    with SearchEngine(devset.library_dir) as engine:
        splits = ["dev"] if args.tune else ["dev", "test"]
        runs = {split: scored(engine, devset, devset.queries[split]) for split in splits}
    if args.tune:
        for gap in (0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4):
            recall, precision, mean = measure(runs["dev"], gap)
            print(f"min gap {gap:.2f}: recall {recall:.3f}  precision {precision:.3f}  "
                  f"strong per query {mean:.1f}")  # fmt: skip
        return 0
    for split in splits:
        recall, precision, mean = measure(runs[split], MIN_GAP)
        relevant = sum(int(hits.sum()) for _s, hits, _t in runs[split])
        shown = sum(int(hits.size) for _s, hits, _t in runs[split])
        print(f"{split:4s} ({len(runs[split])} queries): recall {recall:.3f}  precision "
              f"{precision:.3f}  strong per query {mean:.1f}   (no divider: all "
              f"{shown / len(runs[split]):.0f} results per query alike, precision "
              f"{relevant / max(shown, 1):.3f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
