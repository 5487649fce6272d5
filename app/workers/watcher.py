"""Notices changes in the library's folders: file-system events, debounced, plus a quiet
periodic check for what events miss (network shares, folders past the watch limit)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

DEBOUNCE_MS = 3_000
PERIODIC_MS = 15 * 60 * 1000


class FolderWatcher(QObject):
    changed = Signal()  # something in the folders may have changed: time for a quiet rescan

    def __init__(
        self,
        parent: QObject | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        periodic_ms: int = PERIODIC_MS,
    ) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self._periodic = QTimer(self, interval=periodic_ms)
        self._watcher.directoryChanged.connect(self._on_event)
        self._debounce.timeout.connect(self.changed)
        self._periodic.timeout.connect(self.changed)

    def watch(self, dirs: Sequence[str]) -> None:
        """Watch exactly these folders from now on."""
        current = set(self._watcher.directories())
        wanted = set(dirs)
        gone = sorted(current - wanted)
        new = sorted(wanted - current)
        if gone:
            self._watcher.removePaths(gone)
        if new:
            self._watcher.addPaths(new)
        if wanted:
            self._periodic.start()
        else:
            self._periodic.stop()

    def watched(self) -> list[str]:
        return list(self._watcher.directories())

    def _on_event(self, _path: str) -> None:
        self._debounce.start()  # a copy of 500 photos is one rescan, not 500
