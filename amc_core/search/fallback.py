"""Search by keywords alone: the fallback when the AMC engine's models cannot be loaded, so
that search still works. It reads the query language as the AMC engine does (the same Query,
filters and ranking words: no stop words, no "photo of", "new york" one place) and ranks by
the share of those words among a photo's keywords or path words."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence, Set
from dataclasses import replace
from pathlib import Path

from amc_core.search.filters import apply_words, filtered_ids
from amc_core.search.library_lexicon import library_lexicon
from amc_core.search.query import QueryError, keyword_forms, parse
from amc_core.search.results import KeywordWeight, SearchResponse, SearchResult
from amc_core.search.strong import strong_count
from amc_core.search.terms import Lexicon, ranking_words
from amc_core.store.catalog import Catalog
from amc_core.store.layout import LibraryPaths

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


_SIMILAR_SOURCES = ("visual", "colour", "place", "people", "text")


class KeywordSearchEngine:
    """Stand-in for amc_core.search.engine.SearchEngine: keyword matches only (language weight 1)."""

    def __init__(self, library_dir: Path) -> None:
        self._catalog = Catalog.open(LibraryPaths(library_dir).catalog)
        self._provider = "CPU"
        self._lexicon: Lexicon | None = None  # read at the first search, again on refresh

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
            return SearchResponse(text, [], 0, _ms_since(started), str(exc))
        allowed = filtered_ids(self._catalog, query) if query.has_sql_filters else None
        if not query.text.strip():  # filters only: the newest photos they allow
            return SearchResponse(text, self._newest(allowed or set(), top), 0, _ms_since(started))
        if self._lexicon is None:
            self._lexicon = library_lexicon(self._catalog)
        # as the engine ranks: a quoted phrase or a known place is one term, "a photo of" none
        terms = ranking_words(query, self._lexicon) or [part.text for part in query.parts]
        found = keyword_search(self._catalog, terms, top=top * 3, allowed=allowed)
        kept = set(apply_words(self._catalog, [r.photo_id for r in found], query))
        matching = [r for r in found if r.photo_id in kept]
        strong = strong_count([r.score for r in matching])
        shown = matching[:top]
        dates = self._catalog.photo_dates([r.photo_id for r in shown])
        shown = [
            replace(r, strong=rank < strong, date=dates.get(r.photo_id, ""))
            for rank, r in enumerate(shown)
        ]
        return SearchResponse(text, shown, len(found), _ms_since(started))

    def similar(self, photo_id: int, top: int = 50) -> SearchResponse:
        started = time.perf_counter()
        keywords = [k for k in self._catalog.keywords_of(photo_id) if k.source in _SIMILAR_SOURCES]
        terms = [k.text for k in keywords[:8]]
        found = keyword_search(self._catalog, terms, top=top + 1) if terms else []
        shown = [r for r in found if r.photo_id != photo_id][:top]
        return SearchResponse(f"similar:{photo_id}", shown, len(found), _ms_since(started))

    def refresh(self) -> None:
        """The keyword index is the catalog itself; only the library's own words (folders,
        people's names) are read again, at the next search."""
        self._lexicon = None

    def close(self) -> None:
        self._catalog.close()

    def _newest(self, allowed: set[int], top: int) -> list[SearchResult]:
        """Newest first, as the AMC engine orders them: capture date, else file date."""
        ids = self._catalog.newest_first(allowed)[:top]
        meta = self._catalog.paths_and_hashes(ids)
        dates = self._catalog.photo_dates(ids)
        return [
            SearchResult(i, meta[i][0], 1.0, 0.0, 1.0, content_hash=meta[i][1], source="filter",
                         date=dates[i])
            for i in ids
        ]  # fmt: skip


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def keyword_search(
    catalog: Catalog, terms: Sequence[str], top: int = 20, allowed: Set[int] | None = None
) -> list[SearchResult]:
    """Photos ranked by the share of the query's terms (words, or quoted phrases) among their
    keywords (or path words), each compared in the forms keywords are stored in ("Dogs" finds
    "dog", "Cafés" finds "cafe"); only those in allowed, when given (a query's filters)."""
    words = [t for t in terms if keyword_forms(t)]
    if not words:
        return []
    scores: dict[int, float] = {}
    matched: dict[int, list[KeywordWeight]] = {}
    for word in words:
        hit: set[int] = set()
        for photo_id, keyword, confidence, source in _keyword_matches(catalog, word):
            if photo_id in hit:
                continue
            hit.add(photo_id)
            scores[photo_id] = scores.get(photo_id, 0.0) + confidence / len(words)
            matched.setdefault(photo_id, []).append(KeywordWeight(keyword, 1.0, source))
        for photo_id in _path_matches(catalog, word):
            if photo_id not in hit:
                scores[photo_id] = scores.get(photo_id, 0.0) + 0.5 / len(words)
                matched.setdefault(photo_id, []).append(KeywordWeight(word, 1.0, "file"))
    if allowed is not None:
        scores = {p: s for p, s in scores.items() if p in allowed}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    meta = catalog.paths_and_hashes([pid for pid, _ in ranked])
    results = []
    for photo_id, score in ranked:
        hits = matched[photo_id]
        weight = 1.0 / len(hits)
        results.append(
            SearchResult(
                photo_id=photo_id,
                path=meta[photo_id][0],
                content_hash=meta[photo_id][1],
                score=score,
                visual_weight=0.0,
                language_weight=1.0,
                keywords=[KeywordWeight(k.keyword, weight, k.source) for k in hits],
            )
        )
    return results


def _keyword_matches(catalog: Catalog, term: str) -> list[tuple[int, str, float, str]]:
    """Photos with the term as a keyword, in any stored form (found through the full-text
    index, then confirmed)."""
    forms = keyword_forms(term)
    out = []
    for form in sorted(forms):
        ids = catalog.full_text_hits(form.split(" "))  # failed photos have no keywords
        for photo_id, entries in catalog.keyword_sets(ids).items():
            for keyword_id, confidence, source in entries:
                if catalog.keyword_text(keyword_id) in forms:
                    out.append((photo_id, catalog.keyword_text(keyword_id), confidence, source))
                    break
    return out


def _path_matches(catalog: Catalog, term: str) -> list[int]:
    """Photos with the term among their folder and file names' words."""
    forms = keyword_forms(term)
    return [
        photo_id
        for photo_id, path in catalog.indexed_paths()
        if any(keyword_forms(word) & forms for word in _WORD.findall(path.lower()))
    ]
