"""The main window: lays out the views and connects them to the controllers' named methods."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QSignalBlocker, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QCursor,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QSlider,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from amc_app.controllers.browse import BrowseController
from amc_app.controllers.duplicates import DuplicatesController
from amc_app.controllers.indexing import IndexingController
from amc_app.controllers.learning import LearningController, TrainerLoader
from amc_app.controllers.library_status import LibraryStatusController, LibraryViews
from amc_app.controllers.people import PeopleController
from amc_app.controllers.results_controller import INSPECT_DWELL_MS, ResultsController
from amc_app.controllers.search_controller import SearchController
from amc_app.controllers.viewer import ViewerController
from amc_app.menus import build_main_menus
from amc_app.models.results_model import ResultsModel
from amc_app.settings import THUMBNAIL_MAX, THUMBNAIL_MIN, AppSettings, SettingsStore
from amc_app.system import dropped_folders, pictures_folder
from amc_app.views.banner import Banner
from amc_app.views.browse_filters import BrowseFilters
from amc_app.views.duplicates import DuplicatesView
from amc_app.views.empty_state import EmptyStateView
from amc_app.views.folders import FoldersPanel
from amc_app.views.gallery import GalleryView
from amc_app.views.inspector import InspectorView
from amc_app.views.people import PeopleView
from amc_app.views.search_bar import QUERY_HELP, SearchBar
from amc_app.views.status import IndexProgressView
from amc_app.views.tabs import MainTabs
from amc_app.views.viewer import ViewerPage
from amc_app.widgets import describe, plain_label
from amc_app.workers.library_tasks import AnalyzerFactory
from amc_app.workers.search_runner import SearchRunner
from amc_app.workers.thumbnails import ThumbnailLoader
from amc_app.workers.watcher import FolderWatcher
from amc_core.api import EngineFactory, Library, default_analyzer, load_trainer, make_engine


class MainWindow(QMainWindow):
    def __init__(
        self,
        library: Library,
        store: SettingsStore | None = None,
        analyzer: AnalyzerFactory = default_analyzer,
        engine: EngineFactory = make_engine,
        trainer: TrainerLoader = load_trainer,
        inspect_dwell_ms: int = INSPECT_DWELL_MS,
    ) -> None:
        super().__init__()
        self.library = library
        self.store = store or SettingsStore()
        self.settings: AppSettings = self.store.load()
        self.setWindowTitle("AMC Photo Search")
        self.resize(1280, 800)
        self._build_views()
        self._build_menus()
        self._build_controllers(analyzer, engine, trainer, inspect_dwell_ms)
        # the last query, before typing is wired: start() searches it once, after the preload
        self.search_edit.setText(self.settings.last_query)
        self._connect()
        self._restore()
        self.library_status.start()
        self.browse.reload()
        self.people.reload()

    # -- layout ----------------------------------------------------------------------

    def _build_views(self) -> None:
        self.banner = Banner()
        self.search_bar = SearchBar()
        self.search_edit = self.search_bar.edit
        self.thumbnails = ThumbnailLoader(self)
        self.model = ResultsModel(self.library.thumbnails.path_for, self.thumbnails)
        self.gallery = GalleryView()
        self.gallery.setModel(self.model)
        self.empty_state = EmptyStateView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.gallery)
        self.viewer_page = ViewerPage()
        self.stack.addWidget(self.viewer_page)
        self.people_view = PeopleView()
        self.browse_filters = BrowseFilters()  # sort, years and places, above the gallery
        photos = QWidget()
        column = QVBoxLayout(photos)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.browse_filters)
        column.addWidget(self.stack, 1)
        self.duplicates_view = DuplicatesView()
        self.tabs = MainTabs(self.search_bar, photos, self.people_view, self.duplicates_view)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.folders_panel = FoldersPanel()
        self.folders_dock = self._dock(
            "Folders", self.folders_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspector = InspectorView()
        self.inspector_dock = self._dock(
            "Why this photo?", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._build_status_bar()
        self.setAcceptDrops(True)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        describe(dock, title, f"The {title} panel; drag to move it, close to hide it")
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.index_view = IndexProgressView()
        self.index_view.hide()
        self.count_label = plain_label()
        describe(self.count_label, "Photos in the library", "Photos you can search")
        self.provider_label = plain_label("Loading models…")
        describe(self.provider_label, "Runs on", "Where search runs: the GPU (CUDA) or the CPU")
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(THUMBNAIL_MIN, THUMBNAIL_MAX)
        self.size_slider.setMaximumWidth(140)
        describe(self.size_slider, "Thumbnail size", "Make the thumbnails smaller or larger")
        bar = self.statusBar()
        for widget in (self.index_view, self.count_label, self.provider_label, self.size_slider):
            bar.addPermanentWidget(widget)

    def _build_menus(self) -> None:
        self.menus = build_main_menus(self.menuBar(), self._view_entries)

    def _view_entries(self, view: QMenu) -> None:
        self.tabs.add_actions(view)
        for panel in (self.folders_dock, self.inspector_dock):
            view.addAction(panel.toggleViewAction())

    # -- controllers ------------------------------------------------------------------

    def _build_controllers(
        self,
        analyzer: AnalyzerFactory,
        engine: EngineFactory,
        trainer: TrainerLoader,
        dwell_ms: int,
    ) -> None:
        root = self.library.paths.root
        self.runner = SearchRunner(root, engine, self)
        self.search = SearchController(self.search_bar, self.model, self.runner, self)
        self.browse = BrowseController(self.browse_filters, self.search_bar, self.model,
                                       self.runner, self.settings, self)  # fmt: skip
        self.learning = LearningController(self.library.catalog, self.settings, root, trainer, self)
        self.results = ResultsController(
            self.gallery,
            self.model,
            self.inspector,
            self.library.catalog,
            self.library.thumbnails.path_for,
            self.search,
            self.learning,
            self,
            dwell_ms,
        )
        self.viewer = ViewerController(
            self.viewer_page, self.gallery, self.model, self.stack, self.library.catalog,
            self.library.thumbnails.path_for, self, (self.search_bar, self.tabs.tabBar()),
        )  # fmt: skip
        self.watcher = FolderWatcher(self)
        self.indexing = IndexingController(
            root, self.library.settings, analyzer, self.watcher, self
        )
        views = LibraryViews(
            folders_panel=self.folders_panel, empty_state=self.empty_state,
            index_view=self.index_view, banner=self.banner, stack=self.stack,
            gallery=self.gallery, count_label=self.count_label,
            provider_label=self.provider_label, show_message=self.show_message,
            folders=self.folder_paths,
        )  # fmt: skip
        self.library_status = LibraryStatusController(
            views, self.indexing, self.runner, self.search, self
        )
        self.people = PeopleController(self.people_view, root, self.library.settings, self)
        self.duplicates = DuplicatesController(self.duplicates_view, root, self.library.settings,
                                               self)  # fmt: skip

    def _connect(self) -> None:
        # library: folders in and out, indexing
        status = self.library_status
        for choose in (
            self.menus.add.triggered,
            self.folders_panel.add_button.clicked,
            self.empty_state.choose_button.clicked,
            status.choose_folder_requested,
        ):
            choose.connect(self.choose_folder)
        self.folders_panel.remove_button.clicked.connect(status.remove_selected_folder)
        self.folders_panel.rescan_button.clicked.connect(status.rescan)
        self.menus.rescan.triggered.connect(status.rescan)
        self.empty_state.suggest_button.clicked.connect(status.add_pictures_folder)
        self.index_view.cancel_button.clicked.connect(status.cancel_indexing)
        self.banner.action_clicked.connect(status.banner_action)
        self.indexing.notice.connect(self.show_message)
        # search
        self.search_edit.textChanged.connect(self.search.schedule)
        self.search_edit.returnPressed.connect(self.search.search_now)
        self.search_bar.help_button.clicked.connect(self.show_search_help)
        self.menus.syntax.triggered.connect(self.show_search_help)
        for keys in ("Ctrl+F", "Ctrl+L"):
            QShortcut(QKeySequence(keys), self, self.focus_search)
        self.search_edit.escape_pressed.connect(self.search.clear)
        self.search_edit.down_pressed.connect(self.focus_results)
        # results and inspector
        self.gallery.open_requested.connect(self.results.open_index)
        self.gallery.open_requested.connect(self.viewer.open_index)
        self.menus.view_photo.triggered.connect(self.viewer.open_current)
        self.viewer_page.open_button.clicked.connect(self.results.open_current)
        self.viewer_page.folder_button.clicked.connect(self.results.show_current_in_folder)
        self.gallery.customContextMenuRequested.connect(self.show_photo_menu)
        self.menus.open.triggered.connect(self.results.open_current)
        self.menus.show_folder.triggered.connect(self.results.show_current_in_folder)
        self.menus.copy_path.triggered.connect(self.results.copy_current_path)
        self.menus.similar.triggered.connect(self.results.find_similar)
        self.inspector.open_button.clicked.connect(self.results.open_current)
        self.inspector.folder_button.clicked.connect(self.results.show_current_in_folder)
        self.inspector.similar_button.clicked.connect(self.results.find_similar)
        self.inspector.heatmap_toggle.toggled.connect(self.set_heatmap_visible)
        self.menus.heatmap.toggled.connect(self.set_heatmap_visible)
        self.size_slider.valueChanged.connect(self.set_thumbnail_size)
        # learning
        self.menus.record.toggled.connect(self.learning.set_recording)
        self.menus.clear_clicks.triggered.connect(self.learning.clear)
        self.menus.improve.triggered.connect(self.learning.improve)
        self.menus.reset.triggered.connect(self.learning.reset_to_default)
        self.menus.learning.aboutToShow.connect(self.update_learning_menu)
        self.learning.notice.connect(self.show_message)
        self.learning.report.connect(self.banner.show_info)
        self.learning.improved.connect(self.library_status.reload_engine)
        self.menus.quit.triggered.connect(self.close)
        self._connect_pages()

    def _connect_pages(self) -> None:
        # people: their photos are a search; names reach the keywords on the writer thread
        self.people.show_photos.connect(self.show_photos_of)
        self.people.people_edited.connect(self.indexing.write_people)
        self.people.people_edited.connect(self.results.refresh_faces)
        self.people.notice.connect(self.show_message)
        self.people.problem.connect(self.banner.show_message)
        self.indexing.people_written.connect(self.library_status.engine_changed)
        self.indexing.finished.connect(self.people.reload)
        self.indexing.finished.connect(self.browse.reload)
        self.duplicates.photos_removed.connect(self.library_status.engine_changed)
        self.duplicates.notice.connect(self.show_message)
        self.duplicates.problem.connect(self.banner.show_message)

    # -- behaviour of the window itself -------------------------------------------------

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def focus_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.gallery.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.gallery.currentIndex().isValid():
            self.gallery.setCurrentIndex(self.model.index(self.model.first_photo_row()))

    def show_search_help(self) -> None:
        anchor = self.search_bar.help_button
        QToolTip.showText(anchor.mapToGlobal(QPoint(0, anchor.height())), QUERY_HELP, anchor)

    def show_photo_menu(self, pos: QPoint) -> None:
        self.results.show_context_menu(self.menus.photo, pos)

    def show_photos_of(self, query: str) -> None:
        """A person's photos: their search, in the Photos tab."""
        self.tabs.show_photos()
        self.search_edit.setText(query)
        self.search.search_now()

    def show_message(self, text: str) -> None:
        """Non-modal: the status bar, never a blocking dialog."""
        self.statusBar().showMessage(text, 10_000)

    def set_thumbnail_size(self, side: int) -> None:
        self.settings.thumbnail_size = side
        self.gallery.set_thumbnail_size(side)

    def set_heatmap_visible(self, visible: bool) -> None:
        self.settings.show_heatmap = visible
        for control in (self.menus.heatmap, self.inspector.heatmap_toggle):
            if control.isChecked() != visible:
                control.setChecked(visible)
        self.results.set_heatmap_visible(visible)

    def update_learning_menu(self) -> None:
        count = self.learning.click_count()
        self.menus.clear_clicks.setText(f"&Clear recorded clicks ({count})")
        self.menus.clear_clicks.setEnabled(count > 0)
        self.menus.improve.setEnabled(not self.learning.running)

    def folder_paths(self) -> list[str]:
        return [f.path for f in self.library.folders()]

    def choose_folder(self) -> None:
        start = pictures_folder() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", start)
        if folder:
            self.library_status.add_folders([folder])

    # -- settings ---------------------------------------------------------------------------

    def _restore(self) -> None:
        settings = self.settings
        if settings.geometry:
            self.restoreGeometry(QByteArray(settings.geometry))
        if settings.window_state:
            self.restoreState(QByteArray(settings.window_state))
        else:
            docks = [self.folders_dock, self.inspector_dock]
            self.resizeDocks(docks, [230, 380], Qt.Orientation.Horizontal)
        self.size_slider.setValue(settings.thumbnail_size)
        self.gallery.set_thumbnail_size(settings.thumbnail_size)
        with QSignalBlocker(self.menus.record):  # restoring is not the user switching it
            self.menus.record.setChecked(settings.record_clicks)
        self.set_heatmap_visible(settings.show_heatmap)
        self.empty_state.set_suggestion(pictures_folder())
        self.search_edit.selectAll()
        self.search_edit.setFocus()

    def save_settings(self) -> None:
        self.settings.geometry = bytes(self.saveGeometry().data())
        self.settings.window_state = bytes(self.saveState().data())
        self.settings.last_query = self.search_edit.text().strip()
        self.store.save(self.settings)

    # -- drag and drop, closing ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if dropped_folders(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        folders = dropped_folders(event.mimeData().urls())
        if folders:
            event.acceptProposedAction()
            self.library_status.add_folders(folders)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.viewer.close()  # first: the layout saved is the gallery's
        self.save_settings()
        self.setCursor(QCursor(Qt.CursorShape.WaitCursor))
        self.learning.close()
        self.people.close()
        self.duplicates.close()
        self.results.close()
        self.thumbnails.stop()
        self.indexing.close()
        self.runner.close()
        super().closeEvent(event)
