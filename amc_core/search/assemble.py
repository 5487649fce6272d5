"""Scored candidates -> the results a search shows, with why each ranked.

Vectorised over the shown rows: the attended keywords of every result are chosen with one
argpartition over the (shown, K) attention, their texts looked up once per distinct keyword,
and every number leaves numpy through one `tolist`; what is left per result is building it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from amc_core.search.graph_io import Scored
from amc_core.search.results import KeywordWeight, SearchResult, WordWeight
from amc_core.store.batch import PhotoBatch
from amc_core.words.keyword import SOURCES

SHOWN_KEYWORDS = 12
MIN_ATTENTION = 1e-3  # attended less than this: not shown as a reason

Shown = dict[int, tuple[str, str | None, str]]  # photo id -> (path, content hash, date)


def ranked_results(
    batch: PhotoBatch, scored: Scored, order: np.ndarray, strong: int,
    sources: dict[int, str], shown: Shown, keyword_text: Callable[[int], str],
    words: Sequence[str],
) -> list[SearchResult]:  # fmt: skip
    """The results for batch rows `order` ((n,), best first); the first `strong` are strong.
    words: the query's words, in the order the head weighed them."""
    rows = np.asarray(order, dtype=np.int64)
    keywords = _attended_keywords(batch, scored.keyword_attention[rows], rows, keyword_text)
    scores = scored.scores[rows].tolist()
    modality = scored.modality[rows].tolist()
    regions = scored.region_attention[rows].tolist()
    word_visual = scored.word_visual[rows].tolist()
    word_regions = scored.word_regions[rows].tolist()
    results = []
    for rank, row in enumerate(rows.tolist()):
        photo_id = batch.photo_ids[row]
        path, content_hash, date = shown[photo_id]
        results.append(SearchResult(
            photo_id, path, scores[rank], modality[rank][0], modality[rank][1], keywords[rank],
            content_hash, regions[rank], sources.get(photo_id, "vector"), rank < strong, date,
            [WordWeight(w, v, r) for w, v, r in
             zip(words, word_visual[rank], word_regions[rank], strict=True)],
        ))  # fmt: skip
    return results


def listed_results(photo_ids: Sequence[int], shown: Shown) -> list[SearchResult]:
    """Results of a query with filters only: listed in the given order, nothing scored."""
    return [
        SearchResult(pid, shown[pid][0], 1.0, 0.0, 1.0, [], shown[pid][1], [],
                     "filter", True, shown[pid][2])
        for pid in photo_ids
    ]  # fmt: skip


def _attended_keywords(
    batch: PhotoBatch, attention: np.ndarray, rows: np.ndarray,
    keyword_text: Callable[[int], str],
) -> list[list[KeywordWeight]]:  # fmt: skip
    """(n, K) keyword attention of the shown rows -> each row's most attended keywords."""
    n, width = attention.shape
    if n == 0 or width == 0:
        return [[] for _ in range(n)]
    take = min(SHOWN_KEYWORDS, width)
    best = np.argpartition(-attention, take - 1, axis=1)[:, :take]  # (n, take), unordered
    weights = np.take_along_axis(attention, best, axis=1)
    order = np.argsort(-weights, axis=1, kind="stable")
    best = np.take_along_axis(best, order, axis=1)
    weights = np.take_along_axis(weights, order, axis=1)
    ids = batch.kw_ids[rows[:, None], best]  # (n, take)
    source_ids = batch.kw_source[rows[:, None], best]
    keep = (ids >= 0) & (weights >= MIN_ATTENTION)
    texts = {int(i): keyword_text(int(i)) for i in np.unique(ids[keep])}
    names = [*SOURCES, "other"]
    out: list[list[KeywordWeight]] = []
    for kept, row_ids, row_weights, row_sources in zip(
        keep.tolist(), ids.tolist(), weights.tolist(), source_ids.tolist(), strict=True
    ):
        out.append([
            KeywordWeight(texts[i], w, names[min(s, len(SOURCES))])
            for k, i, w, s in zip(kept, row_ids, row_weights, row_sources, strict=True) if k
        ])  # fmt: skip
    return out
