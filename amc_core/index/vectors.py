"""The last step of every change to a library: its saved vector index holds exactly the
catalog's indexed photos, so that search only ever reads it."""

from __future__ import annotations

from amc_core.store.batch import KeywordVectors
from amc_core.store.catalog import Catalog
from amc_core.store.layout import LibraryPaths
from amc_core.store.photo_vectors import follow_catalog
from amc_core.store.vector_index import VectorIndex
from amc_core.words.space import semantic_space


def sync_vector_index(catalog: Catalog, paths: LibraryPaths) -> tuple[int, int]:
    """Bring the saved vector index up to date (rebuilt when missing or damaged); returns
    (added, removed). The caller holds the library's write lock."""
    space = semantic_space()
    index = VectorIndex(paths.root, space.dim)
    index.load()  # False when missing or damaged: then it is rebuilt from the catalog
    added, removed = follow_catalog(index, catalog, KeywordVectors(catalog, space), space)
    if index.unsaved:
        index.save()
    return added, removed
