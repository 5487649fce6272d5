"""Duplicate photos, found from what the index already holds (no photo is decoded again).

Exact copies share a content hash. Near-duplicates (the same photo resized, re-encoded,
lightly cropped or edited) are pairs whose stored visual vectors (the encoder's pooled
features) point the same way AND whose thumbnails match pixel for pixel once aligned: the
vector alone joins different frames of a burst (a pan of 15% keeps cosine 0.93-0.98), the
thumbnails alone join different photos of plain scenes; both together hold only for the same
picture. Thresholds measured on the dev set's 97 distinct photos and copies of 30 of them
(half size, 5% cut off each edge, brightened) and 15 simulated bursts: see NEAR_COSINE, ALIGNED.

Candidate pairs are each photo's nearest neighbours in a graph over the vectors' principal
components (hnswlib), never all pairs; only the thumbnails of candidates are read (a 256 px
JPEG decoded at 1/2 scale, ~2 ms).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import hnswlib
import numpy as np
from PIL import Image

from amc_core.store.catalog import Catalog
from amc_core.store.duplicates import DuplicateCandidate, duplicate_candidates
from amc_core.store.features import pooled_vector
from amc_core.store.thumbnails import ThumbnailStore

NEAR_COSINE = 0.88  # pooled visual vectors: copies measured >= 0.890, distinct photos <= 0.846
ALIGNED = 0.955  # thumbnails' best aligned correlation: copies >= 0.972, 15% pans <= 0.934
NEIGHBOURS = 10  # candidate pairs per photo from the vector graph
_REDUCED = 64  # the graph's dimension (principal components of the pooled vectors)
_SIDE = 32  # thumbnails compared as 32 x 32 grey...
_SCALES = (1.0, 0.95, 0.9, 0.85)  # ...of centred crops: a copy cut by up to 15% still aligns
_CHUNK = 2000
_FORMAT_RANK = {"RAW": 0, "TIFF": 1, "HEIF": 2, "AVIF": 2, "JPEG": 3}  # originals first

EXACT = "exact copy"
NEAR = "near duplicate"
KEEPER = "keeper"


@dataclass(frozen=True, slots=True)
class DuplicatePhoto:
    photo_id: int
    path: str
    width: int
    height: int
    size_bytes: int
    format: str
    taken_at: str | None
    content_hash: str
    reason: str  # KEEPER, EXACT (same bytes as the keeper) or NEAR

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path, "width": self.width, "height": self.height,
            "size_bytes": self.size_bytes, "format": self.format, "taken_at": self.taken_at,
            "reason": self.reason,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Photos of one picture; `photos[0]` is the suggested keeper."""

    photos: tuple[DuplicatePhoto, ...]

    @property
    def keeper(self) -> DuplicatePhoto:
        return self.photos[0]

    def with_keeper(self, photo_id: int) -> DuplicateGroup:
        """The same group with another keeper (the reasons follow it)."""
        chosen = next(p for p in self.photos if p.photo_id == photo_id)
        rest = [p for p in self.photos if p.photo_id != photo_id]
        return DuplicateGroup(_with_reasons(chosen, rest))

    def as_json(self) -> dict[str, object]:
        return {"keeper": self.keeper.path, "photos": [p.as_json() for p in self.photos]}


@dataclass(slots=True)
class DuplicatesProgress:
    """One step of the search: `groups` is filled on the last one (phase "done")."""

    phase: str  # "reading" | "comparing" | "done"
    done: int
    total: int
    groups: list[DuplicateGroup] = field(default_factory=list)
    elapsed_s: float = 0.0


def find_duplicates(
    catalog: Catalog, thumbnails: ThumbnailStore, cancel: threading.Event | None = None
) -> Iterator[DuplicatesProgress]:
    """Group the library's duplicate photos; yields progress, the groups on the last step
    (largest groups first). Reads the catalog and thumbnails only; cancelled, it stops
    without a last step."""
    start = time.perf_counter()
    by_hash: dict[str, list[DuplicateCandidate]] = {}
    for photo in duplicate_candidates(catalog):
        by_hash.setdefault(photo.content_hash, []).append(photo)
    hashes = sorted(by_hash)
    firsts = [by_hash[h][0].photo_id for h in hashes]  # one photo stands for its copies
    parts: list[np.ndarray] = []
    for done in range(0, len(firsts), _CHUNK):
        if cancel is not None and cancel.is_set():
            return
        yield DuplicatesProgress("reading", done, len(firsts), elapsed_s=_since(start))
        parts.append(_codes(catalog, firsts[done : done + _CHUNK]))
    dim = max((p.shape[1] for p in parts), default=0)
    codes = np.concatenate([p if p.shape[1] == dim else np.zeros((len(p), dim), np.int8)
                            for p in parts]) if parts else np.zeros((0, 0), np.int8)  # fmt: skip
    yield DuplicatesProgress("comparing", len(firsts), len(firsts), elapsed_s=_since(start))
    pairs = _candidate_pairs(codes)
    if pairs:  # the 8-bit copies first (error < 0.02), the stored vectors for the close ones
        a, b = np.array(pairs).T
        rough = np.einsum("ij,ij->i", codes[a].astype(np.float32), codes[b].astype(np.float32))
        pairs = [pair for pair, c in zip(pairs, rough / 127.0**2, strict=True)
                 if c >= NEAR_COSINE - 0.02]  # fmt: skip
    vectors = _vectors(catalog, {firsts[i]: i for pair in pairs for i in pair})
    pairs = [(a, b) for a, b in pairs if _cosine(vectors, a, b) >= NEAR_COSINE]
    looks = _Looks(thumbnails, hashes)
    parent = list(range(len(hashes)))
    for a, b in pairs:
        if cancel is not None and cancel.is_set():
            return
        if looks.aligned(a, b) >= ALIGNED:
            _union(parent, a, b)
    members: dict[int, list[DuplicateCandidate]] = {}
    for i, digest in enumerate(hashes):
        members.setdefault(_find(parent, i), []).extend(by_hash[digest])
    groups = [_group(m) for m in members.values() if len(m) > 1]
    groups.sort(key=lambda g: (-len(g.photos), g.keeper.path))
    yield DuplicatesProgress("done", len(firsts), len(firsts), groups, _since(start))


def _codes(catalog: Catalog, photo_ids: list[int]) -> np.ndarray:
    """(N, C) int8 unit pooled vectors x 127 (zero rows for photos without features)."""
    vectors = _vectors(catalog, {pid: i for i, pid in enumerate(photo_ids)})
    dim = next(iter(vectors.values())).shape[0] if vectors else 0
    out = np.zeros((len(photo_ids), dim), np.int8)
    for row, vector in vectors.items():
        out[row] = np.rint(vector * 127.0).astype(np.int8)
    return out


def _candidate_pairs(codes: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of rows that are among each other's nearest neighbours (cosine over the
    vectors' principal components: a graph of 10^5 photos builds in seconds)."""
    n = len(codes)
    if n < 2 or codes.shape[1] == 0:
        return []
    sample = codes[:: max(1, n // 2000)].astype(np.float32)
    centre = sample.mean(axis=0)
    spread = (sample - centre).T @ (sample - centre)  # (C, C): its top eigenvectors
    _, eigenvectors = np.linalg.eigh(spread)  # ascending
    basis = eigenvectors[:, ::-1][:, : min(_REDUCED, len(sample))].T  # (R, C)
    reduced = np.concatenate(
        [(codes[s : s + _CHUNK].astype(np.float32) - centre) @ basis.T for s in range(0, n, _CHUNK)]
    )
    reduced /= np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-6)
    graph = hnswlib.Index(space="ip", dim=reduced.shape[1])
    graph.init_index(max_elements=n, ef_construction=100, M=16)
    graph.add_items(reduced, np.arange(n))
    k = min(NEIGHBOURS + 1, n)
    graph.set_ef(max(64, k))
    labels, _ = graph.knn_query(reduced, k=k)
    pairs = {(min(i, int(j)), max(i, int(j))) for i, row in enumerate(labels) for j in row}
    return sorted((a, b) for a, b in pairs if a != b)


class _Looks:
    """Small grey copies of thumbnails, read once each, compared after alignment."""

    def __init__(self, thumbnails: ThumbnailStore, hashes: Sequence[str]) -> None:
        self._thumbnails, self._hashes = thumbnails, hashes
        self._seen: dict[int, np.ndarray | None] = {}

    def aligned(self, a: int, b: int) -> float:
        """The best correlation of the two thumbnails' centred crops (1: the same pixels up
        to brightness and contrast); -1 when one cannot be read."""
        ga, gb = self._grey(a), self._grey(b)
        if ga is None or gb is None:
            return -1.0
        return float((ga @ gb.T).max())

    def _grey(self, row: int) -> np.ndarray | None:
        if row not in self._seen:
            self._seen[row] = crops(self._thumbnails.path_for(self._hashes[row]))
        return self._seen[row]


def crops(thumbnail: Path) -> np.ndarray | None:
    """(len(_SCALES), _SIDE**2) centred crops of a thumbnail, grey, zero-mean, unit norm;
    None when it cannot be read."""
    try:
        with Image.open(thumbnail) as image:
            image.draft("L", (4 * _SIDE, 4 * _SIDE))  # JPEG: decoded at a reduced scale
            grey = image.convert("L")
            w, h = grey.size
            out = []
            for s in _SCALES:
                box = ((w - w * s) / 2, (h - h * s) / 2, (w + w * s) / 2, (h + h * s) / 2)
                small = grey.resize((_SIDE, _SIDE), Image.Resampling.BOX, box=box)
                out.append(np.asarray(small, np.float32).ravel())
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    stacked = np.stack(out)
    stacked -= stacked.mean(axis=1, keepdims=True)
    return stacked / np.maximum(np.linalg.norm(stacked, axis=1, keepdims=True), 1e-6)


def _cosine(vectors: dict[int, np.ndarray], a: int, b: int) -> float:
    if a not in vectors or b not in vectors:
        return -1.0
    return float(vectors[a] @ vectors[b])


def _vectors(catalog: Catalog, rows_of: dict[int, int]) -> dict[int, np.ndarray]:
    """Unit pooled visual vectors, keyed by row, of the photos given as {photo id: row}."""
    out: dict[int, np.ndarray] = {}
    for photo_id, blob in catalog.features_of(list(rows_of)).items():
        try:
            vector = pooled_vector(blob)
        except ValueError:
            continue  # damaged features: `amc repair` finds them; no near-duplicate claim
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            out[rows_of[photo_id]] = vector / norm
    return out


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(parent: list[int], a: int, b: int) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)


def keeper_order(photo: DuplicateCandidate) -> tuple[object, ...]:
    """Sort key of the suggested keeper: largest resolution, then an original format (camera
    raw, HEIF before JPEG before exports such as PNG/WebP), then the oldest (taken, then file
    time), then the path."""
    taken = photo.taken_at or "9999"
    rank = _FORMAT_RANK.get(photo.format, 4)
    return (-photo.width * photo.height, rank, taken, photo.mtime_ns, photo.path)


def _group(members: list[DuplicateCandidate]) -> DuplicateGroup:
    ordered = sorted(members, key=keeper_order)
    keeper = _photo(ordered[0], KEEPER)
    return DuplicateGroup(_with_reasons(keeper, [_photo(p, NEAR) for p in ordered[1:]]))


def _with_reasons(
    keeper: DuplicatePhoto, rest: Sequence[DuplicatePhoto]
) -> tuple[DuplicatePhoto, ...]:
    def reason(p: DuplicatePhoto) -> str:
        return EXACT if p.content_hash == keeper.content_hash else NEAR

    return (_replace_reason(keeper, KEEPER), *(_replace_reason(p, reason(p)) for p in rest))


def _replace_reason(photo: DuplicatePhoto, reason: str) -> DuplicatePhoto:
    return DuplicatePhoto(
        photo.photo_id, photo.path, photo.width, photo.height, photo.size_bytes, photo.format,
        photo.taken_at, photo.content_hash, reason,
    )  # fmt: skip


def _photo(c: DuplicateCandidate, reason: str) -> DuplicatePhoto:
    return DuplicatePhoto(
        c.photo_id, c.path, c.width, c.height, c.size, c.format, c.taken_at, c.content_hash,
        reason,
    )  # fmt: skip


def _since(start: float) -> float:
    return time.perf_counter() - start
