"""Where `amc index` spends its time, stage by stage (issue 17's profile).

Runs every stage of the main pass in this one process, one photo after another, on the same
camera-size JPEGs as index_throughput.py, and prints milliseconds a photo and each stage's
share. The worker stages (read .. scene statistics) run in the decode processes during a real
index, two at a time on two cores; the analysis and store stages run in the main process, the
encoder in batches. So the table says what each stage costs, not the wall time of a run (that
is index_throughput.py's job): the next change is checked against it.

    python benchmarks/index_profile.py [--count 24] [--batch 16]
    python benchmarks/index_profile.py --smoke      # 3 small photos, seconds
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import _smoke
import numpy as np
from index_throughput import make_corpus
from PIL import Image

from amc_core.describe.analysis import Analysis
from amc_core.describe.faces import people_keywords
from amc_core.describe.keywords.colours import colour_keywords
from amc_core.describe.ocr import TextReader
from amc_core.describe.preprocess import squash
from amc_core.describe.scene_pixels import scene_stats
from amc_core.describe.tagging import FEATURE_MODEL, PhotoTagger, default_tagger
from amc_core.index.run import _ok_row
from amc_core.index.vectors import sync_vector_index
from amc_core.ingest.decode import (
    DecodedPhoto,
    _load_analysis_image,
    _open,
    _orient,
    decode_photo,
)
from amc_core.ingest.exif import read_exif
from amc_core.ingest.formats import sniff
from amc_core.ingest.hashing import content_hash
from amc_core.settings import IndexSettings
from amc_core.store.catalog import Catalog
from amc_core.store.features import compact
from amc_core.store.layout import ensure_library_dir
from amc_core.store.thumbnails import ThumbnailStore

WORKER = "worker"
MAIN = "main"


class Stages:
    """Milliseconds per stage, summed over the photos."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = defaultdict(float)
        self.where: dict[str, str] = {}
        self.count: dict[str, int] = defaultdict(int)  # photos that went through the stage

    @contextmanager
    def time(self, name: str, where: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.ms[name] += (time.perf_counter() - started) * 1000
        self.where[name] = where
        self.count[name] += 1


def profile(paths: list[Path], batch: int, library: Path) -> tuple[Stages, int]:
    tagger = default_tagger(ocr=True)
    reader = _text_reader()
    sources = tagger.pixel_sources  # what the index asks its workers for
    _worker_stages(Stages(), paths[0], reader, sources)  # loads the models: not a photo's cost
    stages = Stages()
    decoded = [_worker_stages(stages, path, reader, sources) for path in paths]
    tagger.encode(decoded[:1])  # the encoder's first run, likewise
    _main_stages(stages, tagger, decoded, batch, library)
    return stages, stages.count.get("OCR", 0)


def _worker_stages(
    stages: Stages, path: Path, reader: TextReader, sources: tuple[str, ...]
) -> DecodedPhoto:
    """What a decode worker does for one photo, stage by stage (the pixel sources the index
    asks for: faces are the faces pass's, not the main pass's)."""
    settings = IndexSettings(workers=1)
    with stages.time("read", WORKER):
        data = path.read_bytes()
    with stages.time("hash", WORKER):
        content_hash(data)
    with stages.time("open + EXIF", WORKER):
        image = _open(str(path), data, sniff(data[:64]) or "jpeg")
        exif = read_exif(image)
    with stages.time("decode (draft) + orient", WORKER):
        analysis = _orient(_load_analysis_image(image, settings.analysis_size), exif.orientation)
    with stages.time("thumbnail JPEG", WORKER):
        thumb = analysis.copy()
        thumb.thumbnail((settings.thumbnail_size,) * 2, Image.Resampling.BILINEAR)
        thumb.save(io.BytesIO(), "JPEG", quality=85)
    rgb = np.asarray(analysis, dtype=np.uint8)
    with stages.time("colour words", WORKER):
        colour_keywords(rgb)
    if "people" in sources:
        with stages.time("faces (main pass)", WORKER):
            people_keywords(rgb)
    if "text" in sources:
        with stages.time("OCR gate", WORKER):
            likely = reader.likely_has_text(rgb)
        if likely:
            with stages.time("OCR", WORKER):
                reader.read(rgb)
    with stages.time("encoder input (squash)", WORKER):
        model_rgb = squash(rgb)
    with stages.time("scene statistics", WORKER):
        stats = scene_stats(model_rgb)
    # what the worker hands over, made the index's way (not timed again)
    photo = decode_photo(str(path), IndexSettings(pixel_sources=(), model_input=True))
    assert isinstance(photo, DecodedPhoto)
    return replace(photo, pixels=None, model_rgb=model_rgb, scene_stats=stats)


def _main_stages(
    stages: Stages, tagger: PhotoTagger, decoded: list[DecodedPhoto], batch: int, library: Path
) -> None:
    paths = ensure_library_dir(library)
    thumbnails = ThumbnailStore(paths.thumbnails)
    with Catalog.open(paths.catalog) as catalog:
        folder = catalog.add_folder(str(Path(decoded[0].path).parent))
        for start in range(0, len(decoded), batch):
            chunk = decoded[start : start + batch]
            with stages.time("encoder (batched)", MAIN):
                features = tagger.encode(chunk)
            with stages.time("visual words", MAIN):
                visual = tagger.vocabulary.keywords(features.global_probs, features.region_probs)
            with stages.time("scene words", MAIN):
                stats = [p.scene_stats for p in chunk]
                scenes = tagger.scenes.keywords(stats, features.global_probs, features.region_probs)
            with stages.time("metadata words + merge", MAIN):
                analyses = [
                    Analysis(
                        keywords=tagger.keywords(p, visual[i] + scenes[i], folder.path),
                        features=compact(features, i),
                        feature_model=FEATURE_MODEL,
                    )
                    for i, p in enumerate(chunk)
                ]
            with stages.time("thumbnail files", MAIN):
                for p in chunk:
                    thumbnails.put(p.content_hash, p.thumbnail_jpeg)
            with stages.time("SQLite write", MAIN):
                catalog.write_photos(
                    [_ok_row(p, folder.id, a) for p, a in zip(chunk, analyses, strict=True)]
                )
        with stages.time("vector index", MAIN):
            sync_vector_index(catalog, paths)


def _text_reader() -> TextReader:
    from amc_core.describe.pixel_keywords import _text_reader as reader

    return reader()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--corpus", type=Path, default=Path(".cache/bench-corpus"))
    parser.add_argument("--smoke", action="store_true", help="3 small photos, seconds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        if args.smoke:
            print(_smoke.NOTE)
            paths = _smoke.devset_photos(3)
        else:
            paths = make_corpus(args.corpus, args.count)
        stages, texts = profile(paths, args.batch, Path(work) / "library")
    total = sum(stages.ms.values())
    n = len(paths)
    print(f"{n} photos ({texts} passed the OCR gate); ms a photo, share of all stage time")
    print(f"{'stage':<28} {'where':<7} {'ms/photo':>9} {'share':>7}")
    for name, ms in stages.ms.items():
        print(f"{name:<28} {stages.where[name]:<7} {ms / n:9.1f} {ms / total:7.1%}")
    for where in (WORKER, MAIN):
        part = sum(ms for name, ms in stages.ms.items() if stages.where[name] == where)
        print(f"{'all ' + where + ' stages':<28} {'':<7} {part / n:9.1f} {part / total:7.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
