"""A worker thread's own Library: SQLite connections stay on the thread that opened them, so
each owner thread (writer, people, duplicates) opens its Library lazily, there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from amc_core.api import IndexSettings, Library


class LibraryHome:
    def __init__(self, root: Path, settings: IndexSettings) -> None:
        self._root = root
        self._settings = settings
        self._library: Library | None = None

    def library(self) -> Library:
        if self._library is None:
            self._library = Library(self._root, self._settings)
        return self._library

    def close(self, cancel: threading.Event) -> Iterator[object]:
        """The owner thread's last job: its Library closed there."""
        if self._library is not None:
            self._library.close()
            self._library = None
        yield True
