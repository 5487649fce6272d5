"""The precomputed semantic space that search loads is the one the word vectors and labels give."""

from __future__ import annotations

import numpy as np

from amc_core.words.space import computed_space, semantic_space, space_path


def test_shipped_space_equals_a_fresh_computation() -> None:
    # a rebuilt word-vector file or label set without `python -m amc_core.build.space` would
    # silently rank with stale class vectors: this fails instead
    assert space_path().is_file()
    shipped, fresh = semantic_space(), computed_space()
    np.testing.assert_array_equal(shipped.centre, fresh.centre)
    np.testing.assert_array_equal(shipped.class_matrix, fresh.class_matrix)
    assert shipped.class_matrix.shape == (1000, shipped.dim)


def test_shipped_word_lists_equal_a_fresh_computation() -> None:
    from amc_core.words.lexicon import computed_lexicon_words, lexicon_path, lexicon_words

    assert lexicon_path().is_file()
    shipped = lexicon_words()
    assert shipped == computed_lexicon_words()
    assert {"paris", "new york city"} <= shipped.places and "paris" in shipped.major_places
    assert {"dog", "beach"} & shipped.things
