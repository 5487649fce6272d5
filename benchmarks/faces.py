"""Faces, measured: the detector against Haar (the one it replaced), same-person precision and
recall at the grouping threshold, the faces pass's speed, and grouping time at scale.

1. Detectors on the dev photos (`data/devset/faces.json`: 9 hand-checked faces in 7 of 97
   photos) and on the face_recognition test photos (`tests/data/faces`: 6 faces, 2 partial):
   faces found (a detection whose centre lies in a checked box), false faces, ms a photo.
   Baselines in the same run: OpenCV's Haar cascade (the previous detector: alt2 at 384 px,
   with and without its eye check) and dlib's HOG detector.
2. "Same person" over every pair of embedded faces with a known identity (the one man of the
   test photos; every dev face is a different person): precision and recall at distances.
3. The faces pass on 2 cores: photos/s on photos without faces (target >= 8) and faces/s
   embedded (target >= 4), each against its bound.
4. Grouping N synthetic faces (default 10^5: 2,000 people x 50 faces, dlib-like distances).

    python benchmarks/faces.py [--synthetic 100000] [--skip-pass]
    python benchmarks/faces.py --smoke   # every part on a few photos and 1,000 faces (seconds)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "data" / "devset"
TEST_FACES = ROOT / "tests" / "data" / "faces"
PHOTOS_PER_S_BOUND = 8.0
FACES_PER_S_BOUND = 4.0

Box = tuple[int, int, int, int]
Detector = Callable[[np.ndarray], list[Box]]


def _dev_photos(limit: int | None) -> list[Path]:
    """The dev photos, the ones with checked faces first (a smoke run takes a few)."""
    truth = json.loads((DEV / "faces.json").read_text())["faces"]
    photos = sorted((DEV / "photos").glob("*.jpg"), key=lambda p: (p.stem not in truth, p.name))
    return photos[:limit] if limit else photos


def _rgb(path: Path) -> np.ndarray:
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    image.thumbnail((640, 640))
    return np.asarray(image)


def _haar(eye_check: bool) -> Detector:
    import cv2

    folder = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]
    face = cv2.CascadeClassifier(str(folder / "haarcascade_frontalface_alt2.xml"))
    eye = cv2.CascadeClassifier(str(folder / "haarcascade_eye.xml"))

    def detect(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        scale = min(1.0, 384 / max(gray.shape))
        small = cv2.resize(gray, None, fx=scale, fy=scale) if scale < 1 else gray
        boxes, hits = face.detectMultiScale2(small, scaleFactor=1.25, minNeighbors=3,
                                             minSize=(20, 20))  # fmt: skip
        out = []
        for (x, y, w, h), n in zip(boxes, np.ravel(hits), strict=True):
            box = (int(x / scale), int(y / scale), int(w / scale), int(h / scale))
            if eye_check and n < 12:
                bx, by, bw, bh = box
                roi = cv2.resize(cv2.equalizeHist(gray)[by : by + bh, bx : bx + bw], (120, 120))
                if not len(eye.detectMultiScale(roi[9:70], 1.1, 2, minSize=(15, 15))):
                    continue
            out.append(box)
        return out

    return detect


def _hog() -> Detector:
    import dlib

    detector = dlib.get_frontal_face_detector()

    def detect(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
        return [(d.left(), d.top(), d.width(), d.height()) for d in detector(rgb, 1)]

    return detect


def _ours(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    from amc_core.describe.faces import detect_faces

    return [face.box for face in detect_faces(rgb)]


def _inside(box: tuple[int, ...], truth: list[int]) -> bool:
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    x, y, w, h = truth
    return x <= cx <= x + w and y <= cy <= y + h


def compare_detectors(limit: int | None = None) -> None:
    truth: dict[str, list[list[int]]] = json.loads((DEV / "faces.json").read_text())["faces"]
    dev = _dev_photos(limit)
    truth = {k: v for k, v in truth.items() if k in {p.stem for p in dev}}
    tests = sorted(TEST_FACES.glob("*.jpg"))
    detectors: dict[str, Detector] = {
        "yuface (ours)": _ours, "haar+eyes (before)": _haar(True), "haar": _haar(False),
        "dlib hog": _hog(),
    }  # fmt: skip
    print(f"1. detectors: dev photos {len(dev)} ({sum(map(len, truth.values()))} faces), "
          f"face_recognition photos {len(tests)} (one face each)")  # fmt: skip
    print(f"   {'detector':<20}{'dev found':>10}{'false':>7}{'test found':>12}{'ms/photo':>10}")
    for name, detect in detectors.items():
        found = false = test_found = 0
        spent: list[float] = []
        for path in dev:
            rgb = _rgb(path)
            start = time.perf_counter()
            boxes = detect(rgb)
            spent.append(time.perf_counter() - start)
            faces = truth.get(path.stem, [])
            hit = {i for b in boxes for i, t in enumerate(faces) if _inside(b, t)}
            found += len(hit)
            false += sum(1 for b in boxes if not any(_inside(b, t) for t in faces))
        for path in tests:
            test_found += min(1, len(detect(_rgb(path))))
        total = sum(map(len, truth.values()))
        print(f"   {name:<20}{found:>6}/{total:<3}{false:>7}{test_found:>8}/{len(tests):<3}"
              f"{1000 * float(np.median(spent)):>10.1f}")  # fmt: skip


def same_person(limit: int | None = None) -> None:
    from amc_core.describe.face_crops import FaceAligner, decode_crop, found_faces
    from amc_core.describe.face_embedder import FaceEmbedder
    from amc_core.index.face_groups import JOIN_DISTANCE, same_person_scores
    from amc_core.runtime import SessionFactory

    aligner, crops, identities = FaceAligner(), [], []
    for path in sorted(TEST_FACES.glob("*.jpg")):
        for face in found_faces(_rgb(path), aligner):
            if face.crop:
                crops.append(decode_crop(face.crop))
                identities.append("biden" if "biden" in path.stem else "obama")
    for path in _dev_photos(limit):
        for k, face in enumerate(found_faces(_rgb(path), aligner)):
            if face.crop:
                crops.append(decode_crop(face.crop))
                identities.append(f"{path.stem}-{k}")  # every dev face is someone else
    vectors = FaceEmbedder(SessionFactory(prefer_gpu=False)).embed(np.stack(crops))
    same = sum(a == b for i, a in enumerate(identities) for b in identities[i + 1 :])
    print(f"2. same person: {len(crops)} embedded faces, {same} same-person pairs of "
          f"{len(crops) * (len(crops) - 1) // 2}")  # fmt: skip
    for threshold in (0.4, JOIN_DISTANCE, 0.6):
        precision, recall = same_person_scores(vectors, identities, threshold)
        chosen = "  <- JOIN_DISTANCE" if threshold == JOIN_DISTANCE else ""
        print(f"   distance <= {threshold:.2f}: precision {precision:.2f} recall {recall:.2f}"
              f"{chosen}")  # fmt: skip


def faces_pass_speed(limit: int | None = None) -> None:
    from amc_core.describe.face_crops import decode_crop
    from amc_core.describe.face_embedder import FaceEmbedder
    from amc_core.index.faces_pass import find_people
    from amc_core.runtime import SessionFactory
    from amc_core.store.catalog import Catalog
    from amc_core.store.records import PhotoRow

    truth = json.loads((DEV / "faces.json").read_text())["faces"]
    faceless = [p for p in sorted((DEV / "photos").glob("*.jpg")) if p.stem not in truth]
    faceless = faceless[:limit] if limit else faceless
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for copy in range(2):  # ~180 photos: the pool's start is a small part of the run
            for path in faceless:
                target = folder / f"{copy}-{path.name}"
                shutil.copy(path, target)
                paths.append(target)
        with Catalog.open(folder / "catalog.sqlite3") as catalog:
            f = catalog.add_folder(str(folder))
            catalog.write_photos([PhotoRow(str(p), f.id, 1, 1, "ok", content_hash=p.name)
                                  for p in paths])  # fmt: skip
            start = time.perf_counter()
            report = None
            for step in find_people(catalog, workers=2):
                report = step.report
            seconds = time.perf_counter() - start
        assert report is not None
        rate = report.photos_read / seconds
        verdict = "ok" if rate >= PHOTOS_PER_S_BOUND else "BELOW"
        print(f"3. faces pass, photos without faces: {report.photos_read} in {seconds:.1f} s = "
              f"{rate:.1f} photos/s (bound {PHOTOS_PER_S_BOUND}: {verdict}); "
              f"false faces {report.faces_found}")  # fmt: skip
    from amc_core.describe.face_crops import FaceAligner, found_faces

    crops = [decode_crop(f.crop) for p in sorted(TEST_FACES.glob("*.jpg"))
             for f in found_faces(_rgb(p), FaceAligner()) if f.crop]  # fmt: skip
    batch = np.stack([crops[i % len(crops)] for i in range(64 if limit else 256)])
    embedder = FaceEmbedder(SessionFactory(prefer_gpu=False))
    embedder.embed(batch[:32])  # warm
    start = time.perf_counter()
    for i in range(0, len(batch), 32):
        embedder.embed(batch[i : i + 32])
    per_s = len(batch) / (time.perf_counter() - start)
    verdict = "ok" if per_s >= FACES_PER_S_BOUND else "BELOW"
    print(f"   faces embedded: {per_s:.0f} faces/s (bound {FACES_PER_S_BOUND}: {verdict})")


def grouping_time(n: int) -> None:
    from amc_core.index.face_groups import group_faces
    from amc_core.store.faces import FaceTable

    rng = np.random.default_rng(7)
    people, per = max(1, n // 50), 50
    centres = rng.normal(size=(people, 128)).astype(np.float32)
    centres *= 0.62 / np.linalg.norm(centres, axis=1, keepdims=True)  # strangers ~0.88 apart
    noise = rng.normal(size=(people * per, 128)).astype(np.float32) * 0.017  # same ~0.27
    embeddings = np.repeat(centres, per, axis=0) + noise
    order = rng.permutation(len(embeddings))
    table = FaceTable(
        np.arange(1, len(order) + 1, dtype=np.int64), np.arange(len(order), dtype=np.int64),
        np.full(len(order), -1, np.int64), np.zeros(len(order), bool),
        np.ones(len(order), np.float32), embeddings[order],
    )  # fmt: skip
    identity = np.repeat(np.arange(people), per)[order]
    start = time.perf_counter()
    grouping = group_faces(table, set())
    seconds = time.perf_counter() - start
    pure = sum(len(set(identity[np.array(g) - 1].tolist())) == 1 for g in grouping.new_groups)
    print(f"4. grouping {len(order):,} synthetic faces ({people:,} people): {seconds:.1f} s, "
          f"{len(grouping.new_groups):,} groups, {pure:,} of one person only")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--skip-pass", action="store_true", help="skip the faces pass speed")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args(argv)
    limit = 5 if args.smoke else None
    if args.smoke:
        args.synthetic = 1000
        print("smoke run: 5 dev photos (those with faces first), 1,000 synthetic faces; the "
              "timings mean nothing and the bounds are not checked")  # fmt: skip
    compare_detectors(limit)
    same_person(limit)
    if not args.skip_pass:
        faces_pass_speed(4 if args.smoke else None)
    grouping_time(args.synthetic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
