"""The encoder's output, and its stored form: the feature blob of every photo in the catalog.

Written by indexing, read by search (posteriors, pooled vectors) and by `amc repair` (checks).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class VisualFeatures:
    """The encoder's output for B photos (all float32).

    regions: (B, R, C) region features, R = 9 (3x3 grid, row-major from the top-left), C = 1280.
    region_probs: (B, R, N) ImageNet posteriors per region, N = 1000.
    global_probs: (B, N) ImageNet posteriors of the whole photo.
    pooled: (B, C) average of the whole feature map: the query-independent vector.
    """

    regions: np.ndarray
    region_probs: np.ndarray
    global_probs: np.ndarray
    pooled: np.ndarray

    def __len__(self) -> int:
        return int(self.pooled.shape[0])

    @staticmethod
    def stack(parts: Sequence[VisualFeatures]) -> VisualFeatures:
        """Concatenate batches (e.g. expanded photos for re-ranking) into one batch."""
        return VisualFeatures(
            *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(VisualFeatures))
        )

    def top_classes(self, i: int, k: int = 5) -> list[tuple[int, float]]:
        """(class index, probability) of photo i's k most probable classes, best first."""
        probs = self.global_probs[i]
        order = np.argsort(-probs, kind="stable")[:k]
        return [(int(c), float(probs[c])) for c in order]


MAGIC = b"AMCV"
VERSION = 2  # without raw region features (the default)
VERSION_WITH_REGIONS = 1
# + the scene probe's per-region evidence (S words, uint8 probabilities) after the posteriors
VERSION_SCENE = 3
VERSION_SCENE_WITH_REGIONS = 4
_WITH_REGIONS = (VERSION_WITH_REGIONS, VERSION_SCENE_WITH_REGIONS)
_WITH_SCENE = (VERSION_SCENE, VERSION_SCENE_WITH_REGIONS)
# a photo shows a scene word when its best two regions do (amc_core/describe/scene_probe.py)
SCENE_TOP_REGIONS = 2
HEADER = struct.Struct("<4sBBBBHH")  # magic, version, R, K_G, K_R, C, N
TOP_GLOBAL = 64
TOP_REGION = 10
LEVELS_4BIT = 15
LEVELS_8BIT = 255


def _top_k(probs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(..., N) -> ids (..., k) uint16 and probs (..., k) float16, most probable first."""
    part = np.argpartition(-probs, k - 1, axis=-1)[..., :k]  # the k best, unordered
    order = np.argsort(-np.take_along_axis(probs, part, axis=-1), axis=-1, kind="stable")
    ids = np.take_along_axis(part, order, axis=-1)
    return ids.astype("<u2"), np.take_along_axis(probs, ids, axis=-1).astype("<f2")


def _dense(ids: np.ndarray, probs: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((*ids.shape[:-1], n), dtype=np.float32)
    np.put_along_axis(out, ids.astype(np.int64), probs.astype(np.float32), axis=-1)
    return out


def _quantise(x: np.ndarray, levels: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative (..., C) -> per-row float32 scale (...,) and codes round(L*sqrt(x/scale))."""
    x = np.maximum(x, 0.0)
    scale = x.max(axis=-1).astype("<f4")
    safe = np.where(scale > 0, scale, 1.0)[..., None]
    codes = np.rint(levels * np.sqrt(x / safe)).astype(np.uint8)
    return scale, codes


def _dequantise(scale: np.ndarray, codes: np.ndarray, levels: int) -> np.ndarray:
    return ((codes.astype(np.float32) / levels) ** 2 * scale.astype(np.float32)[..., None]).astype(
        np.float32
    )


def _pack_nibbles(codes: np.ndarray) -> np.ndarray:
    """(..., C) values 0..15, C even -> (..., C/2) bytes, low nibble first."""
    return (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)


def _unpack_nibbles(packed: np.ndarray) -> np.ndarray:
    out = np.empty((*packed.shape[:-1], packed.shape[-1] * 2), dtype=np.uint8)
    out[..., 0::2] = packed & 0x0F
    out[..., 1::2] = packed >> 4
    return out


def compact(
    features: VisualFeatures,
    i: int = 0,
    keep_region_features: bool = False,
    scene: np.ndarray | None = None,
) -> bytes:
    """Photo i of a batch -> the stored bytes.

    By default (format 2, 1912 bytes) the raw region features are left out: search reads
    each region through its posteriors (the semantic bridge), and the catalog's keywords,
    full-text index and vector index need the rest of the 8 KB a photo may cost. Format 1
    (7708 bytes) keeps them, for a learned visual residual trained on a user's own clicks.
    ``scene`` (R, S): the scene probe's probability of each of its S words in each region,
    stored after the posteriors as a count byte and uint8 steps of 1/255 (formats 3 and 4,
    1 + R x S bytes more: 127 for 14 words), since the region features it was read from are
    not kept.
    """
    regions, region_probs = features.regions[i], features.region_probs[i]  # (R, C), (R, N)
    n_regions, dim = regions.shape
    n_classes = features.global_probs.shape[1]
    if dim % 2:
        raise ValueError("4-bit packing needs an even feature dimension")
    k_g, k_r = min(TOP_GLOBAL, n_classes), min(TOP_REGION, n_classes)
    g_ids, g_probs = _top_k(features.global_probs[i], k_g)
    r_ids, r_probs = _top_k(region_probs, k_r)
    p_scale, p_codes = _quantise(features.pooled[i], LEVELS_8BIT)
    if scene is None:
        version = VERSION_WITH_REGIONS if keep_region_features else VERSION
    else:
        version = VERSION_SCENE_WITH_REGIONS if keep_region_features else VERSION_SCENE
    chunks = [
        HEADER.pack(MAGIC, version, n_regions, k_g, k_r, dim, n_classes),
        g_ids.tobytes(),
        g_probs.tobytes(),
        r_ids.tobytes(),
        r_probs.tobytes(),
    ]
    if scene is not None:
        if scene.shape[0] != n_regions or not 0 < scene.shape[1] < 256:
            raise ValueError(f"scene evidence of shape {scene.shape} for {n_regions} regions")
        chunks += [bytes([scene.shape[1]]), _scene_codes(scene).tobytes()]
    chunks += [p_scale.reshape(1).tobytes(), p_codes.tobytes()]
    if keep_region_features:
        r_scale, r_codes = _quantise(regions, LEVELS_4BIT)
        chunks += [r_scale.tobytes(), _pack_nibbles(r_codes).tobytes()]
    return b"".join(chunks)


def _scene_codes(scene: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(scene, 0.0, 1.0) * 255.0).astype(np.uint8)


class _Reader:
    def __init__(self, blob: bytes, offset: int) -> None:
        self.blob, self.offset = blob, offset

    def take(self, dtype: str, *shape: int) -> np.ndarray:
        count = int(np.prod(shape))
        arr = np.frombuffer(self.blob, dtype=dtype, count=count, offset=self.offset)
        self.offset += arr.nbytes
        return arr.reshape(shape)


@dataclass(frozen=True)
class _Stored:
    """The leading part every stored format shares: header and sparse posteriors."""

    version: int
    dim: int
    n_classes: int
    g_ids: np.ndarray  # (K_G,) uint16
    g_probs: np.ndarray  # (K_G,) float16
    r_ids: np.ndarray  # (R, K_R) uint16
    r_probs: np.ndarray  # (R, K_R) float16
    scene: np.ndarray | None  # (R, S) float32 in [0, 1], formats 3 and 4
    rest: _Reader  # positioned after the posteriors and the scene evidence


def _read_posteriors(blob: bytes) -> _Stored:
    magic, version, n_regions, k_g, k_r, dim, n_classes = HEADER.unpack_from(blob)
    if magic != MAGIC or version not in (*_WITH_REGIONS, *_WITH_SCENE, VERSION):
        raise ValueError(f"not stored visual features (magic {magic!r}, version {version})")
    r = _Reader(blob, HEADER.size)
    g_ids, g_probs = r.take("<u2", k_g), r.take("<f2", k_g)
    r_ids, r_probs = r.take("<u2", n_regions, k_r), r.take("<f2", n_regions, k_r)
    scene = None
    if version in _WITH_SCENE:
        words = int(r.take("u1", 1)[0])
        scene = r.take("u1", n_regions, words).astype(np.float32) / 255.0
    return _Stored(version, dim, n_classes, g_ids, g_probs, r_ids, r_probs, scene, r)


def expand(blob: bytes) -> VisualFeatures:
    """Stored bytes -> a batch of one, dense again (posteriors zero outside the stored top-k)."""
    stored = _read_posteriors(blob)
    r, dim, n_regions = stored.rest, stored.dim, stored.r_ids.shape[0]
    g_ids, g_probs, r_ids, r_probs = stored.g_ids, stored.g_probs, stored.r_ids, stored.r_probs
    n_classes, version = stored.n_classes, stored.version
    pooled = _dequantise(r.take("<f4", 1), r.take("u1", 1, dim), LEVELS_8BIT)
    if version in _WITH_REGIONS:
        r_scale = r.take("<f4", n_regions)
        packed = r.take("u1", n_regions, dim // 2)
        regions = _dequantise(r_scale, _unpack_nibbles(packed), LEVELS_4BIT)
    else:
        regions = np.zeros((n_regions, 0), dtype=np.float32)  # not stored: see compact()
    if r.offset != len(blob):
        raise ValueError(f"visual features: {len(blob) - r.offset} trailing bytes")
    return VisualFeatures(
        regions=regions[None],
        region_probs=_dense(r_ids, r_probs, n_classes)[None],
        global_probs=_dense(g_ids, g_probs, n_classes)[None],
        pooled=pooled,
    )


def sparse_posteriors(blob: bytes, k: int = TOP_REGION) -> tuple[np.ndarray, np.ndarray]:
    """Stored bytes -> the top-k posteriors of each region and of the whole photo, unexpanded.

    Returns class ids (R + 1, k) int64 and probabilities (R + 1, k) float32; the last row is
    the whole photo. This is what search reads for every candidate, so it skips the dense
    expansion and the pooled vector.
    """
    s = _read_posteriors(blob)
    k = min(k, s.g_ids.shape[0], s.r_ids.shape[1])
    ids = np.concatenate([s.r_ids[:, :k], s.g_ids[None, :k]]).astype(np.int64)
    probs = np.concatenate([s.r_probs[:, :k], s.g_probs[None, :k]]).astype(np.float32)
    return ids, probs


def scene_evidence(blob: bytes) -> np.ndarray | None:
    """Stored bytes -> (R + 1, S) the scene probe's word probabilities of each region and of
    the whole photo (the mean of its best ``SCENE_TOP_REGIONS`` regions), or None for a
    photo stored without them (formats 1 and 2)."""
    scene = _read_posteriors(blob).scene
    return None if scene is None else with_whole_photo(scene[None])[0]


def whole_photo_scene(scene: np.ndarray) -> np.ndarray:
    """(B, R, S) region evidence -> (B, S): the mean of each word's best
    ``SCENE_TOP_REGIONS`` regions (one region can be a stray patch, two are a fair part of
    the frame)."""
    return -np.sort(-scene, axis=1)[:, :SCENE_TOP_REGIONS].mean(axis=1)


def with_whole_photo(scene: np.ndarray) -> np.ndarray:
    """(B, R, S) region evidence -> (B, R + 1, S), the whole photo's row appended."""
    return np.concatenate([scene, whole_photo_scene(scene)[:, None]], axis=1)


def pooled_vector(blob: bytes) -> np.ndarray:
    """Stored bytes -> the pooled 1280-d vector (for "similar photos")."""
    return expand(blob).pooled[0]
