"""The closed word lists the query parser recognises: place names (towns of at least 15,000
people, regions, countries), major places (cities of at least 100,000 people, regions and
countries: a place even when also a thing word) and the visual terms a classifier vouches for.

They depend only on shipped data, so they are listed at build time
(``python -m amc_core.build.space``) into ``resources/text/lexicon.npz`` and read in a few
milliseconds; a test keeps that file equal to a fresh computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from amc_core.arrays import join_strings, split_strings
from amc_core.resources import resources_dir
from amc_core.words.gazetteer import gazetteer_names
from amc_core.words.visual_terms import VisualVocabulary

PLACE_POPULATION = 15_000  # "red" or "bath" as a tiny hamlet is no place to a searcher
MAJOR_PLACE_POPULATION = 100_000


@dataclass(frozen=True)
class LexiconWords:
    places: frozenset[str]
    major_places: frozenset[str]
    things: frozenset[str]


def lexicon_path() -> Path:
    return resources_dir() / "text" / "lexicon.npz"


def computed_lexicon_words() -> LexiconWords:
    """The lists computed from the gazetteer and the ImageNet labels (build time)."""
    return LexiconWords(
        places=gazetteer_names(min_population=PLACE_POPULATION),
        major_places=gazetteer_names(min_population=MAJOR_PLACE_POPULATION),
        things=frozenset(VisualVocabulary().terms),
    )


def save_lexicon_words(words: LexiconWords, path: Path) -> None:
    tmp = path.with_suffix(".tmp.npz")
    arrays = {name: join_strings(sorted(getattr(words, name))) for name in _FIELDS}
    np.savez(tmp, allow_pickle=False, **arrays)
    tmp.replace(path)


@cache
def lexicon_words() -> LexiconWords:
    """The precomputed lists, or computed when the file is missing (a checkout before its
    first build)."""
    try:
        with np.load(lexicon_path(), allow_pickle=False) as npz:
            lists = {name: frozenset(split_strings(npz[name])) for name in _FIELDS}
    except (OSError, KeyError, ValueError):
        return computed_lexicon_words()
    return LexiconWords(**lists)


_FIELDS = ("places", "major_places", "things")
