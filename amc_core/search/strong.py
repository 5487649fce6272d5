"""How many of a query's results are strong: decided from that query's own scores.

A fixed score threshold fails (scores of "dog" and of "grandma's 80th" live on different
scales), so the split is where this query's sorted scores fall off: the widest gap between
neighbouring scores, measured against the spread of the scores above the cap, within a
minimum and a cap. A query whose scores fall off nowhere (a flat run) keeps few strong ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MIN_STRONG = 1  # a query that matches anything shows at least its best photo above the line
MAX_STRONG = 60  # beyond this, the line would rarely hold in one screenful
MIN_GAP = 0.10  # the fall-off, as a share of the scores' spread, that counts as a gap (dev split)


def strong_count(scores: Sequence[float] | np.ndarray, min_gap: float = MIN_GAP) -> int:
    """How many of the scores (in any order) are strong: the best ones down to the widest
    relative gap in the sorted scores, between MIN_STRONG and MAX_STRONG."""
    values = np.sort(np.asarray(scores, np.float64))[::-1]
    n = int(values.size)
    if n <= MIN_STRONG:
        return n
    spread = float(values[0] - values[-1])
    if spread <= 1e-9:  # all alike: nothing tells good from weak, so all are shown alike
        return n
    last = min(n, MAX_STRONG + 1)
    gaps = (values[: last - 1] - values[1:last]) / spread
    gaps[: MIN_STRONG - 1] = -1.0
    best = int(np.argmax(gaps))
    if gaps[best] < min_gap:
        return min(n, MAX_STRONG) if n <= MAX_STRONG else _above_mean(values)
    return best + 1


def _above_mean(values: np.ndarray) -> int:
    """No gap stands out: the scores clearly above the rest (mean plus two deviations)."""
    line = float(values.mean() + 2 * values.std())
    return int(min(MAX_STRONG, max(MIN_STRONG, int(np.sum(values > line)))))
