"""`amc train`, `eval`, `export`: the commands that need torch (imported only when one runs)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from amc_core.errors import UserInputError
from amc_core.index.library import Library
from amc_core.settings import resolve_library_dir


def cmd_train(args: argparse.Namespace) -> int:
    from amc_core.learn.data import load
    from amc_core.learn.train import TrainConfig, fine_tune, split_examples

    if args.epochs < 1 or not 0.0 < args.val_share < 1.0:
        raise UserInputError("--epochs must be >= 1 and --val-share between 0 and 1")
    config = TrainConfig(epochs=args.epochs, seed=args.seed, all_parameters=args.all_parameters)
    with Library(resolve_library_dir(args.library)) as library:
        loaded = load(args.data_format, args.data, library.catalog, args.coco_split)
        if len(loaded.examples) < 2:
            raise UserInputError(
                f"found {len(loaded.examples)} usable queries in the data "
                f"({loaded.skipped_images} images not in this library); need at least 2"
            )
        train_ex, val_ex = split_examples(loaded.examples, args.val_share, args.seed)
        started = time.monotonic()
        last = None
        for last in fine_tune(library, train_ex, val_ex, config):
            if sys.stderr.isatty() and not args.json and not last.finished:
                print(
                    f"\repoch {last.epoch}/{last.epochs}  loss {last.loss:.4f}  "
                    f"best val NDCG@10 {last.after:.3f}",
                    end="",
                    file=sys.stderr,
                )
        assert last is not None
    result = {
        "queries": {"train": len(train_ex), "validation": len(val_ex)},
        "skipped_images": loaded.skipped_images,
        "validation_ndcg@10": {"before": round(last.before, 4), "after": round(last.after, 4)},
        "kept": last.kept,
        "seconds": round(time.monotonic() - started, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(("\n" if sys.stderr.isatty() else "") + last.message)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from amc_core.learn.devset import DEVSET_DIR, indexed_devset
    from amc_core.learn.evaluate import (
        DevSetScorer,
        by_kind,
        by_kind_intervals,
        format_by_kind,
        format_table,
        paired_bootstrap,
        rows_by_kind,
    )
    from amc_core.learn.params import default_model

    if not (DEVSET_DIR / "queries.json").is_file():
        raise UserInputError(f"the dev set is not here ({DEVSET_DIR}); run from a source checkout")
    if args.params is not None and not args.params.is_file():
        raise UserInputError(f"parameters not found: {args.params}")
    scorer = DevSetScorer(indexed_devset())
    model = default_model(scorer.space, args.params)
    queries = scorer.devset.queries[args.split]
    table = scorer.table(model, queries)
    means = scorer.modality_means(model, queries)
    per_query = scorer.per_query(model, queries)
    kinds = by_kind(per_query, queries)
    full = per_query["full AMC"]
    intervals = {
        f"full AMC - {other}": paired_bootstrap(full, per_query[other])
        for other in ("AMC without VAN", "fixed 50/50 fusion", "zero-shot reference")
    }
    reference = "zero-shot reference"
    versus_reference = by_kind_intervals(full, per_query[reference], queries)
    if args.json:
        print(json.dumps({
            "split": args.split, "queries": len(queries), "table": table,
            "mean_language_weight": means, "ndcg@10_by_kind": kinds,
            "paired_bootstrap_ndcg@10": {k: {"mean": m, "low": lo, "high": hi}
                                         for k, (m, lo, hi) in intervals.items()},
            f"full AMC - {reference} by kind": {
                k: {"mean": m, "low": lo, "high": hi}
                for k, (m, lo, hi) in versus_reference.items()},
        }))  # fmt: skip
        return 0
    print(f"{args.split} half: {len(queries)} queries, {len(scorer.names)} photos")
    print(format_table(table))
    counts = {kind: len(rows) for kind, rows in rows_by_kind(queries).items()}
    print(format_by_kind(kinds, counts))
    for name, (mean, low, high) in intervals.items():
        print(f"{name}: {mean:+.3f} NDCG@10, 95% interval [{low:+.3f}, {high:+.3f}]")
    print(f"full AMC - {reference} by kind (95% interval):")
    for kind, (mean, low, high) in versus_reference.items():
        print(f"  {kind:<10} {mean:+.3f} [{low:+.3f}, {high:+.3f}]")
    print("mean MTN language weight: " + ", ".join(f"{k} {v:.2f}" for k, v in means.items()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from amc_core.learn.export import build
    from amc_core.resources import resources_dir

    if args.params is not None and not args.params.is_file():
        raise UserInputError(f"parameters not found: {args.params}")
    print(json.dumps(build(args.out or resources_dir() / "models", args.params)))
    return 0
