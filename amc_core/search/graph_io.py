"""Names and outputs of the exported graphs (no torch here: search imports this at run time)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amc_core.words.keyword import SOURCES

HEAD_NAME = "amc_head.onnx"
QUERY_NAME = "amc_query.onnx"
HEAD_INPUTS = ("q_vectors", "q_weights", "q_intent", "region_ids", "region_probs",
               "kw_sims", "kw_conf", "kw_source", "kw_mask")  # fmt: skip
HEAD_OUTPUTS = ("scores", "region_attention", "keyword_attention", "modality")
QUERY_INPUTS = ("word_vectors",)
# the head's metadata: how many keyword source slots it has (every source + "other")
SOURCES_KEY = "keyword_sources"
N_SOURCE_SLOTS = len(SOURCES) + 1
QUERY_OUTPUTS = ("token_vectors", "query_vector")


@dataclass
class Scored:
    scores: np.ndarray  # (B,)
    region_attention: np.ndarray  # (B, R)
    keyword_attention: np.ndarray  # (B, K)
    modality: np.ndarray  # (B, 2) visual, language
