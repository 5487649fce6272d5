"""Training-free ConSE variants on the dev set: how `amc eval`'s zero-shot reference was chosen.

Every variant ranks the dev-set photos for every query of one split by ConSE alone (the stored
top-10 MobileNetV2 posteriors of the 3x3 regions and the whole photo -> class word vectors ->
cosine to the query's mean word vector) and prints its mean NDCG@10. The reference
(`amc_core/learn/reference.py`) was chosen on the dev split only; run the test split only to
report the chosen one.

    python benchmarks/zero_shot_variants.py               # dev split, the whole grid (seconds)
    python benchmarks/zero_shot_variants.py --split test  # for the report, after choosing
    python benchmarks/zero_shot_variants.py --smoke       # 8 photos indexed here, 4 variants

A variant: parent weight, hypernyms (``everyday`` = search's everyday parents, ``all:D`` = all
of them weighted D ** (distance - 1), ``depthN`` = all up to distance N), top-k posteriors,
temperature T (p ** 1/T; inf = uniform over the top k), and pooling over regions (``whole``,
``max`` over all ten, ``mean``, ``mixA`` = A% whole + the rest the best 3x3 region, ``mmA`` =
A% mean + the rest max over all ten).
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import _smoke
import numpy as np

from amc_core.arrays import unit
from amc_core.learn.devset import indexed_devset
from amc_core.learn.evaluate import DevSetScorer
from amc_core.learn.metrics import ndcg_at
from amc_core.learn.reference import class_vectors, reference_class_matrix, zero_shot_scores
from amc_core.search.terms import ParsedQuery
from amc_core.words.labels import Hypernym


def class_matrix(scorer: DevSetScorer, parent_weight: float, parents: str) -> np.ndarray:
    def weight(h: Hypernym) -> float:
        if parents == "everyday":
            return float(h.everyday)
        if parents.startswith("depth"):
            return float(h.distance <= int(parents[5:]))
        return float(parents[4:]) ** (h.distance - 1)

    return class_vectors(scorer.space, parent_weight, weight)


def pooled(sims: np.ndarray, pooling: str) -> np.ndarray:
    whole, grid = sims[:, -1], sims[:, :-1]
    if pooling == "whole":
        return whole
    if pooling == "max":
        return sims.max(axis=1)
    if pooling == "mean":
        return sims.mean(axis=1)
    if pooling.startswith("mix"):
        a = int(pooling[3:]) / 100
        return a * whole + (1 - a) * grid.max(axis=1)
    a = int(pooling[2:]) / 100  # mm
    return a * sims.mean(axis=1) + (1 - a) * sims.max(axis=1)


GRID = [
    *itertools.product([0.5], ["everyday"], [10], [1.0],
                       ["whole", "max", "mean", "mix30", "mix50", "mix70", "mm30", "mm50"]),
    *itertools.product([0.5], ["everyday"], [1, 3, 5], [1.0], ["whole", "max", "mix50"]),
    *itertools.product([0.5], ["everyday"], [10], [0.5, 2.0, 3.0, 4.0, 6.0, 10.0, np.inf],
                       ["whole", "max", "mix30", "mix50", "mm50"]),
    *itertools.product([0.0, 0.25, 1.0], ["everyday"], [10], [1.0], ["whole", "max", "mix50"]),
    *itertools.product([0.5], ["depth1", "depth2", "depth3", "depth5", "all:1"], [10], [1.0],
                       ["whole", "max", "mix50"]),
    *itertools.product([1.0], ["depth2"], [10], [3.0, 4.0, 6.0], ["max", "mix30", "mm50"]),
    *itertools.product([0.75, 1.0, 1.5], ["all:0.5", "all:0.7", "all:0.85"], [10], [4.0, 6.0],
                       ["mix20", "mix30", "mix40", "mm50"]),
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="amc-zero-shot-"))
    grid = GRID
    if args.smoke:
        print("smoke run: 8 dev photos indexed here, 4 variants; the NDCG means nothing")
        scorer = DevSetScorer(_smoke.tiny_devset(work))
        grid = GRID[:4]
    else:
        scorer = DevSetScorer(indexed_devset())
    queries = scorer.devset.queries[args.split]
    parsed = [scorer.parse(q.query) for q in queries]
    batch = scorer.batch

    def ndcg(scores_of: Callable[[ParsedQuery], np.ndarray]) -> float:
        return float(np.mean([ndcg_at(scorer.rank(scores_of(p)), q.relevant, 10)
                              for p, q in zip(parsed, queries, strict=True)]))  # fmt: skip

    print(f"{args.split} split, {len(queries)} queries; NDCG@10")
    print(f"{ndcg(lambda p: zero_shot_scores(p, batch, reference_class_matrix(scorer.space))):.4f}"
          "  the reference (amc_core/learn/reference.py)")  # fmt: skip
    matrices: dict[tuple[float, str], np.ndarray] = {}
    for weight, parents, k, temp, pooling in grid:
        cm = matrices.get((weight, parents))
        if cm is None:
            cm = matrices[(weight, parents)] = class_matrix(scorer, weight, parents)
        probs = batch.region_probs[:, :, :k].astype(np.float64)
        flat = np.where(probs > 0, probs ** (1.0 / temp), 0.0)
        regions = unit((flat[..., None] * cm[batch.region_ids[:, :, :k]]).sum(axis=2))

        def scores(
            p: ParsedQuery, regions: np.ndarray = regions, pooling: str = pooling
        ) -> np.ndarray:
            return pooled(regions @ unit(p.vectors.mean(axis=0)), pooling)

        print(
            f"{ndcg(scores):.4f}  parents {weight} {parents}, top {k}, T {temp}, {pooling}",
            flush=True,
        )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
