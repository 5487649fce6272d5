"""The search engine as the app sees it, and the one place that decides which engine runs.

The app talks to any object with the SearchEngine surface (``Engine`` below): the AMC engine
(``amc_core.search.engine.SearchEngine``), chosen in ``make_engine``. ``KeywordSearchEngine`` adapts
``amc_core.search.results.keyword_search`` to the same surface: it stood in before the engine existed
(``make_engine`` returned it: a one-line switch), and it is the fallback when the engine's
models cannot be loaded, so search by keywords still works.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from amc_core.search.filters import apply_words, filtered_ids
from amc_core.search.query import QueryError, parse
from amc_core.search.results import SearchResult, keyword_search
from amc_core.store.catalog import Catalog
from amc_core.store.layout import LibraryPaths

QUERY_HELP = (
    "Type what you are looking for: dog on the beach\n"
    "-word leaves out photos with that word: beach -people\n"
    '"quoted phrase" keeps words together: "new york"\n'
    "Filters: year:2019  month:july  place:paris  folder:holidays  camera:iphone\n"
    "            before:2020-01-01  after:2019-06-01"
)
QUERY_PLACEHOLDER = 'Search: dog on the beach · -word · "phrase" · year:2019 place:paris'


class SearchResponseLike(Protocol):
    @property
    def results(self) -> Sequence[SearchResult]: ...
    @property
    def elapsed_ms(self) -> float: ...
    @property
    def error(self) -> str | None: ...


class Engine(Protocol):
    """What the app needs from a search engine; created, used and closed on one thread."""

    @property
    def provider(self) -> str: ...
    def preload(self) -> None: ...
    def search(self, query: str, top: int = ..., /) -> SearchResponseLike: ...
    def similar(self, photo_id: int, top: int = ..., /) -> SearchResponseLike: ...
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
    return KeywordSearchEngine(library_dir)


@dataclass(frozen=True, slots=True)
class SearchResponse:
    """The same fields as amc_core.search.engine.SearchResponse that the app reads."""

    results: list[SearchResult] = field(default_factory=list)
    elapsed_ms: float = 0.0
    error: str | None = None


_SIMILAR_SOURCES = ("visual", "colour", "place", "people", "text")


class KeywordSearchEngine:
    """Stand-in for amc_core.search.engine.SearchEngine: keyword matches only (language weight 1)."""

    def __init__(self, library_dir: Path) -> None:
        self._catalog = Catalog.open(LibraryPaths(library_dir).catalog)
        self._provider = "CPU"

    @property
    def provider(self) -> str:
        return self._provider

    def preload(self) -> None:
        from amc_core.runtime import SessionFactory

        self._provider = SessionFactory().provider

    def search(self, text: str, top: int = 200) -> SearchResponse:
        """The query language as the AMC engine reads it (amc_core.search.query and
        amc_core.search.filters), ranked by keyword matches."""
        started = time.perf_counter()
        try:
            query = parse(text)
        except QueryError as exc:
            return SearchResponse([], _ms_since(started), str(exc))
        allowed = filtered_ids(self._catalog, query) if query.has_sql_filters else None
        if not query.text.strip():  # filters only: the newest photos they allow
            return SearchResponse(self._newest(allowed or set(), top), _ms_since(started))
        found = keyword_search(self._catalog, query.text, top=top * 3, allowed=allowed)
        kept = set(apply_words(self._catalog, [r.photo_id for r in found], query))
        return SearchResponse([r for r in found if r.photo_id in kept][:top], _ms_since(started))

    def similar(self, photo_id: int, top: int = 50) -> SearchResponse:
        started = time.perf_counter()
        keywords = [k for k in self._catalog.keywords_of(photo_id) if k.source in _SIMILAR_SOURCES]
        words = " ".join(k.text for k in keywords[:8])
        found = keyword_search(self._catalog, words, top=top + 1) if words else []
        return SearchResponse(
            [r for r in found if r.photo_id != photo_id][:top], _ms_since(started)
        )

    def refresh(self) -> None:
        """The keyword index is the catalog itself: nothing to reload."""

    def close(self) -> None:
        self._catalog.close()

    def _newest(self, allowed: set[int], top: int) -> list[SearchResult]:
        ids = sorted(allowed, reverse=True)[:top]
        meta = self._catalog.paths_and_hashes(ids)
        return [
            SearchResult(i, meta[i][0], 1.0, 0.0, 1.0, content_hash=meta[i][1], source="filter")
            for i in ids
        ]


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
