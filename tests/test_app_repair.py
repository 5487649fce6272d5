"""The app on a damaged library: it asks to repair (never a crash, never a hang), and after
"Repair now" it shows a working gallery of every photo."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_injection import PAGE
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from test_app_support import settings_store, wait_results, write_library_photos

from amc_app.session import REPAIR_NOW, AppSession
from amc_app.window import MainWindow
from amc_core.api import default_analyzer, make_fallback_engine
from amc_core.index.library import Library
from amc_core.settings import IndexSettings


@pytest.fixture(name="indexed")
def indexed_fixture(library_dir: Path, photos_dir: Path) -> Path:
    write_library_photos(photos_dir)
    with Library(library_dir, IndexSettings(workers=1)) as library:
        folders = library.add_folders([str(photos_dir)])
        for _ in library.index(folders, analyzer=default_analyzer(), faces=False):
            pass
    return library_dir


class RepairClicker:
    """Answers the repair dialog with "Repair now" whenever it shows; keeps what it said."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self._timer = QTimer()
        self._timer.timeout.connect(self._poll)
        self._timer.start(50)

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and "damaged" in box.text():
            self.asked.append(box.informativeText() + "\n" + box.detailedText())
            next(b for b in box.buttons() if b.text() == REPAIR_NOW).click()

    def stop(self) -> None:
        self._timer.stop()


@pytest.fixture(name="clicker")
def clicker_fixture() -> Iterator[RepairClicker]:
    clicker = RepairClicker()
    yield clicker
    clicker.stop()


def _session(library_dir: Path, tmp_path: Path) -> AppSession:
    def make(library: Library) -> MainWindow:
        return MainWindow(library, settings_store(tmp_path), engine=make_fallback_engine)

    return AppSession(library_dir, make)


def _gallery_works(qtbot, session: AppSession) -> None:
    window = session.window
    assert isinstance(window, MainWindow)
    window.search_edit.setText("beach")
    wait_results(qtbot, window)
    shown = {window.model.result(row).path for row in range(window.model.rowCount())}
    assert any(path.endswith("waves.jpg") for path in shown)


def test_deleted_catalog_asks_then_repairs_into_a_working_gallery(
    qtbot, indexed: Path, tmp_path: Path, clicker: RepairClicker
):
    (indexed / "catalog.sqlite3").unlink()
    session = _session(indexed, tmp_path)
    try:
        assert session.open()
        assert clicker.asked and "photos are untouched" in clicker.asked[0]
        assert "missing" in clicker.asked[0]
        assert session.last_repair["photos"] == 3
        _gallery_works(qtbot, session)
    finally:
        session.close()


def test_damage_found_after_start_is_offered_for_repair(
    qtbot, indexed: Path, tmp_path: Path, clicker: RepairClicker
):
    catalog = indexed / "catalog.sqlite3"
    with sqlite3.connect(catalog) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'photo_features'"
        ).fetchone()
    with open(catalog, "r+b") as f:  # the features' page: the catalog still opens
        f.seek((root - 1) * PAGE)
        f.write(b"\xa5" * PAGE)
    session = _session(indexed, tmp_path)
    first = None
    try:
        assert session.open()
        first = session.window
        # the quick check after start finds it; repair then opens a fresh window
        qtbot.waitUntil(lambda: session.window is not first and session.window is not None,
                        timeout=60_000)  # fmt: skip
        assert clicker.asked
        assert session.last_repair["photos"] == 3
        _gallery_works(qtbot, session)
    finally:
        session.close()
