"""The search engine as the app sees it, and the one place that decides which engine runs.

The app talks to any object with the SearchEngine surface (``Engine`` below): the AMC engine
(``amc_core.engine.SearchEngine``), chosen in ``make_engine``. ``KeywordSearchEngine`` adapts
``amc_core.search.keyword_search`` to the same surface: it stood in before the engine existed
(``make_engine`` returned it: a one-line switch), and it is the fallback when the engine's
models cannot be loaded, so search by keywords still works.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from amc_core.catalog import Catalog
from amc_core.keywords.dates import MONTHS
from amc_core.library import LibraryPaths
from amc_core.search import SearchResult, keyword_search, query_words

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
    from amc_core.engine import SearchEngine

    return SearchEngine(library_dir)


def make_fallback_engine(library_dir: Path) -> Engine:
    """When the AMC engine cannot load (a model file missing or damaged): keywords only."""
    return KeywordSearchEngine(library_dir)


@dataclass(frozen=True, slots=True)
class SearchResponse:
    """The same fields as amc_core.engine.SearchResponse that the app reads."""

    results: list[SearchResult] = field(default_factory=list)
    elapsed_ms: float = 0.0
    error: str | None = None


FILTERS = ("year", "month", "place", "folder", "camera", "before", "after")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_FILTER = re.compile(r"^([a-z]+):(.*)$", re.IGNORECASE)
_SIMILAR_SOURCES = ("visual", "colour", "place", "people", "text")


@dataclass(slots=True)
class ParsedFilters:
    words: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    required: list[tuple[str, str]] = field(default_factory=list)  # (filter, value)
    before: str | None = None
    after: str | None = None


def parse_query(text: str) -> ParsedFilters:
    """Words, -exclusions, "phrases" and filters; raises ValueError with a clear message."""
    parsed = ParsedFilters()
    for quoted_minus, quoted, bare in _TOKEN.findall(text):
        minus, phrase = quoted_minus, quoted
        if bare:
            excluded = bare.startswith("-") and len(bare) > 1
            minus, phrase = ("-", bare[1:]) if excluded else ("", bare)
            match = _FILTER.match(phrase) if not minus else None
            if match:
                _add_filter(parsed, match.group(1).lower(), match.group(2).strip().lower())
                continue
        words = query_words(phrase)
        (parsed.excluded if minus else parsed.words).extend(words)
    return parsed


def _add_filter(parsed: ParsedFilters, name: str, value: str) -> None:
    if name not in FILTERS:
        known = ", ".join(f"{f}:" for f in FILTERS)
        raise ValueError(f"unknown filter {name}: (known filters: {known})")
    if not value:
        raise ValueError(f"the filter {name}: needs a value, e.g. {name}:{_EXAMPLES[name]}")
    if name in ("before", "after"):
        setattr(parsed, name, _iso_date(name, value))
        return
    if name == "year" and not (value.isdigit() and len(value) == 4):
        raise ValueError(f"year: needs a four-digit year, e.g. year:2019 (not {value!r})")
    if name == "month":
        value = _month_name(value)
    parsed.required.append((name, value))
    parsed.words.extend(query_words(value))


_EXAMPLES = {
    "year": "2019",
    "month": "july",
    "place": "paris",
    "folder": "holidays",
    "camera": "iphone",
    "before": "2020-01-01",
    "after": "2019-06-01",
}


def _iso_date(name: str, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(
            f"{name}: needs a date as year-month-day, e.g. {name}:{_EXAMPLES[name]}"
        ) from None


def _month_name(value: str) -> str:
    if value.isdigit() and 1 <= int(value) <= 12:
        return MONTHS[int(value) - 1]
    for month in MONTHS:
        if len(value) >= 3 and month.startswith(value):
            return month
    raise ValueError(f"month: needs a month name or number, e.g. month:july (not {value!r})")


class KeywordSearchEngine:
    """Stand-in for amc_core.engine.SearchEngine: keyword matches only (language weight 1)."""

    def __init__(self, library_dir: Path) -> None:
        self._catalog = Catalog.open(LibraryPaths(library_dir).catalog)
        self._provider = "CPU"

    @property
    def provider(self) -> str:
        return self._provider

    def preload(self) -> None:
        from amc_core.runtime import SessionFactory

        self._provider = SessionFactory().provider

    def search(self, query: str, top: int = 200) -> SearchResponse:
        started = time.perf_counter()
        try:
            parsed = parse_query(query)
        except ValueError as exc:
            return SearchResponse([], _ms_since(started), str(exc))
        found = keyword_search(self._catalog, " ".join(parsed.words), top=top * 3)
        kept = [r for r in found if self._passes(r, parsed)][:top]
        return SearchResponse(kept, _ms_since(started))

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

    def _passes(self, result: SearchResult, parsed: ParsedFilters) -> bool:
        if not (parsed.excluded or parsed.required or parsed.before or parsed.after):
            return True
        keywords = self._catalog.keywords_of(result.photo_id)
        texts = {k.text for k in keywords}
        if any(word in texts for word in parsed.excluded):
            return False
        for name, value in parsed.required:
            if name == "folder":
                if value not in result.path.lower():
                    return False
            elif not any(value in k.text for k in keywords if _source_fits(name, k.source)):
                return False
        return self._date_passes(result.photo_id, parsed)

    def _date_passes(self, photo_id: int, parsed: ParsedFilters) -> bool:
        if not (parsed.before or parsed.after):
            return True
        rows = self._catalog.photo_rows("WHERE id = ?", (photo_id,))
        taken = str(rows[0]["taken_at"] or "")[:10] if rows else ""
        if not taken:
            return False
        return (not parsed.before or taken < parsed.before) and (
            not parsed.after or taken >= parsed.after
        )


def _source_fits(name: str, source: str) -> bool:
    return source == {"year": "date", "month": "date"}.get(name, name)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
