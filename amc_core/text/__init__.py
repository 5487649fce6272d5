"""Word vectors shared by queries, photo keywords and ImageNet terms (see :mod:`.vectors`)."""

from amc_core.text.vectors import WordVectors, hashed_vector, word_vectors

__all__ = ["WordVectors", "hashed_vector", "word_vectors"]
