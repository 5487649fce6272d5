"""The scene probe: which scene and material words each 3x3 region of a photo shows.

A linear (logistic) probe on the encoder's region features (1280-d, before they are compacted
for storage), one output per word: sky, cloud, water, grass, tree, sand, snow, rock, mountain,
building, road, indoor, person, wood. ImageNet's classes know objects, not stuff; its
features know more than its classes do (a spruce forest's regions have no tree class among
their top ten, yet they look alike to the network). It is trained by
:mod:`amc_core.build.scene_probe` on the dev-set regions labelled by looking at them
(``data/devset/region_labels.json``), on the develop half of the photos only; the validate half
measures each word (precision and recall per word, ``benchmarks/scene_words.py``).

Shapes: B photos, R = 9 regions, C = 1280 features, S words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from amc_core.resources import resources_dir
from amc_core.store.features import SCENE_TOP_REGIONS, whole_photo_scene

PROBE_NAME = "scene_probe.npz"
TOP_REGIONS = SCENE_TOP_REGIONS  # a photo shows a word when its best two regions do


def default_probe_path() -> Path:
    return resources_dir() / "models" / PROBE_NAME


def probe_input(regions: np.ndarray) -> np.ndarray:
    """(..., C) ReLU6 region features -> the probe's input: square roots (the features' long
    tail compressed, as the storage codec does)."""
    return np.sqrt(np.clip(regions, 0.0, None, dtype=np.float32))


@dataclass(frozen=True)
class SceneProbe:
    words: tuple[str, ...]
    mean: np.ndarray  # (C,) of the training inputs
    scale: np.ndarray  # (C,) their standard deviation
    weights: np.ndarray  # (C, S) on standardised inputs
    bias: np.ndarray  # (S,)

    def region_probs(self, regions: np.ndarray) -> np.ndarray:
        """(B, R, C) region features -> (B, R, S) probability that each region shows each word."""
        x = (probe_input(regions) - self.mean) / self.scale
        logits = x @ self.weights + self.bias
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))).astype(np.float32)

    def photo_scores(self, region_probs: np.ndarray) -> np.ndarray:
        """(B, R, S) -> (B, S): the mean of each word's best ``TOP_REGIONS`` regions."""
        return whole_photo_scene(region_probs)

    def save(self, path: Path) -> None:
        np.savez(
            path, words=np.array(self.words), mean=self.mean, scale=self.scale,
            weights=self.weights, bias=self.bias,
        )  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> SceneProbe:
        with np.load(path) as data:
            return cls(
                words=tuple(str(w) for w in data["words"]),
                mean=data["mean"].astype(np.float32),
                scale=data["scale"].astype(np.float32),
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
            )


@cache
def default_scene_probe() -> SceneProbe | None:
    """The shipped probe, or None where it is missing (scene words then come from the pixel
    and class rules alone)."""
    path = default_probe_path()
    return SceneProbe.load(path) if path.is_file() else None
