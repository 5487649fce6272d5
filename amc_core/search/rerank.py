"""The exported AMC head and query encoder, run through onnxruntime (CUDA or CPU)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from onnxruntime import InferenceSession

from amc_core.runtime import ModelError, SessionFactory
from amc_core.search.bridge import Bridge, BridgeError
from amc_core.search.graph_io import (
    BRIDGE_KEY,
    BRIDGE_NAME,
    HEAD_INPUTS,
    HEAD_NAME,
    HEAD_OUTPUTS,
    N_SOURCE_SLOTS,
    QUERY_FEEDS,
    QUERY_NAME,
    QUERY_OUTPUTS,
    SOURCES_KEY,
    Scored,
)
from amc_core.search.terms import ParsedQuery
from amc_core.store.batch import N_REGIONS, PERSON_WORD, PhotoBatch

BATCH = 256  # candidates per session call: large enough for the GPU, small enough for RAM


def head_fits(session: object) -> bool:
    """Whether a head graph is this version's: it knows every keyword source this version
    stores (a head made before a source was appended would read past its table) and takes
    the inputs search feeds (region weights from its bridge, each word's intent) and gives
    the outputs it reads (each word's modality weights)."""
    meta = session.get_modelmeta().custom_metadata_map  # type: ignore[attr-defined]
    inputs = tuple(i.name for i in session.get_inputs())  # type: ignore[attr-defined]
    outputs = tuple(o.name for o in session.get_outputs())  # type: ignore[attr-defined]
    fits = meta.get(SOURCES_KEY) == str(N_SOURCE_SLOTS)
    return fits and inputs == HEAD_INPUTS and outputs == HEAD_OUTPUTS


class OnnxRanker:
    """Scores candidates for a query with amc_head.onnx (and its amc_bridge.npz); encodes
    queries with amc_query.onnx."""

    def __init__(self, sessions: SessionFactory, head_dir: Path, query_dir: Path) -> None:
        self.note = ""  # why the library's own head is not used, when it is not
        loaded = _load_head(sessions, head_dir)
        if loaded is None and head_dir != query_dir:
            loaded = _load_head(sessions, query_dir)
            self.note = (
                "this library's fine-tuned ranking was made by an earlier version; the default "
                "ranking is used until you improve it again"
            )
        if loaded is None:
            raise ModelError(
                f"the ranking model in {query_dir} does not fit this version; reinstall AMC "
                "Photo Search"
            )
        self._head, self._bridge = loaded
        self._query = sessions.create(query_dir / QUERY_NAME)
        self.provider = sessions.provider
        self._lock = threading.Lock()  # sessions are thread-safe, but one query at a time is
        # what the app needs and keeps latency predictable

    @property
    def person_row(self) -> int | None:
        """The bridge row the photos' found faces vouch for (load_batch's person_row)."""
        return self._bridge.row_of(PERSON_WORD)

    def encode_query(self, raw_word_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(T, D) raw word vectors -> centred unit token vectors (T, D), unit mean vector (D,)."""
        tokens, mean = self._query.run(list(QUERY_OUTPUTS), {"word_vectors": raw_word_vectors})
        return np.asarray(tokens), np.asarray(mean)

    def score(self, query: ParsedQuery, batch: PhotoBatch) -> Scored:
        """Every candidate scored: the keyword similarities made once, the head run in chunks."""
        feeds = dict(zip(HEAD_INPUTS, (
            query.vectors, query.weights, query.token_intents, query.spread,
            self._bridge.known_ids(batch.region_ids),
            self._bridge.region_weights(batch.region_ids, batch.region_probs, batch.photo_ids),
            batch.keyword_sims(query.vectors, query.content_tokens), batch.kw_conf, batch.kw_source, batch.kw_mask,
        ), strict=True))  # fmt: skip
        parts = [self._score_chunk(feeds, slice(i, i + BATCH)) for i in range(0, len(batch), BATCH)]
        if not parts:
            empty = np.zeros((0,), np.float32)
            words = np.zeros((0, len(query.tokens)))
            regions = np.zeros((0, len(query.tokens), N_REGIONS))
            return Scored(
                empty, np.zeros((0, N_REGIONS)), np.zeros((0, 0)), np.zeros((0, 2)), words, regions
            )
        return Scored(*(np.concatenate(outputs) for outputs in zip(*parts, strict=True)))

    def _score_chunk(self, feeds: dict[str, np.ndarray], rows: slice) -> list[np.ndarray]:
        chunk = {
            name: value if name in QUERY_FEEDS else value[rows] for name, value in feeds.items()
        }
        with self._lock:
            return [np.asarray(x) for x in self._head.run(list(HEAD_OUTPUTS), chunk)]


def _load_head(sessions: SessionFactory, folder: Path) -> tuple[InferenceSession, Bridge] | None:
    """The head graph of a folder with its own bridge; None when it is not this version's
    (older inputs or sources, or a bridge it was not made with)."""
    head = sessions.create(folder / HEAD_NAME)
    if not head_fits(head):
        return None
    digest = head.get_modelmeta().custom_metadata_map.get(BRIDGE_KEY)
    if digest is None:
        return None
    try:
        return head, Bridge.load(folder / BRIDGE_NAME, digest)
    except BridgeError:
        return None
