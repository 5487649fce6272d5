"""The in-app viewer driven as a person would: open a result with Enter or a double-click,
step through the results, zoom, see the details, hand the photo to the desktop, go back to the
gallery where it was. Real library, real photos, offscreen."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from test_app_support import (
    make_window_fixture,  # noqa: F401 - a fixture
    opened_urls_fixture,  # noqa: F401 - a fixture
    wait_indexed,
    wait_results,
)

from amc_app.settings import THUMBNAIL_MAX
from amc_app.window import MainWindow
from photo_factory import write_photo

PHOTOS = 9


@pytest.fixture(name="viewer_window")
def viewer_window_fixture(qtbot, make_window, photos_dir: Path) -> MainWindow:
    """Nine photos of one holiday (one taken on its side, EXIF orientation 6); the gallery's
    thumbnails are large, so that it scrolls."""
    holiday = photos_dir / "Holiday"
    for seed in range(PHOTOS - 2):
        side = 2 if seed == 1 else 1  # one large enough to decode at screen size, then whole
        write_photo(holiday / f"beach {seed}.jpg", 1200 * side, 900 * side, seed=seed)
    write_photo(
        holiday / "market.jpg",
        width=1200,
        height=900,
        seed=20,
        taken=datetime(2019, 7, 14, 15, 30),
        make="Apple",
        model="iPhone 8",
    )
    write_photo(holiday / "tower.jpg", width=1200, height=900, seed=21, orientation=6)
    window = make_window(fast_engine=True)
    window.resize(1100, 720)
    window.size_slider.setValue(THUMBNAIL_MAX)
    window.library_status.add_folders([str(photos_dir)])
    wait_indexed(qtbot, window, PHOTOS)
    qtbot.keyClicks(window.search_edit, "holiday")
    wait_results(qtbot, window, lambda: window.model.rowCount() == PHOTOS)
    return window


def _row_of(window: MainWindow, name: str) -> int:
    for row in range(window.model.rowCount()):
        if os.path.basename(window.model.result(row).path) == name:
            return row
    raise AssertionError(f"{name} is not among the results")


def _viewed(window: MainWindow) -> str:
    result = window.viewer.current()
    return os.path.basename(result.path) if result is not None else ""


def _wait_sharp(qtbot, window: MainWindow) -> None:
    """The screen-size decode replaced the thumbnail."""
    canvas = window.viewer_page.canvas
    qtbot.waitUntil(lambda: canvas.pixmap().width() > THUMBNAIL_MAX, timeout=10_000)


def test_open_step_and_back_to_the_same_place(qtbot, viewer_window: MainWindow):
    window, gallery = viewer_window, viewer_window.gallery
    bar = gallery.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    last = window.model.index(PHOTOS - 1)
    scrolled = bar.value()

    # a double-click opens the photo here, not in another application
    where = gallery.visualRect(last).center()
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double-click:
    qtbot.mouseDClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=where)  # press, again
    assert window.viewer.is_open and window.stack.currentWidget() is window.viewer_page
    assert window.viewer.row == PHOTOS - 1
    assert not window.inspector_dock.isVisible()  # the photo takes the room
    _wait_sharp(qtbot, window)
    # the viewer does not hold the window large: what does not fit goes behind the tool bar's
    # » button (all its buttons in a row: 675 px here) and the details scroll (297 px tall)
    least = window.viewer_page.minimumSizeHint()
    assert least.width() < 560 and least.height() < 240
    assert f"{PHOTOS} of {PHOTOS}" in window.viewer_page.title.text()
    assert not window.viewer_page.next_button.isEnabled()

    # Left, Right, Home, End step through the results' order
    canvas = window.viewer_page.canvas
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    assert window.viewer.row == PHOTOS - 2
    assert _viewed(window) == os.path.basename(window.model.result(PHOTOS - 2).path)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)  # past the end: stays on the last
    assert window.viewer.row == PHOTOS - 1
    qtbot.keyClick(canvas, Qt.Key.Key_Home)
    assert window.viewer.row == 0 and f"1 of {PHOTOS}" in window.viewer_page.title.text()
    qtbot.keyClick(canvas, Qt.Key.Key_End)
    assert window.viewer.row == PHOTOS - 1

    # Esc: the gallery, scrolled where it was, the viewed photo selected
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert not window.viewer.is_open and window.stack.currentWidget() is gallery
    assert gallery.currentIndex().row() == PHOTOS - 1
    assert bar.value() == scrolled
    assert window.inspector_dock.isVisible()

    # Enter opens the selected photo; stepping to the first and back shows it in the gallery
    gallery.setFocus()
    qtbot.keyClick(gallery, Qt.Key.Key_Return)
    assert window.viewer.row == PHOTOS - 1
    qtbot.keyClick(window.viewer_page.canvas, Qt.Key.Key_Home)
    qtbot.keyClick(window.viewer_page.canvas, Qt.Key.Key_Escape)
    assert gallery.currentIndex().row() == 0
    assert gallery.viewport().rect().intersects(gallery.visualRect(window.model.index(0)))


def test_zoom_fit_and_full_resolution(qtbot, viewer_window: MainWindow):
    window = viewer_window
    window.gallery.setCurrentIndex(window.model.index(_row_of(window, "beach 1.jpg")))
    window.menus.view_photo.trigger()
    _wait_sharp(qtbot, window)
    canvas = window.viewer_page.canvas
    assert canvas.full_size() == QSize(2400, 1800)
    screen_decode = canvas.pixmap().width()
    assert screen_decode < 2400  # the offscreen screen is 800 px: a JPEG draft at 1/2
    fit = canvas.scale()
    assert canvas.is_fit() and fit < 1.0
    assert canvas.image_rect().width() <= canvas.width() + 0.5

    qtbot.keyClick(canvas, Qt.Key.Key_1)
    assert canvas.scale() == pytest.approx(1.0) and window.viewer_page.zoom_label.text() == "100%"
    # at 100% the whole photo is decoded, not the screen-size one
    qtbot.waitUntil(lambda: canvas.pixmap().width() == 2400, timeout=10_000)
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.scale() == pytest.approx(1.25)
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.scale() == pytest.approx(0.8)

    # drag to pan a zoomed photo
    qtbot.keyClick(canvas, Qt.Key.Key_1)
    before = canvas.image_rect().topLeft()
    centre = canvas.rect().center()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseMove(canvas, pos=centre + type(centre)(-60, -40))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=centre + type(centre)(-60, -40))
    moved = canvas.image_rect().topLeft() - before
    assert moved.x() == pytest.approx(-60) and moved.y() < 0

    qtbot.keyClick(canvas, Qt.Key.Key_0)
    assert canvas.is_fit() and canvas.scale() == pytest.approx(fit)
    window.viewer_page.actual_button.click()
    assert canvas.scale() == pytest.approx(1.0)
    window.viewer_page.fit_button.click()
    assert canvas.scale() == pytest.approx(fit)


def test_upright_details_and_open_with(
    qtbot, viewer_window: MainWindow, opened_urls, photos_dir: Path
):
    window = viewer_window
    window.gallery.setCurrentIndex(window.model.index(_row_of(window, "tower.jpg")))
    window.menus.view_photo.trigger()
    _wait_sharp(qtbot, window)
    canvas = window.viewer_page.canvas
    # stored landscape, taken on its side: shown upright (portrait), as the gallery does
    assert canvas.full_size() == QSize(900, 1200)
    assert canvas.pixmap().height() > canvas.pixmap().width()

    window.viewer.show_row(_row_of(window, "market.jpg"))
    details = window.viewer_page.details
    market = (photos_dir / "Holiday" / "market.jpg").resolve()
    assert "14 July 2019" in details.taken.text()
    assert details.camera.text() == "Apple iPhone 8"
    assert details.pixels.text() == "1200 × 900 px"
    assert details.path.text() == str(market)
    assert "holiday" in details.keywords.text()
    # the Taken and Camera rows say when and with what: the keywords do not repeat them
    assert not {"2019", "july", "apple", "iphone"} & set(details.keywords.text().split(", "))

    # Open with…: the desktop's application; the Photo menu does the same
    window.viewer_page.open_button.click()
    assert opened_urls == [str(market)]
    window.menus.open.trigger()
    assert opened_urls == [str(market)] * 2
    qtbot.waitUntil(
        lambda: (
            ("holiday", window.viewer.current().photo_id, "open")  # type: ignore[union-attr]
            in window.library.catalog.clicks()
        ),
        timeout=5_000,
    )

    # full screen hides the window's chrome; F11 again brings it back
    qtbot.keyClick(canvas, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=5_000)
    assert not window.menuBar().isVisible() and not window.search_bar.isVisible()
    qtbot.keyClick(canvas, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5_000)
    assert window.menuBar().isVisible() and window.search_bar.isVisible()

    # a new answer to the search while viewing: the viewer stays on the photo, wherever it is
    viewed = window.viewer.current().photo_id  # type: ignore[union-attr]
    window.search_edit.setText("holiday market")
    wait_results(qtbot, window, lambda: window.model.query == "holiday market")
    assert window.viewer.is_open and window.viewer.current().photo_id == viewed  # type: ignore[union-attr]
    assert window.viewer_page.title.text().startswith("market.jpg")


def test_a_photo_that_cannot_be_decoded_shows_why(
    qtbot, viewer_window: MainWindow, photos_dir: Path
):
    window = viewer_window
    row = _row_of(window, "beach 3.jpg")
    (photos_dir / "Holiday" / "beach 3.jpg").write_bytes(b"not a photo any more" * 10)
    window.gallery.setCurrentIndex(window.model.index(row))
    window.menus.view_photo.trigger()
    canvas = window.viewer_page.canvas
    qtbot.waitUntil(lambda: "cannot be shown" in canvas.message, timeout=10_000)
    assert "not an image" in canvas.message
    assert window.viewer.is_open  # still viewing: the next photo shows
    qtbot.keyClick(canvas, Qt.Key.Key_Right if row + 1 < PHOTOS else Qt.Key.Key_Left)
    _wait_sharp(qtbot, window)
    assert canvas.message == ""


def test_stepping_through_a_browse_skips_its_month_headers(qtbot, viewer_window: MainWindow):
    """With nothing typed the gallery browses by month, header rows among the photos; the
    viewer steps from photo to photo and counts photos, not rows."""
    window = viewer_window
    window.search_edit.clear()
    model = window.model
    qtbot.waitUntil(lambda: model.header(0) is not None and model.photo_count() == PHOTOS)
    photos = model.photo_rows()
    assert len(photos) == PHOTOS and len(photos) < model.rowCount()  # headers are rows too
    window.gallery.setCurrentIndex(model.index(photos[0]))
    qtbot.keyClick(window.gallery, Qt.Key.Key_Return)
    seen = [window.viewer.current().photo_id]
    for _ in range(PHOTOS + 2):  # past the end: it stays on the last photo
        qtbot.keyClick(window.viewer_page, Qt.Key.Key_Right)
        seen.append(window.viewer.current().photo_id)
    assert seen[:PHOTOS] == [model.result(row).photo_id for row in photos]
    assert seen[PHOTOS:] == [seen[PHOTOS - 1]] * 3
    assert f"{PHOTOS} of {PHOTOS}" in window.viewer_page.title.text()
    qtbot.keyClick(window.viewer_page, Qt.Key.Key_Home)
    assert window.viewer.current().photo_id == seen[0]
    assert f"1 of {PHOTOS}" in window.viewer_page.title.text()
