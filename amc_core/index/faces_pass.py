"""The faces pass: after the main index, read every photo's faces, embed them, group them
into people, and write face words and names into the photos' keywords.

Each step keeps its results in the catalog as it goes (a photo's faces, a batch of
embeddings), so a killed pass resumes where it stopped; search works all along. Photos are
read in worker processes (decode at DETECT_SIDE, detect, align, crop); embeddings are made
in this process in batches (the model uses the cores itself).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from amc_core.describe.bodies import find_bodies
from amc_core.describe.face_crops import DETECTOR_ID, FaceAligner, decode_crop, found_faces
from amc_core.describe.faces import DETECT_SIDE, Face, keywords_for_faces
from amc_core.index.face_groups import group_faces
from amc_core.index.pool import map_in_workers
from amc_core.ingest.decode import oriented_pixels
from amc_core.runtime import SessionFactory
from amc_core.settings import IndexSettings
from amc_core.store.bodies import FoundBody
from amc_core.store.catalog import Catalog
from amc_core.store.faces import FoundFace, StoredFace
from amc_core.words.keyword import Keyword
from amc_core.words.normalise import merge_keywords, normalise

if TYPE_CHECKING:
    from amc_core.describe.face_embedder import FaceEmbedder

FACE_SOURCES = ("people", "person")  # the keyword sources this pass owns
EMBED_BATCH = 32
NAME_CONFIDENCE = 1.0  # a person's full name on their photos
NAME_WORD_CONFIDENCE = 0.9  # each word of it ("obama" of "Barack Obama")
CROWD_SIZE = 5  # people (faces or whole figures) from which a photo is a "crowd"
T = TypeVar("T")


@dataclass(slots=True)
class FacesReport:
    photos_read: int = 0
    faces_found: int = 0
    faces_embedded: int = 0
    new_people: int = 0
    read_s: float = 0.0
    embed_s: float = 0.0
    group_s: float = 0.0
    missing_models: str | None = None  # why faces were found but not grouped
    keywords_changed: list[int] | None = None  # photos whose face keywords were rewritten

    def as_json(self) -> dict[str, object]:
        return {
            "photos_read": self.photos_read,
            "faces_found": self.faces_found,
            "faces_embedded": self.faces_embedded,
            "new_people": self.new_people,
            "photos_per_s": round(self.photos_read / self.read_s, 2) if self.read_s else None,
            "faces_per_s": round(self.faces_embedded / self.embed_s, 2) if self.embed_s else None,
            "missing_models": self.missing_models,
        }


@dataclass(slots=True)
class FacesProgress:
    step: str  # one of run.FACE_STEPS, or "done"
    done: int
    total: int
    report: FacesReport


def find_people(
    catalog: Catalog,
    workers: int,
    sessions: SessionFactory | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[FacesProgress]:
    """Run the faces pass to its end (or until cancel is set)."""
    report = FacesReport()
    yield from _read(catalog, workers, report, cancel)
    if cancel is not None and cancel.is_set():
        return
    from amc_core.describe.face_embedder import MODEL_ID, FaceEmbedder

    if not report.photos_read and not catalog.count_faces_to_embed(MODEL_ID):
        # nothing new to group (unassigned faces are tried again when new faces arrive)
        report.keywords_changed = write_face_keywords(catalog)  # names may have changed
        yield FacesProgress("done", 1, 1, report)
        return
    try:
        embedder = FaceEmbedder(sessions or SessionFactory())
    except Exception as exc:  # missing model files: faces stay found but ungrouped
        report.missing_models = str(exc)
    else:
        yield from _embed(catalog, embedder, MODEL_ID, report, cancel)
        if cancel is not None and cancel.is_set():
            return
        yield FacesProgress("grouping", 0, 1, report)
        start = time.perf_counter()
        grouping = group_faces(catalog.face_table(MODEL_ID), catalog.rejections())
        report.new_people = len(catalog.save_groups(grouping.joins, grouping.new_groups))
        report.group_s = time.perf_counter() - start
    report.keywords_changed = write_face_keywords(catalog)
    yield FacesProgress("done", 1, 1, report)


def _read(
    catalog: Catalog, workers: int, report: FacesReport, cancel: threading.Event | None
) -> Iterator[FacesProgress]:
    todo = catalog.photos_to_scan(DETECTOR_ID)
    if todo:
        start = time.perf_counter()
        results = _in_workers(read_faces, [path for _id, path, _hash in todo], workers)
        for done, ((photo_id, _path, content_hash), result) in enumerate(
            zip(todo, results, strict=True), 1
        ):
            # an unreadable photo counts as read with no faces: the main pass reports it
            seen = result or PhotoPeople([], [])
            catalog.save_face_scan(photo_id, content_hash, DETECTOR_ID, seen.faces, seen.bodies)
            report.photos_read += 1
            report.faces_found += len(seen.faces)
            yield FacesProgress("reading", done, len(todo), report)
            if cancel is not None and cancel.is_set():
                break
        report.read_s += time.perf_counter() - start
    if cancel is not None and cancel.is_set():
        return
    yield from _box_bodies(catalog, workers, report, cancel)


def _box_bodies(
    catalog: Catalog, workers: int, report: FacesReport, cancel: threading.Event | None
) -> Iterator[FacesProgress]:
    """The boxes of people seen whole in photos read before boxes were kept (only the body
    detector runs: their faces and names stay as they are)."""
    todo = catalog.photos_without_body_boxes()
    results = _in_workers(read_bodies, [path for _id, path, _hash in todo], workers)
    for done, ((photo_id, _path, content_hash), bodies) in enumerate(
        zip(todo, results, strict=True), 1
    ):
        # unreadable now: no people seen, as a full scan would count it (not read every run)
        catalog.save_body_boxes(photo_id, content_hash, bodies or [])
        yield FacesProgress("boxing", done, len(todo), report)
        if cancel is not None and cancel.is_set():
            break


def _in_workers(
    read: Callable[[str], T | None], paths: list[str], workers: int
) -> Iterator[T | None]:
    if workers > 1 and paths:  # even for one photo: a detector crashing on a hostile file
        # takes a worker down, never the app (the pool retries the others and skips that one)
        return map_in_workers(read, paths, workers, window=workers * 4, crashed=lambda _p: None)
    return (read(path) for path in paths)


@cache
def _aligner() -> FaceAligner:
    return FaceAligner()


@dataclass(frozen=True, slots=True)
class PhotoPeople:
    faces: list[FoundFace]
    bodies: list[FoundBody]  # people seen whole, surest first


def read_faces(path: str) -> PhotoPeople | None:
    """The faces and the people seen whole in one photo file (in a worker process); None
    when it cannot be read."""
    rgb = _pixels(path)
    return None if rgb is None else PhotoPeople(found_faces(rgb, _aligner()), find_bodies(rgb))


def read_bodies(path: str) -> list[FoundBody] | None:
    """Only the people seen whole in one photo file (in a worker process); None when it
    cannot be read."""
    rgb = _pixels(path)
    return None if rgb is None else find_bodies(rgb)


def _pixels(path: str) -> np.ndarray | None:
    """(H, W, 3) uint8 at the detectors' size; None for a file the main pass read but this
    pass cannot (changed or gone meanwhile)."""
    try:
        return oriented_pixels(path, DETECT_SIDE, IndexSettings())
    except Exception:
        return None


def _embed(
    catalog: Catalog,
    embedder: FaceEmbedder,
    model_id: str,
    report: FacesReport,
    cancel: threading.Event | None,
) -> Iterator[FacesProgress]:
    total = catalog.count_faces_to_embed(model_id)
    done = 0
    start = time.perf_counter()
    while batch := catalog.faces_to_embed(model_id, EMBED_BATCH):
        chips = np.stack([decode_crop(crop) for _id, crop in batch])  # (B, 150, 150, 3)
        vectors = embedder.embed(chips)  # (B, 128)
        catalog.save_embeddings([face_id for face_id, _ in batch], vectors, model_id)
        done += len(batch)
        report.faces_embedded += len(batch)
        yield FacesProgress("embedding", done, total, report)
        if cancel is not None and cancel.is_set():
            break
    report.embed_s += time.perf_counter() - start


def write_face_keywords(catalog: Catalog, photo_ids: Sequence[int] | None = None) -> list[int]:
    """Rewrite the face words and names of photos whose faces or people changed (default:
    all the catalog marks stale); returns the photos whose keywords changed."""
    ids = list(photo_ids) if photo_ids is not None else catalog.photos_needing_face_keywords()
    changed: list[int] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sizes, bodies = catalog.photo_sizes(chunk), catalog.bodies_of(chunk)
        changes = {
            photo_id: face_keywords(
                faces, sizes.get(photo_id, (1, 1)), bodies.get(photo_id, (0, 0.0))
            )
            for photo_id, faces in catalog.faces_of_photos(chunk).items()
        }
        changed += catalog.replace_keywords(changes, FACE_SOURCES)
    return changed


def face_keywords(
    faces: Sequence[StoredFace], size: tuple[int, int], bodies: tuple[int, float] = (0, 0.0)
) -> list[Keyword]:
    """person/face/people/group/portrait from the faces; person/people/crowd from the people
    seen whole (bodies: their count and the best one's confidence); every person's name."""
    width, height = size
    shaped = [
        Face((round(x * width), round(y * height), round(w * width), round(h * height)), score)
        for (x, y, w, h), score in ((f.box, f.score) for f in faces)
    ]
    words = keywords_for_faces(shaped, (height, width))
    count, confidence = bodies
    if count:
        words.append(Keyword("person", confidence, "people"))
    if count >= 2:
        words.append(Keyword("people", round(confidence * 0.9, 3), "people"))
    if max(count, len(faces)) >= CROWD_SIZE:
        words.append(Keyword("crowd", round(max(confidence, 0.6) * 0.9, 3), "people"))
    for name in sorted({f.name for f in faces if f.name}):
        folded = normalise(name, lemmatise_words=False)
        if not folded:
            continue
        words.append(Keyword(folded, NAME_CONFIDENCE, "person"))
        parts = folded.split()
        if len(parts) > 1:
            words += [Keyword(part, NAME_WORD_CONFIDENCE, "person") for part in parts]
    return merge_keywords([words], limit=len(words))  # one keyword per text: the surest
