"""Candidates as model inputs: stored posteriors and keyword sets -> padded arrays."""

from __future__ import annotations

import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..catalog import Catalog
from ..keyword import SOURCES
from ..vision.encoder import sparse_posteriors
from .space import SemanticSpace

N_REGIONS = 10  # 3x3 grid + the whole photo
TOP_K = 10
MAX_KEYWORDS = 100
_SOURCE_INDEX = {name: i for i, name in enumerate(SOURCES)}


@dataclass
class PhotoBatch:
    photo_ids: list[int]
    region_ids: np.ndarray  # (B, R, k) int64
    region_probs: np.ndarray  # (B, R, k) float32
    kw_ids: np.ndarray  # (B, K) int64 vocabulary ids (-1 = padding)
    kw_vectors: np.ndarray  # (B, K, D) float32
    kw_conf: np.ndarray  # (B, K) float32
    kw_source: np.ndarray  # (B, K) int64
    kw_mask: np.ndarray  # (B, K) float32

    def __len__(self) -> int:
        return len(self.photo_ids)

    def take(self, rows: Sequence[int]) -> PhotoBatch:
        idx = np.asarray(rows, dtype=np.int64)
        return PhotoBatch(
            [self.photo_ids[i] for i in rows],
            self.region_ids[idx], self.region_probs[idx], self.kw_ids[idx],
            self.kw_vectors[idx], self.kw_conf[idx], self.kw_source[idx], self.kw_mask[idx],
        )  # fmt: skip


class KeywordVectors:
    """Vectors of the catalog's keyword vocabulary, embedded once per id and kept."""

    def __init__(self, catalog: Catalog, space: SemanticSpace) -> None:
        self._catalog = catalog
        self._space = space
        self._rows = np.zeros((0, space.dim), dtype=np.float32)
        self._known = np.zeros(0, dtype=bool)
        self._lock = threading.Lock()

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """(...,) vocabulary ids (-1 = none) -> (..., D) vectors."""
        flat = ids.reshape(-1)
        valid = flat[flat >= 0]
        if valid.size:
            self._ensure(valid)
        out = np.zeros((flat.size, self._space.dim), dtype=np.float32)
        mask = flat >= 0
        out[mask] = self._rows[flat[mask]]
        return out.reshape(*ids.shape, self._space.dim)

    def _ensure(self, ids: np.ndarray) -> None:
        with self._lock:
            top = int(ids.max()) + 1
            if top > self._rows.shape[0]:
                grow = max(top, 2 * self._rows.shape[0])
                rows = np.zeros((grow, self._space.dim), dtype=np.float32)
                rows[: self._rows.shape[0]] = self._rows
                known = np.zeros(grow, dtype=bool)
                known[: self._known.shape[0]] = self._known
                self._rows, self._known = rows, known
            missing = np.unique(ids[~self._known[ids]])
            if missing.size:
                texts = [self._catalog.keyword_text(int(i)) for i in missing]
                self._rows[missing] = self._space.embed(texts)
                self._known[missing] = True


def load_batch(
    catalog: Catalog, keyword_vectors: KeywordVectors, photo_ids: Sequence[int]
) -> PhotoBatch:
    """Model inputs for photos (ids without stored features get empty regions)."""
    ids = list(photo_ids)
    b = len(ids)
    region_ids = np.zeros((b, N_REGIONS, TOP_K), dtype=np.int64)
    region_probs = np.zeros((b, N_REGIONS, TOP_K), dtype=np.float32)
    for row, blob in _features(catalog, ids):
        try:
            r_ids, r_probs = sparse_posteriors(blob, TOP_K)
        except (ValueError, struct.error):
            continue  # damaged features: the photo still ranks by its keywords (`amc repair`)
        region_ids[row, : r_ids.shape[0]] = r_ids
        region_probs[row, : r_probs.shape[0]] = r_probs
    sets = catalog.keyword_sets(ids)
    width = max([min(len(sets.get(i, [])), MAX_KEYWORDS) for i in ids] + [1])
    kw_ids = np.full((b, width), -1, dtype=np.int64)
    kw_conf = np.zeros((b, width), dtype=np.float32)
    kw_source = np.full((b, width), len(SOURCES), dtype=np.int64)
    for row, photo_id in enumerate(ids):
        for col, (keyword_id, confidence, source) in enumerate(sets.get(photo_id, [])[:width]):
            kw_ids[row, col] = keyword_id
            kw_conf[row, col] = confidence
            kw_source[row, col] = _SOURCE_INDEX.get(source, len(SOURCES))
    return PhotoBatch(
        photo_ids=ids,
        region_ids=region_ids,
        region_probs=region_probs,
        kw_ids=kw_ids,
        kw_vectors=keyword_vectors.lookup(kw_ids),
        kw_conf=kw_conf,
        kw_source=kw_source,
        kw_mask=(kw_ids >= 0).astype(np.float32),
    )


def _features(catalog: Catalog, ids: list[int]) -> list[tuple[int, bytes]]:
    row_of = {photo_id: row for row, photo_id in enumerate(ids)}
    return [(row_of[pid], blob) for pid, blob in catalog.features_of(ids).items()]
