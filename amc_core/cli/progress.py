"""A one-line progress bar for `amc index` on a terminal."""

from __future__ import annotations

import os
import time
from typing import TextIO

from amc_core.index.run import FACE_STEPS, IndexProgress


class ProgressBar:
    """A one-line progress bar on an interactive stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last = 0.0

    def show(self, progress: IndexProgress) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and not progress.finished:
            return
        self._last = now
        if progress.phase == "scanning":
            line = f"scanning... {progress.done} files"
        else:
            width = 24
            frac = progress.done / progress.total if progress.total else 1.0
            rate = progress.done / progress.elapsed_s if progress.elapsed_s > 0 else 0.0
            bar = "#" * int(frac * width)
            what, unit = "", ""
            if progress.phase == "faces":  # the faces pass, after the main one
                what, unit = FACE_STEPS.get(progress.step, (progress.step, ""))
            counted = f"{progress.done}/{progress.total}  {rate:.1f} {unit or 'photos'}/s"
            line = f"[{bar:<{width}}] {counted}"
            if what:  # after the numbers: a narrow terminal cuts the words, not the counts
                line += f"  people: {what}"
        cols = os.get_terminal_size(self._stream.fileno()).columns if self._stream.isatty() else 80
        self._stream.write("\r" + line[: cols - 1].ljust(cols - 1))
        self._stream.flush()

    def close(self) -> None:
        self._stream.write("\n")
        self._stream.flush()
