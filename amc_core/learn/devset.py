"""The dev set of real photos and hand-written queries (data/devset), as an indexed library."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from amc_core.describe.analysis import FEATURE_MODEL, Analysis
from amc_core.describe.scene_probe import SceneProbe, default_probe_path
from amc_core.describe.scenes import SceneClasses
from amc_core.describe.tagging import PhotoTagger, default_tagger
from amc_core.index.library import Library
from amc_core.ingest.decode import DecodedPhoto
from amc_core.resources import build_cache_dir
from amc_core.settings import IndexSettings

DEVSET_DIR = Path(__file__).resolve().parents[2] / "data" / "devset"
_DESCRIBE_DIR = Path(__file__).resolve().parents[1] / "describe"  # what the analysis runs
# The scene probes trained on one half of the dev photos each (the shipped one saw them all):
# the dev-set library is indexed cross-fitted, each photo's probe evidence from the probe
# trained on the other half, so that `amc eval` measures the probe out of sample.
HALF_PROBES = {
    "develop": DEVSET_DIR / "scene_probe_develop.npz",
    "validate": DEVSET_DIR / "scene_probe_validate.npz",
}


@dataclass(frozen=True)
class Judged:
    id: str
    query: str
    kind: str
    relevant: dict[str, int]  # photo id -> grade (1 or 2)
    group: str = ""  # the finer kind of a visual query (objects, scenes...), else the kind


@dataclass(frozen=True)
class DevSet:
    library_dir: Path
    photo_of_catalog_id: dict[int, str]  # catalog id -> dev-set photo id
    queries: dict[str, list[Judged]]  # "dev" / "test" -> queries


def load_queries(devset_dir: Path = DEVSET_DIR) -> dict[str, list[Judged]]:
    data = json.loads((devset_dir / "queries.json").read_text())
    split = json.loads((devset_dir / "split.json").read_text())
    kinds_file = devset_dir / "query_kinds.json"
    finer = json.loads(kinds_file.read_text())["kinds"] if kinds_file.is_file() else {}
    by_id = {
        q["id"]: Judged(
            q["id"], q["query"], q["kind"], dict(q["relevant"]), finer.get(q["id"], q["kind"])
        )
        for q in data["queries"]
    }
    return {part: [by_id[i] for i in split[part]] for part in ("dev", "test")}


def indexed_devset(devset_dir: Path = DEVSET_DIR, cache: Path | None = None) -> DevSet:
    """Materialise the dev set as a folder tree with EXIF and index it (once; cached)."""
    root = (cache or build_cache_dir()) / "devset"
    photos_dir, library_dir = root / "photos", root / "library"
    paths = _materialise(devset_dir, photos_dir)
    stamp, made_with = root / "library.stamp", _tagger_stamp()
    if library_dir.exists() and (not stamp.is_file() or stamp.read_text() != made_with):
        shutil.rmtree(library_dir)  # made with other models: index again
    with Library(library_dir, IndexSettings()) as library:
        if library.catalog.counts()["ok"] < len(paths):
            folders = library.add_folders([str(photos_dir)])
            for _ in library.index(folders, analyzer=cross_fitted_tagger(devset_dir, paths)):
                pass
            stamp.write_text(made_with)
        by_path = {str(r["path"]): int(r["id"]) for r in library.catalog.photo_rows()}  # type: ignore[call-overload]
    photo_of = {by_path[str(p)]: pid for pid, p in paths.items() if str(p) in by_path}
    return DevSet(library_dir, photo_of, load_queries(devset_dir))


class CrossFittedTagger:
    """The default tagger, with each photo's scene evidence from the probe trained on the
    other half of the dev photos (data/devset/scene_split.json)."""

    def __init__(self, tagger: PhotoTagger, scenes_of: dict[str, SceneClasses]) -> None:
        self.tagger = tagger
        self.scenes_of = scenes_of  # photo path -> the scene classes (and probe) to use
        self.pixel_sources = tagger.pixel_sources
        self.feature_model = tagger.feature_model

    def analyze(self, photos: Sequence[DecodedPhoto], roots: Sequence[str]) -> list[Analysis]:
        out: dict[int, Analysis] = {}
        groups: dict[int, list[int]] = {}
        scenes = [self.scenes_of[str(Path(p.path).resolve())] for p in photos]
        for i, chosen in enumerate(scenes):
            groups.setdefault(id(chosen), []).append(i)
        shipped = self.tagger.scenes
        try:
            for rows in groups.values():  # one tagger, its scene classes swapped per half
                self.tagger.scenes = scenes[rows[0]]
                analyses = self.tagger.analyze([photos[i] for i in rows], roots)
                out.update(zip(rows, analyses, strict=True))
        finally:
            self.tagger.scenes = shipped
        return [out[i] for i in range(len(photos))]


def cross_fitted_tagger(devset_dir: Path, paths: dict[str, Path]) -> CrossFittedTagger:
    unseen = unseen_scene_classes(devset_dir)
    return CrossFittedTagger(default_tagger(), {str(p): unseen(pid) for pid, p in paths.items()})


def unseen_scene_classes(devset_dir: Path = DEVSET_DIR) -> Callable[[str], SceneClasses]:
    """dev photo id -> the scene classes with the probe trained on the other half of the
    photos (one instance per half), for anything that measures the probe on dev photos."""
    split = json.loads((devset_dir / "scene_split.json").read_text())
    develop = set(split["develop"])
    by_half = {part: SceneClasses(probe=SceneProbe.load(p)) for part, p in HALF_PROBES.items()}
    return lambda photo_id: by_half["validate" if photo_id in develop else "develop"]


def _tagger_stamp() -> str:
    """What the dev-set library's analysis was made with (the feature model, the probes, the
    describe code)."""
    digest = hashlib.sha256(FEATURE_MODEL.encode())
    for path in (default_probe_path(), *HALF_PROBES.values()):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    # the keyword rules are code: a changed rule must not be measured on stale keywords
    for source in sorted(_DESCRIBE_DIR.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _materialise(devset_dir: Path, out: Path) -> dict[str, Path]:
    """Write the photo tree once; later calls reuse it (rewriting would look like edits)."""
    record = out / "paths.json"
    if record.is_file():
        return {k: Path(v) for k, v in json.loads(record.read_text()).items()}
    spec = importlib.util.spec_from_file_location("devset_build", devset_dir / "build_library.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(devset_dir / "build_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paths = {k: Path(v).resolve() for k, v in module.materialise(out).items()}
    record.write_text(json.dumps({k: str(v) for k, v in paths.items()}))
    return paths


def write_training_queries(split: str, out: Path, devset_dir: Path = DEVSET_DIR) -> int:
    """The split's queries in `amc train --format queries` form (paths of the indexed copy)."""
    devset = indexed_devset(devset_dir)
    photo_paths = json.loads((devset.library_dir.parent / "photos" / "paths.json").read_text())
    queries = [
        {"query": q.query, "relevant": {photo_paths[p]: g for p, g in q.relevant.items()}}
        for q in devset.queries[split]
    ]
    out.write_text(json.dumps({"queries": queries}, indent=1))
    return len(queries)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m amc_core.learn.devset")
    parser.add_argument("--write-queries", nargs=2, metavar=("SPLIT", "OUT"))
    args = parser.parse_args(argv)
    if args.write_queries:
        split, out = args.write_queries
        print(f"{write_training_queries(split, Path(out))} queries written to {out}")
    else:
        print(indexed_devset().library_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
