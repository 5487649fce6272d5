"""Query-independent photo vectors, and keeping the vector index equal to the catalog.

A photo's vector is what the whole photo shows (its posteriors through the class bridge) plus
what its keywords say (their confidence-weighted mean), in the query space. The indexing run
keeps the saved vector index equal to the catalog's indexed photos; an open search engine
fills its in-memory copy the same way while another process indexes, without writing it.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from amc_core.arrays import unit
from amc_core.store.batch import TOP_K, KeywordVectors, PhotoBatch, load_batch
from amc_core.store.catalog import Catalog
from amc_core.store.vector_index import VectorIndex
from amc_core.words.space import SemanticSpace

_CHUNK = 2000  # photos embedded at a time: bounded memory on a first index of a big library


def photo_vectors(batch: PhotoBatch, class_matrix: np.ndarray) -> np.ndarray:
    """(B, D) query-independent unit vectors of a batch of photos."""
    # the whole photo's posteriors (B, k), not the scene probe's entries after them
    ids, probs = batch.region_ids[:, -1, :TOP_K], batch.region_probs[:, -1, :TOP_K]
    dense = np.zeros((len(ids), len(class_matrix)), np.float32)  # (B, C): no (B, k, D) temporary
    np.add.at(dense, (np.arange(len(ids))[:, None], ids), probs)
    visual = dense @ class_matrix  # (B, D)
    weights = batch.kw_conf * batch.kw_mask  # (B, K)
    words = np.empty_like(visual)
    for start in range(0, len(ids), 256):  # (256, K, D) keyword vectors at a time, not (B, K, D)
        rows = slice(start, start + 256)
        vectors = batch.vectors.lookup(batch.kw_ids[rows])
        words[rows] = np.matmul(weights[rows, None, :], vectors)[:, 0]
    words /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-6)
    return unit(visual + words)


def follow_catalog(
    index: VectorIndex,
    catalog: Catalog,
    keyword_vectors: KeywordVectors,
    space: SemanticSpace,
    rewritten: Collection[int] = (),
) -> tuple[int, int]:
    """Add the catalog's indexed photos the index lacks (and those `rewritten` since their
    vector was made: new content or keywords under the same id), drop those it no longer has.

    Returns (added or replaced, removed). Saving is the caller's decision (only indexing saves).
    """
    current = catalog.indexed_ids()
    held = index.ids
    missing = sorted((current - held) | (current & set(rewritten)))
    gone = held - current
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start : start + _CHUNK]
        batch = load_batch(catalog, keyword_vectors, chunk)
        index.add(np.array(chunk, np.int64), photo_vectors(batch, space.class_matrix))
    index.remove(gone)
    return len(missing), len(gone)
