"""Shared pieces of the app tests: a real window on a real library in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices

from amc_app.settings import SettingsStore
from amc_app.window import MainWindow
from amc_core.api import make_fallback_engine
from amc_core.index.library import Library
from amc_core.settings import IndexSettings
from photo_factory import write_photo

PARIS = (48.8566, 2.3522)


def settings_store(folder: Path) -> SettingsStore:
    """A QSettings scope of the test's own: an .ini file in its temporary folder."""
    return SettingsStore(QSettings(str(folder / "app.ini"), QSettings.Format.IniFormat))


def write_library_photos(folder: Path) -> dict[str, Path]:
    """Three small photos: one with date, place and camera; one whose name is markup (rich text would make x bold)."""
    return {
        "cake": write_photo(
            folder / "Grandma 80th" / "cake.jpg",
            seed=1,
            taken=datetime(2019, 7, 14, 15, 30),
            gps=PARIS,
            make="Apple",
            model="iPhone 8",
        ),
        "waves": write_photo(folder / "Beach" / "waves.jpg", seed=2, taken=datetime(2018, 8, 2)),
        "markup": write_photo(folder / "Beach" / "<b>x<b>.jpg", seed=3),  # "/" cannot be in a name
    }


class WindowMaker:
    """Opens real windows; closes them (and their libraries) when the test ends."""

    def __init__(self, qtbot: object, library_dir: Path, settings: IndexSettings, tmp: Path):
        self._qtbot = qtbot
        self._library_dir = library_dir
        self._settings = settings
        self._tmp = tmp
        self._open: list[tuple[MainWindow, Library]] = []

    def __call__(self, fast_engine: bool = False, **options: object) -> MainWindow:
        library = Library(self._library_dir, self._settings)
        if fast_engine:
            options.setdefault("engine", make_fallback_engine)
        options.setdefault("inspect_dwell_ms", 50)
        window = MainWindow(library, settings_store(self._tmp), **options)
        window.show()
        self._open.append((window, library))
        return window

    def close(self, window: MainWindow) -> None:
        for pair in list(self._open):
            if pair[0] is window:
                self._open.remove(pair)
                window.close()
                window.deleteLater()
                pair[1].close()

    def close_all(self) -> None:
        for window, _library in list(self._open):
            self.close(window)


@pytest.fixture(name="make_window")
def make_window_fixture(
    qtbot, library_dir: Path, settings: IndexSettings, tmp_path: Path
) -> Iterator[WindowMaker]:
    maker = WindowMaker(qtbot, library_dir, settings, tmp_path)
    yield maker
    maker.close_all()


@pytest.fixture(name="opened_urls")
def opened_urls_fixture(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """QDesktopServices.openUrl records instead of launching a viewer."""
    opened: list[str] = []

    def record(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(record))
    return opened


def wait_indexed(qtbot, window: MainWindow, photos: int) -> None:
    noun = "photo" if photos == 1 else "photos"
    qtbot.waitUntil(
        lambda: not window.indexing.running and window.count_label.text() == f"{photos} {noun}",
        timeout=30_000,
    )


def wait_results(qtbot, window: MainWindow, done: Callable[[], bool] | None = None) -> None:
    qtbot.waitUntil(
        done
        or (  # the answer to the whole query (each key searches too: results follow typing)
            lambda: (
                window.model.query == window.search_edit.text().strip()
                and window.model.rowCount() > 0
                and "·" in window.search_bar.info.text()
            )
        ),
        timeout=15_000,
    )
