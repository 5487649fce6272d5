"""The query parser's lexicon for one library: the shipped words plus the library's own."""

from __future__ import annotations

import os

from amc_core.search.terms import Lexicon, default_lexicon
from amc_core.store.catalog import Catalog
from amc_core.store.records import path_within
from amc_core.words.normalise import normalise
from amc_core.words.path_words import path_keywords


def library_words(catalog: Catalog) -> set[str]:
    """The words this library defines itself: its folder names ("grandma", "80th", "grandma
    80th") and the names the user gave people ("barack obama", "barack", "obama"). Query
    words found here read as folder intent (the query parser's lexicon): evidence only the
    keywords hold, never the pixels, even when the word looks like a thing ("barack" is close
    to "barracks" in the word space)."""
    folders = catalog.photo_folders()
    roots = [f.path for f in catalog.folders()]
    words: set[str] = set()
    for folder in folders:
        root = next((r for r in roots if path_within(folder, r)), None)
        words.update(k.text for k in path_keywords(os.path.join(folder, "x.jpg"), root))
    for name in catalog.person_names():
        folded = normalise(name, lemmatise_words=False)
        words.update([folded, *folded.split()] if folded else [])
    return words


def library_lexicon(catalog: Catalog) -> Lexicon:
    """The shipped lexicon with this library's folder words and people's names."""
    return default_lexicon().with_folder_words(library_words(catalog))
