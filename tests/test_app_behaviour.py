"""The window's behaviour around the main path: first start, settings, errors, threads, scale."""

from __future__ import annotations

import threading
import time
from itertools import pairwise
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QFileDialog,
    QLineEdit,
    QProgressBar,
    QSlider,
    QWidget,
)
from test_app_support import make_window_fixture, wait_indexed, wait_results  # noqa: F401

from amc_app.settings import THUMBNAIL_MAX
from amc_app.views.banner import Banner
from amc_core.describe.analysis import Analysis
from amc_core.errors import AmcError
from amc_core.search.fallback import KeywordSearchEngine
from amc_core.search.results import SearchResult
from amc_core.store.layout import WriteLock
from photo_factory import write_photo


def test_first_start_invites_to_add_a_folder(qtbot, make_window):
    window = make_window(fast_engine=True)
    assert window.stack.currentWidget() is window.empty_state
    assert window.empty_state.choose_button.isVisibleTo(window)
    assert window.search_edit.placeholderText().startswith("Search")
    assert "year:2019" in window.search_edit.placeholderText()
    for widget in (window.search_edit, window.gallery, window.size_slider, window.banner):
        assert widget.accessibleName() and widget.toolTip()


def test_settings_persist_between_runs(qtbot, make_window):
    window = make_window(fast_engine=True)
    window.size_slider.setValue(200)
    window.search_edit.setText("dog on the beach")
    window.menus.record.setChecked(False)
    make_window.close(window)

    again = make_window(fast_engine=True)
    assert again.size_slider.value() == 200
    assert again.gallery.iconSize() == QSize(200, 200)
    assert again.search_edit.text() == "dog on the beach"
    assert not again.menus.record.isChecked()
    assert not again.learning.record("dog", 1, "open")  # recording is off: nothing written
    again.size_slider.setValue(10_000)
    assert again.size_slider.value() == THUMBNAIL_MAX


def test_problems_are_messages_not_crashes(qtbot, make_window, tmp_path: Path):
    window = make_window(fast_engine=True)
    window.library_status.add_folders([str(tmp_path / "not-there")])
    qtbot.waitUntil(lambda: "folder not found" in window.banner.text(), timeout=30_000)
    # the failed change is followed by a quiet index run (with its faces pass): let it end
    qtbot.waitUntil(lambda: not window.indexing.running, timeout=30_000)

    with WriteLock(window.library.paths):  # another program is indexing this library
        window.library_status.rescan()
        qtbot.waitUntil(lambda: "another program" in window.banner.text(), timeout=30_000)
    assert window.banner.action_button.text() == "Try again"

    window.search_edit.setText("year:20x9")
    qtbot.waitUntil(lambda: window.search_bar.error.isVisibleTo(window), timeout=30_000)
    assert "year" in window.search_bar.error.text()
    window.search_edit.setText("dog")
    qtbot.waitUntil(lambda: not window.search_bar.error.isVisibleTo(window), timeout=30_000)


def test_buttons_that_offer_a_folder_open_the_chooser(
    qtbot, make_window, photos_dir: Path, tmp_path: Path, monkeypatch
):
    """The empty state's "Choose a folder…" and the banner's, after a folder went missing,
    both open the folder chooser; the chosen folder is added and indexed."""
    write_photo(photos_dir / "one.jpg", seed=6)
    asked: list[str] = []

    def choose(parent: QWidget, title: str, start: str) -> str:
        asked.append(title)
        return str(photos_dir)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(choose))
    window = make_window(fast_engine=True)
    qtbot.mouseClick(window.empty_state.choose_button, Qt.MouseButton.LeftButton)
    wait_indexed(qtbot, window, 1)
    assert window.stack.currentWidget() is window.gallery
    window.library_status.add_folders([str(tmp_path / "not-there")])
    qtbot.waitUntil(lambda: "folder not found" in window.banner.text(), timeout=30_000)
    assert window.banner.action_button.text() == "Choose a folder…"
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    assert asked == ["Add a folder of photos"] * 2
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5_000)


def _missing_model(library_dir: Path) -> KeywordSearchEngine:
    raise AmcError("model file not found: amc_head.onnx")


def _no_tagger() -> object:
    raise AmcError("model file not found: mobilenet_v2.onnx")


def test_missing_models_fall_back_or_say_so(qtbot, make_window, photos_dir: Path, monkeypatch):
    shown: list[str] = []  # every banner message, in order (one may replace another quickly)
    original = Banner._show

    def record(self, kind, text, action, action_label):  # type: ignore[no-untyped-def]
        shown.append(text)
        original(self, kind, text, action, action_label)

    monkeypatch.setattr(Banner, "_show", record)
    write_photo(photos_dir / "Beach" / "waves.jpg", seed=2)
    window = make_window(engine=_missing_model, analyzer=_no_tagger)
    qtbot.waitUntil(lambda: any("keywords only" in t for t in shown), timeout=30_000)
    window.library_status.add_folders([str(photos_dir)])
    qtbot.waitUntil(lambda: any("mobilenet_v2.onnx" in t for t in shown), timeout=30_000)
    assert any(t.startswith("Indexing stopped") and "mobilenet_v2.onnx" in t for t in shown)


class _SlowEngine(KeywordSearchEngine):
    """The real keyword engine, slowed down, noting the thread of every call."""

    threads: ClassVar[set[int]] = set()

    def search(self, query: str, top: int = 200):
        self.threads.add(threading.get_ident())
        time.sleep(0.6)
        return super().search(query, top)


def test_search_runs_off_the_ui_thread(qtbot, make_window, photos_dir: Path):
    write_photo(photos_dir / "Beach" / "waves.jpg", seed=2)
    window = make_window(engine=_SlowEngine)
    window.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, window, 1)
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    window.search_edit.setText("beach")
    wait_results(qtbot, window)
    timer.stop()
    gaps = [b - a for a, b in pairwise(ticks)]
    assert max(gaps) < 0.3  # the UI kept running while the engine slept 0.6 s
    assert _SlowEngine.threads and threading.get_ident() not in _SlowEngine.threads
    assert len(_SlowEngine.threads) == 1  # one engine, one thread (SQLite)


def test_stale_answers_are_never_shown(qtbot, make_window, photos_dir: Path):
    write_photo(photos_dir / "Beach" / "waves.jpg", seed=2)
    write_photo(photos_dir / "Grandma" / "cake.jpg", seed=1)
    window = make_window(engine=_SlowEngine)
    window.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, window, 2)
    shown: list[str] = []
    window.runner.answered.connect(lambda answer: shown.append(answer.query))
    window.runner.search("beach")
    qtbot.wait(200)  # the engine is now inside "beach" (0.6 s): a cancel cannot stop it
    window.runner.search("grandma")  # asked before the first answer came
    wait_results(qtbot, window, lambda: window.model.query == "grandma" and window.model.rowCount())
    names = [Path(window.model.result(i).path).name for i in range(window.model.rowCount())]
    assert names == ["cake.jpg"]
    assert shown == ["grandma"]  # "beach" was answered first, and not shown


def test_improve_says_what_it_needs(qtbot, make_window):
    window = make_window(fast_engine=True)
    window.menus.improve.trigger()
    assert "at least 6 different searches" in window.banner.text()
    assert "you have clicks after 0" in window.banner.text()


def test_gallery_stays_smooth_with_100k_results(qtbot, make_window, monkeypatch):
    """Showing and scrolling 100k results asks the model for a screenful of items, never for
    all of them (counted, not timed: a busy machine must not fail this; speed is measured in
    benchmarks/ui_latency.py)."""
    window = make_window(fast_engine=True)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.model.browsing)  # the start-up browse, answered first
    results = [
        SearchResult(i, f"/photos/{i}.jpg", 1 - i / 1e6, 0.6, 0.4, [], f"{i:064x}")
        for i in range(100_000)
    ]
    asked: set[int] = set()  # rows whose thumbnail the view asked for
    original = window.model._icon

    def counting(row, result):  # type: ignore[no-untyped-def]
        asked.add(row)
        return original(row, result)

    monkeypatch.setattr(window.model, "_icon", counting)
    window.model.set_results(results, "many")

    def show_and_paint() -> None:
        # the library has no folder, so the window may switch to its empty state meanwhile
        window.stack.setCurrentWidget(window.gallery)
        assert window.gallery.isVisible()
        window.gallery.viewport().repaint()

    show_and_paint()
    assert 0 < len(asked) < 1000
    bar = window.gallery.verticalScrollBar()
    first_shown = 0
    for step in range(1, 11):
        asked.clear()
        bar.setValue(bar.maximum() * step // 10)
        qtbot.wait(1)  # the view scrolls its contents on the next event
        show_and_paint()
        assert 0 < len(asked) < 1000  # the rows on screen (and a few around), not 100k
        assert min(asked) > first_shown  # and they are further down each time
        first_shown = min(asked)


class _SlowAnalyzer:
    """No models: empty analyses, a little slowly, so there is time to watch and cancel."""

    pixel_sources: tuple[str, ...] = ()

    def analyze(self, photos, roots):
        time.sleep(0.15 * len(photos))
        return [Analysis() for _ in photos]


def test_indexing_shows_progress_and_cancels(qtbot, make_window, photos_dir: Path):
    for i in range(24):
        write_photo(photos_dir / f"p{i:02d}.jpg", width=64, height=48, seed=i)
    window = make_window(fast_engine=True, analyzer=_SlowAnalyzer)
    window.library_status.add_folders([str(photos_dir)])
    view = window.index_view
    qtbot.waitUntil(lambda: "photos/s" in view.label.text(), timeout=20_000)
    assert view.isVisible() and view.label.text().startswith("Indexing ")
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.indexing.running, timeout=20_000)
    assert not view.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    window.watcher.changed.emit()  # after a cancel, changes wait for the user's Rescan
    assert not window.indexing.running


def test_dropping_a_folder_adds_it(qtbot, make_window, photos_dir: Path):
    write_photo(photos_dir / "dropped.jpg", seed=9)
    window = make_window(fast_engine=True, analyzer=_SlowAnalyzer)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photos_dir)), QUrl("https://example.org/x.jpg")])
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    wait_indexed(qtbot, window, 1)
    assert window.folders_panel.folders() == [str(photos_dir.resolve())]


def test_every_control_has_a_name_and_a_tooltip(qtbot, make_window):
    window = make_window(fast_engine=True)
    kinds = (QAbstractButton, QLineEdit, QSlider, QAbstractItemView, QProgressBar)
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}"
        for w in window.findChildren(QWidget)
        if isinstance(w, kinds)
        and not w.objectName().startswith(("qt_", "_q_"))
        and not isinstance(w.parent(), QLineEdit | QAbstractItemView)  # Qt's own parts
        and not (w.accessibleName() and w.toolTip())
    ]
    assert unnamed == []


class _CallLog(KeywordSearchEngine):
    """The real keyword engine, noting what the app asks of it, in order."""

    calls: ClassVar[list[str]] = []

    def preload(self) -> None:
        self.calls.append("preload")
        super().preload()

    def search(self, query: str, top: int = 200):
        self.calls.append(f"search:{query}")
        return super().search(query, top)


def test_last_query_comes_back_and_is_searched_once_after_loading(qtbot, make_window, photos_dir):
    write_photo(photos_dir / "Beach" / "waves.jpg", seed=2)
    first = make_window(fast_engine=True)
    first.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, first, 1)
    first.search_edit.setText("beach")
    wait_results(qtbot, first, lambda: first.model.query == "beach")
    make_window.close(first)  # saves the settings
    _CallLog.calls = []
    again = make_window(engine=_CallLog)
    assert again.search_edit.text() == "beach"
    wait_results(qtbot, again, lambda: again.model.query == "beach" and again.model.rowCount())
    assert _CallLog.calls[0] == "preload"
    assert _CallLog.calls.count("search:beach") == 1
