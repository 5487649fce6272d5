"""The precomputed semantic space that search loads is the one the word vectors and labels give."""

from __future__ import annotations

from pathlib import Path

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
    assert "paris" in shipped.places and "new york city" in shipped.places
    assert "paris" in shipped.major_places and "red" not in shipped.places  # a hamlet is no place
    assert "dog" in shipped.things and "zzyzxqv" not in shipped.things
    assert len(shipped.places) > 30_000 and "paris" in set(shipped.places)


def test_shipped_word_index_finds_every_vocabulary_word() -> None:
    """Search looks words up through the precomputed index (no 80k-entry dict at start-up); it
    must be the index of the shipped word list and give each word its own row."""
    from amc_core.words.vectors import WordRows, word_vectors

    vectors = word_vectors()
    words = vectors.words()
    rows = vectors._row  # the lookup the loaded vectors use
    assert isinstance(rows, WordRows)
    fresh = WordRows.of(words)
    np.testing.assert_array_equal(rows.keys, fresh.keys)
    np.testing.assert_array_equal(rows.rows, fresh.rows)
    assert [rows.get(w) for w in words[:2000]] == list(range(2000))
    assert rows.get("zzyzxqv-not-a-word") is None


def test_distinct_is_np_unique() -> None:
    from amc_core.arrays import distinct

    rng = np.random.default_rng(3)
    for values in (rng.integers(-1, 50, 400), np.array([], np.int64), np.array([7, 7, 7])):
        np.testing.assert_array_equal(distinct(values), np.unique(values))


def test_place_names_used_as_common_words_are_counted_from_lower_case_senses(
    tmp_path: Path,
) -> None:
    """The city of Nice is "Nice" in WordNet, the adjective "nice": only the lower-case senses
    count, each by its tag count in cntlist.rev (the build reads the real files' layout)."""
    from amc_core.build.common_words import lowercase_tag_counts

    (tmp_path / "cntlist.rev").write_text(
        "nice%3:00:01:: 1 30\nnice%1:15:00:: 1 50\nphoenix%1:18:00:: 1 2\n", encoding="utf-8"
    )
    (tmp_path / "data.noun").write_text(
        "  1 This software and database is being provided\n"
        "08954057 15 n 01 Nice 0 000 | a city in southeastern France\n"
        "09539394 18 n 01 phoenix 0 000 | a legendary Arabian bird\n",
        encoding="utf-8",
    )
    (tmp_path / "data.adj").write_text(
        "01586342 00 a 01 nice(a) 1 000 | pleasant or pleasing or agreeable in nature\n",
        encoding="utf-8",
    )
    for pos in ("verb", "adv"):
        (tmp_path / f"data.{pos}").write_text("", encoding="utf-8")
    counts = lowercase_tag_counts(tmp_path)
    assert counts["nice"] == 30 and counts["phoenix"] == 2 and counts["Nice"] == 0
