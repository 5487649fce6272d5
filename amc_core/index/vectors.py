"""The last step of every change to a library: its saved vector index holds exactly the
catalog's indexed photos, so that search only ever reads it."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from amc_core.store.batch import KeywordVectors
from amc_core.store.catalog import Catalog
from amc_core.store.keyword_rows import read_rows, write_rows
from amc_core.store.layout import LibraryPaths
from amc_core.store.photo_vectors import follow_catalog
from amc_core.store.vector_index import VectorIndex
from amc_core.words.space import SemanticSpace, semantic_space

_CHUNK = 20_000  # keywords embedded and appended at a time


def sync_vector_index(
    catalog: Catalog, paths: LibraryPaths, rewritten: Collection[int] = ()
) -> tuple[int, int]:
    """Bring the saved keyword vectors and vector index up to date (each rebuilt when missing
    or damaged; the vectors of `rewritten` photos made again); returns (added, removed). The
    caller holds the library's write lock."""
    space = semantic_space()
    index = VectorIndex(paths.root, space.dim)
    if not rewritten and _in_step(catalog, index, paths, space):
        return 0, 0  # a quiet rescan: loading a 10^6-photo graph would cost seconds for nothing
    keyword_vectors = KeywordVectors(catalog, space, save_keyword_vectors(catalog, paths, space))
    index.load()  # False when missing or damaged: then it is rebuilt from the catalog
    added, removed = follow_catalog(index, catalog, keyword_vectors, space, rewritten)
    if index.unsaved:
        index.save()
    return added, removed


def _in_step(
    catalog: Catalog, index: VectorIndex, paths: LibraryPaths, space: SemanticSpace
) -> bool:
    """True when the saved index holds as many photos as the catalog has indexed and every
    keyword has its saved vector (checked from small records and file sizes only)."""
    rows = read_rows(paths.keyword_vectors, space.centre)
    have_rows = len(rows) if rows is not None else 0
    keywords_ok = have_rows >= catalog.vocabulary_size() or catalog.vocabulary_size() <= 1
    return keywords_ok and index.saved_count() == catalog.counts()["ok"]


def save_keyword_vectors(
    catalog: Catalog, paths: LibraryPaths, space: SemanticSpace
) -> np.ndarray | None:
    """Append the vectors of the keywords added since the last run; returns all saved rows."""
    saved = read_rows(paths.keyword_vectors, space.centre)
    first = len(saved) if saved is not None else 1
    top = catalog.vocabulary_size()
    embedder = KeywordVectors(catalog, space)
    for start in range(first, top, _CHUNK):
        ids = np.arange(start, min(start + _CHUNK, top))
        write_rows(paths.keyword_vectors, space.centre, start, embedder.embed(ids))
    return read_rows(paths.keyword_vectors, space.centre)
