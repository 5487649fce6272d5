"""The desktop window, driven offscreen: empty state, add a folder, index, search."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from amc_app.window import MainWindow
from amc_core.service import Library
from photo_factory import write_photo


def test_add_folder_index_and_search(qtbot, library_dir: Path, photos_dir: Path, settings):
    write_photo(photos_dir / "Grandma 80th" / "cake.jpg", seed=1)
    write_photo(photos_dir / "Beach" / "waves.jpg", seed=2)
    library = Library(library_dir, settings)
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.empty_state
    assert window.search_edit.hasFocus() or not window.isActiveWindow()

    window.add_folder(str(photos_dir))
    qtbot.waitUntil(lambda: window._index_job is None, timeout=30_000)
    assert window.stack.currentWidget() is window.gallery
    assert "2 photos" in window.status_label.text()

    qtbot.keyClicks(window.search_edit, "grandma")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5_000)
    assert window.model.data(window.model.index(0), Qt.ItemDataRole.DisplayRole) == "cake.jpg"
    assert "1 results" in window.status_label.text()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == ""
    library.close()
