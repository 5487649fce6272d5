"""Render the main window with results and the inspector, and save it as a PNG.

    xvfb-run -a python -m amc_app.screenshot --out docs/screenshot.png --query "dog"
    xvfb-run -a python -m amc_app.screenshot --out docs/people.png --people --library DIR
    xvfb-run -a -s "-screen 0 1440x900x24" python -m amc_app.screenshot --out docs/viewer.png \
        --viewer --query "beach" --select 1
    xvfb-run -a python -m amc_app.screenshot --out docs/browse.png --browse

docs/people.png shows a library of the dev-set photos (Unsorted/) and tests/data/faces
(White House/) indexed with `amc index`, the one group named with `amc people name 1 "Barack
Obama"`.

Uses a copy of the given library (default: the dev-set library in the build cache, indexed
on first use), so the library itself is never written to.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication

from amc_app.settings import SettingsStore
from amc_app.window import MainWindow
from amc_core.api import Library, devset_library, has_catalog


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amc_app.screenshot")
    parser.add_argument("--out", default="docs/screenshot.png", help="the PNG to write")
    parser.add_argument("--library", metavar="DIR", help="library to show (copied first)")
    parser.add_argument("--query", default="dog", help="the query to show results for")
    parser.add_argument("--select", type=int, default=0, help="which result to inspect")
    parser.add_argument("--word", help="the inspector's heat-map of this word of the query")
    parser.add_argument("--size", default="1440x900", help="window size, WxH")
    parser.add_argument("--dark", action="store_true", help="render with a dark palette")
    parser.add_argument(
        "--people", action="store_true", help="show the People view, --select picks the person"
    )
    parser.add_argument(
        "--viewer", action="store_true", help="open the selected result in the in-app viewer"
    )
    parser.add_argument(
        "--browse", action="store_true", help="the empty query: the library by month, newest first"
    )
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    if args.dark:
        app.setPalette(_dark_palette())
    width, height = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        library_dir = _copy_library(_source_library(args.library), Path(tmp) / "library")
        store = SettingsStore(
            QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        )
        library = Library(library_dir)
        window = MainWindow(library, store, inspect_dwell_ms=60_000)
        window.resize(width, height)
        window.show()
        if args.people:
            shown = _show_people(app, window, args.select)
        elif args.browse:
            shown = _show_browse(app, window, args.select)
        else:
            shown = _show_results(app, window, args.query, args.select)
            if args.word and not window.inspector.choose_word(args.word):
                print(f"no heat-map of {args.word!r} for this photo", file=sys.stderr)
            if args.viewer:
                window.viewer.open_current()
                canvas = window.viewer_page.canvas
                _wait(app, lambda: canvas.pixmap().width() > 256, seconds=10)
        _wait(app, lambda: False, seconds=1.5)  # previews decode in the background
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"wrote {out} ({shown})")
        window.close()
        library.close()
    return 0


def _show_results(app: QApplication, window: MainWindow, query: str, select: int) -> str:
    window.search_edit.setText(query)
    _wait(app, lambda: window.model.query == query.strip() and not window.model.browsing
          and window.model.rowCount() > 0 and not window.indexing.running)  # fmt: skip
    if window.model.rowCount() > select:
        window.gallery.setCurrentIndex(window.model.index(select))
    return f"{window.model.rowCount()} results for {query!r}"


def _show_browse(app: QApplication, window: MainWindow, select: int) -> str:
    """No query: the whole library, newest first in month sections, the years and places."""
    window.search_edit.setText("")
    model, filters = window.model, window.browse_filters
    _wait(app, lambda: model.browsing and model.photo_count() > 0 and bool(filters.years.chips))
    rows = model.photo_rows()
    if len(rows) > select:
        index = model.index(rows[select])
        window.gallery.setCurrentIndex(index)
        window.gallery.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
    return f"{model.photo_count()} photos browsed"


def _show_people(app: QApplication, window: MainWindow, select: int) -> str:
    """The People view with a person selected; the inspector keeps the last photo looked at:
    the one that shows them best (its face box carries their name)."""
    people, faces = window.people.model, window.people.faces_model
    _wait(app, lambda: window.people.loaded and not window.indexing.running)
    if people.rowCount() <= select:
        window.tabs.show_people()
        return "no people"
    person = people.person(select)
    window.people_view.people_list.setCurrentIndex(people.index(select))
    _wait(app, lambda: faces.rowCount() > 0, seconds=10)
    cover = next((f.photo_id for f in faces.faces() if f.id == person.cover_face), None)
    window.people.show_current_photos()
    _wait(app, lambda: window.model.rowCount() > 0 and window.model.query.startswith("person:"))
    row = window.model.row_of(cover) if cover is not None else 0
    window.gallery.setCurrentIndex(window.model.index(max(row, 0)))
    window.tabs.show_people()
    _wait(app, lambda: faces.rowCount() > 0, seconds=10)
    return f"{people.rowCount()} people"


def _source_library(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).expanduser()

    return devset_library()


def _copy_library(source: Path, target: Path) -> Path:
    if not has_catalog(source):
        raise SystemExit(f"no library at {source}")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


def _wait(app: QApplication, done: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def _dark_palette() -> QPalette:
    """Stands in for a dark system theme when checking the window under Xvfb."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(45, 45, 48),
        QPalette.ColorRole.WindowText: QColor(230, 230, 230),
        QPalette.ColorRole.Base: QColor(30, 30, 32),
        QPalette.ColorRole.AlternateBase: QColor(58, 58, 62),
        QPalette.ColorRole.Text: QColor(230, 230, 230),
        QPalette.ColorRole.Button: QColor(55, 55, 58),
        QPalette.ColorRole.ButtonText: QColor(230, 230, 230),
        QPalette.ColorRole.Highlight: QColor(42, 130, 218),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.ToolTipBase: QColor(58, 58, 62),
        QPalette.ColorRole.ToolTipText: QColor(230, 230, 230),
        QPalette.ColorRole.Mid: QColor(80, 80, 84),
        QPalette.ColorRole.PlaceholderText: QColor(150, 150, 150),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    palette.setColor(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(140, 140, 140)
    )
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 120))
    return palette


if __name__ == "__main__":
    sys.exit(main())
