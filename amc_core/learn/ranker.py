"""Scoring photos for a query with the torch model (training, evaluation, export parity)."""

from __future__ import annotations

import numpy as np
import torch

from amc_core.arrays import unit
from amc_core.learn.model import AMC
from amc_core.search.graph_io import Scored
from amc_core.search.terms import ParsedQuery
from amc_core.store.batch import PhotoBatch


def model_inputs(query: ParsedQuery, batch: PhotoBatch) -> tuple[torch.Tensor, ...]:
    return (
        torch.from_numpy(query.vectors),
        torch.from_numpy(query.weights),
        torch.from_numpy(query.intent),
        torch.from_numpy(batch.region_ids),
        torch.from_numpy(batch.region_probs),
        torch.from_numpy(batch.keyword_sims(query.vectors)),
        torch.from_numpy(batch.kw_conf),
        torch.from_numpy(batch.kw_source),
        torch.from_numpy(batch.kw_mask),
    )


def score_torch(model: AMC, query: ParsedQuery, batch: PhotoBatch) -> Scored:
    with torch.no_grad():
        scores, regions, keywords, modality = model(*model_inputs(query, batch))
    return Scored(scores.numpy(), regions.numpy(), keywords.numpy(), modality.numpy())


def zero_shot_scores(query: ParsedQuery, batch: PhotoBatch, class_matrix: np.ndarray) -> np.ndarray:
    """The reference (ConSE): whole-photo posteriors -> word space, cosine to the mean query.

    No keywords, no regions, no training: ImageNet posteriors + WordNet synonyms and parents +
    word vectors. The floor AMC must beat.
    """
    ids, probs = batch.region_ids[:, -1], batch.region_probs[:, -1]  # (B, k) whole photo
    photo = (probs[..., None] * class_matrix[ids]).sum(axis=1)  # (B, D)
    return unit(photo) @ unit(query.vectors.mean(axis=0))
