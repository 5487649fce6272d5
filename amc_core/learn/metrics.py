"""Ranking metrics with graded relevance (the paper's NDCG@k, plus Recall@k and MRR)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    return sum((2.0**g - 1.0) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranking: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([relevant.get(item, 0) for item in ranking[:k]]) / ideal


def recall_at(ranking: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {item for item, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranking[:k])) / len(wanted) if wanted else 0.0


def reciprocal_rank(ranking: Sequence[str], relevant: Mapping[str, int]) -> float:
    for i, item in enumerate(ranking):
        if relevant.get(item, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def summarise(
    rankings: Sequence[Sequence[str]], judged: Sequence[Mapping[str, int]]
) -> dict[str, float]:
    """Mean NDCG@1/5/10, Recall@10 and MRR over queries."""
    n = max(len(rankings), 1)
    out = {f"ndcg@{k}": sum(ndcg_at(r, j, k) for r, j in zip(rankings, judged, strict=True)) / n
           for k in (1, 5, 10)}  # fmt: skip
    out["recall@10"] = sum(recall_at(r, j, 10) for r, j in zip(rankings, judged, strict=True)) / n
    out["mrr"] = sum(reciprocal_rank(r, j) for r, j in zip(rankings, judged, strict=True)) / n
    return out
