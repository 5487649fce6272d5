"""The exported AMC head and query encoder, run through onnxruntime (CUDA or CPU)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from amc_core.runtime import SessionFactory
from amc_core.search.graph_io import (
    HEAD_INPUTS,
    HEAD_NAME,
    HEAD_OUTPUTS,
    N_SOURCE_SLOTS,
    QUERY_NAME,
    QUERY_OUTPUTS,
    SOURCES_KEY,
    Scored,
)
from amc_core.search.terms import ParsedQuery
from amc_core.store.batch import PhotoBatch

BATCH = 256  # candidates per session call: large enough for the GPU, small enough for RAM
QUERY_FEEDS = frozenset(HEAD_INPUTS[:3])  # the query's own inputs; the rest are per photo


def head_fits(session: object) -> bool:
    """Whether a head graph knows every keyword source this version stores (a head made
    before a source was appended would read past its table)."""
    meta = session.get_modelmeta().custom_metadata_map  # type: ignore[attr-defined]
    return meta.get(SOURCES_KEY) == str(N_SOURCE_SLOTS)


class OnnxRanker:
    """Scores candidates for a query with amc_head.onnx; encodes queries with amc_query.onnx."""

    def __init__(self, sessions: SessionFactory, head_dir: Path, query_dir: Path) -> None:
        self._head = sessions.create(head_dir / HEAD_NAME)
        self.note = ""  # why the library's own head is not used, when it is not
        if head_dir != query_dir and not head_fits(self._head):
            self._head = sessions.create(query_dir / HEAD_NAME)
            self.note = (
                "this library's fine-tuned ranking was made before a new kind of keyword "
                "(person names) existed; the default ranking is used until you improve it again"
            )
        self._query = sessions.create(query_dir / QUERY_NAME)
        self.provider = sessions.provider
        self._lock = threading.Lock()  # sessions are thread-safe, but one query at a time is
        # what the app needs and keeps latency predictable

    def encode_query(self, raw_word_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(T, D) raw word vectors -> centred unit token vectors (T, D), unit mean vector (D,)."""
        tokens, mean = self._query.run(list(QUERY_OUTPUTS), {"word_vectors": raw_word_vectors})
        return np.asarray(tokens), np.asarray(mean)

    def score(self, query: ParsedQuery, batch: PhotoBatch) -> Scored:
        """Every candidate scored: the keyword similarities made once, the head run in chunks."""
        feeds = dict(zip(HEAD_INPUTS, (
            query.vectors, query.weights, query.intent, batch.region_ids, batch.region_probs,
            batch.keyword_sims(query.vectors), batch.kw_conf, batch.kw_source, batch.kw_mask,
        ), strict=True))  # fmt: skip
        parts = [self._score_chunk(feeds, slice(i, i + BATCH)) for i in range(0, len(batch), BATCH)]
        if not parts:
            empty = np.zeros((0,), np.float32)
            return Scored(empty, np.zeros((0, 10)), np.zeros((0, 0)), np.zeros((0, 2)))
        return Scored(*(np.concatenate(outputs) for outputs in zip(*parts, strict=True)))

    def _score_chunk(self, feeds: dict[str, np.ndarray], rows: slice) -> list[np.ndarray]:
        chunk = {
            name: value if name in QUERY_FEEDS else value[rows] for name, value in feeds.items()
        }
        with self._lock:
            return [np.asarray(x) for x in self._head.run(list(HEAD_OUTPUTS), chunk)]
