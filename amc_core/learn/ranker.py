"""Scoring photos for a query with the torch model (training, evaluation, export parity)."""

from __future__ import annotations

import torch

from amc_core.learn.model import AMC
from amc_core.search.graph_io import Scored
from amc_core.search.terms import ParsedQuery
from amc_core.store.batch import PhotoBatch


def model_inputs(query: ParsedQuery, batch: PhotoBatch) -> tuple[torch.Tensor, ...]:
    return (
        torch.from_numpy(query.vectors),
        torch.from_numpy(query.weights),
        torch.from_numpy(query.token_intents),
        torch.from_numpy(query.spread),
        torch.from_numpy(batch.region_ids),
        torch.from_numpy(batch.region_probs),
        torch.from_numpy(batch.keyword_sims(query.vectors, query.content_tokens)),
        torch.from_numpy(batch.kw_conf),
        torch.from_numpy(batch.kw_source),
        torch.from_numpy(batch.kw_mask),
    )


def score_torch(model: AMC, query: ParsedQuery, batch: PhotoBatch) -> Scored:
    with torch.no_grad():
        outputs = model(*model_inputs(query, batch))
    return Scored(*(x.numpy() for x in outputs))
