"""Face chips -> 128-d face descriptors: dlib's face recognition ResNet, run by onnxruntime.

The network is dlib's ``dlib_face_recognition_resnet_model_v1`` (Davis King, CC0), converted to
ONNX by :mod:`amc_core.build.face_models` from the file in the PyPI sdist
``face-recognition-models==0.3.0``; that build step checks the ONNX output against dlib's own
``compute_face_descriptor``. Two descriptors of one person lie less than
:data:`SAME_PERSON_DISTANCE` apart (Euclidean), the threshold dlib documents for this model.

Input: aligned face chips as dlib's ``get_face_chip(rgb, shape, size=150, padding=0.25)`` cuts
them from the 5-point landmarks (``shape_predictor_5_face_landmarks.dat``, in the same folder).
The per-channel mean subtraction and the /256 scaling are inside the ONNX graph, so a chip goes
in as uint8 RGB.

The files are fetched, not committed (they exceed the repository's size rule):
``python -m amc_core.build.face_models --fetch`` (``make install`` runs it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from amc_core.resources import resources_dir
from amc_core.runtime import ModelError, SessionFactory

MODEL_ID = "dlib-resnet-v1-onnx"
MODEL_FILE = "face_embedder.onnx"
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
FETCH_COMMAND = "python -m amc_core.build.face_models --fetch"

CHIP_SIDE = 150  # the network's fixed input (dlib's input_rgb_image_sized<150>)
DIM = 128
BATCH = 16  # chips per session call
SAME_PERSON_DISTANCE = 0.6

INPUT_NAME = "chips"  # (N, 150, 150, 3) uint8 RGB
OUTPUT_NAME = "descriptors"  # (N, 128) float32


def model_dir() -> Path:
    return resources_dir() / "faces"


class FaceEmbedder:
    """Aligned face chips -> descriptors, batched through one ORT session (thread-safe: ORT's
    ``run`` may be called from several threads on one session)."""

    def __init__(self, sessions: SessionFactory, folder: Path | None = None) -> None:
        self.folder = folder or model_dir()
        self.model_path = self.folder / MODEL_FILE
        if not self.model_path.is_file():
            raise ModelError(
                f"the face model {self.model_path} is missing; fetch it with "
                f"`{FETCH_COMMAND}` (or `make install`)"
            )
        self.session = sessions.create(self.model_path)
        self.provider = sessions.provider

    def embed(self, chips: np.ndarray) -> np.ndarray:
        """(N, 150, 150, 3) uint8 RGB chips -> (N, 128) float32 descriptors (N may be 0)."""
        if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIDE, CHIP_SIDE, 3):
            raise ValueError(f"expected (N, {CHIP_SIDE}, {CHIP_SIDE}, 3) chips, got {chips.shape}")
        chips = np.ascontiguousarray(chips, dtype=np.uint8)
        out = np.empty((len(chips), DIM), dtype=np.float32)
        for start in range(0, len(chips), BATCH):
            batch = chips[start : start + BATCH]  # (b, 150, 150, 3) uint8
            out[start : start + len(batch)] = self.session.run([OUTPUT_NAME], {INPUT_NAME: batch})[
                0
            ]
        return out


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance between descriptors (..., 128) -> (...)."""
    return np.asarray(np.linalg.norm(np.asarray(a) - np.asarray(b), axis=-1), dtype=np.float32)
