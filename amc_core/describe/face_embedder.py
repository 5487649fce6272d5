"""128-d face embeddings of aligned crops (dlib's ResNet, CC0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from amc_core.errors import AmcError
from amc_core.resources import resources_dir
from amc_core.runtime import SessionFactory

MODEL_FILE = "dlib_face_recognition_resnet_model_v1.dat"
MODEL_ID = "dlib-resnet-v1"


class FaceEmbedder:
    def __init__(self, sessions: SessionFactory, folder: Path | None = None) -> None:
        path = (folder or resources_dir() / "faces") / MODEL_FILE
        if not path.is_file():
            raise AmcError(
                f"the face model {path} is missing: run `make install` (it fetches the face models)"
            )
        import dlib

        self._model: Any = dlib.face_recognition_model_v1(str(path))

    def embed(self, chips: np.ndarray) -> np.ndarray:
        """(N, 150, 150, 3) uint8 RGB aligned crops -> (N, 128) float32."""
        if len(chips) == 0:
            return np.zeros((0, 128), dtype=np.float32)
        rows = self._model.compute_face_descriptor(list(chips))
        return np.array([np.array(r) for r in rows], dtype=np.float32)
