"""Indexing progress in the status bar: a bar, photos per second, time left, and Cancel; then
the faces pass ("Finding people: ...") the same way."""

from __future__ import annotations

from collections import deque

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from amc_app.widgets import describe, plain_label
from amc_core.api import FACE_STEPS, IndexProgress

_WINDOW_S = 20.0  # the rate is measured over the last seconds, so it follows changes


class RateMeter:
    """Photos per second over a sliding window, and the time left at that rate."""

    def __init__(self, window_s: float = _WINDOW_S) -> None:
        self._window_s = window_s
        self._samples: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        self._samples.clear()

    def add(self, elapsed_s: float, done: int) -> None:
        self._samples.append((elapsed_s, done))
        while len(self._samples) > 2 and elapsed_s - self._samples[0][0] > self._window_s:
            self._samples.popleft()

    def rate(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0

    def seconds_left(self, remaining: int) -> float | None:
        rate = self.rate()
        return remaining / rate if rate > 0 else None


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def describe_progress(progress: IndexProgress, meter: RateMeter) -> str:
    if progress.phase == "scanning":
        return f"Looking for new and changed photos… {progress.done} found"
    if progress.phase in ("finishing", "done"):
        return "Finishing…"
    unit = "photos"
    if progress.phase == "faces":  # the faces pass, after the main one
        what, unit = FACE_STEPS.get(progress.step, (progress.step or "working", ""))
        if not unit:
            return f"Finding people: {what}…"
        text = f"Finding people: {what} {progress.done} of {progress.total}"
    else:
        text = f"Indexing {progress.done} of {progress.total}"
    rate = meter.rate()
    if rate > 0:
        text += f" · {rate:.1f} {unit}/s"
        left = meter.seconds_left(progress.total - progress.done)
        if left is not None:
            text += f" · {format_duration(left)} left"
    return text


class IndexProgressView(QWidget):
    """Layout only; the window's controller feeds it and acts on Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(200)
        self.bar.setTextVisible(False)
        describe(self.bar, "Indexing progress", "Photos indexed so far")
        self.label = plain_label()
        describe(self.label, "Indexing status", "Photos indexed, speed and time left")
        self.cancel_button = QPushButton("Cancel")
        describe(
            self.cancel_button,
            "Cancel indexing",
            "Stop indexing; what is indexed stays searchable, Rescan continues later",
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.meter = RateMeter()
        self._counting = ("", "")  # the (phase, step) the meter measures

    def show_progress(self, progress: IndexProgress) -> None:
        counting = (progress.phase, progress.step)
        if counting != self._counting:  # each step counts something else
            self._counting = counting
            self.meter.reset()
        if progress.phase == "indexing" or (progress.phase == "faces" and progress.total > 1):
            self.meter.add(progress.elapsed_s, progress.done)
            self.bar.setRange(0, max(progress.total, 1))
            self.bar.setValue(progress.done)
        elif progress.phase in ("scanning", "faces"):
            self.bar.setRange(0, 0)  # busy: the total is not known yet, or there is none
        self.label.setText(describe_progress(progress, self.meter))

    def start(self) -> None:
        self._counting = ("", "")
        self.meter.reset()
        self.bar.setRange(0, 0)
        self.label.setText("Preparing…")
