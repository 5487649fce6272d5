"""`amc`: the command line, a thin driver of the same engine the app uses."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from amc_core import __version__
from amc_core.errors import AmcError, UserInputError
from amc_core.index.library import Library
from amc_core.index.run import IndexProgress, IndexReport
from amc_core.settings import IndexSettings, resolve_library_dir

if TYPE_CHECKING:
    from amc_core.describe.tagging import PhotoTagger
    from amc_core.search.engine import SearchEngine


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one clear line and exit 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"amc: error: {message} (see `amc --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="amc", description="Search your photo library by what you type.")
    parser.add_argument("--version", action="version", version=f"amc {__version__}")
    common = _Parser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        help="library folder (default: $AMC_LIBRARY or the user data folder)",
    )
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p_index = sub.add_parser("index", parents=[common], help="add folders and index their photos")
    p_index.add_argument("paths", nargs="+", metavar="PATH")
    p_index.add_argument("--workers", type=int, help="decoding processes (default: all cores)")
    p_index.add_argument("--batch-size", type=int, help=argparse.SUPPRESS)
    p_index.add_argument(
        "--no-ocr", action="store_true", help="skip reading text in photos (faster indexing)"
    )
    p_index.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another indexing run to finish",
    )

    sub.add_parser("status", parents=[common], help="folders, counts, size and models")
    sub.add_parser(
        "repair",
        parents=[common],
        help="check and rebuild the library's indexes (photos are not touched)",
    )

    p_keywords = sub.add_parser("keywords", help="the keywords of one photo (no library needed)")
    p_keywords.add_argument("path", metavar="PATH")
    p_keywords.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p_keywords.add_argument("--no-ocr", action="store_true", help="skip reading text")

    p_train = sub.add_parser("train", parents=[common], help="fine-tune the ranking model")
    p_train.add_argument(
        "--format",
        dest="data_format",
        required=True,
        choices=("clicks", "coco", "queries", "user"),
        help="click log TSV, COCO captions JSON, queries JSON, or the app's clicks",
    )
    p_train.add_argument("data", nargs="?", type=Path, help="the data file (not for --format user)")
    p_train.add_argument("--epochs", type=int, default=20)
    p_train.add_argument("--seed", type=int, default=7)
    p_train.add_argument("--val-share", type=float, default=0.3, help="queries held out")
    p_train.add_argument("--coco-split", default=None, help="only this Karpathy split")
    p_train.add_argument(
        "--all-parameters",
        action="store_true",
        help="also move the class-to-word residual (default: small ones only)",
    )

    p_eval = sub.add_parser("eval", help="ranking quality on the dev set (a source checkout)")
    p_eval.add_argument("--split", choices=("dev", "test"), default="test")
    p_eval.add_argument("--params", type=Path, help="model parameters (.npz) to evaluate")
    p_eval.add_argument("--json", action="store_true")

    p_export = sub.add_parser("export", help="rebuild the default parameters and ONNX graphs")
    p_export.add_argument("--out", type=Path, help="folder (default: resources/models)")

    p_explain = sub.add_parser("explain", parents=[common], help="why a photo ranks for a query")
    p_explain.add_argument("query")
    p_explain.add_argument("path", metavar="PATH")

    p_similar = sub.add_parser("similar", parents=[common], help="photos that look like PATH")
    p_similar.add_argument("path", metavar="PATH")
    p_similar.add_argument("--top", type=int, default=20, metavar="K")

    p_search = sub.add_parser("search", parents=[common], help="search the library")
    p_search.add_argument("query")
    p_search.add_argument("--top", type=int, default=20, metavar="K")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except AmcError as exc:
        print(f"amc: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "amc: interrupted; the library is consistent, run the command again to continue",
            file=sys.stderr,
        )
        return 130


def _library(args: argparse.Namespace, settings: IndexSettings | None = None) -> Library:
    return Library(resolve_library_dir(args.library), settings)


def _cmd_index(args: argparse.Namespace) -> int:
    settings = IndexSettings()
    if args.workers is not None:
        if args.workers < 1:
            raise UserInputError("--workers must be at least 1")
        settings = dataclasses.replace(settings, workers=args.workers)
    if args.batch_size is not None:
        settings = dataclasses.replace(settings, batch_size=max(1, args.batch_size))
    with _library(args, settings) as library:
        folders = library.add_folders(args.paths)
        bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
        report = IndexReport()
        tagger = _tagger(ocr=not args.no_ocr)
        for progress in library.index(folders, analyzer=tagger, wait_for_lock_s=args.wait):
            report = progress.report
            if bar:
                bar.show(progress)
        if bar:
            bar.close()
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        _print_report(report)
    return 0


def _tagger(ocr: bool) -> PhotoTagger:
    from amc_core.describe.tagging import default_tagger

    return default_tagger(ocr=ocr)


def _cmd_keywords(args: argparse.Namespace) -> int:
    from amc_core.index.prepare import prepare_photo
    from amc_core.ingest.decode import DecodeFailure

    path = os.path.abspath(os.path.expanduser(args.path))
    if not os.path.exists(path):
        raise UserInputError(f"file not found: {args.path}")
    if os.path.isdir(path):
        raise UserInputError(f"a folder, not a photo: {args.path}")
    tagger = _tagger(ocr=not args.no_ocr)
    photo = prepare_photo(path, IndexSettings(pixel_sources=tagger.pixel_sources, model_input=True))
    if isinstance(photo, DecodeFailure):
        raise UserInputError(f"{args.path}: {photo.error}")
    # without a library root, the photo's own folder name is the one most likely to mean something
    root = os.path.dirname(os.path.dirname(path))
    analysis = tagger.analyze([photo], [root])[0]
    if args.json:
        keywords = [
            {"keyword": k.text, "confidence": k.confidence, "source": k.source}
            for k in analysis.keywords
        ]
        print(json.dumps({"path": path, "keywords": keywords}))
        return 0
    for k in analysis.keywords:
        print(f"{k.confidence:5.2f}  {k.source:<7} {k.text}")
    return 0


def _print_report(report: IndexReport) -> None:
    print(
        f"indexed {report.indexed}, skipped {report.skipped} unchanged, moved {report.moved}, "
        f"removed {report.removed}, failed {report.failed}"
    )
    for path, error in report.errors[:20]:
        print(f"  {_printable(path)}: {error}")
    if len(report.errors) > 20:
        print(f"  ... and {len(report.errors) - 20} more (`amc index --json` lists them all)")


def _printable(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def _cmd_repair(args: argparse.Namespace) -> int:
    from amc_core.errors import CatalogDamagedError
    from amc_core.index.library import rebuild_damaged_catalog
    from amc_core.store.catalog import Catalog
    from amc_core.store.layout import LibraryPaths

    root = resolve_library_dir(args.library)
    rebuilt: dict[str, object] = {}
    try:
        Catalog.open(LibraryPaths(root).catalog).close()
    except CatalogDamagedError:
        aside, folders = rebuild_damaged_catalog(root)
        with Library(root) as library:
            targets = library.add_folders(folders) if folders else []
            last = None
            for last in library.index(targets, analyzer=_tagger(ocr=True)):
                pass
        rebuilt = {"damaged_catalog_moved_to": str(aside), "folders_reindexed": folders,
                   "photos_reindexed": last.report.indexed if last else 0}  # fmt: skip
    with _library(args) as library:
        report = {**rebuilt, **library.repair()}
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key.replace('_', ' '):<28} {value}")
        if report.get("damaged_features"):
            print("run `amc index` on your folders to re-read the photos with damaged features")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    with _library(args) as library:
        status = library.status()
    models, provider = _models_and_provider()
    data = {
        "library": str(status.root),
        "folders": status.folders,
        "photos": status.photos,
        "failed": status.failed,
        "pending": status.pending,
        "size_bytes": status.size_bytes,
        "models": models,
        "execution_provider": provider,
    }
    if args.json:
        print(json.dumps(data))
        return 0
    print(f"library   {status.root}")
    print(f"folders   {len(status.folders)}")
    for folder in status.folders:
        print(f"          {_printable(folder)}")
    print(f"photos    {status.photos} indexed, {status.failed} failed, {status.pending} pending")
    print(f"size      {status.size_bytes / 2**20:.1f} MB on disk")
    print(f"models    {', '.join(models) or 'none'}")
    print(f"provider  {provider}")
    return 0


def _models_and_provider() -> tuple[list[str], str]:
    """Model files that ship with the app, and the onnxruntime provider that would run them."""
    from amc_core.resources import resources_dir

    models_dir = resources_dir() / "models"
    models = sorted(p.name for p in models_dir.glob("*.onnx")) if models_dir.is_dir() else []
    if not models:
        return models, "none (no model loaded)"
    from amc_core.runtime import SessionFactory

    return models, SessionFactory().provider  # a tiny probe session: what really loads


def _cmd_search(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise UserInputError("--top must be at least 1")
    if not args.query.strip():
        raise UserInputError("the query is empty")
    with _engine(args) as engine:
        response = engine.search(args.query, args.top)
    if response.error:
        raise UserInputError(response.error)
    if args.json:
        results = [r.as_json() for r in response.results]
        print(json.dumps({"query": args.query, "results": results}))
        return 0
    if not response.results:
        print("no photos match")
    for rank, r in enumerate(response.results, start=1):
        print(
            f"{rank:3d}. {r.score:6.3f}  visual {r.visual_weight:.2f} / language "
            f"{r.language_weight:.2f}  {_printable(r.path)}"
        )
    return 0


def _engine(args: argparse.Namespace) -> SearchEngine:
    from amc_core.search.engine import SearchEngine

    return SearchEngine(resolve_library_dir(args.library))


def _cmd_explain(args: argparse.Namespace) -> int:
    with _engine(args) as engine:
        photo_id = engine.photo_id(args.path)
        result = engine.explain(args.query, photo_id)
    data = {"query": args.query, **result.as_json(), "candidate_source": result.source}
    if args.json:
        print(json.dumps(data))
        return 0
    print(f"photo     {_printable(result.path)}")
    print(f"score     {result.score:.3f}  (found by: {result.source})")
    print(f"weights   visual {result.visual_weight:.2f} / language {result.language_weight:.2f}")
    grid = result.region_attention
    if grid:
        print("regions   " + "  ".join(f"{a:.2f}" for a in grid[0:3]))
        print("          " + "  ".join(f"{a:.2f}" for a in grid[3:6]))
        print("          " + "  ".join(f"{a:.2f}" for a in grid[6:9]) + f"   whole {grid[9]:.2f}")
    for k in result.keywords:
        print(f"          {k.weight:5.2f}  {k.source:<7} {k.keyword}")
    return 0


def _cmd_similar(args: argparse.Namespace) -> int:
    with _engine(args) as engine:
        response = engine.similar(engine.photo_id(args.path), args.top)
    if args.json:
        print(json.dumps({"photo": os.path.realpath(args.path),
                          "results": [{"path": r.path, "score": round(r.score, 6)}
                                      for r in response.results]}))  # fmt: skip
        return 0
    for rank, r in enumerate(response.results, start=1):
        print(f"{rank:3d}. {r.score:.3f}  {_printable(r.path)}")
    return 0


class _ProgressBar:
    """A one-line progress bar on an interactive stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last = 0.0

    def show(self, progress: IndexProgress) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and not progress.finished:
            return
        self._last = now
        if progress.phase == "scanning":
            line = f"scanning... {progress.done} files"
        else:
            width = 30
            frac = progress.done / progress.total if progress.total else 1.0
            rate = progress.done / progress.elapsed_s if progress.elapsed_s > 0 else 0.0
            bar = "#" * int(frac * width)
            line = f"[{bar:<{width}}] {progress.done}/{progress.total}  {rate:.1f} photos/s"
        cols = os.get_terminal_size(self._stream.fileno()).columns if self._stream.isatty() else 80
        self._stream.write("\r" + line[: cols - 1].ljust(cols - 1))
        self._stream.flush()

    def close(self) -> None:
        self._stream.write("\n")
        self._stream.flush()


def _cmd_train(args: argparse.Namespace) -> int:
    from amc_core.learn.data import load
    from amc_core.learn.train import (
        RankingData,
        TrainConfig,
        model_for_library,
        save_library_model,
        split_examples,
        train,
    )
    from amc_core.words.space import semantic_space

    if args.epochs < 1 or not 0.0 < args.val_share < 1.0:
        raise UserInputError("--epochs must be >= 1 and --val-share between 0 and 1")
    config = TrainConfig(epochs=args.epochs, seed=args.seed, all_parameters=args.all_parameters)
    space = semantic_space()
    with _library(args) as library:
        loaded = load(args.data_format, args.data, library.catalog, args.coco_split)
        if len(loaded.examples) < 2:
            raise UserInputError(
                f"found {len(loaded.examples)} usable queries in the data "
                f"({loaded.skipped_images} images not in this library); need at least 2"
            )
        train_ex, val_ex = split_examples(loaded.examples, args.val_share, args.seed)
        model = model_for_library(library.paths.root, space)
        train_data = RankingData(library, train_ex, space, seed=args.seed)
        val_data = RankingData(library, val_ex, space, seed=args.seed)
        started = time.monotonic()
        last = None
        for last in train(model, train_data, val_data, config):
            if sys.stderr.isatty() and not args.json and not last.finished:
                print(
                    f"\repoch {last.epoch}/{last.epochs}  loss {last.loss:.4f}  "
                    f"best val NDCG@10 {last.after:.3f}",
                    end="",
                    file=sys.stderr,
                )
        assert last is not None
        if last.kept:
            save_library_model(model, library.paths.root)
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


def _cmd_eval(args: argparse.Namespace) -> int:
    from amc_core.learn.devset import DEVSET_DIR, indexed_devset
    from amc_core.learn.evaluate import DevSetScorer, format_table
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
    if args.json:
        print(
            json.dumps(
                {
                    "split": args.split,
                    "queries": len(queries),
                    "table": table,
                    "mean_language_weight": means,
                }
            )
        )
        return 0
    print(f"{args.split} half: {len(queries)} queries, {len(scorer.names)} photos")
    print(format_table(table))
    print("mean MTN language weight: " + ", ".join(f"{k} {v:.2f}" for k, v in means.items()))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from amc_core.learn.export import build
    from amc_core.resources import resources_dir

    print(json.dumps(build(args.out or resources_dir() / "models")))
    return 0


_COMMANDS = {
    "index": _cmd_index,
    "status": _cmd_status,
    "search": _cmd_search,
    "keywords": _cmd_keywords,
    "train": _cmd_train,
    "eval": _cmd_eval,
    "export": _cmd_export,
    "explain": _cmd_explain,
    "repair": _cmd_repair,
    "similar": _cmd_similar,
}

if __name__ == "__main__":
    sys.exit(main())
