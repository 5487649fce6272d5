"""Is the region evidence what keeps region attention (VAN) level with uniform pooling?

The stored region posteriors come from 3x3 windows of the encoder's 7x7 feature map, whose
cells each see most of the photo. This script gives every dev photo sharper region evidence
instead: each of the nine windows is cropped from the photo and classified on its own by the
same encoder (224 px, the product's ONNX file), its top-10 posteriors put where the stored
ones were (the whole photo, the scene probe's words and the found people are left as stored).
Then it ranks the dev split with full AMC, with AMC on uniform region pooling ("AMC without
VAN") and with VAN alone, and prints each ranker's NDCG@10 on both evidences and the paired
bootstrap 95% interval of (crops minus stored) and of (full minus uniform pooling).

If attention were held back by blurred regions, sharper regions would widen full AMC's lead
over uniform pooling. Measured (dev split, 130 queries, 2026-12-05): they do not. Uniform
pooling gains +0.020 [+0.001, +0.040] NDCG@10, full AMC +0.006 [-0.013, +0.026], VAN alone
-0.003 [-0.036, +0.032], and full minus uniform falls from +0.041 to +0.027: averaging nine
independent, noisy region readings gains from them, picking the best one does not. (The
encoder at 448 px with its 14x14 map in nine windows, tried with torch the same day, gave the
same picture: uniform +0.030 [+0.012, +0.050], full +0.009 [-0.010, +0.032].)

    python benchmarks/region_evidence.py           # dev split (~1 min: 9 crops per photo)
    python benchmarks/region_evidence.py --smoke   # 8 dev photos indexed here
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import _smoke
import numpy as np
import torch

from amc_core.describe.encoder import VisualEncoder
from amc_core.index.library import Library
from amc_core.ingest.decode import oriented_pixels
from amc_core.learn.devset import indexed_devset
from amc_core.learn.evaluate import DevSetScorer, paired_bootstrap
from amc_core.learn.params import default_model
from amc_core.runtime import SessionFactory
from amc_core.settings import IndexSettings
from amc_core.store.batch import REGION_WINDOWS, TOP_K

SIDE = 1600  # the photo is decoded at this size before cropping
GRID = len(REGION_WINDOWS)  # regions per side
RANKERS = ("full AMC", "AMC without VAN", "visual only (VAN)")


def windows(height: int, width: int) -> list[tuple[int, int, int, int]]:
    """The encoder's nine regions as pixel boxes (top, bottom, left, right), row-major."""
    return [(int(height * t), int(height * b), int(width * lf), int(width * rt))
            for t, b in REGION_WINDOWS for lf, rt in REGION_WINDOWS]  # fmt: skip


def crop_posteriors(encoder: VisualEncoder, paths: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(B, 9, TOP_K) class ids and posteriors of each region cropped and classified alone."""
    ids = np.zeros((len(paths), GRID * GRID, TOP_K), np.int64)
    probs = np.zeros((len(paths), GRID * GRID, TOP_K), np.float32)
    settings = IndexSettings()
    for row, path in enumerate(paths):
        rgb = oriented_pixels(path, SIDE, settings)
        crops = [np.ascontiguousarray(rgb[t:b, lf:rt]) for t, b, lf, rt in windows(*rgb.shape[:2])]
        posteriors = encoder.encode(crops).global_probs  # (9, N)
        top = np.argsort(-posteriors, axis=1)[:, :TOP_K]
        ids[row], probs[row] = top, np.take_along_axis(posteriors, top, axis=1)
    return ids, probs


def photo_paths(scorer: DevSetScorer) -> list[str]:
    """The batch's photos' paths, in the batch's order."""
    with Library(scorer.devset.library_dir) as library:
        path_of = dict(library.catalog.indexed_paths())
    return [path_of[pid] for pid in scorer.batch.photo_ids]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="amc-region-evidence-"))
    if args.smoke:
        print("smoke run: 8 dev photos indexed here; the NDCG means nothing")
        scorer = DevSetScorer(_smoke.tiny_devset(work))
    else:
        scorer = DevSetScorer(indexed_devset())
    queries = scorer.devset.queries["dev"]
    model = default_model(scorer.space)
    with torch.no_grad():
        stored = scorer.per_query(model, queries)
    crop_ids, crop_probs = crop_posteriors(VisualEncoder(SessionFactory()), photo_paths(scorer))
    scorer.batch.region_ids[:, : GRID * GRID, :TOP_K] = crop_ids
    scorer.batch.region_probs[:, : GRID * GRID, :TOP_K] = crop_probs
    with torch.no_grad():
        cropped = scorer.per_query(model, queries)
    print(f"dev split, {len(queries)} queries, {len(scorer.batch)} photos; NDCG@10")
    print(f"{'ranker':<20}{'stored':>8}{'crops':>8}   crops - stored (95% interval)")
    for name in RANKERS:
        gain, low, high = paired_bootstrap(cropped[name], stored[name])
        print(f"{name:<20}{stored[name].mean():>8.3f}{cropped[name].mean():>8.3f}"
              f"   {gain:+.3f} [{low:+.3f}, {high:+.3f}]")  # fmt: skip
    for label, scores in (("stored", stored), ("crops", cropped)):
        lead, low, high = paired_bootstrap(scores["full AMC"], scores["AMC without VAN"])
        print(f"full - uniform pooling, {label} regions: {lead:+.3f} [{low:+.3f}, {high:+.3f}]")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
