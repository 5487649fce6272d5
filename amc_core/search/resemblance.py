"""Photos that look like a query's best matches rise: pseudo-relevance feedback (Rocchio's,
from text retrieval), on what the encoder sees of the whole photo.

After the head has scored the candidates, the mean look (the unit pooled encoder vector) of
the RESEMBLANCE_TOP best is the query's picture, and each candidate gains RESEMBLANCE_WEIGHT
times its cosine with it, times how much the query is about the picture (MTN's mean visual
weight): a beach query's other beaches come up, a place or date query hardly moves. Photos
without stored features gain nothing.

Dev split, every ranker followed by it (`amc eval`): full AMC NDCG@10 0.770 -> 0.784
(+0.014, 95% interval [+0.005, +0.026]), scenes 0.634 -> 0.685, materials 0.251 -> 0.309;
uniform pooling 0.746 -> 0.749, fixed fusion 0.750 -> 0.749. The top 2, 3, 4 or 5 and weights
0.4 to 0.75 all gained (+0.005 to +0.014); the plain mean of the top 3 at 0.5 is the one kept.
"""

from __future__ import annotations

import numpy as np

from amc_core.arrays import unit

RESEMBLANCE_TOP = 3
RESEMBLANCE_WEIGHT = 0.5


def resemblance(scores: np.ndarray, looks: np.ndarray, visual_weight: float) -> np.ndarray:
    """(B,) head scores, (B, C) uint8 looks as the batch holds them, the query's mean visual
    weight -> (B,) what each photo gains."""
    gain = np.zeros(len(scores), dtype=np.float32)
    if len(scores) < 2 or looks.shape[1] == 0:
        return gain
    pooled = looks.astype(np.float32)
    pooled *= pooled  # (B, C) each pooled vector up to its scale
    norms = np.sqrt(np.einsum("bc,bc->b", pooled, pooled))  # (B,)
    top = min(RESEMBLANCE_TOP, len(scores))
    best = np.argpartition(-scores, top - 1)[:top]
    centre = unit((pooled[best] / np.maximum(norms[best], 1e-8)[:, None]).mean(axis=0))  # (C,)
    likeness = (pooled @ centre) / np.maximum(norms, 1e-8)  # (B,) cosines, 0 without a look
    gain[:] = RESEMBLANCE_WEIGHT * visual_weight * np.clip(likeness, 0.0, None)
    return gain
