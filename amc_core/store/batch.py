"""Candidates as model inputs: stored posteriors and keyword sets -> padded arrays.

Search reads a few hundred candidates per query, so this is vectorised: the fixed-layout
feature blobs are parsed with one structured numpy view, the keyword sets (6 bytes a
keyword) with another, and keyword vectors are compared with the query once per distinct
keyword, not once per photo.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from amc_core.arrays import distinct
from amc_core.store.catalog import Catalog
from amc_core.store.features import HEADER, scene_evidence, sparse_posteriors, with_whole_photo
from amc_core.store.schema import KEYWORD_RECORD
from amc_core.words.keyword import SOURCES
from amc_core.words.space import SemanticSpace
from amc_core.words.vocabulary import TIMES_OF_DAY

N_REGIONS = 10  # 3x3 grid + the whole photo
TOP_K = 10
# After each region's TOP_K posteriors: the scene probe's SCENE_K most likely words, as the
# ids N + s (N classes, s the word's index in the probe) with their probabilities. On the dev
# split the best 4 of 14 ranked as all 14 did.
SCENE_K = 4
MAX_KEYWORDS = 100
# A query word for what a photo shows ("snow") meets a calendar keyword (a year, month,
# weekday, season or holiday: when, not what) only where it is that very word: "winter" sits
# 0.72 from "snow" in word space and took December photos without snow to the top (dev split:
# "snow" 0.31 -> 0.57 NDCG@10, no query lower). The time of day stays a match for
# "sunset", "night": it tells of the light.
SAME_WORD = 0.99
# The faces (and people seen whole) the faces pass found vouch for this word of the scene
# probe in the regions that hold them: the probe reads people from their bodies and misses
# small or turned faces that the face detector is sure of. On the dev split a person query's
# most attended cell held a face 0.57 of the time with them (0.14 without, as by chance;
# benchmarks/attention_cells.py).
PERSON_WORD = "person"
# A person seen whole (the body detector's box) vouches for PERSON_WORD in the cells holding at
# least this share of the box. A standing figure fills a column two or three cells high; on
# the labelled dev photos 0.3 keeps those cells and drops the ones it only brushes.
BODY_SHARE = 0.3
# The encoder's regions: 3/7-wide windows around the thirds (cells 0-2, 2-4, 4-6 of its 7x7
# feature map, amc_core/build/encoder_export.py), as fractions of the photo per axis.
REGION_WINDOWS = tuple((2 * c / 7, (2 * c + 3) / 7) for c in range(3))


class KeywordVectors:
    """Vectors of the catalog's keyword vocabulary: read from the rows indexing saved
    (``saved``), else embedded once per id, and kept."""

    def __init__(
        self, catalog: Catalog, space: SemanticSpace, saved: np.ndarray | None = None
    ) -> None:
        self._catalog = catalog
        self._space = space
        self._saved = saved if saved is not None else np.zeros((0, space.dim), np.float32)
        self._rows = np.zeros((0, space.dim), dtype=np.float32)
        self._known = np.zeros(0, dtype=bool)
        self._lock = threading.Lock()

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """(...,) vocabulary ids (-1 = none) -> (..., D) vectors."""
        flat = ids.reshape(-1)
        mask = flat >= 0
        if mask.any():
            self._ensure(flat[mask])
        out = np.zeros((flat.size, self._space.dim), dtype=np.float32)
        out[mask] = self._rows[flat[mask]]
        return out.reshape(*ids.shape, self._space.dim)

    def similarities(self, q: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """(T, D) query words and (B, K) vocabulary ids -> (B, T, K) cosines (0 for padding).

        Each distinct keyword is compared once; the distinct ids come from a mark per
        vocabulary word, not a sort (a search's 800 x 100 ids hold a few thousand)."""
        present = ids >= 0
        if not present.any():
            return np.zeros((ids.shape[0], q.shape[0], ids.shape[1]), dtype=np.float32)
        self._ensure(ids[present])
        marked = np.zeros(self._rows.shape[0], dtype=bool)
        marked[ids[present]] = True
        unique = np.flatnonzero(marked)
        slot = np.zeros(self._rows.shape[0], dtype=np.int64)
        slot[unique] = np.arange(1, unique.size + 1)  # 0 = padding, the zero row below
        table = np.zeros((unique.size + 1, q.shape[0]), dtype=np.float32)  # (1 + U, T)
        table[1:] = self._rows[unique] @ q.T
        sims = table[np.where(present, slot[np.maximum(ids, 0)], 0)]  # (B, K, T)
        return np.ascontiguousarray(sims.transpose(0, 2, 1))

    def _ensure(self, ids: np.ndarray) -> None:
        with self._lock:
            top = int(ids.max()) + 1
            if top > self._rows.shape[0]:
                grow = max(top, 2 * self._rows.shape[0])
                rows = np.zeros((grow, self._space.dim), dtype=np.float32)
                rows[: self._rows.shape[0]] = self._rows
                known = np.zeros(grow, dtype=bool)
                known[: self._known.shape[0]] = self._known
                self._rows, self._known = rows, known
            missing = distinct(ids[~self._known[ids]])
            stored = missing[missing < len(self._saved)]
            self._rows[stored] = self._saved[stored]
            new = missing[missing >= len(self._saved)]
            if new.size:
                self._rows[new] = self.embed(new)
            self._known[missing] = True

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """(N,) vocabulary ids -> (N, D) vectors made now from their texts."""
        return self._space.embed([self._catalog.keyword_text(int(i)) for i in ids])


@dataclass
class PhotoBatch:
    photo_ids: list[int]
    region_ids: np.ndarray  # (B, R, k) int64
    region_probs: np.ndarray  # (B, R, k) float32
    kw_ids: np.ndarray  # (B, K) int64 vocabulary ids (-1 = padding)
    kw_conf: np.ndarray  # (B, K) float32
    kw_source: np.ndarray  # (B, K) int64
    kw_mask: np.ndarray  # (B, K) float32
    vectors: KeywordVectors
    kw_calendar: np.ndarray  # (B, K) bool: a calendar keyword (date source, not time of day)

    def __len__(self) -> int:
        return len(self.photo_ids)

    @property
    def kw_vectors(self) -> np.ndarray:
        """(B, K, D) keyword vectors (for photo vectors and training; search uses sims)."""
        return self.vectors.lookup(self.kw_ids)

    def keyword_sims(self, q: np.ndarray, content: np.ndarray | None = None) -> np.ndarray:
        """(T, D) query words -> (B, T, K) cosine with each keyword. For the words marked in
        ``content`` (T,) bool (things, colours, people: what a photo shows) a calendar keyword
        counts only when it is that very word (SAME_WORD)."""
        sims = self.vectors.similarities(q, self.kw_ids)
        if content is not None and content.any() and self.kw_calendar.any():
            shown = sims[:, content, :]  # (B, T', K) a copy
            shown[(shown < SAME_WORD) & self.kw_calendar[:, None, :]] = 0.0
            sims[:, content, :] = shown
        return sims

    def take(self, rows: Sequence[int]) -> PhotoBatch:
        idx = np.asarray(rows, dtype=np.int64)
        return PhotoBatch(
            [self.photo_ids[i] for i in rows],
            self.region_ids[idx], self.region_probs[idx], self.kw_ids[idx],
            self.kw_conf[idx], self.kw_source[idx], self.kw_mask[idx], self.vectors,
            self.kw_calendar[idx],
        )  # fmt: skip


def load_batch(
    catalog: Catalog,
    keyword_vectors: KeywordVectors,
    photo_ids: Sequence[int],
    person_row: int | None = None,
) -> PhotoBatch:
    """Model inputs for photos (ids without stored features get empty regions). person_row: the
    bridge row of ``PERSON_WORD``, where the photos' found faces and people seen whole join
    their regions' evidence (None: they are left out, as for a bridge without that word)."""
    ids = list(photo_ids)
    region_ids, region_probs = _posteriors(catalog, ids)
    if person_row is not None:
        faces, bodies = catalog.face_boxes(ids), catalog.body_boxes(ids)
        _put_people(faces, bodies, ids, region_ids, region_probs, person_row)
    kw_ids, kw_conf, kw_source = _keywords(catalog, ids)
    return PhotoBatch(
        photo_ids=ids,
        region_ids=region_ids,
        region_probs=region_probs,
        kw_ids=kw_ids,
        kw_conf=kw_conf,
        kw_source=kw_source,
        kw_mask=(kw_ids >= 0).astype(np.float32),
        vectors=keyword_vectors,
        kw_calendar=_calendar(catalog, kw_ids, kw_source),
    )


def _calendar(catalog: Catalog, kw_ids: np.ndarray, kw_source: np.ndarray) -> np.ndarray:
    """(B, K) which keywords are calendar facts: date keywords other than the time of day."""
    dated = kw_source == SOURCES.index("date")
    light = [i for i in distinct(kw_ids[dated]) if catalog.keyword_text(int(i)) in TIMES_OF_DAY]
    return dated & ~np.isin(kw_ids, light)


def _posteriors(catalog: Catalog, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    b = len(ids)
    region_ids = np.zeros((b, N_REGIONS, TOP_K + SCENE_K), dtype=np.int64)
    region_probs = np.zeros((b, N_REGIONS, TOP_K + SCENE_K), dtype=np.float32)
    blobs = catalog.features_of(ids)
    if not blobs:
        return region_ids, region_probs
    row_of = {photo_id: row for row, photo_id in enumerate(ids)}
    layout = _common_layout(blobs)
    header = next(iter(blobs.values()))[: HEADER.size]
    same = [
        pid for pid, blob in blobs.items()
        if layout and len(blob) == layout[0] and blob[: HEADER.size] == header
    ]  # fmt: skip
    if same and layout:
        view = np.frombuffer(b"".join(blobs[p] for p in same), dtype=layout[1])
        rows = np.array([row_of[p] for p in same])
        k = min(TOP_K, view["g_ids"].shape[1], view["r_ids"].shape[2])
        regions = view["r_ids"].shape[1]
        region_ids[rows, :regions, :k] = view["r_ids"][:, :, :k]
        region_probs[rows, :regions, :k] = view["r_probs"][:, :, :k]
        region_ids[rows, regions, :k] = view["g_ids"][:, :k]
        region_probs[rows, regions, :k] = view["g_probs"][:, :k]
        if "scene" in (view.dtype.names or ()):
            n_classes = HEADER.unpack_from(header)[6]
            scene = view["scene"].astype(np.float32) / 255.0  # (n, R, S)
            _put_scene(region_ids, region_probs, rows, with_whole_photo(scene), n_classes)
    for pid in set(blobs) - set(same):  # another format, or damaged: one by one
        try:
            r_ids, r_probs = sparse_posteriors(blobs[pid], TOP_K)
            evidence = scene_evidence(blobs[pid])
            n_classes = HEADER.unpack_from(blobs[pid])[6]
        except (ValueError, struct.error):
            continue  # damaged features: the photo still ranks by its keywords (`amc repair`)
        row = row_of[pid]
        region_ids[row, : r_ids.shape[0], : r_ids.shape[1]] = r_ids
        region_probs[row, : r_probs.shape[0], : r_probs.shape[1]] = r_probs
        if evidence is not None and evidence.shape[0] == N_REGIONS:
            _put_scene(region_ids, region_probs, np.array([row]), evidence[None], n_classes)
    return region_ids, region_probs


def _put_scene(
    region_ids: np.ndarray,
    region_probs: np.ndarray,
    rows: np.ndarray,
    scene: np.ndarray,
    n_classes: int,
) -> None:
    """Write the SCENE_K most likely scene words of each region ((n, R + 1, S) evidence) after
    the posteriors of those rows."""
    k = min(SCENE_K, scene.shape[-1])
    top = np.argsort(-scene, axis=-1, kind="stable")[..., :k]  # (n, R + 1, k)
    region_ids[rows, :, TOP_K : TOP_K + k] = n_classes + top
    region_probs[rows, :, TOP_K : TOP_K + k] = np.take_along_axis(scene, top, axis=-1)


def _put_people(
    faces: dict[int, list[tuple[float, ...]]],
    bodies: dict[int, list[tuple[float, ...]]],
    ids: list[int],
    region_ids: np.ndarray,
    region_probs: np.ndarray,
    person_row: int,
) -> None:
    """Each found face and each person seen whole as person_row's word, at its confidence,
    in the whole photo and in the regions that hold it: a face in those holding its centre,
    a body (tall: its centre can fall between the cells it fills) in those holding at least
    BODY_SHARE of it, else (a body filling the frame) in those holding its centre."""
    row_of = {photo_id: row for row, photo_id in enumerate(ids)}
    for found, cells_of in ((faces, _holding_centre), (bodies, _holding_body)):
        for photo_id, boxes in found.items():
            row = row_of[photo_id]
            for x, y, w, h, confidence in boxes:
                cells = cells_of(x, y, w, h)
                _vouch_cells(region_ids[row], region_probs[row], cells, person_row, confidence)


def _holding_centre(x: float, y: float, w: float, h: float) -> list[int]:
    """The cells whose windows hold the box's centre."""
    cols = [c for c, (lo, hi) in enumerate(REGION_WINDOWS) if lo <= x + w / 2 <= hi]
    rows = [r for r, (lo, hi) in enumerate(REGION_WINDOWS) if lo <= y + h / 2 <= hi]
    return [r * 3 + c for r in rows for c in cols]


def _holding_body(x: float, y: float, w: float, h: float) -> list[int]:
    """The cells whose windows hold at least BODY_SHARE of the box; of a person filling the
    frame, more than any window can hold that share of, those holding its centre."""
    across = [_share(x, w, window) for window in REGION_WINDOWS]
    down = [_share(y, h, window) for window in REGION_WINDOWS]
    cells = [r * 3 + c for r in range(3) for c in range(3) if across[c] * down[r] >= BODY_SHARE]
    return cells or _holding_centre(x, y, w, h)


def _share(start: float, length: float, window: tuple[float, float]) -> float:
    """How much of [start, start + length] lies inside the window."""
    inside = min(start + length, window[1]) - max(start, window[0])
    return max(0.0, inside) / max(length, 1e-6)


def _vouch_cells(
    ids: np.ndarray, probs: np.ndarray, cells: list[int], word_row: int, probability: float
) -> None:
    """(R, k) one photo's entries: the word at least this probable in these cells and in the
    whole photo."""
    for region in [*cells, N_REGIONS - 1]:
        _vouch(ids[region], probs[region], word_row, probability)


def _vouch(ids: np.ndarray, probs: np.ndarray, word_row: int, probability: float) -> None:
    """(k,) one region's entries: the word at least this probable, in its own scene slot if
    the region has one, else in place of its least likely scene word."""
    slots = np.flatnonzero(ids[TOP_K:] == word_row)
    slot = TOP_K + int(slots[0] if slots.size else np.argmin(probs[TOP_K:]))
    if not slots.size:
        ids[slot], probs[slot] = word_row, 0.0
    probs[slot] = max(float(probs[slot]), probability)


def _common_layout(blobs: dict[int, bytes]) -> tuple[int, np.dtype] | None:
    """The structured dtype of the default (format 2) feature blob, from one header."""
    try:
        first = next(iter(blobs.values()))
        magic, version, regions, k_g, k_r, _dim, _n = HEADER.unpack_from(first)
    except (StopIteration, struct.error):
        return None
    if magic != b"AMCV" or version not in (2, 3):
        return None
    head = HEADER.size + k_g * 4 + regions * k_r * 4
    fields: list[tuple] = [
        ("header", f"V{HEADER.size}"),
        ("g_ids", "<u2", (k_g,)),
        ("g_probs", "<f2", (k_g,)),
        ("r_ids", "<u2", (regions, k_r)),
        ("r_probs", "<f2", (regions, k_r)),
    ]
    if version == 3:  # the scene probe's evidence follows the posteriors
        if len(first) <= head:
            return None
        words = first[head]
        fields += [("scene_n", "u1"), ("scene", "u1", (regions, words))]
        head += 1 + regions * words
    rest = len(first) - head
    if rest < 0:
        return None
    if rest:
        fields.append(("rest", f"V{rest}"))
    return len(first), np.dtype(fields)


def _keywords(catalog: Catalog, ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b = len(ids)
    blobs = catalog.keyword_blobs(ids)
    counts = np.array([min(len(blobs.get(p, b"")) // 6, MAX_KEYWORDS) for p in ids], np.int64)
    width = max(int(counts.max(initial=0)), 1)
    kw_ids = np.full((b, width), -1, dtype=np.int64)
    kw_conf = np.zeros((b, width), dtype=np.float32)
    kw_source = np.full((b, width), len(SOURCES), dtype=np.int64)
    if counts.sum() == 0:
        return kw_ids, kw_conf, kw_source
    records = np.frombuffer(
        b"".join(blobs.get(p, b"")[: int(n) * 6] for p, n in zip(ids, counts, strict=True)),
        dtype=KEYWORD_RECORD,
    )
    rows = np.repeat(np.arange(b), counts)
    cols = np.arange(records.size) - np.repeat(np.cumsum(counts) - counts, counts)
    kw_ids[rows, cols] = records["id"]
    kw_conf[rows, cols] = records["conf"] / 255.0
    sources = records["source"].astype(np.int64)
    kw_source[rows, cols] = np.where(sources < len(SOURCES), sources, len(SOURCES))
    return kw_ids, kw_conf, kw_source
