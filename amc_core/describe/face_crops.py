"""What the faces pass keeps of each face: its box, a quality, and an aligned crop.

The crop is aligned the way dlib's face embedding was trained: dlib's 5-point shape
predictor (CC0 model, fetched at set-up into ``resources/faces``) finds the eye corners and
the nose on the detector's box, and ``dlib.get_face_chip`` cuts a CROP_SIDE px square with
PADDING around them. Stored as JPEG (~5 KB), it lets a later embedding model re-read every
face without decoding a single photo again.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from amc_core.describe.faces import Face, detect_faces
from amc_core.resources import resources_dir
from amc_core.store.faces import FoundFace

SHAPE_FILE = "shape_predictor_5_face_landmarks.dat"
CROP_SIDE = 150  # the embedding's input side
PADDING = 0.25  # dlib's default margin around the landmarks
MIN_CROP_PX = 32  # smaller faces are counted but not embedded: their crops are mostly blur
GOOD_FACE_PX = 96  # from this side a face's quality is its detector score alone
DETECTOR_ID = "yuface-2023.5+hog"  # stored per photo: a new detector reads every photo again


def face_model_dir() -> Path:
    """Where the fetched face models live (``python -m amc_core.build.face_models --fetch``)."""
    return resources_dir() / "faces"


class FaceAligner:
    """dlib's 5-point shape predictor, loaded once per process (thread-safe: a lock)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._path = (folder or face_model_dir()) / SHAPE_FILE
        self._predictor: Any = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._path.is_file()

    def crop(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        """The aligned (CROP_SIDE, CROP_SIDE, 3) uint8 crop of one face of an RGB photo."""
        import dlib

        with self._lock:
            if self._predictor is None:
                self._predictor = dlib.shape_predictor(str(self._path))
            x, y, w, h = face.box
            shape = self._predictor(rgb, dlib.rectangle(x, y, x + w, y + h))
        return np.asarray(dlib.get_face_chip(rgb, shape, size=CROP_SIDE, padding=PADDING))


def found_faces(rgb: np.ndarray, aligner: FaceAligner | None) -> list[FoundFace]:
    """The faces of an (H, W, 3) uint8 photo as the catalog keeps them."""
    height, width = rgb.shape[:2]
    out = []
    for face in detect_faces(rgb):
        x, y, w, h = face.box
        side = min(w, h)
        crop = None
        if aligner is not None and aligner.available and side >= MIN_CROP_PX:
            crop = encode_crop(aligner.crop(rgb, face))
        quality = face.confidence * min(1.0, side / GOOD_FACE_PX)
        box = (x / width, y / height, w / width, h / height)
        out.append(FoundFace(box, face.confidence, round(quality, 4), crop))
    return out


def encode_crop(crop: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(crop).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def decode_crop(data: bytes) -> np.ndarray:
    """(CROP_SIDE, CROP_SIDE, 3) uint8 RGB."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))
