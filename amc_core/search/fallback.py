"""Search by keywords alone: the fallback when the AMC engine's models cannot be loaded, so
that search still works. It reads the query language as the AMC engine does (the same Query
and filters) and ranks by the share of query words among a photo's keywords or path words."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Set
from pathlib import Path

from amc_core.search.filters import apply_words, filtered_ids
from amc_core.search.query import QueryError, parse
from amc_core.search.results import KeywordWeight, SearchResponse, SearchResult
from amc_core.store.catalog import Catalog
from amc_core.store.layout import LibraryPaths

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


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
            return SearchResponse(text, [], 0, _ms_since(started), str(exc))
        allowed = filtered_ids(self._catalog, query) if query.has_sql_filters else None
        if not query.text.strip():  # filters only: the newest photos they allow
            return SearchResponse(text, self._newest(allowed or set(), top), 0, _ms_since(started))
        found = keyword_search(self._catalog, query.text, top=top * 3, allowed=allowed)
        kept = set(apply_words(self._catalog, [r.photo_id for r in found], query))
        shown = [r for r in found if r.photo_id in kept][:top]
        return SearchResponse(text, shown, len(found), _ms_since(started))

    def similar(self, photo_id: int, top: int = 50) -> SearchResponse:
        started = time.perf_counter()
        keywords = [k for k in self._catalog.keywords_of(photo_id) if k.source in _SIMILAR_SOURCES]
        words = " ".join(k.text for k in keywords[:8])
        found = keyword_search(self._catalog, words, top=top + 1) if words else []
        shown = [r for r in found if r.photo_id != photo_id][:top]
        return SearchResponse(f"similar:{photo_id}", shown, len(found), _ms_since(started))

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


def query_words(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query)]


def keyword_search(
    catalog: Catalog, query: str, top: int = 20, allowed: Set[int] | None = None
) -> list[SearchResult]:
    """Photos ranked by the share of query words among their keywords (or path words);
    only those in allowed, when given (a query's filters)."""
    words = query_words(query)
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


def _keyword_matches(catalog: Catalog, word: str) -> list[tuple[int, str, float, str]]:
    """Photos with the keyword `word` (found through the full-text index, then confirmed)."""
    ids = catalog.full_text_hits(word)  # failed photos have no keywords
    out = []
    for photo_id, entries in catalog.keyword_sets(ids).items():
        for keyword_id, confidence, source in entries:
            if catalog.keyword_text(keyword_id) == word:
                out.append((photo_id, word, confidence, source))
                break
    return out


def _path_matches(catalog: Catalog, word: str) -> list[int]:
    rows = catalog.connection.execute("SELECT id, path FROM photos WHERE state = 'ok'")
    out = []
    for photo_id, blob in rows:
        name = os.fsdecode(bytes(blob)).lower()
        if word in query_words(name):
            out.append(int(photo_id))
    return out
