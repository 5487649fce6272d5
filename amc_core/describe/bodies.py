"""People seen whole, not by their face: OpenCV's built-in HOG pedestrian detector (inside
opencv-python-headless, Apache-2.0, no model file), so that "people" and "person walking"
find photos where faces are small, turned away or hidden.

Measured on the development photos (`/work/checks/faces/hog_people.py`; 9 photos with
people, 88 without): at BODY_SIDE px with an 8 px stride and MIN_WEIGHT, people were found
in 3 of the 9 (two men walking, a person with a dog seen from afar, two men in a corridor)
with no detection in any of the 88 others, at ~40 ms a photo; a 4 px stride or 640 px
found 4-5 of 9 but fired on 1-7 photos without people, at 2-6x the time. It finds standing,
walking figures; seated people, portraits and small children at a distance stay missed.
It runs in the faces pass, never in the main index. Each person's box is kept: search lets
VAN's regions that hold a body vouch for "person" (store/batch.py), so the heat-map points at
people whose faces it cannot see.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from amc_core.store.bodies import FoundBody

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


def find_bodies(rgb: np.ndarray) -> list[FoundBody]:
    """The standing or walking people in an (H, W, 3) uint8 photo, strongest first."""
    from PIL import Image

    image = Image.fromarray(rgb)
    image.thumbnail((BODY_SIDE, BODY_SIDE), Image.Resampling.BILINEAR)
    small = np.ascontiguousarray(np.asarray(image), dtype=np.uint8)  # (h, w, 3)
    if small.ndim != 3 or small.shape[0] < _WINDOW[1] or small.shape[1] < _WINDOW[0]:
        return []  # smaller than one person window: OpenCV would crash on it, not answer
    boxes, weights = _detector().detectMultiScale(  # type: ignore[attr-defined]
        small, winStride=(8, 8), padding=(8, 8), scale=1.05
    )
    height, width = small.shape[:2]
    found = [
        FoundBody(_fractions(box, width, height), body_confidence(float(weight)))
        for box, weight in zip(np.reshape(boxes, (-1, 4)), np.ravel(weights), strict=True)
        if weight >= MIN_WEIGHT
    ]
    return sorted(found, key=lambda body: -body.confidence)


def _fractions(box: np.ndarray, width: int, height: int) -> tuple[float, float, float, float]:
    """A pixel box (x, y, w, h), clipped to the photo, as fractions of it."""
    x0, y0 = max(0.0, float(box[0]) / width), max(0.0, float(box[1]) / height)
    x1 = min(1.0, float(box[0] + box[2]) / width)
    y1 = min(1.0, float(box[1] + box[3]) / height)
    return (round(x0, 4), round(y0, 4), round(x1 - x0, 4), round(y1 - y0, 4))


def body_confidence(weight: float) -> float:
    """A detection's SVM weight as a keyword confidence: 0.5 -> 0.55, 1.0 -> 0.75, capped
    at 0.9 (a whole-body guess is never as sure as a clear face)."""
    return round(min(0.9, 0.35 + 0.4 * weight), 3)
