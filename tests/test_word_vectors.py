"""The shipped word vectors put what people type near what photos are tagged with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from amc_core.words.vectors import WordVectors, default_path, hashed_vector, word_vectors

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import word_vectors_eval as bench


@pytest.fixture(scope="module")
def wv() -> WordVectors:
    return word_vectors()


def cos(wv: WordVectors, a: str, b: str) -> float:
    return float(wv.phrase(a) @ wv.phrase(b))


@pytest.mark.parametrize(
    ("word", "near", "far"),
    [
        ("puppy", "dog", "car"),
        ("kitty", "tabby cat", "sports car"),
        ("beach", "seashore", "mountain"),
        ("sea", "beach", "desk"),
        ("automobile", "car", "dog"),
        ("automobile", "sports car", "banana"),
        ("coffee", "espresso", "beer"),
        ("bike", "bicycle", "boat"),
        ("snow", "winter", "summer"),
        ("paris", "france", "japan"),
    ],
)
def test_related_words_are_nearer(wv: WordVectors, word: str, near: str, far: str) -> None:
    assert cos(wv, word, near) > cos(wv, word, far) + 0.05


def test_vectors_are_unit_float32_or_zero(wv: WordVectors) -> None:
    for text in ("dog", "new york", "zzyzxqv", "2019", "Grandma's", "Café"):
        v = wv.phrase(text)
        assert v.shape == (wv.dim,) and v.dtype == np.float32
        assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5, text
    assert not wv.phrase("").any() and not wv.phrase("  !! ").any()


def test_keyword_forms_meet(wv: WordVectors) -> None:
    """Case, accents, apostrophes and plurals reach the same vector as the keyword form."""
    assert cos(wv, "Dog", "dog") > 0.999
    assert cos(wv, "café", "cafe") > 0.999
    assert cos(wv, "puppies", "puppy") > 0.8


def test_phrase_is_mean_of_words(wv: WordVectors) -> None:
    ny = wv.phrase("new york")
    assert cos(wv, "new york", "new") > 0.3 and cos(wv, "new york", "york") > 0.3
    assert float(ny @ wv.phrase("New-York")) > 0.999


def test_matrix_rows_are_phrases(wv: WordVectors) -> None:
    terms = ["dog", "sports car", "", "2019"]
    m = wv.matrix(terms)
    assert m.shape == (4, wv.dim) and m.dtype == np.float32
    for row, term in zip(m, terms, strict=True):
        np.testing.assert_allclose(row, wv.phrase(term), atol=1e-6)
    assert wv.matrix([]).shape == (0, wv.dim)


def test_numbers_are_distinct_stable_directions(wv: WordVectors) -> None:
    assert abs(cos(wv, "2019", "2018")) < 0.3  # each year its own direction
    np.testing.assert_allclose(wv.phrase("2019"), hashed_vector("2019", wv.dim), atol=1e-6)


def test_has_tells_vocabulary_words(wv: WordVectors) -> None:
    assert wv.has("dog") and wv.has("puppies") and wv.has("new york") and wv.has("2019")
    assert wv.has("seashore") and wv.has("november") and wv.has("turquoise")
    assert not wv.has("zzyzxqv") and not wv.has("")


def test_out_of_vocabulary_word_is_deterministic_across_processes(wv: WordVectors) -> None:
    """An OOV word gets the same unit vector in every process (no hash() salt, no RNG)."""
    words = ["zzyzxqv", "grandmaaa", "2019"]
    code = (
        "from amc_core.words.vectors import word_vectors\n"
        "wv = word_vectors()\n"
        f"print(','.join(wv.phrase(w).tobytes().hex() for w in {words!r}))\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    theirs = out.stdout.strip().split(",")
    assert theirs == [wv.phrase(w).tobytes().hex() for w in words]
    assert not wv.has("zzyzxqv") and abs(float(np.linalg.norm(wv.phrase("zzyzxqv"))) - 1) < 1e-5


def test_runtime_bpe_matches_wordllamas_tokenizer(wv: WordVectors) -> None:
    """Known answers of the reference ``tokenizers`` BPE (0.23.3) on WordLlama's tokenizer."""
    assert wv.token_ids("puppy") == [2653, 23717]
    assert wv.token_ids("zürich") == [503, 1276, 436]
    bpe = wv._tokenizer()  # the run-time path, even for vocabulary words
    assert bpe.encode("tshirt") == [260, 845, 2728]
    assert bpe.encode("kitty") == [413, 986, 29891]
    assert bpe.encode("東京") == [29871, 30591, 30675]


def test_benchmark_recall(wv: WordVectors) -> None:
    """72 everyday query words -> ImageNet classes; measured R@1 0.82, R@5 0.96 (parents 0.5)."""
    scores = bench.evaluate(wv.vector, wv.phrase, parent_weight=0.5)
    assert scores["recall@5"] >= 0.9, bench.failures(wv.vector, wv.phrase, 0.5)
    assert scores["recall@1"] >= 0.75
    assert scores["sanity"] >= 0.9
    plain = bench.evaluate(wv.vector, wv.phrase)  # class names and synonyms only: 0.65 / 0.90
    assert plain["recall@5"] >= 0.85


def test_file_provenance(wv: WordVectors) -> None:
    assert wv.dim == 256
    assert wv.meta["source"].startswith("wordllama==0.4.0.post1")
    assert len(wv.words()) > 60_000
    assert (default_path().parent / "LICENSE.txt").is_file()
