"""Search results, and the keyword ranker used until the AMC re-ranker is in place.

The keyword ranker scores a photo by the share of query words found in its
keywords (confidence-weighted) or, failing that, in its path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Set
from dataclasses import dataclass, field

from amc_core.store.catalog import Catalog

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class KeywordWeight:
    keyword: str
    weight: float
    source: str = ""


@dataclass(frozen=True, slots=True)
class SearchResult:
    photo_id: int
    path: str
    score: float
    visual_weight: float
    language_weight: float
    keywords: list[KeywordWeight] = field(default_factory=list)
    content_hash: str | None = None  # keys the thumbnail
    # VAN's attention over the 3x3 grid (row-major from the top-left), then the whole photo
    region_attention: list[float] = field(default_factory=list)
    source: str = "keywords"  # which candidate stage found it: "vector", "keywords" or both

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "score": round(self.score, 6),
            "modality_weights": {
                "visual": round(self.visual_weight, 6),
                "language": round(self.language_weight, 6),
            },
            "keywords": [
                {"keyword": k.keyword, "weight": round(k.weight, 6), "source": k.source}
                for k in self.keywords
            ],
            "regions": [round(a, 6) for a in self.region_attention],
        }


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
