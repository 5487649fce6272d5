"""The search engine as the app sees it, and the one place that decides which engine runs.

The app talks to any object with the SearchEngine surface (``Engine`` below): the AMC engine
(``amc_core.search.engine.SearchEngine``), chosen in ``make_engine``, or the keyword-only
fallback (``amc_core.search.fallback``) when the engine's models cannot be loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from amc_core.search.results import SearchResponse

QUERY_HELP = (
    "Type what you are looking for: dog on the beach\n"
    "-word leaves out photos with that word: beach -people\n"
    '"quoted phrase" keeps words together: "new york"\n'
    "Filters: year:2019  month:july  place:paris  folder:holidays  camera:iphone\n"
    "            before:2020-01-01  after:2019-06-01"
)
QUERY_PLACEHOLDER = 'Search: dog on the beach · -word · "phrase" · year:2019 place:paris'


class Engine(Protocol):
    """What the app needs from a search engine; created, used and closed on one thread."""

    @property
    def provider(self) -> str: ...
    def preload(self) -> None: ...
    def search(self, query: str, top: int = ..., /) -> SearchResponse: ...
    def similar(self, photo_id: int, top: int = ..., /) -> SearchResponse: ...
    def refresh(self) -> object: ...
    def close(self) -> None: ...


def make_engine(library_dir: Path) -> Engine:
    """THE SWITCH POINT: the engine the app searches with (the keyword stand-in was
    ``return KeywordSearchEngine(library_dir)``). Imported here, on the engine's thread:
    the engine's modules take a second or more to import."""
    from amc_core.search.engine import SearchEngine

    return SearchEngine(library_dir)


def make_fallback_engine(library_dir: Path) -> Engine:
    """When the AMC engine cannot load (a model file missing or damaged): keywords only."""
    from amc_core.search.fallback import KeywordSearchEngine

    return KeywordSearchEngine(library_dir)
