"""Names and outputs of the exported graphs (no torch here: search imports this at run time)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amc_core.words.keyword import SOURCES

HEAD_NAME = "amc_head.onnx"
QUERY_NAME = "amc_query.onnx"
# region_weights: the stored posteriors flattened and divided by their region's mixed norm,
# made outside the graph from the bridge file beside it (amc_core/search/bridge.py)
HEAD_INPUTS = ("q_vectors", "q_weights", "q_token_intents", "q_spread", "region_ids",
               "region_weights", "kw_sims", "kw_conf", "kw_source", "kw_mask")  # fmt: skip
QUERY_FEEDS = frozenset(HEAD_INPUTS[:4])  # the query's own inputs; the rest are per photo
# modality: (B, 2) visual and language weight; word_visual: (B, T) each query word's visual
# weight (MTN weighs per word, amc_core/learn/model.py); word_regions: (B, T, R) where VAN
# looked for each word (region_attention: their mean, each word weighed by its weight in the
# query times its visual weight)
HEAD_OUTPUTS = ("scores", "region_attention", "keyword_attention", "modality", "word_visual",
                "word_regions")  # fmt: skip
QUERY_INPUTS = ("word_vectors",)
# the head's metadata: how many keyword source slots it has (every source + "other")
SOURCES_KEY = "keyword_sources"
# VAN's class vectors (E + dE) and posterior temperature, beside the head; the head's metadata
# holds the file's SHA-256 (BRIDGE_KEY) so a head is never run with another head's bridge
BRIDGE_NAME = "amc_bridge.npz"
BRIDGE_KEY = "bridge_sha256"
N_SOURCE_SLOTS = len(SOURCES) + 1
QUERY_OUTPUTS = ("token_vectors", "query_vector")


@dataclass
class Scored:
    scores: np.ndarray  # (B,)
    region_attention: np.ndarray  # (B, R)
    keyword_attention: np.ndarray  # (B, K)
    modality: np.ndarray  # (B, 2) visual, language
    word_visual: np.ndarray  # (B, T) each query word's visual weight (its language: 1 - it)
    word_regions: np.ndarray  # (B, T, R) each query word's attention over the regions
