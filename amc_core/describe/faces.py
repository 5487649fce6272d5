"""Faces as keywords with source ``"people"``: person, face, people, group, portrait.

Why: ImageNet-1k (the visual encoder's classes) has no "person" class, yet "people", "family"
or "portrait" are among the most common photo searches. OpenCV's Haar cascades (Apache-2.0,
shipped inside ``opencv-python-headless<5``; 5.x drops ``CascadeClassifier``) find frontal
faces with no model file of ours.

False positives are the known weakness of Haar face cascades (a patterned shirt, a swirl in a
painting, the blur of a crowd). A second face cascade does not help: ``frontalface_default``
confirmed those same false faces. An eye check does: each candidate is cut out, enlarged to
EYE_ROI px and must show an eye to the eye cascade in its upper half, unless the face cascade
itself is very sure (STRONG_HITS). On the development photos (26 candidates from 43 photos,
none of them a test fixture) this kept all 15 real faces and rejected all 11 false ones.

Cost: Haar detection is CPU bound: ~50 ms of CPU for a 512 px photo at the settings below
(OpenCV spreads it over its threads). The photo is searched at DETECT_SIDE px, so faces
smaller than ~27 px in a 512 px photo (~5% of its long side) and faces turned more than ~30
degrees away are not found; the development set's frontal faces >= 30 px were all found.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from amc_core.words.keyword import Keyword

FACE_CASCADE = "haarcascade_frontalface_alt2.xml"  # fewest false faces of OpenCV's frontal set
EYE_CASCADE = "haarcascade_eye.xml"

DETECT_SIDE = 384  # the long side the face search runs at (cost grows with its square)
SCALE_FACTOR = 1.25  # pyramid step: 1.15 costs 1.6x the time for about the same faces found
NEIGHBOURS = 3  # overlapping raw hits needed (OpenCV's minNeighbors); the eye check cleans up
MIN_FACE_PX = 20  # at DETECT_SIDE: the cascade's own window
EYE_ROI = 120  # a face candidate is resized to this square for the eye check
EYE_NEIGHBOURS = 2
STRONG_HITS = 12  # a candidate with this many raw hits needs no eye (false ones had <= 6)
NESTED = 0.5  # two faces overlapping this much (of the smaller) are one

# Keywords.
PORTRAIT_MIN = 0.12  # face side / photo short side from which the photo is a "portrait"
PORTRAIT_FULL = 0.2  # ... and from which it is one with the face's full confidence
GROUP_SIZE = 4  # "group" from this many faces; "people" from 2

Box = tuple[int, int, int, int]  # x, y, width, height in photo pixels


@dataclass(frozen=True, slots=True)
class Face:
    """One face: its box, how many raw hits and eyes support it, and a confidence in 0-1."""

    box: Box
    hits: int
    eyes: int
    confidence: float


def cascade_dir() -> Path:
    """Where opencv-python keeps its Haar cascade XML files."""
    return Path(cv2.data.haarcascades)  # type: ignore[attr-defined]


class FaceDetector:
    """Frontal face detector (Haar cascades). Thread-safe: one classifier pair per thread.

    Why per thread: ``cv2.CascadeClassifier.detectMultiScale`` keeps internal buffers and is
    not documented as safe to call from several threads on one object; loading is ~30 ms.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder or cascade_dir()
        self._local = threading.local()
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray) -> list[Box]:
        """Face boxes (x, y, w, h) in photo pixels, largest first."""
        return [face.box for face in self.faces(rgb)]

    def faces(self, rgb: np.ndarray) -> list[Face]:
        """Eye-verified faces with confidences, largest first."""
        face_cascade, eye_cascade = self._classifiers()
        gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)  # (H, W) uint8
        candidates = _find_faces(face_cascade, gray)
        if not candidates:
            return []
        # Eyes stand out better after equalising; the face search is only slower on it.
        equalised = cv2.equalizeHist(gray)
        faces = []
        for box, hits in candidates:
            eyes = count_eyes(eye_cascade, equalised, box)
            if eyes or hits >= STRONG_HITS:
                faces.append(Face(box, hits, eyes, _confidence(hits, eyes)))
        faces = _drop_nested(faces)
        faces.sort(key=lambda f: -f.box[2] * f.box[3])
        return faces

    def people_keywords(self, rgb: np.ndarray) -> list[Keyword]:
        """Keywords for the faces in a photo (none when there are none)."""
        return keywords_for_faces(self.faces(rgb), rgb.shape)

    def _classifiers(self) -> tuple[cv2.CascadeClassifier, cv2.CascadeClassifier]:
        pair = getattr(self._local, "pair", None)
        if pair is None:
            with self._lock:  # file reads; the XML parser is not re-entrant everywhere
                pair = (self._load(FACE_CASCADE), self._load(EYE_CASCADE))
            self._local.pair = pair
        return pair

    def _load(self, name: str) -> cv2.CascadeClassifier:
        path = self._folder / name
        classifier = cv2.CascadeClassifier(str(path))
        if classifier.empty():
            raise FileNotFoundError(f"cannot load Haar cascade {path}")
        return classifier


def _find_faces(classifier: cv2.CascadeClassifier, gray: np.ndarray) -> list[tuple[Box, int]]:
    """Face candidates in photo pixels, each with its number of overlapping raw hits."""
    scale = min(1.0, DETECT_SIDE / max(gray.shape))
    small = gray
    if scale < 1.0:
        size = (round(gray.shape[1] * scale), round(gray.shape[0] * scale))
        small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    boxes, hits = classifier.detectMultiScale2(
        small, scaleFactor=SCALE_FACTOR, minNeighbors=NEIGHBOURS, minSize=(MIN_FACE_PX, MIN_FACE_PX)
    )
    found = []
    for (x, y, w, h), n in zip(boxes, np.ravel(hits), strict=True):
        box = (round(x / scale), round(y / scale), round(w / scale), round(h / scale))
        found.append((box, int(n)))
    return found


def count_eyes(classifier: cv2.CascadeClassifier, gray: np.ndarray, box: Box) -> int:
    """Eyes the eye cascade finds in the upper part of a face candidate (0, 1, 2...).

    The candidate is resized to EYE_ROI px first: eyes of a 30 px face are ~6 px, below the
    eye cascade's 20 px window. Rows 8-58% hold the eyes of a Haar face box.
    """
    x, y, w, h = box
    roi = cv2.resize(gray[y : y + h, x : x + w], (EYE_ROI, EYE_ROI), interpolation=cv2.INTER_LINEAR)
    band = roi[EYE_ROI * 8 // 100 : EYE_ROI * 58 // 100]  # (60, 120)
    eyes = classifier.detectMultiScale(
        band, scaleFactor=1.1, minNeighbors=EYE_NEIGHBOURS, minSize=(15, 15), maxSize=(60, 60)
    )
    return len(eyes)


def _confidence(hits: int, eyes: int) -> float:
    """0.55-0.95: more overlapping raw hits and two eyes mean a surer face."""
    strength = min(1.0, hits / STRONG_HITS)  # 0-1
    return round(0.55 + 0.3 * strength + (0.1 if eyes >= 2 else 0.0), 3)


def overlap(a: Box, b: Box) -> float:
    """Intersection of two (x, y, w, h) boxes over the smaller one's area (1.0: one inside)."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    smaller = min(a[2] * a[3], b[2] * b[3])
    return inter / smaller if smaller else 0.0


def _drop_nested(faces: list[Face]) -> list[Face]:
    """Keep the stronger of two faces that mostly overlap: real faces do not sit in each other."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: (-f.confidence, -f.box[2])):
        if all(overlap(face.box, other.box) < NESTED for other in kept):
            kept.append(face)
    return kept


def keywords_for_faces(faces: list[Face], photo_shape: tuple[int, ...]) -> list[Keyword]:
    """person/face for any face; people (2+), group (4+); portrait for one dominant large face.

    Each keyword's confidence is that of the face that justifies it: the best face for
    "person", the 2nd best for "people", the 4th for "group"; "portrait" fades from full at a
    face side of PORTRAIT_FULL x the photo's short side to 0.6x at PORTRAIT_MIN.
    """
    if not faces:
        return []
    ranked = sorted((face.confidence for face in faces), reverse=True)
    words = [Keyword("person", ranked[0], "people"), Keyword("face", ranked[0], "people")]
    if len(ranked) >= 2:
        words.append(Keyword("people", ranked[1], "people"))
    if len(ranked) >= GROUP_SIZE:
        words.append(Keyword("group", ranked[GROUP_SIZE - 1], "people"))
    largest = max(faces, key=lambda f: f.box[2] * f.box[3])
    others = [f.box[2] * f.box[3] for f in faces if f is not largest]
    dominant = all(2 * area <= largest.box[2] * largest.box[3] for area in others)
    ratio = min(largest.box[2], largest.box[3]) / min(photo_shape[0], photo_shape[1])
    if dominant and ratio >= PORTRAIT_MIN:
        scale = min(1.0, ratio / PORTRAIT_FULL)
        words.append(Keyword("portrait", round(largest.confidence * scale, 3), "people"))
    return words
