"""`amc eval`: the paper's Table 1 on the dev set's test half (or its dev half, for tuning)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from amc_core.index.library import Library
from amc_core.learn.devset import DevSet, Judged
from amc_core.learn.metrics import ndcg_at, summarise
from amc_core.learn.model import AMC
from amc_core.learn.params import default_model
from amc_core.learn.ranker import score_torch
from amc_core.learn.reference import reference_class_matrix, zero_shot_scores
from amc_core.search.library_lexicon import library_lexicon
from amc_core.search.terms import ParsedQuery, parse_query
from amc_core.store.batch import PERSON_WORD, KeywordVectors, PhotoBatch, load_batch
from amc_core.words.space import SemanticSpace, semantic_space

VARIANTS = (
    ("zero-shot reference", "zero_shot"),
    ("visual only (VAN)", "visual"),
    ("language only (LAN)", "language"),
    ("fixed 50/50 fusion", "fixed"),
    ("AMC without VAN", "no_van"),
    ("AMC without LAN", "no_lan"),
    ("full AMC", "full"),
)


class DevSetScorer:
    """Everything loaded once: all dev-set photos as one batch, queries parsed on demand."""

    def __init__(self, devset: DevSet, space: SemanticSpace | None = None) -> None:
        self.devset = devset
        self.space = space or semantic_space()
        with Library(devset.library_dir) as library:
            self.lexicon = library_lexicon(library.catalog)
            ids = sorted(devset.photo_of_catalog_id)
            self.batch: PhotoBatch = load_batch(
                library.catalog, KeywordVectors(library.catalog, self.space), ids,
                default_model(self.space).row_of(PERSON_WORD),
            )  # fmt: skip
            self.batch.kw_vectors  # noqa: B018 - embed every keyword while the catalog is open
        self.names = [devset.photo_of_catalog_id[i] for i in ids]

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, self.space, self.lexicon)

    def rank(self, scores: np.ndarray) -> list[str]:
        order = np.argsort(-scores, kind="stable")
        return [self.names[i] for i in order]

    def scores(self, model: AMC, variant: str, query: ParsedQuery) -> np.ndarray:
        if variant == "zero_shot":
            return zero_shot_scores(query, self.batch, reference_class_matrix(self.space))
        model.mode = variant
        try:
            return score_torch(model, query, self.batch).scores
        finally:
            model.mode = "full"

    def table(self, model: AMC, queries: Sequence[Judged]) -> dict[str, dict[str, float]]:
        parsed = [self.parse(q.query) for q in queries]
        judged = [q.relevant for q in queries]
        out = {}
        for name, variant in VARIANTS:
            rankings = [self.rank(self.scores(model, variant, p)) for p in parsed]
            out[name] = summarise(rankings, judged)
        return out

    def per_query(self, model: AMC, queries: Sequence[Judged]) -> dict[str, np.ndarray]:
        """NDCG@10 of every query (in order) under every ranker."""
        parsed = [self.parse(q.query) for q in queries]
        return {
            name: np.array(
                [
                    ndcg_at(self.rank(self.scores(model, variant, p)), q.relevant, 10)
                    for p, q in zip(parsed, queries, strict=True)
                ]
            )
            for name, variant in VARIANTS
        }

    def modality_means(self, model: AMC, queries: Sequence[Judged]) -> dict[str, float]:
        """Mean MTN language weight per query kind (over all photos of the set)."""
        sums: dict[str, list[float]] = {}
        for q in queries:
            parsed = self.parse(q.query)
            with torch.no_grad():
                weights = score_torch(model, parsed, self.batch).modality
            sums.setdefault(q.kind, []).append(float(weights[:, 1].mean()))
        return {kind: float(np.mean(v)) for kind, v in sorted(sums.items())}


def format_table(table: dict[str, dict[str, float]]) -> str:
    cols = ("ndcg@1", "ndcg@5", "ndcg@10", "recall@10", "mrr")
    lines = [f"{'ranker':<24}" + "".join(f"{c:>11}" for c in cols)]
    for name, row in table.items():
        lines.append(f"{name:<24}" + "".join(f"{row[c]:>11.3f}" for c in cols))
    return "\n".join(lines)


def by_kind(
    per_query: dict[str, np.ndarray], queries: Sequence[Judged]
) -> dict[str, dict[str, float]]:
    """Mean NDCG@10 per ranker and query kind (visual queries by their finer kind)."""
    groups = rows_by_kind(queries)
    return {name: {group: float(scores[rows].mean()) for group, rows in groups.items()}
            for name, scores in per_query.items()}  # fmt: skip


def rows_by_kind(queries: Sequence[Judged]) -> dict[str, np.ndarray]:
    """The query rows of each kind (visual queries by their finer kind), kinds sorted."""
    kinds = [q.group or q.kind for q in queries]
    return {kind: np.array([i for i, k in enumerate(kinds) if k == kind])
            for kind in sorted(set(kinds))}  # fmt: skip


def paired_bootstrap(
    a: np.ndarray, b: np.ndarray, rounds: int = 10_000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of (a - b) over queries and its 95% interval, resampling queries with
    replacement (both rankers see the same resampled queries)."""
    diff = a - b
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), (rounds, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diff.mean()), float(low), float(high)


def by_kind_intervals(
    a: np.ndarray, b: np.ndarray, queries: Sequence[Judged], rounds: int = 10_000
) -> dict[str, tuple[float, float, float]]:
    """Per query kind: the mean of (a - b) and its paired bootstrap 95% interval. A kind of
    a few dozen queries is a small sample: a gap whose interval holds 0 is not a finding."""
    return {kind: paired_bootstrap(a[rows], b[rows], rounds)
            for kind, rows in rows_by_kind(queries).items()}  # fmt: skip


def format_by_kind(table: dict[str, dict[str, float]], counts: dict[str, int]) -> str:
    groups = list(next(iter(table.values())))
    lines = [f"{'NDCG@10 by kind':<24}" + "".join(f"{g[:10]:>11}" for g in groups)]
    lines.append(f"{'(queries)':<24}" + "".join(f"{counts[g]:>11}" for g in groups))
    for name, row in table.items():
        lines.append(f"{name:<24}" + "".join(f"{row[g]:>11.3f}" for g in groups))
    return "\n".join(lines)
