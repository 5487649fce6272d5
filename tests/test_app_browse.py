"""Browsing the library in the window: the empty query shows every photo newest first in month
sections; years and places narrow it with one click; a date sort orders a search's strong
matches and is remembered; a divider sets the weaker matches apart. Real library, real
photos, real models, offscreen."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from test_app_support import (
    make_window_fixture,  # noqa: F401 - a fixture
    wait_indexed,
)

from amc_app.window import MainWindow
from photo_factory import exif_bytes

PHOTOS = Path(__file__).parent / "data" / "photos"
TOKYO = (35.6762, 139.6503)
OLD = datetime(2000, 1, 10).timestamp()


def _save(src: str, dst: Path, **exif: object) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(PHOTOS / f"{src}.jpg") as image:
        image.save(dst, quality=90, exif=exif_bytes(**exif) if exif else b"")  # type: ignore[arg-type]


def _write_photos(folder: Path) -> None:
    _save("chelsea_cat", folder / "Holidays" / "cat.jpg", taken=datetime(2019, 7, 14, 16))
    _save("dog_bicycle_truck", folder / "Walks" / "dog.jpg", taken=datetime(2019, 7, 1, 12))
    _save("coffee", folder / "Cafe" / "espresso.jpg", taken=datetime(2021, 3, 2, 9))
    _save("rocket", folder / "Trip" / "rocket.jpg", taken=datetime(2020, 5, 5), gps=TOKYO)
    _save("astronaut", folder / "Trip" / "astronaut.jpg", taken=datetime(2017, 11, 11), gps=TOKYO)
    _save("coffee", folder / "Old" / "scan.jpg")  # no capture date: the file's date
    os.utime(folder / "Old" / "scan.jpg", (OLD, OLD))


def _indexed_window(qtbot, make_window, photos_dir: Path) -> MainWindow:
    _write_photos(photos_dir)
    window = make_window()
    window.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, window, 6)
    qtbot.waitUntil(lambda: window.provider_label.text().startswith("Runs on"), timeout=30_000)
    return window


def _shown(window: MainWindow) -> list[str]:
    return [Path(window.model.result(row).path).name for row in window.model.photo_rows()]


def _headers(window: MainWindow) -> list[tuple[str, str]]:
    model = window.model
    return [h for row in range(model.rowCount()) if (h := model.header(row)) is not None]


def _wait_browse(qtbot, window: MainWindow, names: list[str]) -> None:
    qtbot.waitUntil(lambda: window.model.browsing and _shown(window) == names, timeout=15_000)


def test_empty_query_browses_newest_first_in_months_and_chips_narrow(
    qtbot, make_window, photos_dir: Path
):
    window = _indexed_window(qtbot, make_window, photos_dir)
    newest = ["espresso.jpg", "rocket.jpg", "cat.jpg", "dog.jpg", "astronaut.jpg", "scan.jpg"]
    _wait_browse(qtbot, window, newest)
    assert [text for _kind, text in _headers(window)] == [
        "March 2021  ·  1 photo", "May 2020  ·  1 photo", "July 2019  ·  2 photos",
        "November 2017  ·  1 photo", "January 2000  ·  1 photo",
    ]  # fmt: skip
    assert window.model.header(0) is not None and window.model.flags(window.model.index(0)) == (
        Qt.ItemFlag.NoItemFlags
    )  # a header is never selected
    assert "6 photos" in window.search_bar.info.text()
    # headers span the view: the photo after one starts a new line
    first_photo = window.gallery.visualRect(window.model.index(1))
    header = window.gallery.visualRect(window.model.index(0))
    assert first_photo.left() == header.left() and first_photo.top() >= header.bottom()
    # nothing was ranked: the inspector says so and shows no score, weights or keywords
    window.gallery.setCurrentIndex(window.model.index(1))
    qtbot.waitUntil(lambda: "Browsing" in window.inspector.regions_note.text())
    assert window.inspector.ranking.isHidden()

    # no words to rank by: the sort shows what the gallery does, and best match is not offered
    filters = window.browse_filters
    assert filters.sort.currentData() == "newest"
    best = filters.sort.model().item(filters.sort.findData("score"))  # type: ignore[attr-defined]
    assert not best.isEnabled()
    assert window.model.sort_order == "score"  # remembered for the next search

    # the years and places of the catalog, one click each
    qtbot.waitUntil(lambda: "year:2019" in filters.years.chips, timeout=10_000)
    assert list(filters.years.chips) == ["year:2021", "year:2020", "year:2019", "year:2017"]
    qtbot.mouseClick(filters.years.chips["year:2019"], Qt.MouseButton.LeftButton)
    assert window.search_edit.text() == "year:2019"
    _wait_browse(qtbot, window, ["cat.jpg", "dog.jpg"])
    assert filters.years.chips["year:2019"].isChecked()
    assert [text for _k, text in _headers(window)] == ["14 July 2019  ·  1 photo",
                                                       "1 July 2019  ·  1 photo"]  # fmt: skip
    qtbot.mouseClick(filters.years.chips["year:2020"], Qt.MouseButton.LeftButton)  # replaces
    assert window.search_edit.text() == "year:2020"
    _wait_browse(qtbot, window, ["rocket.jpg"])
    qtbot.mouseClick(filters.years.chips["year:2020"], Qt.MouseButton.LeftButton)  # widens
    _wait_browse(qtbot, window, newest)
    qtbot.waitUntil(lambda: "place:tokyo" in filters.places.chips, timeout=10_000)
    qtbot.mouseClick(filters.places.chips["place:tokyo"], Qt.MouseButton.LeftButton)
    _wait_browse(qtbot, window, ["rocket.jpg", "astronaut.jpg"])
    filters.sort.setCurrentIndex(filters.sort.findData("oldest"))  # a browse, oldest first
    _wait_browse(qtbot, window, ["astronaut.jpg", "rocket.jpg"])
    filters.sort.setCurrentIndex(filters.sort.findData("newest"))
    window.search_edit.setText("cat")  # words again: best match is offered, newest is kept
    qtbot.waitUntil(lambda: window.model.query == "cat" and not window.model.browsing,
                    timeout=15_000)  # fmt: skip
    assert best.isEnabled() and filters.sort.currentData() == "newest"


def test_emptying_the_box_to_type_anew_does_not_browse_under_the_keys(
    qtbot, make_window, photos_dir: Path
):
    """Select-all + Backspace mostly starts the next query: the library is not laid out under
    its first keys (a browse waits for a pause); Esc browses at once."""
    window = _indexed_window(qtbot, make_window, photos_dir)
    window.search_edit.setText("tokyo")
    qtbot.waitUntil(lambda: window.model.query == "tokyo" and not window.model.browsing,
                    timeout=15_000)  # fmt: skip
    shown: list[bool] = []  # browsing or not, at every answer the gallery showed
    window.model.modelReset.connect(lambda: shown.append(window.model.browsing))
    window.search_edit.selectAll()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(window.search_edit, "cat")
    qtbot.waitUntil(lambda: window.model.query == "cat", timeout=15_000)
    assert shown and not any(shown)  # no browse came in between
    window.search_edit.selectAll()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Backspace)  # and now a pause: the library
    _wait_browse(qtbot, window, ["espresso.jpg", "rocket.jpg", "cat.jpg", "dog.jpg",
                                 "astronaut.jpg", "scan.jpg"])  # fmt: skip


def test_divider_and_date_sort_of_the_strong_matches_remembered(
    qtbot, make_window, photos_dir: Path
):
    window = _indexed_window(qtbot, make_window, photos_dir)
    window.search_edit.setText("tokyo")
    qtbot.waitUntil(lambda: window.model.query == "tokyo" and not window.model.browsing,
                    timeout=15_000)  # fmt: skip
    model = window.model
    results = [model.result(row) for row in model.photo_rows()]
    strong = [r for r in results if r.strong]
    weak = [r for r in results if not r.strong]
    assert {Path(r.path).name for r in strong} == {"rocket.jpg", "astronaut.jpg"}
    assert weak, "the other photos are weaker matches"
    dividers = [(row, model.header(row)) for row in range(model.rowCount()) if model.header(row)]
    assert dividers == [(2, ("divider", f"{len(weak)} weaker match" + "es" * (len(weak) > 1)))]
    assert all(not model.result(row).strong for row in model.photo_rows() if row > 2)
    assert f"2 strong of {len(results)} results" in window.search_bar.info.text()

    weak_order = [Path(r.path).name for r in weak]
    for order, first in (("newest", "rocket.jpg"), ("oldest", "astronaut.jpg")):
        window.browse_filters.sort.setCurrentIndex(window.browse_filters.sort.findData(order))
        names = _shown(window)
        assert names[0] == first and set(names[:2]) == {"rocket.jpg", "astronaut.jpg"}
        assert names[2:] == weak_order  # the weaker matches keep their place, best first
        assert model.header(2) is not None

    window.browse_filters.sort.setCurrentIndex(window.browse_filters.sort.findData("newest"))
    make_window.close(window)
    again = make_window()  # the sort order is remembered across windows
    assert again.browse_filters.sort.currentData() == "newest"
    assert again.model.sort_order == "newest"
