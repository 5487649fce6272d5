"""The approximate nearest-neighbour index over photos' query-independent vectors.

One owner of ``vectors.hnsw`` beside the catalog. Labels are catalog photo ids. It grows
(resize_index), forgets deleted photos (mark_deleted), keeps ef above k, and is written
atomically (a temporary file, then rename) only after a complete update, never while adding.
``vectors.json`` records the dimension and how many photos it holds; the engine compares the
ids it holds with the catalog's and adds or removes the difference, so a crash or a missing
or damaged file costs a rebuild, never a wrong result.

Beside the graph it keeps an 8-bit copy of every vector (``vectors.codes.npz``, one row per
photo id, 256 B a photo): scoring a few thousand given photos exactly (keyword hits, filtered
sets, the cut to what the head re-ranks) reads rows from it in microseconds, where hnswlib's
``get_items`` costs ~10 us a photo. A missing or stale copy is re-derived from the graph.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import zipfile
from collections.abc import Set
from pathlib import Path

import hnswlib
import numpy as np

from amc_core.errors import LibraryError
from amc_core.store.layout import VECTOR_CODES_NAME, VECTOR_GRAPH_NAME, VECTOR_META_NAME

M = 16  # 32 measured no better at 10^6 (recall@100 +0.002-0.004) for 128 B more a photo
EF_CONSTRUCTION = 200
EF_SEARCH = 2048  # recall@100 vs brute force: 0.98 at 10^5 (1024: 0.97); scale.py
LARGE_LIBRARY = 250_000  # beyond it, 2 x EF_SEARCH: at 10^6 recall 0.94 -> 0.96 for +1.6 ms
_CODE_MAX = 127.0


class VectorIndex:
    def __init__(self, folder: Path, dim: int, threads: int | None = None) -> None:
        self.folder = folder
        self.dim = dim
        self.threads = threads or max(1, os.cpu_count() or 1)
        self._index = self._empty(1024)
        self._ids: set[int] = set()
        self._deleted: set[int] = set()  # marked deleted in hnswlib, label still present
        self._codes = np.zeros((0, dim), np.int8)  # (ids, D): row = photo id
        self._scales = np.zeros(0, np.float32)  # (ids,): vector = codes * scale
        self._lock = threading.RLock()
        self.unsaved = True  # not on disk as it is now: new, changed, or its copy re-derived
        self._loaded_stamp: tuple[int, int] | None = None  # the saved files' stamp when read

    def _empty(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="ip", dim=self.dim)  # unit vectors: inner product = cosine
        index.init_index(max_elements=capacity, ef_construction=EF_CONSTRUCTION, M=M,
                         allow_replace_deleted=True)  # fmt: skip
        index.set_ef(EF_SEARCH)
        index.set_num_threads(self.threads)
        return index

    @property
    def path(self) -> Path:
        return self.folder / VECTOR_GRAPH_NAME

    @property
    def codes_path(self) -> Path:
        return self.folder / VECTOR_CODES_NAME

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> frozenset[int]:
        """A snapshot of the photo ids held (a copy: take it once, not per photo)."""
        with self._lock:
            return frozenset(self._ids)

    def holding(self, ids: list[int]) -> list[int]:
        """The given ids that the index holds, in order (no copy of the whole id set)."""
        with self._lock:
            return [i for i in ids if i in self._ids]

    def saved_count(self) -> int | None:
        """How many photos the saved index holds, from its small record (the graph is not
        read); None when there is no readable save."""
        try:
            meta = json.loads((self.folder / VECTOR_META_NAME).read_text())
            graph_bytes = self.path.stat().st_size
        except (OSError, ValueError):
            return None
        if meta.get("dim") != self.dim or meta.get("index_bytes") != graph_bytes:
            return None
        count = meta.get("count")
        return count if isinstance(count, int) else None

    def changed_on_disk(self) -> bool:
        """True when the saved index is not the one this object read (another process saved)."""
        return self._disk_stamp() != self._loaded_stamp

    def _disk_stamp(self) -> tuple[int, int] | None:
        try:
            stat = (self.folder / VECTOR_META_NAME).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def load(self) -> bool:
        """Read the saved index; False (and empty) when it is missing, foreign or damaged."""
        self._loaded_stamp = self._disk_stamp()
        meta_path = self.folder / VECTOR_META_NAME
        if not self.path.is_file() or not meta_path.is_file():
            return False
        try:
            meta = json.loads(meta_path.read_text())
            if meta.get("dim") != self.dim or meta.get("index_bytes") != self.path.stat().st_size:
                return False  # another model's vectors, or the two files are from two saves
            index = hnswlib.Index(space="ip", dim=self.dim)
            index.load_index(str(self.path), max_elements=int(meta["capacity"]),
                             allow_replace_deleted=True)  # fmt: skip
            labels = index.get_ids_list()
            deleted = set(meta.get("deleted", []))
        except (OSError, RuntimeError, ValueError, KeyError, TypeError):
            return False
        index.set_ef(EF_SEARCH)
        index.set_num_threads(self.threads)
        with self._lock:
            self._index = index
            self._ids = {int(i) for i in labels} - deleted
            self._deleted = deleted
            self.unsaved = False
            if not self._load_codes(meta.get("codes_bytes")):
                self._derive_codes()
                self.unsaved = True
        return True

    def _load_codes(self, expected_bytes: object) -> bool:
        try:
            if expected_bytes != self.codes_path.stat().st_size:
                return False  # missing, or from another save than the graph
            with np.load(self.codes_path) as saved:
                codes, scales = saved["codes"], saved["scales"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return False  # damaged: derive it again
        if codes.dtype != np.int8 or codes.ndim != 2 or codes.shape[1] != self.dim:
            return False
        if scales.shape != (len(codes),) or (self._ids and max(self._ids) >= len(codes)):
            return False
        self._codes, self._scales = codes, scales.astype(np.float32)
        return True

    def _derive_codes(self) -> None:
        """Rebuild the 8-bit copy from the graph's own vectors (an older library, a lost file)."""
        held = np.array(sorted(self._ids), np.int64)
        for start in range(0, len(held), 50_000):
            chunk = held[start : start + 50_000]
            vectors = np.asarray(self._index.get_items(chunk.tolist()), np.float32)
            self._store_codes(chunk, vectors.reshape(len(chunk), self.dim))

    def _store_codes(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        needed = int(ids.max()) + 1
        if needed > len(self._codes):
            size = max(needed, 2 * len(self._codes), 1024)
            codes = np.zeros((size, self.dim), np.int8)
            codes[: len(self._codes)] = self._codes
            scales = np.zeros(size, np.float32)
            scales[: len(self._scales)] = self._scales
            self._codes, self._scales = codes, scales
        peak = np.maximum(np.abs(vectors).max(axis=1), 1e-12)  # (N,)
        self._codes[ids] = np.rint(vectors * (_CODE_MAX / peak[:, None])).astype(np.int8)
        self._scales[ids] = peak / _CODE_MAX

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace (N,) photo ids with their (N, D) unit vectors."""
        if len(ids) == 0:
            return
        with self._lock:
            needed = self._index.get_current_count() + len(ids)
            if needed > self._index.get_max_elements():
                self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))
            fresh = np.array([i not in self._ids for i in ids.tolist()])
            self._index.add_items(vectors.astype(np.float32), ids.astype(np.int64),
                                  replace_deleted=True)  # fmt: skip
            self._ids.update(int(i) for i in ids)
            self._deleted.difference_update(int(i) for i in ids[fresh])
            self._store_codes(ids.astype(np.int64), vectors.astype(np.float32))
            self.unsaved = True

    def remove(self, ids: Set[int]) -> None:
        with self._lock:
            for photo_id in ids & self._ids:
                # already marked when a save predates our bookkeeping
                with contextlib.suppress(RuntimeError):
                    self._index.mark_deleted(photo_id)
                self._ids.discard(photo_id)
                self._deleted.add(photo_id)
                self.unsaved = True

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(D,) unit query -> up to k (photo ids, cosine similarities), best first."""
        with self._lock:
            k = min(k, len(self._ids))
            if k <= 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            ef = EF_SEARCH if len(self._ids) <= LARGE_LIBRARY else 2 * EF_SEARCH
            self._index.set_ef(max(ef, k + 16))
            labels, distances = self._index.knn_query(vector[None].astype(np.float32), k=k)
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def scores(self, ids: np.ndarray, query: np.ndarray, chunk: int = 8192) -> np.ndarray:
        """(N,) approximate cosine of (D,) query with each held photo of (N,) ids, from the
        8-bit copy (error < 0.01): for choosing among many photos, not for final scores."""
        out = np.empty(len(ids), np.float32)
        q = query.astype(np.float32)
        with self._lock:
            for start in range(0, len(ids), chunk):  # bounded temporaries for large sets
                part = ids[start : start + chunk]
                rows = self._codes[part].astype(np.float32)  # (n, D)
                out[start : start + chunk] = (rows @ q) * self._scales[part]
        return out

    def vectors(self, ids: list[int]) -> np.ndarray:
        """(N, D) stored vectors of indexed ids (for scoring a filtered set without the ANN)."""
        with self._lock:
            return np.asarray(self._index.get_items(ids), dtype=np.float32).reshape(
                len(ids), self.dim
            )

    def save(self) -> None:
        """Write atomically: the old file stays valid until the new one is complete."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        codes_tmp = self.folder / (VECTOR_CODES_NAME + ".tmp")
        try:
            with self._lock:
                self._index.save_index(str(tmp))
                used = max(self._ids, default=-1) + 1
                with codes_tmp.open("wb") as out:  # np.savez would add ".npz" to a bare name
                    np.savez(out, codes=self._codes[:used], scales=self._scales[:used])
                meta = {
                    "dim": self.dim,
                    "capacity": self._index.get_max_elements(),
                    "count": len(self._ids),
                    "deleted": sorted(self._deleted),
                    "index_bytes": tmp.stat().st_size,
                    "codes_bytes": codes_tmp.stat().st_size,
                }
            meta_tmp = self.folder / (VECTOR_META_NAME + ".tmp")
            meta_tmp.write_text(json.dumps(meta))
            os.replace(tmp, self.path)
            os.replace(codes_tmp, self.codes_path)
            os.replace(meta_tmp, self.folder / VECTOR_META_NAME)
            self.unsaved = False
            self._loaded_stamp = self._disk_stamp()
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            codes_tmp.unlink(missing_ok=True)
            raise LibraryError(f"cannot save the vector index: {exc.strerror or exc}") from exc
