"""Run the ONNX visual encoder on photos, and pack its output into a few KB per photo.

The model (``resources/models/visual_encoder.onnx``, built by ``amc_core.build.encoder_export``)
gives per photo: 9 region feature vectors (3x3 grid, 1280-d), the ImageNet posteriors of each
region and of the whole photo, and the pooled 1280-d vector. :class:`VisualEncoder` feeds it
through :class:`amc_core.runtime.SessionFactory` (CUDA when it really loads, else CPU).

Storage codec (:func:`compact` / :func:`expand`), little-endian. Format 1 (7708 bytes/photo)
has every field below; format 2, the default (1912 bytes), leaves out the region features:

=========================  ==========================================================  =====
field                      encoding                                                    bytes
=========================  ==========================================================  =====
header                     ``<4sBBBBHH``: b"AMCV", version, regions R, top-k global
                           K_G, top-k per region K_R, feature dim C, class count N          12
global posteriors          top-64: class ids uint16[64], probs float16[64]                256
region posteriors          top-10 per region: ids uint16[9,10], probs float16[9,10]        360
pooled vector              float32 scale + uint8[1280], sqrt-companded                    1284
region features            per region float32 scale + 4-bit[1280] sqrt-companded,         5796
                           two values per byte (9 x 644)
=========================  ==========================================================  =====

Why this layout (measured on the test photos, see tests/test_vision.py):

- Region features keep all 1280 dimensions at 4 bits rather than fewer dimensions at more bits.
  The features are ReLU6 outputs (>= 0, ~20% exact zeros, long tail), so values are stored as
  ``round(15 * sqrt(x / max))`` (finer steps near zero where most values lie). Cosine to the
  original ~0.998; the classifier's posteriors recomputed from them differ by L1 ~0.04 and keep
  the same top-1. The alternatives measured worse at equal or larger size: projecting onto the
  top-256/512 right singular vectors of the classifier keeps the logits roughly (L1 0.18/0.09)
  but only cosine 0.73/0.82 of the features, and a data PCA would need a photo collection to fit
  on that we do not have. float16 or uint8 for nine 1280-d regions alone exceeds 8 KB.
- The pooled vector feeds the ANN index, so it gets 8 bits (cosine ~1.0, same companding).
- Posteriors are sparse in practice: the top-64 global classes hold nearly all the mass, and
  per region the top-10 is what the keyword generator and the inspector read. float16
  probabilities keep values down to ~1e-7. Expanded posteriors are dense again with zeros
  elsewhere (so they sum to slightly less than 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from amc_core.describe.preprocess import squash
from amc_core.resources import resources_dir
from amc_core.runtime import SessionFactory
from amc_core.store.features import VisualFeatures

INPUT_NAME = "pixels"
OUTPUT_NAMES = ("regions", "region_probs", "global_probs", "pooled")
DEFAULT_BATCH = 16


def default_model_path() -> Path:
    return resources_dir() / "models" / "visual_encoder.onnx"


def to_rgb(image: np.ndarray) -> np.ndarray:
    """(H, W) grey, (H, W, 1), (H, W, 3) or (H, W, 4) uint8 -> (H, W, 3) uint8 RGB."""
    if image.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels, got {image.dtype}")
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4):
        raise ValueError(f"expected (H, W, 3) pixels, got shape {image.shape}")
    if image.shape[2] == 1:
        return np.repeat(image, 3, axis=2)
    return image[:, :, :3]


class VisualEncoder:
    """Photos (RGB uint8 arrays) -> :class:`VisualFeatures`, batched through one ORT session."""

    def __init__(
        self,
        sessions: SessionFactory,
        model_path: Path | None = None,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        self.model_path = model_path or default_model_path()
        self.session = sessions.create(self.model_path)
        self.provider = sessions.provider
        self.batch_size = batch_size
        shape = self.session.get_inputs()[0].shape  # ['batch', H, W, 3]
        self.size = (int(shape[2]), int(shape[1]))  # PIL order: (width, height)

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 -> (224, 224, 3) uint8 (see :func:`preprocess.squash`)."""
        return squash(to_rgb(rgb), self.size)

    def run(self, pixels: np.ndarray) -> VisualFeatures:
        """(B, 224, 224, 3) uint8, already preprocessed -> features (one session call)."""
        outputs = self.session.run(list(OUTPUT_NAMES), {INPUT_NAME: pixels})
        return VisualFeatures(*(np.asarray(o, dtype=np.float32) for o in outputs))

    def encode(self, images: Sequence[np.ndarray]) -> VisualFeatures:
        """Encode photos in batches of ``batch_size``; the result keeps the input order."""
        if not images:
            empty = np.zeros((0, *self.size[::-1], 3), dtype=np.uint8)
            return self.run(empty)
        parts = []
        for start in range(0, len(images), self.batch_size):
            chunk = images[start : start + self.batch_size]
            parts.append(self.run(np.stack([self.preprocess(im) for im in chunk])))
        return parts[0] if len(parts) == 1 else VisualFeatures.stack(parts)
