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
from collections.abc import Sequence
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

    def region_weights(self, region_ids: np.ndarray, region_probs: np.ndarray) -> np.ndarray:
        """(B, R, k) class ids and posteriors -> (B, R, k) flattened weights over the norm of
        each region's mix (0 where a region has no posteriors). The scene probe's entries
        (ids from ``flattened`` on) are probabilities already: not flattened."""
        flat = np.power(region_probs, self.exponent, dtype=np.float32)  # padding 0 stays 0
        if self.flattened < self.n_rows or region_ids.max(initial=0) >= self.n_rows:
            as_is = region_ids >= self.flattened
            flat = np.where(as_is, region_probs, flat).astype(np.float32)
            flat[region_ids >= self.n_rows] = 0.0
            region_ids = self.known_ids(region_ids)
        pairs = region_ids[..., :, None] * self.n_rows + region_ids[..., None, :]
        gram = self._gram[pairs]  # (B, R, k, k)
        norm2 = (np.matmul(gram, flat[..., None])[..., 0] * flat).sum(-1)  # (B, R)
        # the graph's clamp of the norm at 1e-8, as a squared norm
        return flat / np.sqrt(np.maximum(norm2, np.float32(1e-16)))[..., None]


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
