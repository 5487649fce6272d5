"""The main window: search bar, results gallery, folders and background indexing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSize, QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from amc_core.catalog import Folder
from amc_core.errors import AmcError
from amc_core.indexer import IndexProgress
from amc_core.search import keyword_search
from amc_core.service import Library

from .jobs import GeneratorJob
from .results_model import PATH_ROLE, ResultsModel

_TYPING_PAUSE_MS = 250


class MainWindow(QMainWindow):
    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.setWindowTitle("AMC Photo Search")
        self.resize(1100, 720)
        self._index_job: GeneratorJob | None = None
        self._build()
        self._refresh_state()

    # -- layout ----------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = QLineEdit(placeholderText="Search your photos: dog on the beach 2019")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search")
        self.search_edit.setToolTip("Type what you are looking for; results appear as you type")
        self.add_button = QPushButton("Add folder…")
        self.add_button.setAccessibleName("Add folder")
        self.add_button.setToolTip("Add a folder of photos to the library")
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.add_button)

        self.model = ResultsModel(self.library.thumbnails.path_for)
        self.gallery = QListView()
        self.gallery.setAccessibleName("Results")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setIconSize(QSize(160, 160))
        self.gallery.setGridSize(QSize(184, 200))
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setModel(self.model)

        self.empty_state = QLabel(
            "Your library is empty.\n\nAdd a folder of photos to start searching\n"
            "(or drop a folder on this window)."
        )
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.gallery)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.setVisible(False)
        self.progress.setAccessibleName("Indexing progress")
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)

        self._typing = QTimer(self, singleShot=True, interval=_TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.run_search)
        self.search_edit.textChanged.connect(self._typing.start)
        self.search_edit.returnPressed.connect(self.run_search)
        self.add_button.clicked.connect(self.choose_folder)
        self.gallery.activated.connect(self.open_photo)
        for keys in ("Ctrl+F", "Ctrl+L"):
            QShortcut(QKeySequence(keys), self, self.search_edit.setFocus)
        QShortcut(QKeySequence("Escape"), self.search_edit, self.search_edit.clear)
        self.setAcceptDrops(True)
        self.search_edit.setFocus()

    # -- behaviour -------------------------------------------------------------

    def choose_folder(self) -> None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", start)
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        try:
            folders = self.library.add_folders([folder])
        except AmcError as exc:
            self.show_message(str(exc))
            return
        self.start_indexing(folders)

    def start_indexing(self, folders: list[Folder] | None = None) -> None:
        if self._index_job is not None:
            return
        library = self.library

        def run(cancel: threading.Event) -> Iterator[object]:
            # its own catalog connection: SQLite connections stay on one thread
            from amc_core.tagging import default_tagger

            tagger = default_tagger()
            with Library(library.paths.root, library.settings) as worker_library:
                targets = folders or worker_library.folders()
                yield from worker_library.index(targets, analyzer=tagger, cancel=cancel)

        job = GeneratorJob(run)
        job.signals.progress.connect(self._on_index_progress)
        job.signals.finished.connect(self._on_index_finished)
        job.signals.failed.connect(self._on_index_failed)
        self._index_job = job
        self.progress.setVisible(True)
        job.start()

    def cancel_indexing(self) -> None:
        if self._index_job is not None:
            self._index_job.cancel()

    def _on_index_progress(self, progress: IndexProgress) -> None:
        self.progress.setMaximum(max(progress.total, 1))
        self.progress.setValue(progress.done)
        if progress.phase == "indexing" and progress.elapsed_s > 0:
            rate = progress.done / progress.elapsed_s
            self.progress.setFormat(f"%v/%m  {rate:.1f} photos/s")

    def _on_index_finished(self, last: object) -> None:
        self._index_job = None
        self.progress.setVisible(False)
        if isinstance(last, IndexProgress):
            r = last.report
            self.show_message(f"Indexed {r.indexed} photos, {r.failed} could not be read")
        self._refresh_state()
        self.run_search()

    def _on_index_failed(self, message: str) -> None:
        self._index_job = None
        self.progress.setVisible(False)
        self.show_message(f"Indexing stopped: {message}")

    def run_search(self) -> None:
        self._typing.stop()
        query = self.search_edit.text().strip()
        started = time.perf_counter()
        results = keyword_search(self.library.catalog, query, top=500) if query else []
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.model.set_results(results)
        if query:
            self.status_label.setText(f"{len(results)} results in {elapsed_ms:.0f} ms")

    def open_photo(self, index: object) -> None:
        path = self.model.data(index, PATH_ROLE)  # type: ignore[arg-type]
        if isinstance(path, str):
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def show_message(self, text: str) -> None:
        """Non-modal: the status bar, never a blocking dialog."""
        self.statusBar().showMessage(text, 10_000)

    def _refresh_state(self) -> None:
        counts = self.library.catalog.counts()
        has_folders = bool(self.library.folders())
        self.stack.setCurrentWidget(self.gallery if has_folders else self.empty_state)
        self.status_label.setText(f"{counts['ok']} photos in the library")

    # -- drag and drop -----------------------------------------------------------

    def dragEnterEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        mime = event.mimeData()  # type: ignore[attr-defined]
        if mime.hasUrls():
            event.acceptProposedAction()  # type: ignore[attr-defined]

    def dropEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        for url in event.mimeData().urls():  # type: ignore[attr-defined]
            local = url.toLocalFile()
            if local and Path(local).is_dir():
                self.add_folder(local)
                break

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        self.cancel_indexing()
        super().closeEvent(event)  # type: ignore[arg-type]
