"""The search engine: candidates (vector index + keyword index + filters), AMC re-ranking
through onnxruntime, and the explanation of every result.

query text -> query language -> tokens -> query encoder -> candidates -> re-rank -> explain

One engine per library and thread: it owns its catalog connection, the vector index and the
ONNX sessions (loaded once, by `preload`, before the first query in the app).
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import numpy as np

from amc_core.arrays import unit
from amc_core.errors import UserInputError
from amc_core.resources import resources_dir
from amc_core.runtime import SessionFactory, single_threaded_blas, steady_search_memory
from amc_core.search.assemble import listed_results, ranked_results
from amc_core.search.filters import apply_words, filtered_ids
from amc_core.search.graph_io import HEAD_NAME
from amc_core.search.library_lexicon import library_lexicon
from amc_core.search.query import Query, QueryError, parse
from amc_core.search.rerank import OnnxRanker
from amc_core.search.results import SearchResponse, SearchResult
from amc_core.search.strong import strong_count
from amc_core.search.terms import Lexicon, ParsedQuery, parse_query
from amc_core.store.batch import KeywordVectors, load_batch
from amc_core.store.catalog import Catalog
from amc_core.store.features import pooled_vector
from amc_core.store.keyword_rows import read_rows
from amc_core.store.layout import ensure_library_dir, restrict_to_user
from amc_core.store.photo_vectors import follow_catalog
from amc_core.store.vector_index import VectorIndex
from amc_core.words.space import SemanticSpace, semantic_space

ANN_CANDIDATES = 400  # from the vector index, before re-ranking
KEYWORD_CANDIDATES = 300  # per query token: its full-text hits closest to the query
KEYWORD_POOL = 4000  # per query token: the full-text hits those are chosen from
EXACT_FILTERED_MAX = 60_000  # filtered sets up to this size are scored exactly, not by the ANN
RERANK_MAX = 800  # the most photos the AMC head scores for one query


class SearchEngine:
    """Reads a library (catalog, vector index, keyword vectors) and never writes it: indexing
    keeps what it reads complete."""

    def __init__(self, library_dir: Path, sessions: SessionFactory | None = None) -> None:
        self.paths = ensure_library_dir(library_dir)
        self.catalog = Catalog.open(self.paths.catalog)
        restrict_to_user(self.paths.catalog)
        self.sessions = sessions or SessionFactory()
        single_threaded_blas()
        steady_search_memory()
        self._space: SemanticSpace | None = None
        self._ranker: OnnxRanker | None = None
        self._index: VectorIndex | None = None
        self._keyword_vectors: KeywordVectors | None = None
        self._lexicon: Lexicon | None = None
        self._synced_at: int | None = None  # catalog.others_changes() at the last refresh
        self._lock = threading.RLock()

    # -- lifecycle ---------------------------------------------------------------

    def preload(self) -> None:
        """Load models, word vectors and the vector index now, not at the first query."""
        with self._lock:
            self._ensure_loaded()
            self.refresh()
            self.search("warm up the word pieces and sessions", 1)
        # What is loaded now lives as long as the process: the cyclic garbage collector need
        # not walk it again, and its full passes (8 ms at 10^5 photos, every ~40 searches)
        # stop showing in search latency.
        gc.freeze()

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def provider(self) -> str:
        return self._ensure_loaded()[1].provider

    @property
    def note(self) -> str:
        """Something the user should know about the ranking in use ("" when all is well)."""
        return self._ranker.note if self._ranker is not None else ""

    def _ensure_loaded(self) -> tuple[SemanticSpace, OnnxRanker, VectorIndex, KeywordVectors]:
        if self._ranker is None:
            self._space = semantic_space()
            own = self.paths.models
            models = own if (own / HEAD_NAME).is_file() else resources_dir() / "models"
            self._ranker = OnnxRanker(self.sessions, models, resources_dir() / "models")
            self._index = VectorIndex(self.paths.root, self._space.dim)
            self._index.load()
            self._keyword_vectors = self._read_keyword_vectors(self._space)
        if self._lexicon is None:  # the library's own words: folder names, people's names
            self._lexicon = library_lexicon(self.catalog)
        assert self._space is not None and self._index is not None
        assert self._keyword_vectors is not None
        return self._space, self._ranker, self._index, self._keyword_vectors

    def _read_keyword_vectors(self, space: SemanticSpace) -> KeywordVectors:
        saved = read_rows(self.paths.keyword_vectors, space.centre)
        return KeywordVectors(self.catalog, space, saved)

    def refresh(self) -> tuple[int, int]:
        """Follow what another connection (the indexer) wrote: re-read the saved vector index
        and keyword vectors when indexing saved new ones, and fill in, in memory only, the
        photos it committed since (searchable while a long run goes on).

        Returns (added, removed) in memory. Free when no other connection wrote since the last
        refresh; never writes the library.
        """
        with self._lock:
            space, _, index, _ = self._ensure_loaded()
            version = self.catalog.others_changes()  # before reading: a later write
            if version == self._synced_at:  # shows as a new version next time
                return 0, 0
            if index.changed_on_disk():
                self._index = index = VectorIndex(self.paths.root, space.dim)
                index.load()
                self._keyword_vectors = self._read_keyword_vectors(space)
            assert self._keyword_vectors is not None
            changes = follow_catalog(index, self.catalog, self._keyword_vectors, space)
            self._lexicon = library_lexicon(self.catalog)
            self._synced_at = version
            return changes

    # -- search ------------------------------------------------------------------

    def search(self, text: str, top: int = 100) -> SearchResponse:
        started = time.perf_counter()
        try:
            query = parse(text)
        except QueryError as exc:
            return SearchResponse(text, error=str(exc))
        if top < 1:
            raise UserInputError("top must be at least 1")
        with self._lock:
            space, ranker, index, keyword_vectors = self._ensure_loaded()
            parsed = parse_query(query, space, self._lexicon, ranker.encode_query)
            allowed = filtered_ids(self.catalog, query) if query.has_sql_filters else None
            sources = self._candidates(query, parsed, allowed, index)
            ids = self._narrow(list(sources), query, parsed, index)
            results = self._rank(ids, sources, query, parsed, ranker, keyword_vectors, top)
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResponse(text, results, len(ids), elapsed)

    def _candidates(
        self, query: Query, parsed: ParsedQuery, allowed: set[int] | None, index: VectorIndex
    ) -> dict[int, str]:
        found: dict[int, str] = {}
        if parsed.empty:
            # filters only: every photo they allow, newest first (capture date, else file date)
            return dict.fromkeys(self.catalog.newest_first(allowed or set()), "filter")
        if allowed is not None and len(allowed) <= RERANK_MAX:
            return dict.fromkeys(allowed, "filter")
        query_vector = parsed.mean_vector
        assert query_vector is not None
        for photo_id in self._vector_hits(query_vector, allowed, index):
            found[photo_id] = "vector"
        for token in parsed.tokens:
            for photo_id in self._keyword_hits(token.words, query_vector, index):
                found[photo_id] = "vector+keywords" if photo_id in found else "keywords"
        if allowed is not None:
            found = {p: s for p, s in found.items() if p in allowed}
        return found

    def _vector_hits(
        self, query_vector: np.ndarray, allowed: set[int] | None, index: VectorIndex
    ) -> list[int]:
        """The photos closest to the query: by the ANN, or exactly within a filtered set (the
        ANN's neighbours of an unfiltered query may hold few of the photos a filter allows)."""
        if allowed is not None and len(allowed) <= EXACT_FILTERED_MAX:
            return _closest(index, index.holding(list(allowed)), query_vector, ANN_CANDIDATES)
        k = ANN_CANDIDATES if allowed is None else min(len(index), ANN_CANDIDATES * 8)
        return [int(i) for i in index.search(query_vector, k)[0]]

    def _keyword_hits(
        self, words: list[str], query_vector: np.ndarray, index: VectorIndex
    ) -> list[int]:
        """Photos whose keywords hold the token; of a common one, those closest to the query."""
        hits = self.catalog.full_text_hits(words, KEYWORD_POOL)
        if len(hits) <= KEYWORD_CANDIDATES:
            return hits
        return _closest(index, index.holding(hits), query_vector, KEYWORD_CANDIDATES)

    def _narrow(
        self, ids: list[int], query: Query, parsed: ParsedQuery, index: VectorIndex
    ) -> list[int]:
        """Apply exclusions and required phrases; cap what the head scores, by vector score."""
        ids = apply_words(self.catalog, ids, query)
        if len(ids) > RERANK_MAX:
            if parsed.empty or parsed.mean_vector is None:  # filters only: keep the newest
                return ids[:RERANK_MAX]
            ids = _closest(index, index.holding(ids), parsed.mean_vector, RERANK_MAX)
        return ids

    def _rank(
        self, ids: list[int], sources: dict[int, str], query: Query, parsed: ParsedQuery,
        ranker: OnnxRanker, keyword_vectors: KeywordVectors, top: int,
    ) -> list[SearchResult]:  # fmt: skip
        if not ids:
            return []
        if parsed.empty:  # filters only: listed as the candidate stage ordered them
            listed = ids[:top]
            return listed_results(listed, self.catalog.shown_rows(listed))
        batch = load_batch(self.catalog, keyword_vectors, ids, ranker.person_row)
        scored = ranker.score(parsed, batch)
        order = np.argsort(-scored.scores, kind="stable")[:top]
        strong = strong_count(scored.scores)  # from all the scored candidates, not the shown
        shown = self.catalog.shown_rows([ids[i] for i in order])
        return ranked_results(batch, scored, order, strong, sources, shown,
                              self.catalog.keyword_text, [t.text for t in parsed.tokens])  # fmt: skip

    # -- explain and similar -------------------------------------------------------

    def photo_id(self, path: str) -> int:
        real = os.path.realpath(os.path.expanduser(path))
        found = self.catalog.photo_state(real)
        if found is None:
            raise UserInputError(f"not a photo of this library: {path} (index its folder first)")
        if found[1] != "ok":
            raise UserInputError(f"this photo could not be indexed: {path}")
        return found[0]

    def explain(self, text: str, photo_id: int) -> SearchResult:
        """Why this photo ranks for this query (whether or not it is among the top results)."""
        query = parse(text)
        with self._lock:
            space, ranker, index, keyword_vectors = self._ensure_loaded()
            parsed = parse_query(query, space, self._lexicon, ranker.encode_query)
            found = self._candidates(query, parsed, None, index) if not parsed.empty else {}
            source = found.get(photo_id, "not a candidate: scored on request")
            return self._rank([photo_id], {photo_id: source}, query, parsed, ranker,
                              keyword_vectors, 1)[0]  # fmt: skip

    def similar(self, photo_id: int, top: int = 50) -> SearchResponse:
        """Photos that look alike: semantic neighbours, re-ranked by the CNN's pooled features."""
        started = time.perf_counter()
        with self._lock:
            _, _, index, _ = self._ensure_loaded()
            if photo_id not in index.ids:
                raise UserInputError("this photo is not in the search index yet")
            labels, _ = index.search(index.vectors([photo_id])[0], min(len(index), 400))
            ids = [int(i) for i in labels if int(i) != photo_id]
            features = self.catalog.features_of([photo_id, *ids])
            if photo_id not in features:
                return SearchResponse(f"similar:{photo_id}", error="no stored features")
            mine = unit(pooled_vector(features[photo_id]))
            scored = sorted(
                ((float(unit(pooled_vector(features[i])) @ mine), i) for i in ids if i in features),
                reverse=True,
            )[:top]
            shown = self.catalog.shown_rows([i for _, i in scored])
        results = [
            SearchResult(i, shown[i][0], s, 1.0, 0.0, [], shown[i][1], [], "similar",
                         date=shown[i][2])
            for s, i in scored
        ]  # fmt: skip
        return SearchResponse(f"similar:{photo_id}", results, len(ids),
                              (time.perf_counter() - started) * 1000)  # fmt: skip


def _closest(index: VectorIndex, held: list[int], query_vector: np.ndarray, k: int) -> list[int]:
    """The k of the held photo ids whose vectors are closest to the query, best first."""
    if len(held) <= k:
        return held
    ids = np.array(held, np.int64)
    scores = index.scores(ids, query_vector)
    best = np.argpartition(-scores, k - 1)[:k]
    return ids[best[np.argsort(-scores[best], kind="stable")]].tolist()
