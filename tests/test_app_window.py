"""The desktop window driven as a person would: add a folder, index, search, inspect, open,
learn from clicks, remove the folder. Real library, real photos, real models, offscreen."""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from test_app_support import (
    make_window_fixture,  # noqa: F401 - a fixture
    opened_urls_fixture,  # noqa: F401 - a fixture
    wait_indexed,
    wait_results,
    write_library_photos,
)

from amc_app.window import MainWindow
from photo_factory import write_photo


def _select(window: MainWindow, name: str) -> None:
    for row in window.model.photo_rows():
        if os.path.basename(window.model.result(row).path) == name:
            window.gallery.setCurrentIndex(window.model.index(row))
            return
    raise AssertionError(f"{name} is not among the results")


def test_search_inspect_open_learn_and_remove(qtbot, make_window, opened_urls, photos_dir: Path):
    photos = write_library_photos(photos_dir)
    window = make_window()
    assert window.stack.currentWidget() is window.empty_state

    window.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, window, 3)
    assert window.stack.currentWidget() is window.gallery
    assert window.folders_panel.folders() == [str(photos_dir.resolve())]
    qtbot.waitUntil(lambda: window.provider_label.text().startswith("Runs on"), timeout=15_000)

    # results as you type, ranked, with count and time
    qtbot.keyClicks(window.search_edit, "grandma")
    wait_results(qtbot, window)
    assert os.path.basename(window.model.result(0).path) == "cake.jpg"
    assert " ms" in window.search_bar.info.text()

    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)  # from the query to the results
    assert window.gallery.currentIndex().row() == 0
    _check_inspector(window)
    cake_id = window.model.result(0).photo_id
    _check_clicks(qtbot, window, cake_id, opened_urls, photos["cake"])
    _check_photo_actions(qtbot, window, cake_id, opened_urls, photos["cake"])
    _check_learning(qtbot, window, cake_id)

    # remove the folder: its photos leave the library, never the disk
    window.folders_panel.select(str(photos_dir.resolve()))
    qtbot.mouseClick(window.folders_panel.remove_button, Qt.MouseButton.LeftButton)
    wait_indexed(qtbot, window, 0)
    assert window.stack.currentWidget() is window.empty_state
    assert all(p.is_file() for p in photos.values())


def _check_inspector(window: MainWindow) -> None:
    """The inspector explains the selected result: weights, keywords by attention, details."""
    inspector = window.inspector
    assert inspector.title.text() == "cake.jpg"
    visual, language = float(inspector.visual_value.text()), float(inspector.language_value.text())
    assert abs(visual + language - 1.0) < 0.02
    rows = inspector.keyword_rows()
    assert "grandma" in [keyword for keyword, _w, _s in rows]
    weights = [weight for _k, weight, _s in rows]
    assert weights == sorted(weights, reverse=True)
    assert "paris" in inspector.place.text()
    assert inspector.camera.text() == "Apple iPhone 8"
    assert inspector.pixels.text() == "320 × 240 px"
    assert "14 July 2019" in inspector.taken.text()


def _check_clicks(qtbot, window: MainWindow, cake_id: int, opened: list[str], cake: Path) -> None:
    """Looking at a result for a moment records "inspect"; Enter opens it in the viewer and
    records "open"; Open with… hands it to the desktop's application."""
    clicks = window.library.catalog.clicks
    qtbot.waitUntil(lambda: ("grandma", cake_id, "inspect") in clicks(), timeout=5_000)
    window.gallery.setFocus()
    qtbot.keyClick(window.gallery, Qt.Key.Key_Return)
    assert window.viewer.is_open and opened == []
    qtbot.waitUntil(lambda: ("grandma", cake_id, "open") in clicks(), timeout=5_000)
    qtbot.keyClick(window.viewer_page.canvas, Qt.Key.Key_Escape)
    assert not window.viewer.is_open and window.gallery.currentIndex().row() == 0
    qtbot.keyClick(window.gallery, Qt.Key.Key_Return)  # once per query is enough
    qtbot.keyClick(window.viewer_page.canvas, Qt.Key.Key_Escape)
    window.menus.open.trigger()
    assert opened == [str(cake.resolve())]
    qtbot.wait(100)
    assert clicks().count(("grandma", cake_id, "open")) == 1


def _check_photo_actions(
    qtbot, window: MainWindow, cake_id: int, opened: list[str], cake: Path
) -> None:
    """Copy its path, show its folder, find similar photos."""
    window.menus.copy_path.trigger()
    assert QGuiApplication.clipboard().text() == str(cake.resolve())
    window.menus.show_folder.trigger()
    assert opened[-1] == str(cake.resolve().parent)
    window.menus.similar.trigger()
    qtbot.waitUntil(lambda: "like cake.jpg" in window.search_bar.info.text(), timeout=10_000)
    assert all(window.model.result(i).photo_id != cake_id for i in range(window.model.rowCount()))


def _check_learning(qtbot, window: MainWindow, cake_id: int) -> None:
    """Too few searches to learn from; then the real trainer reports before/after on held-out
    clicks and keeps the new parameters only when they are better; then clear."""
    from amc_core.learn.constants import user_params_path

    window.menus.improve.trigger()
    assert "at least 6 different searches" in window.banner.text()
    for query in ("cake", "party", "birthday", "family", "summer", "paris"):
        window.learning.record(query, cake_id, "open")
    qtbot.waitUntil(lambda: window.learning.clicked_queries() >= 6, timeout=5_000)
    window.menus.improve.trigger()
    qtbot.waitUntil(lambda: " after; " in window.banner.text(), timeout=90_000)
    text = window.banner.text()
    before, after = (float(x) for x in re.findall(r"(\d\.\d{3}) (?:before|after)", text))
    kept = user_params_path(window.library.paths.root).is_file()
    assert ("the new ranking is in use" in text) == kept
    assert after >= before and (after > before) == kept
    window.menus.clear_clicks.trigger()
    qtbot.waitUntil(lambda: window.library.catalog.clicks() == [], timeout=5_000)


def test_names_from_photos_show_as_plain_text(qtbot, make_window, photos_dir: Path):
    write_library_photos(photos_dir)
    window = make_window()
    window.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, window, 3)
    window.search_edit.setText("beach")
    wait_results(qtbot, window)
    _select(window, "<b>x<b>.jpg")
    title = window.inspector.title
    assert title.textFormat() == Qt.TextFormat.PlainText
    assert title.text() == "<b>x<b>.jpg"
    assert window.inspector.path.textFormat() == Qt.TextFormat.PlainText
    assert window.inspector.path.text().replace("\u200b", "").endswith("/Beach/<b>x<b>.jpg")
    row = window.gallery.currentIndex()
    assert window.model.data(row, Qt.ItemDataRole.DisplayRole) == "<b>x<b>.jpg"
    tooltip = str(window.model.data(row, Qt.ItemDataRole.ToolTipRole))
    assert "&lt;b&gt;x&lt;b&gt;.jpg" in tooltip  # escaped: shown literally, not bold


def test_watched_folder_picks_up_new_photos(qtbot, make_window, photos_dir: Path):
    write_photo(photos_dir / "first.jpg", seed=4)
    window = make_window(fast_engine=True)
    window.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, window, 1)
    assert str(photos_dir.resolve()) in window.watcher.watched()
    write_photo(photos_dir / "second.jpg", seed=5)
    window.watcher.changed.emit()  # what the debounced file-system event does
    wait_indexed(qtbot, window, 2)
