"""Training data in the paper's kinds, resolved to photos of a library.

- click logs (Clickture-like TSV: query <TAB> image path <TAB> clicks),
- COCO-style captions JSON (Karpathy split: images[].filepath/filename/split/sentences[].raw),
- queries JSON for a folder ({"queries": [{"query": ..., "relevant": {path: grade}}]}),
- the user's own clicks recorded by the app (open = 2, inspect = 1).
Image paths are absolute or relative to a folder of the library; unknown images are skipped
and counted, never fatal.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from amc_core.errors import UserInputError
from amc_core.store.catalog import Catalog

FORMATS = ("clicks", "coco", "queries", "user")


@dataclass(frozen=True)
class Example:
    query: str
    relevant: dict[int, int]  # catalog photo id -> grade (1 or 2)


@dataclass(frozen=True)
class Loaded:
    examples: list[Example]
    skipped_images: int


class _PathIndex:
    """Finds a catalog photo by absolute path, by path under a library folder, or by name."""

    def __init__(self, catalog: Catalog) -> None:
        rows = catalog.photo_rows("WHERE state = 'ok'")
        self.by_path = {str(r["path"]): int(r["id"]) for r in rows}  # type: ignore[call-overload]
        self.folders = [f.path for f in catalog.folders()]
        names: dict[str, list[int]] = {}
        for path, photo_id in self.by_path.items():
            names.setdefault(os.path.basename(path), []).append(photo_id)
        self.unique_names = {n: ids[0] for n, ids in names.items() if len(ids) == 1}

    def find(self, reference: str) -> int | None:
        if os.path.isabs(reference):
            return self.by_path.get(os.path.realpath(reference))
        for folder in self.folders:
            hit = self.by_path.get(os.path.join(folder, reference))
            if hit is not None:
                return hit
        return self.unique_names.get(os.path.basename(reference))


def load(kind: str, path: Path | None, catalog: Catalog, split: str | None = None) -> Loaded:
    if kind not in FORMATS:
        raise UserInputError(f"unknown training data format {kind!r}; use one of {FORMATS}")
    if kind == "user":
        return _from_user_clicks(catalog)
    if path is None or not path.is_file():
        raise UserInputError(f"training data file not found: {path}")
    index = _PathIndex(catalog)
    try:
        if kind == "clicks":
            return _from_click_log(path, index)
        if kind == "coco":
            return _from_coco(path, index, split)
        return _from_queries(path, index)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserInputError(f"cannot read {kind} data from {path}: {exc}") from exc


def _group(pairs: list[tuple[str, int, int]]) -> list[Example]:
    grouped: dict[str, dict[int, int]] = {}
    for query, photo_id, grade in pairs:
        best = grouped.setdefault(query, {})
        best[photo_id] = max(grade, best.get(photo_id, 0))
    return [Example(q, rel) for q, rel in grouped.items() if q.strip()]


def _from_click_log(path: Path, index: _PathIndex) -> Loaded:
    pairs, skipped = [], 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 2 or row[0].startswith("#"):
                continue
            clicks = int(row[2]) if len(row) > 2 and row[2].strip().isdigit() else 1
            photo_id = index.find(row[1])
            if photo_id is None or clicks <= 0:
                skipped += photo_id is None
                continue
            pairs.append((row[0].strip(), photo_id, 2 if clicks > 1 else 1))
    return Loaded(_group(pairs), skipped)


def _from_coco(path: Path, index: _PathIndex, split: str | None) -> Loaded:
    data = json.loads(path.read_text(encoding="utf-8"))
    pairs, skipped = [], 0
    for image in data["images"]:
        if split and image.get("split") != split:
            continue
        reference = os.path.join(image.get("filepath", ""), image["filename"])
        photo_id = index.find(reference)
        if photo_id is None:
            skipped += 1
            continue
        pairs += [(s["raw"].strip().lower(), photo_id, 2) for s in image.get("sentences", [])]
    return Loaded(_group(pairs), skipped)


def _from_queries(path: Path, index: _PathIndex) -> Loaded:
    data = json.loads(path.read_text(encoding="utf-8"))
    examples, skipped = [], 0
    for item in data["queries"]:
        relevant = {}
        for reference, grade in item["relevant"].items():
            photo_id = index.find(reference)
            if photo_id is None:
                skipped += 1
            elif int(grade) > 0:
                relevant[photo_id] = int(grade)
        if relevant:
            examples.append(Example(item["query"], relevant))
    return Loaded(examples, skipped)


def _from_user_clicks(catalog: Catalog) -> Loaded:
    grade = {"open": 2, "inspect": 1}
    return Loaded(_group([(q, p, grade[a]) for q, p, a in catalog.clicks()]), 0)
