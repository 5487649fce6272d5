"""The closed word lists the query parser recognises: place names (towns of at least 15,000
people, regions, countries), major places (cities of at least 100,000 people, regions and
countries: a place even when also a thing word) and the visual terms a classifier vouches for.

Place names that are first everyday words ("police", "pool", "young", "reading": the tagged
corpus of WordNet uses them in lower case, ``resources/lexicon/common_place_words.json``,
``python -m amc_core.build.common_words``) are left out of both place lists.

They depend only on shipped data, so they are listed at build time
(``python -m amc_core.build.space``) into ``resources/text/lexicon.npz`` and read in a few
milliseconds; a test keeps that file equal to a fresh computation.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from amc_core.arrays import join_strings, split_strings
from amc_core.resources import resources_dir
from amc_core.words.vectors import word_key

PLACE_POPULATION = 15_000  # "red" or "bath" as a tiny hamlet is no place to a searcher
MAJOR_PLACE_POPULATION = 100_000


class WordSet(Collection[str]):
    """A read-only set of words that answers `in` by binary search over sorted 64-bit keys, so
    that loading 34,000 place names costs an array read, not 34,000 string objects; iterating
    splits the words out on demand (synthetic training queries)."""

    def __init__(self, blob: np.ndarray, keys: np.ndarray) -> None:
        self._blob = blob  # the words, join_strings'ed
        self._keys = keys  # (N,) uint64 word keys, sorted

    @classmethod
    def of(cls, words: Iterable[str]) -> WordSet:
        ordered = sorted(set(words))
        keys = np.sort(np.array([word_key(w) for w in ordered], dtype=np.uint64))
        return cls(join_strings(ordered), keys)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = np.uint64(word_key(word))
        i = int(np.searchsorted(self._keys, key))
        return i < len(self._keys) and self._keys[i] == key

    def __iter__(self) -> Iterator[str]:
        return iter(split_strings(self._blob))

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordSet) and np.array_equal(self._keys, other._keys)

    def __hash__(self) -> int:
        return hash(self._keys.tobytes())

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {name: self._blob, f"{name}_keys": self._keys}


@dataclass(frozen=True)
class LexiconWords:
    places: WordSet
    major_places: WordSet
    things: WordSet


def lexicon_path() -> Path:
    return resources_dir() / "text" / "lexicon.npz"


def computed_lexicon_words() -> LexiconWords:
    """The lists computed from the gazetteer and the ImageNet labels (build time)."""
    from amc_core.words.gazetteer import gazetteer_names
    from amc_core.words.visual_terms import VisualVocabulary

    common = common_place_words()
    return LexiconWords(
        places=WordSet.of(gazetteer_names(min_population=PLACE_POPULATION) - common),
        major_places=WordSet.of(gazetteer_names(min_population=MAJOR_PLACE_POPULATION) - common),
        things=WordSet.of(VisualVocabulary().terms),
    )


def common_place_words_path() -> Path:
    return resources_dir() / "lexicon" / "common_place_words.json"


def common_place_words() -> frozenset[str]:
    """Town and region names that are common words first (none when the list is missing)."""
    path = common_place_words_path()
    if not path.is_file():
        return frozenset()
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["words"])


def save_lexicon_words(words: LexiconWords, path: Path) -> None:
    tmp = path.with_suffix(".tmp.npz")
    arrays: dict[str, np.ndarray] = {}
    for name in _FIELDS:
        arrays.update(getattr(words, name).arrays(name))
    np.savez(tmp, allow_pickle=False, **arrays)
    tmp.replace(path)


@cache
def lexicon_words() -> LexiconWords:
    """The precomputed lists, or computed when the file is missing (a checkout before its
    first build)."""
    try:
        with np.load(lexicon_path(), allow_pickle=False) as npz:
            lists = {name: WordSet(npz[name], npz[f"{name}_keys"]) for name in _FIELDS}
    except (OSError, KeyError, ValueError):
        return computed_lexicon_words()
    return LexiconWords(**lists)


_FIELDS = ("places", "major_places", "things")
