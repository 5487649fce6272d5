"""The library's keyword vectors, saved by indexing so that search never embeds a keyword.

One raw float32 file (``keywords.vectors``): row i is the vector of vocabulary id i, and row 0
(an id SQLite never gives) holds the centre of the semantic space they were made in, so rows
made with other word vectors are recognised and made again. Vocabulary ids only grow, so the
file only grows: each index run appends the rows of the keywords it added; a torn tail (a
crash while appending) is cut off and written again.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def read_rows(path: Path, centre: np.ndarray) -> np.ndarray | None:
    """(V, D) read-only rows, memory-mapped; None when missing, empty or from another space."""
    dim = centre.shape[0]
    try:
        size = path.stat().st_size
        if size < 4 * dim:
            return None
        rows = np.memmap(path, dtype="<f4", mode="r", shape=(size // (4 * dim), dim))
    except (OSError, ValueError):
        return None
    if not np.array_equal(rows[0], centre):
        return None
    return rows


def write_rows(path: Path, centre: np.ndarray, first_id: int, vectors: np.ndarray) -> None:
    """Write the rows of ids first_id, first_id + 1, ... (first_id 1 starts a new file with
    its centre row; a later one cuts any torn tail and appends)."""
    row_bytes = 4 * centre.shape[0]
    if first_id == 1:
        data, offset, mode = np.concatenate([centre[None, :], vectors]), 0, "wb"
    else:
        data, offset, mode = vectors, first_id * row_bytes, "r+b"
    with open(path, mode) as handle:
        handle.truncate(offset)
        handle.seek(offset)
        handle.write(np.ascontiguousarray(data, dtype="<f4").tobytes())
        handle.flush()
        os.fsync(handle.fileno())
