"""People seen whole, not by their face: OpenCV's built-in HOG pedestrian detector (inside
opencv-python-headless, Apache-2.0, no model file), so that "people" and "person walking"
find photos where faces are small, turned away or hidden.

Measured on the development photos (`/work/checks/faces/hog_people.py`; 9 photos with
people, 88 without): at BODY_SIDE px with an 8 px stride and MIN_WEIGHT, people were found
in 3 of the 9 (two men walking, a person with a dog seen from afar, two men in a corridor)
with no detection in any of the 88 others, at ~40 ms a photo; a 4 px stride or 640 px
found 4-5 of 9 but fired on 1-7 photos without people, at 2-6x the time. It finds standing,
walking figures; seated people, portraits and small children at a distance stay missed.
It runs in the faces pass, never in the main index.
"""

from __future__ import annotations

from functools import cache

import numpy as np

BODY_SIDE = 500  # the long side searched
MIN_WEIGHT = 0.5  # SVM margin of a kept detection
_WINDOW = (64, 128)  # the detector's window, width x height


@cache
def _detector() -> object:
    import cv2

    cv2.setNumThreads(1)  # one photo per worker process: the processes fill the cores
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined]
    return hog


def find_bodies(rgb: np.ndarray) -> list[float]:
    """Detector weights of the standing or walking people in an (H, W, 3) uint8 photo,
    strongest first (one number a person: their boxes are not kept)."""
    from PIL import Image

    image = Image.fromarray(rgb)
    image.thumbnail((BODY_SIDE, BODY_SIDE), Image.Resampling.BILINEAR)
    small = np.ascontiguousarray(np.asarray(image), dtype=np.uint8)  # (h, w, 3)
    if small.ndim != 3 or small.shape[0] < _WINDOW[1] or small.shape[1] < _WINDOW[0]:
        return []  # smaller than one person window: OpenCV would crash on it, not answer
    _boxes, weights = _detector().detectMultiScale(  # type: ignore[attr-defined]
        small, winStride=(8, 8), padding=(8, 8), scale=1.05
    )
    found = sorted((float(w) for w in np.ravel(weights)), reverse=True)
    return [w for w in found if w >= MIN_WEIGHT]


def body_confidence(weight: float) -> float:
    """A detection's SVM weight as a keyword confidence: 0.5 -> 0.55, 1.0 -> 0.75, capped
    at 0.9 (a whole-body guess is never as sure as a clear face)."""
    return round(min(0.9, 0.35 + 0.4 * weight), 3)
