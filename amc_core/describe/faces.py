"""Faces: found with libfacedetection's CNN (the ``yuface`` wheel, BSD-3-Clause, the model
compiled in), turned into keywords (source ``"people"``: person, face, people, group,
portrait) and, for the faces pass, into aligned crops that the embedding reads.

Why this detector (measured by ``/work/checks``-style runs on the development photos, 640 px,
9 visible faces in 7 photos, and on the face_recognition test photos, 6 faces of which 2
partial): Haar cascades (the previous detector) found 3/9 and 4/6 with no false face at
~13 ms; dlib's HOG 3/9 and 6/6 at ~70 ms; dlib's CNN (MMOD) 4/9 at ~4.8 s a photo; yuface
at MIN_SCORE found 7/9 (two side faces, the two small faces of a street scene) and 6/6 at
~20 ms, with one false face (a spaniel's). Its misses: a hooded face seen from afar (score
0.34) and a man turned away (0.59), below MIN_SCORE because animals and textures score up to
0.76 (dandelions) and 0.86 (a dog).

The detector reads at most DETECT_SIDE px (the wheel warns that larger input detects
worse); faces under ~12 px at that size are not found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amc_core.words.keyword import Keyword

DETECT_SIDE = 960  # the library's own limit for good detections
MIN_SCORE = 0.8  # detector confidence 0-1 (see the module docstring for the measurement)
NESTED = 0.5  # two faces overlapping this much (of the smaller) are one

# Keywords.
PORTRAIT_MIN = 0.12  # face side / photo short side from which the photo is a "portrait"
PORTRAIT_FULL = 0.2  # ... and from which it is one with the face's full confidence
GROUP_SIZE = 4  # "group" from this many faces; "people" from 2

Box = tuple[int, int, int, int]  # x, y, width, height in photo pixels


@dataclass(frozen=True, slots=True)
class Face:
    """One face in the pixels it was found in: box, detector confidence 0-1, and five
    landmarks (eyes, nose tip, mouth corners) as (x, y) pairs."""

    box: Box
    confidence: float
    landmarks: tuple[tuple[int, int], ...] = ()


def detect_faces(rgb: np.ndarray, min_score: float = MIN_SCORE) -> list[Face]:
    """Faces in an (H, W, 3) uint8 RGB photo, in its pixels, largest first."""
    import yuface  # a compiled extension: loaded where faces are wanted

    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(height, width))
    small = rgb if scale == 1.0 else _resized(rgb, scale)
    bgr = np.ascontiguousarray(small[:, :, ::-1])  # (h, w, 3) as the library wants
    rows = yuface.c_detect(bgr).astype(np.int64)  # (N, 16): score %, x, y, w, h, 5 x (x, y)
    faces = []
    for row in rows[rows[:, 0] >= round(min_score * 100)]:
        x, y, w, h = (round(v / scale) for v in row[1:5])
        x0, y0 = max(0, x), max(0, y)  # boxes may reach out of the photo
        box = (x0, y0, min(width, x + w) - x0, min(height, y + h) - y0)
        if box[2] <= 0 or box[3] <= 0:
            continue
        points = tuple((round(px / scale), round(py / scale)) for px, py in row[5:15].reshape(5, 2))
        faces.append(Face(box, round(float(row[0]) / 100, 3), points))
    faces = _drop_nested(faces)
    faces.sort(key=lambda f: -f.box[2] * f.box[3])
    return faces


def _resized(rgb: np.ndarray, scale: float) -> np.ndarray:
    from PIL import Image

    image = Image.fromarray(rgb)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR))


def people_keywords(rgb: np.ndarray) -> list[Keyword]:
    """Keywords for the faces in a photo (none when there are none)."""
    return keywords_for_faces(detect_faces(rgb), rgb.shape)


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
