"""The encoder's input, computable anywhere (decode workers too) without loading a model."""

from __future__ import annotations

import numpy as np
from PIL import Image

MODEL_SIZE = (224, 224)  # (width, height) of the encoder's input


def squash(rgb: np.ndarray, size: tuple[int, int] = MODEL_SIZE) -> np.ndarray:
    """(H, W, 3) uint8 -> (h, w, 3) uint8: the WHOLE frame resized to the model's size.

    Squash, not centre-crop: a crop throws away the borders of every landscape or portrait
    photo, and region evidence there (the dog at the edge, the sea along the bottom) is what
    region attention and search need. The aspect distortion costs the classifier little
    (ImageNet models see stretched crops in training). Normalisation is in the graph.
    """
    image = Image.fromarray(rgb)
    if image.size != size:
        # reducing_gap: a fast box reduce for big inputs, then an antialiased bilinear resize
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
    return np.asarray(image, dtype=np.uint8)
