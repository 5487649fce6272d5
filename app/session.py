"""The app's session with one library: opens its window, and whenever the catalog turns out
damaged (when opening it, in the quick check after start, or in any job later) asks once,
repairs with a progress dialog, and opens a fresh window on the repaired library."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from amc_app.workers.jobs import DAMAGE_ALARM, GeneratorJob
from amc_app.workers.library_tasks import AnalyzerFactory
from amc_core.api import (
    CatalogDamagedError,
    Library,
    RepairProgress,
    catalog_problem,
    default_analyzer,
    repair_library,
)

REPAIR_NOW = "Repair now"
_STEPS = {
    "checking": "Checking the catalog…",
    "salvaging": "Reading what the damaged catalog still holds…",
    "indexing": "Finding every photo again…",
    "faces": "Finding people again…",
    "restoring": "Restoring names and choices from the backup…",
    "finishing": "Rebuilding the search indexes…",
    "done": "Done",
}

WindowFactory = Callable[[Library], QWidget]


class AppSession(QObject):
    window_opened = Signal(object)  # the new main window

    def __init__(
        self,
        library_dir: Path,
        make_window: WindowFactory,
        analyzer: AnalyzerFactory = default_analyzer,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library_dir = library_dir
        self.window: QWidget | None = None
        self.library: Library | None = None
        self.last_repair: dict[str, object] = {}
        self._make_window = make_window
        self._analyzer = analyzer
        self._asking = False
        self._declined: QWidget | None = None  # the window whose user said "not now"
        self._check: GeneratorJob | None = None
        DAMAGE_ALARM.damaged.connect(self._on_damage)

    def open(self) -> bool:
        """Open the library's window (repairing first if it must); False when the library
        cannot be opened and the user chose not to repair, or the repair failed."""
        while True:
            try:
                self.library = Library(self.library_dir)
            except CatalogDamagedError as exc:
                if not self._ask(str(exc)) or not self._repair():
                    return False
                continue
            self.window = self._make_window(self.library)
            self.window.show()
            self.window_opened.emit(self.window)
            self._check_in_background()
            return True

    def close(self) -> None:
        DAMAGE_ALARM.damaged.disconnect(self._on_damage)
        self._close_window()

    def _check_in_background(self) -> None:
        """The quick page check (seconds at 10^5 photos) off the UI thread: damage found
        there is offered for repair before a search stumbles on it."""

        def check(_cancel: threading.Event) -> Iterator[object]:
            yield catalog_problem(self.library_dir, thorough=False) or ""

        self._check = GeneratorJob(check)
        self._check.signals.finished.connect(self._on_checked)
        self._check.start()

    def _on_checked(self, problem: object) -> None:
        if problem:
            self._on_damage(f"the library's catalog is damaged ({problem})")

    def _on_damage(self, message: str) -> None:
        if self._asking or self.window is None or self._declined is self.window:
            return
        if not self._ask(message, self.window):
            self._declined = self.window  # asked once per window; the banner keeps saying it
            return
        app = QApplication.instance()
        quits = isinstance(app, QApplication) and app.quitOnLastWindowClosed()
        if quits:  # between the old window and the new one, no window is open
            QApplication.setQuitOnLastWindowClosed(False)
        try:
            self._close_window()
            if not (self._repair() and self.open()):
                QApplication.quit()  # no window left to go on with
        finally:
            if quits:
                QApplication.setQuitOnLastWindowClosed(True)

    def _ask(self, message: str, parent: QWidget | None = None) -> bool:
        """The repair dialog: what happened, that the photos are safe, Repair now or not."""
        self._asking = True
        try:
            box = QMessageBox(parent)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("AMC Photo Search")
            box.setText("The library's catalog is damaged.")
            box.setInformativeText(
                "Your photos are untouched. Repair moves the damaged catalog aside, keeps "
                "everything it can still read, finds your photos again and restores the names "
                "you gave from the backup."
            )
            box.setDetailedText(message)  # the engine's sentence, `amc repair` and all
            repair = box.addButton(REPAIR_NOW, QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(repair)
            box.exec()
            return box.clickedButton() is repair
        finally:
            self._asking = False

    def _repair(self) -> bool:
        """Run `amc repair`'s engine with a progress dialog; the UI stays live meanwhile."""
        dialog = QProgressDialog("Repairing the library…", "Stop", 0, 0)
        dialog.setWindowTitle("AMC Photo Search")
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        failure: list[str] = []
        loop = QEventLoop()
        analyzer = self._analyzer

        def run(cancel: threading.Event) -> Iterator[object]:
            yield from repair_library(self.library_dir, analyzer(), cancel=cancel)

        job = GeneratorJob(run)
        job.signals.progress.connect(lambda p: _show_step(dialog, p))
        job.signals.finished.connect(self._repaired)
        job.signals.finished.connect(loop.quit)
        job.signals.failed.connect(failure.append)
        job.signals.failed.connect(loop.quit)
        dialog.canceled.connect(job.cancel)
        job.start()
        dialog.show()
        loop.exec()
        stopped = dialog.wasCanceled()  # read first: closing the dialog counts as "Stop"
        dialog.canceled.disconnect(job.cancel)
        dialog.close()
        if failure:
            QMessageBox.critical(None, "AMC Photo Search", f"The repair stopped.\n\n{failure[0]}")
        return not failure and not stopped

    def _repaired(self, last: object) -> None:
        if isinstance(last, RepairProgress):
            self.last_repair = last.report

    def _close_window(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
        if self.library is not None:
            self.library.close()
            self.library = None


def _show_step(dialog: QProgressDialog, progress: object) -> None:
    if not isinstance(progress, RepairProgress):
        return
    dialog.setLabelText(_STEPS.get(progress.step, "Repairing the library…"))
    dialog.setMaximum(progress.total)
    dialog.setValue(min(progress.done, progress.total))
