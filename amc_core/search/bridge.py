"""VAN's query-independent half, in numpy: each region's posteriors as weights on the bridge.

VAN scores region r for query word t as q_t . s_r with s_r = unit(sum_k w_k E[c_k]), the
stored top-k posteriors flattened (w_k = P_r(c_k)^(1/T)) mixing the bridge's class vectors E
(amc_core/learn/model.py). The norm of that mix depends on the photo alone, so it is taken
here, from the bridge's Gram matrix G = E E^T (||sum_k w_k E_k||^2 = w^T G w), and the head
graph gets weights already divided by it: q_t . s_r = sum_k (w_k / ||.||) (q_t . E[c_k]). The
graph then gathers (N, T) query-class products instead of (N, D) class vectors for every
posterior, which halves the head's time per candidate (benchmarks/scale.py, stage "head").

The bridge file (amc_bridge.npz, beside amc_head.onnx) is written by the export with the
head; the head's metadata carries the file's SHA-256, checked when both are loaded.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from amc_core.errors import AmcError


class BridgeError(AmcError):
    """The bridge file is missing, unreadable or not the one the head was made with."""


class Bridge:
    """E (N + S, D), the posterior temperature T and the number N of classes whose posteriors
    are flattened (the S rows after them are the scene probe's words, whose probabilities mix
    as they are), with the Gram matrix made once."""

    def __init__(
        self,
        table: np.ndarray,
        temperature: float,
        flattened: int | None = None,
        words: tuple[str, ...] = (),
    ) -> None:
        table = np.asarray(table, dtype=np.float32)
        self.n_rows = table.shape[0]
        self.flattened = self.n_rows if flattened is None else flattened
        self.words = words  # the scene probe's words, the rows from `flattened` on
        self.exponent = np.float32(1.0 / temperature)
        self._gram = (table @ table.T).astype(np.float32).reshape(-1)  # (rows * rows,)
        self._norms = NormCache()

    @classmethod
    def load(cls, path: Path, expected_sha256: str | None = None) -> Bridge:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BridgeError(f"the ranking model's bridge {path} is missing") from exc
        if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
            raise BridgeError(f"{path} was not made with the ranking model beside it")
        try:
            with np.load(path) as saved:
                flattened = int(saved["flattened"]) if "flattened" in saved else None
                words = tuple(str(w) for w in saved["words"]) if "words" in saved else ()
                return cls(saved["table"], float(saved["temperature"]), flattened, words)
        except (OSError, ValueError, KeyError) as exc:
            raise BridgeError(f"the ranking model's bridge {path} cannot be read") from exc

    def row_of(self, word: str) -> int | None:
        """The row of one of the scene probe's words (None: this bridge has no such row, as a
        bridge saved before its words were)."""
        return self.flattened + self.words.index(word) if word in self.words else None

    def known_ids(self, region_ids: np.ndarray) -> np.ndarray:
        """The ids the head can gather: an id past the bridge (a photo stored with a newer
        scene probe than this head knows) becomes 0, and region_weights gives it no weight."""
        return np.where(region_ids < self.n_rows, region_ids, 0)

    def region_weights(
        self,
        region_ids: np.ndarray,
        region_probs: np.ndarray,
        photo_ids: Sequence[int] | None = None,
    ) -> np.ndarray:
        """(B, R, k) class ids and posteriors -> (B, R, k) flattened weights over the norm of
        each region's mix (0 where a region has no posteriors). The scene probe's entries
        (ids from ``flattened`` on) are probabilities already: not flattened. With the
        photos' ids, norms taken for the same photo and posteriors before are reused."""
        flat = np.power(region_probs, self.exponent, dtype=np.float32)  # padding 0 stays 0
        if self.flattened < self.n_rows or region_ids.max(initial=0) >= self.n_rows:
            as_is = region_ids >= self.flattened
            flat = np.where(as_is, region_probs, flat).astype(np.float32)
            flat[region_ids >= self.n_rows] = 0.0
            region_ids = self.known_ids(region_ids)
        if photo_ids is None:
            norm2 = self._norm2(region_ids, flat)
        else:
            norm2 = self._norms.norm2(np.asarray(photo_ids), region_ids, flat, self._norm2)
        # the graph's clamp of the norm at 1e-8, as a squared norm
        return flat / np.sqrt(np.maximum(norm2, np.float32(1e-16)))[..., None]

    def _norm2(self, region_ids: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """(B, R, k) ids and weights -> (B, R) squared norm of each region's mix, w^T G w."""
        pairs = region_ids[..., :, None] * self.n_rows + region_ids[..., None, :]
        gram = self._gram[pairs]  # (B, R, k, k)
        return (np.matmul(gram, flat[..., None])[..., 0] * flat).sum(-1)


class NormCache:
    """Each photo's region norms, kept between searches: they depend on the photo and the
    bridge alone, and taking them was a fifth of a search at 10^5 photos (4 ms of 22; as the
    user types, one search's candidates are mostly the last one's). Kept by photo id with a
    fingerprint of the posteriors they were taken from, so a photo indexed again or given
    faces since is computed afresh. 48 bytes a photo id (48 MB at 10^6 photos)."""

    MAX_ID = 2_000_000  # photos with a larger id are computed each time (at most 96 MB kept)

    def __init__(self) -> None:
        self._norm2 = np.zeros((0, 0), np.float32)  # (ids, R)
        self._prints = np.zeros(0, np.uint64)  # (ids,) 0: nothing kept
        self._mixes: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def norm2(
        self, photo_ids: np.ndarray, region_ids: np.ndarray, flat: np.ndarray,
        compute: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ) -> np.ndarray:  # fmt: skip
        """(B,) ids, (B, R, k) ids and weights -> (B, R) squared norms, computed (by
        `compute`) only for the photos not kept with these very posteriors."""
        if photo_ids.size == 0 or photo_ids.min() < 0 or photo_ids.max() > self.MAX_ID:
            return compute(region_ids, flat)
        prints = self._fingerprints(region_ids, flat)
        with self._lock:
            self._make_room(int(photo_ids.max()) + 1, flat.shape[1])
            known = self._prints[photo_ids] == prints
            out = np.empty(flat.shape[:2], np.float32)
            out[known] = self._norm2[photo_ids[known]]
            fresh = ~known
            if fresh.any():
                out[fresh] = compute(region_ids[fresh], flat[fresh])
                self._norm2[photo_ids[fresh]] = out[fresh]
                self._prints[photo_ids[fresh]] = prints[fresh]
            return out

    def _fingerprints(self, region_ids: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """(B,) a number that changes when a photo's posteriors do: the bits of its ids and
        weights mixed by fixed odd multipliers, in exact integer arithmetic (wrapping), so the
        same posteriors give the same print in any batch."""
        b = flat.shape[0]
        bits = np.concatenate(
            [region_ids.reshape(b, -1).astype(np.uint64),
             np.ascontiguousarray(flat).view(np.uint32).reshape(b, -1).astype(np.uint64)],
            axis=1,
        )  # fmt: skip
        width = bits.shape[1]
        if width not in self._mixes:  # odd multipliers, fixed per layout
            drawn = np.random.default_rng(width).integers(1, 2**63, width, dtype=np.uint64)
            self._mixes[width] = np.bitwise_or(drawn, np.uint64(1))
        prints = (bits * self._mixes[width]).sum(axis=1, dtype=np.uint64)
        return np.bitwise_or(prints, np.uint64(1))  # never 0, the mark of nothing kept

    def _make_room(self, ids: int, regions: int) -> None:
        if self._norm2.shape[1] != regions:  # another region layout: start again
            self._norm2 = np.zeros((0, regions), np.float32)
            self._prints = np.zeros(0, np.uint64)
        if ids <= len(self._prints):
            return
        size = min(max(ids, 2 * len(self._prints)), self.MAX_ID + 1)
        norm2 = np.zeros((size, regions), np.float32)
        norm2[: len(self._norm2)] = self._norm2
        prints = np.zeros(size, np.uint64)
        prints[: len(self._prints)] = self._prints
        self._norm2, self._prints = norm2, prints


def save_bridge(
    path: Path, table: np.ndarray, temperature: float, flattened: int, words: Sequence[str] = ()
) -> str:
    """Write the bridge (atomically) and return its SHA-256, for the head's metadata."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        np.savez(
            out, table=np.asarray(table, np.float32), temperature=np.float32(temperature),
            flattened=np.int64(flattened), words=np.array(list(words), dtype=str),
        )  # fmt: skip
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    tmp.replace(path)
    return digest
