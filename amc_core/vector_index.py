"""The approximate nearest-neighbour index over photos' query-independent vectors.

One owner of ``vectors.hnsw`` beside the catalog. Labels are catalog photo ids. It grows
(resize_index), forgets deleted photos (mark_deleted), keeps ef above k, and is written
atomically (a temporary file, then rename) only after a complete update, never while adding.
``vectors.json`` records the dimension and how many photos it holds; the engine compares the
ids it holds with the catalog's and adds or removes the difference, so a crash or a missing
or damaged file costs a rebuild, never a wrong result.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Set
from pathlib import Path

import hnswlib
import numpy as np

from .errors import LibraryError

INDEX_NAME = "vectors.hnsw"
META_NAME = "vectors.json"
M = 16
EF_CONSTRUCTION = 200
EF_SEARCH = 1024  # recall@100 vs brute force: 0.97 at 10^5, 0.91 at 10^6 (512: 0.94, 0.85)


class VectorIndex:
    def __init__(self, folder: Path, dim: int, threads: int | None = None) -> None:
        self.folder = folder
        self.dim = dim
        self.threads = threads or max(1, os.cpu_count() or 1)
        self._index = self._empty(1024)
        self._ids: set[int] = set()
        self._deleted: set[int] = set()  # marked deleted in hnswlib, label still present
        self._lock = threading.RLock()
        self.loaded_from_disk = False

    def _empty(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="ip", dim=self.dim)  # unit vectors: inner product = cosine
        index.init_index(max_elements=capacity, ef_construction=EF_CONSTRUCTION, M=M,
                         allow_replace_deleted=True)  # fmt: skip
        index.set_ef(EF_SEARCH)
        index.set_num_threads(self.threads)
        return index

    @property
    def path(self) -> Path:
        return self.folder / INDEX_NAME

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

    def load(self) -> bool:
        """Read the saved index; False (and empty) when it is missing, foreign or damaged."""
        meta_path = self.folder / META_NAME
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
        self.loaded_from_disk = True
        return True

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

    def remove(self, ids: Set[int]) -> None:
        with self._lock:
            for photo_id in ids & self._ids:
                # already marked when a save predates our bookkeeping
                with contextlib.suppress(RuntimeError):
                    self._index.mark_deleted(photo_id)
                self._ids.discard(photo_id)
                self._deleted.add(photo_id)

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(D,) unit query -> up to k (photo ids, cosine similarities), best first."""
        with self._lock:
            k = min(k, len(self._ids))
            if k <= 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            self._index.set_ef(max(EF_SEARCH, k + 16))
            labels, distances = self._index.knn_query(vector[None].astype(np.float32), k=k)
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

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
        try:
            with self._lock:
                self._index.save_index(str(tmp))
                meta = {
                    "dim": self.dim,
                    "capacity": self._index.get_max_elements(),
                    "count": len(self._ids),
                    "deleted": sorted(self._deleted),
                    "index_bytes": tmp.stat().st_size,
                }
            meta_tmp = self.folder / (META_NAME + ".tmp")
            meta_tmp.write_text(json.dumps(meta))
            os.replace(tmp, self.path)
            os.replace(meta_tmp, self.folder / META_NAME)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise LibraryError(f"cannot save the vector index: {exc.strerror or exc}") from exc
