"""The library as the window shows it: folders, the empty state, indexing progress, the
status bar, and the messages (banner for what needs reading, status bar for the rest)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from amc_app.controllers.indexing import IndexingController
from amc_app.controllers.search_controller import SearchController
from amc_app.system import pictures_folder
from amc_app.views.banner import Banner
from amc_app.views.empty_state import EmptyStateView
from amc_app.views.folders import FoldersPanel
from amc_app.views.status import IndexProgressView
from amc_app.workers.library_tasks import LibrarySnapshot
from amc_app.workers.search_runner import EngineState, SearchRunner
from amc_core.api import IndexProgress, IndexReport

_REFRESH_EVERY_S = 30.0  # while indexing runs, new photos reach the engine's index this often
_RETRY = "retry"
_CHOOSE = "choose"


@dataclass(frozen=True)
class LibraryViews:
    """What the library controller shows: the window builds the views and hands them over
    (and wires their buttons to the controller's methods), so the controller depends on these
    views, not on the window."""

    folders_panel: FoldersPanel
    empty_state: EmptyStateView
    index_view: IndexProgressView
    banner: Banner
    stack: QStackedWidget  # shows the empty state until the library has a folder, then gallery
    gallery: QWidget
    count_label: QLabel
    provider_label: QLabel
    show_message: Callable[[str], None]  # the status bar
    folders: Callable[[], list[str]]  # the library's folders now (a few rows: quick)


class LibraryStatusController(QObject):
    choose_folder_requested = Signal()  # the banner offered "Choose a folder…" and was clicked

    def __init__(
        self,
        views: LibraryViews,
        indexing: IndexingController,
        runner: SearchRunner,
        search: SearchController,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._views = views
        self._indexing = indexing
        self._runner = runner
        self._search = search
        self._folders: list[str] = []
        self._refreshed_at = time.monotonic()
        indexing.snapshot.connect(self._on_snapshot)
        indexing.progress.connect(self._on_progress)
        indexing.running_changed.connect(self._on_running)
        indexing.finished.connect(self._on_finished)
        indexing.problem.connect(self._on_problem)
        indexing.index_failed.connect(self._on_index_failed)
        runner.ready.connect(self._on_engine_ready)
        runner.failed.connect(self._on_search_failed)

    def start(self) -> None:
        """Show what is known now; models load and folders are checked in the background."""
        self._show_folders(self._views.folders())
        self._runner.preload()
        self._indexing.load()
        self._search.rerun()  # a restored query: searched after the preload, on its thread

    # -- requests -------------------------------------------------------------------------

    def add_folders(self, paths: list[str]) -> None:
        self._views.banner.hide()
        self._views.show_message("Adding " + ", ".join(paths) + "…")
        self._indexing.add_folders(paths)

    def add_pictures_folder(self) -> None:
        folder = pictures_folder()
        if folder:
            self.add_folders([folder])

    def remove_selected_folder(self) -> None:
        folder = self._views.folders_panel.selected_folder()
        if folder:
            self._indexing.remove_folder(folder)

    def rescan(self) -> None:
        self._views.banner.hide()
        self._views.show_message("Looking for new and changed photos…")
        self._indexing.rescan()

    def cancel_indexing(self) -> None:
        self._indexing.cancel()

    def engine_changed(self) -> None:
        """New or removed photos: the engine updates its index, the search runs again."""
        self._refreshed_at = time.monotonic()
        self._runner.refresh()
        self._search.rerun()

    # -- what the background reports -----------------------------------------------------

    def _on_snapshot(self, snapshot: LibrarySnapshot) -> None:
        self._show_folders(snapshot.folders)
        noun = "photo" if snapshot.photos == 1 else "photos"
        self._views.count_label.setText(f"{snapshot.photos:,} {noun}")

    def _show_folders(self, folders: list[str]) -> None:
        self._folders = list(folders)
        views = self._views
        views.folders_panel.set_folders(folders)
        if not folders:
            views.stack.setCurrentWidget(views.empty_state)
        elif views.stack.currentWidget() is views.empty_state:  # not away from the viewer
            views.stack.setCurrentWidget(views.gallery)

    def _on_running(self, running: bool) -> None:
        view = self._views.index_view
        if running:
            view.start()
        else:
            view.hide()

    def _on_progress(self, progress: IndexProgress) -> None:
        view = self._views.index_view
        if progress.phase in ("indexing", "faces") and progress.total > 0:
            view.show()
            if time.monotonic() - self._refreshed_at > _REFRESH_EVERY_S:
                self._refreshed_at = time.monotonic()
                self._runner.refresh()  # search finds what is indexed so far
        if view.isVisible():
            view.show_progress(progress)
        elif progress.phase == "scanning" and progress.done:
            self._views.show_message(f"Checking folders… {progress.done:,} photos seen")

    def _on_finished(self, last: IndexProgress | None) -> None:
        if last is None:
            return
        report = last.report
        message = describe_report(report)
        if message:
            self._views.show_message(message)
        folder_errors = [(p, e) for p, e in report.errors if p in self._folders]
        if folder_errors:
            path, error = folder_errors[0]
            self._views.banner.show_message(f"{path}: {error}", _RETRY, "Rescan")
        if report.indexed or report.removed or report.moved or _faces_changed(report):
            self.engine_changed()

    def _on_index_failed(self, message: str) -> None:
        self._views.banner.show_message(f"Indexing stopped: {message}", _RETRY, "Try again")

    def _on_problem(self, message: str) -> None:
        self._views.banner.show_message(message, _CHOOSE, "Choose a folder…")

    def reload_engine(self) -> None:
        """New ranking parameters: a fresh engine, then the search again."""
        self._runner.reload()
        self._search.rerun()

    def _on_engine_ready(self, state: EngineState) -> None:
        gpu = state.provider.upper() == "CUDA"
        label = self._views.provider_label
        label.setText("Runs on GPU (CUDA)" if gpu else "Runs on CPU")
        label.setToolTip("Search runs on the GPU" if gpu else "Search runs on the CPU")
        if state.problem:
            self._views.banner.show_message(
                f"The search models could not be loaded ({state.problem}); "
                "searching by keywords only."
            )

    def _on_search_failed(self, message: str) -> None:
        self._views.banner.show_message(f"Search is not available: {message}")

    def banner_action(self, action: str) -> None:
        """The banner's button: do what its message offered."""
        if action == _RETRY:
            self.rescan()
        elif action == _CHOOSE:
            self.choose_folder_requested.emit()


def _faces_changed(report: IndexReport) -> bool:
    """The faces pass found faces or people: their words are in the keywords now."""
    faces = report.faces or {}
    return any(faces.get(key) for key in ("photos_read", "faces_found", "new_people"))


def describe_report(report: IndexReport) -> str:
    """One line for the status bar; "" when nothing changed (a quiet rescan stays quiet)."""
    if report.cancelled:
        return (
            f"Indexing cancelled after {report.indexed} photos; Rescan continues where it stopped"
        )
    parts = []
    if report.indexed:
        parts.append(f"indexed {report.indexed} photos")
    if report.moved:
        parts.append(f"followed {report.moved} moved photos")
    if report.removed:
        parts.append(f"dropped {report.removed} deleted photos")
    if report.failed:
        parts.append(f"{report.failed} files could not be read")
    new_people = int(str((report.faces or {}).get("new_people") or 0))
    if new_people:
        parts.append(f"found {new_people} new {'person' if new_people == 1 else 'people'}")
    if not parts:
        return ""
    text = ", ".join(parts)
    return text[0].upper() + text[1:]
