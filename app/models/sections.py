"""Where the gallery's header rows go: month (or day) sections of a browse, and the divider
before a search's weaker matches. Pure arrays: 10^5 photos cost one numpy pass.

A layout maps each view row to an item (a photo's index, >= 0) or a header (-1 - its index
in ``headers``).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class RowLayout:
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    headers: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "section" or "divider", per header

    def photo_rows(self) -> np.ndarray:
        return np.flatnonzero(self.rows >= 0)


def plain(n: int) -> RowLayout:
    return RowLayout(np.arange(n, dtype=np.int64))


def with_divider(n: int, strong: int) -> RowLayout:
    """n results, the first `strong` of them strong: a divider before the weaker ones."""
    if not 0 < strong < n:
        return plain(n)
    weaker = n - strong
    text = f"{weaker} weaker match" + ("" if weaker == 1 else "es")
    return _insert(n, np.array([strong]), [text], ["divider"])


def dated_sections(days: np.ndarray) -> RowLayout:
    """A header before each month of the (date-ordered) days (20190704), or before each day
    when they all fall in one month."""
    n = int(days.size)
    if n == 0:
        return plain(0)
    months = days // 100
    by_day = bool(np.all(months == months[0])) and bool(np.any(days != days[0]))
    keys = days if by_day else months
    starts = np.concatenate([[0], np.flatnonzero(np.diff(keys) != 0) + 1])
    ends = np.append(starts[1:], n)
    headers = [
        f"{_label(int(keys[s]), by_day)}  ·  {e - s} photo" + ("" if e - s == 1 else "s")
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
    return _insert(n, starts, headers, ["section"] * len(headers))


def date_order(dates: Sequence[str], order: str) -> list[int]:
    """Indexes of the dates, newest or oldest first (undated last); stable."""
    indexes = sorted(range(len(dates)), key=lambda i: dates[i], reverse=order == "newest")
    return [i for i in indexes if dates[i]] + [i for i in indexes if not dates[i]]


def _insert(n: int, starts: np.ndarray, headers: list[str], kinds: list[str]) -> RowLayout:
    marks = -1 - np.arange(len(headers), dtype=np.int64)
    return RowLayout(np.insert(np.arange(n, dtype=np.int64), starts, marks), headers, kinds)


def _label(key: int, by_day: bool) -> str:
    if key <= 0:
        return "No date"
    if by_day:
        year, month, day = key // 10000, key // 100 % 100, key % 100
        return f"{day} {calendar.month_name[month]} {year}" if 1 <= month <= 12 else str(year)
    year, month = key // 100, key % 100
    return f"{calendar.month_name[month]} {year}" if 1 <= month <= 12 else str(year)
