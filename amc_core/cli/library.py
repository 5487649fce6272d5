"""`amc index`, `status`, `repair`, `keywords`: the commands that write or read a library
through the indexing side (imported only when one of them runs)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import TYPE_CHECKING

from amc_core.cli.output import printable
from amc_core.cli.progress import ProgressBar
from amc_core.errors import UserInputError
from amc_core.index.library import Library
from amc_core.index.run import IndexReport
from amc_core.settings import IndexSettings, resolve_library_dir

if TYPE_CHECKING:
    from amc_core.describe.tagging import PhotoTagger


def _library(args: argparse.Namespace, settings: IndexSettings | None = None) -> Library:
    return Library(resolve_library_dir(args.library), settings)


def cmd_index(args: argparse.Namespace) -> int:
    settings = IndexSettings()
    if args.workers is not None:
        if args.workers < 1:
            raise UserInputError("--workers must be at least 1")
        settings = dataclasses.replace(settings, workers=args.workers)
    if args.batch_size is not None:
        settings = dataclasses.replace(settings, batch_size=max(1, args.batch_size))
    with _library(args, settings) as library:
        folders = library.add_folders(args.paths)
        bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
        report = IndexReport()
        tagger = _tagger(ocr=not args.no_ocr)
        for progress in library.index(
            folders, analyzer=tagger, wait_for_lock_s=args.wait, faces=not args.no_faces
        ):
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


def _tagger(ocr: bool, faces: bool = False) -> PhotoTagger:
    from amc_core.describe.tagging import default_tagger

    return default_tagger(ocr=ocr, faces=faces)


def cmd_keywords(args: argparse.Namespace) -> int:
    from amc_core.index.prepare import prepare_photo
    from amc_core.ingest.decode import DecodeFailure

    path = os.path.abspath(os.path.expanduser(args.path))
    if not os.path.exists(path):
        raise UserInputError(f"file not found: {args.path}")
    if os.path.isdir(path):
        raise UserInputError(f"a folder, not a photo: {args.path}")
    tagger = _tagger(ocr=not args.no_ocr, faces=True)  # no faces pass here: the tagger's own
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
        print(f"  {printable(path)}: {error}")
    if len(report.errors) > 20:
        print(f"  ... and {len(report.errors) - 20} more (`amc index --json` lists them all)")


def cmd_repair(args: argparse.Namespace) -> int:
    from amc_core.index.repair import repair_library

    root = resolve_library_dir(args.library)
    show_steps = sys.stderr.isatty() and not args.json
    report: dict[str, object] = {}
    shown = ""
    for progress in repair_library(root, analyzer=_tagger(ocr=True)):
        report = progress.report
        if show_steps and progress.step != shown:
            shown = progress.step
            print(f"repair: {shown}...", file=sys.stderr)
    if args.json:
        print(json.dumps(report))
        return 0
    for key, value in report.items():
        print(f"{key.replace('_', ' '):<28} {value}")
    if report.get("damaged_features"):
        print("run `amc index` on your folders to re-read the photos with damaged features")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with _library(args) as library:
        status = library.status()
        people = library.catalog.people(include_hidden=True)
        named = sum(1 for p in people if p.name)
        unassigned = library.catalog.unassigned_faces()
    models, provider = _models_and_provider()
    data = {
        "library": str(status.root),
        "folders": status.folders,
        "photos": status.photos,
        "failed": status.failed,
        "pending": status.pending,
        "size_bytes": status.size_bytes,
        "people": len(people),
        "named_people": named,
        "models": models,
        "execution_provider": provider,
    }
    if args.json:
        print(json.dumps(data))
        return 0
    print(f"library   {status.root}")
    print(f"folders   {len(status.folders)}")
    for folder in status.folders:
        print(f"          {printable(folder)}")
    print(f"photos    {status.photos} indexed, {status.failed} failed, {status.pending} pending")
    print(f"size      {status.size_bytes / 2**20:.1f} MB on disk")
    print(f"people    {len(people)} ({named} named), {unassigned} faces in no group yet")
    print(f"models    {', '.join(models) or 'none'}")
    print(f"provider  {provider}")
    return 0


def _models_and_provider() -> tuple[list[str], str]:
    """Model files that ship with the app, and the onnxruntime provider that would run them."""
    from amc_core.resources import resources_dir

    models = sorted(
        p.name for sub in ("models", "faces") for p in (resources_dir() / sub).glob("*.onnx")
    )
    if not models:
        return models, "none (no model loaded)"
    from amc_core.runtime import SessionFactory

    return models, SessionFactory().provider  # a tiny probe session: what really loads
