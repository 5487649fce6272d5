"""Visual side: the ONNX visual encoder (MobileNetV2, ImageNet-1k) and the ImageNet labels.

Names are imported lazily (PEP 562): ``from amc_core.vision import load_imagenet_classes`` does
not load onnxruntime, and ``python -m amc_core.vision.labels`` runs without a double import.
Nothing here imports torch: ``mobilenet`` and ``export`` (which do) only build
``resources/models/visual_encoder.onnx`` and back the parity test.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amc_core.vision.encoder import VisualEncoder, VisualFeatures, compact, expand
    from amc_core.vision.labels import Hypernym, ImageNetClass, load_imagenet_classes

_WHERE = {
    "VisualEncoder": "encoder",
    "VisualFeatures": "encoder",
    "compact": "encoder",
    "expand": "encoder",
    "Hypernym": "labels",
    "ImageNetClass": "labels",
    "load_imagenet_classes": "labels",
}

__all__ = [
    "Hypernym",
    "ImageNetClass",
    "VisualEncoder",
    "VisualFeatures",
    "compact",
    "expand",
    "load_imagenet_classes",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
