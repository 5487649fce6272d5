"""The Duplicates page on a real library: groups found, the keeper suggested and changeable,
nothing moved when the confirmation is cancelled; confirmed, the others go to the desktop
trash (never deleted), the catalog forgets them and the group disappears."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from test_app_support import make_window_fixture  # noqa: F401 - a fixture
from test_duplicates import DEVSET, amc

from amc_app.controllers.duplicates import MOVE_TO_TRASH
from amc_app.window import MainWindow
from amc_core.index.duplicates import EXACT, KEEPER, NEAR
from amc_core.store.catalog import Catalog
from amc_core.store.layout import LibraryPaths


class Answer:
    """Answers the next confirmation with the button of this text, and keeps what it asked."""

    def __init__(self, button: str) -> None:
        self.button = button
        self.asked: list[str] = []
        self._timer = QTimer()
        self._timer.timeout.connect(self._poll)
        self._timer.start(50)

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        self.asked.append(box.text())
        self._timer.stop()
        buttons = [b for b in box.buttons() if b.text().replace("&", "") == self.button]
        (buttons or box.buttons())[0].click()  # another question: answered, and the test fails


@pytest.fixture
def duplicated(tmp_path: Path, library_dir: Path) -> Path:
    """A photo, its exact copy and a half-size copy, beside a different photo; indexed."""
    folder = tmp_path / "photos"
    folder.mkdir()
    with Image.open(DEVSET / "dv003.jpg") as image:
        image.convert("RGB").save(folder / "tree.jpg", "JPEG", quality=92)
        w, h = image.size
        image.convert("RGB").resize((w // 2, h // 2)).save(folder / "tree-small.jpg", "JPEG")
    shutil.copyfile(folder / "tree.jpg", folder / "tree copy.jpg")
    shutil.copyfile(DEVSET / "dv061.jpg", folder / "other.jpg")
    result = amc("index", str(folder), "--library", str(library_dir), "--json")
    assert result.returncode == 0, result.stderr
    return folder


def open_duplicates(qtbot, make_window) -> MainWindow:
    window: MainWindow = make_window(fast_engine=True)
    window.tabs.show_duplicates()
    assert window.tabs.currentWidget() is window.duplicates_view
    window.duplicates_view.find_button.click()
    qtbot.waitUntil(lambda: bool(window.duplicates.groups) and not window.duplicates.busy,
                    timeout=30_000)  # fmt: skip
    return window


def catalog_paths(library_dir: Path) -> set[str]:
    with Catalog.open(LibraryPaths(library_dir).catalog) as catalog:
        return {str(r["path"]) for r in catalog.photo_rows("WHERE state = 'ok'")}


def test_keeper_suggested_changeable_and_cancel_trashes_nothing(
    qtbot, make_window, duplicated: Path, library_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    window = open_duplicates(qtbot, make_window)
    view, controller = window.duplicates_view, window.duplicates
    assert view.groups.count() == 1
    group = controller.groups[0]
    assert [Path(p.path).name for p in group.photos][2] == "tree-small.jpg"
    assert Path(group.keeper.path).name == "tree.jpg"  # full size, and older than its copy
    assert [c.reason.text() for c in view.cards] == [KEEPER, EXACT, NEAR]
    assert view.cards[0].keep.isChecked() and len(view.cards) == 3

    view.cards[1].keep.click()  # keep the exact copy instead
    assert Path(controller.current.keeper.path).name == "tree copy.jpg"
    assert [c.reason.text() for c in view.cards] == [EXACT, KEEPER, NEAR]

    before = catalog_paths(library_dir)
    answer = Answer("Cancel")
    view.trash_button.click()  # the dialog is modal: this returns once it is answered
    assert answer.asked and "Move 2 photos" in answer.asked[0]
    assert sorted(p.name for p in duplicated.iterdir()) == [
        "other.jpg", "tree copy.jpg", "tree-small.jpg", "tree.jpg"]  # fmt: skip
    assert not (tmp_path / "data" / "Trash").exists()
    assert catalog_paths(library_dir) == before and view.groups.count() == 1


def test_confirmed_trash_moves_the_others_and_the_catalog_follows(
    qtbot, make_window, duplicated: Path, library_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    window = open_duplicates(qtbot, make_window)
    view, controller = window.duplicates_view, window.duplicates
    keeper = controller.current.keeper.path
    answer = Answer(MOVE_TO_TRASH)
    view.trash_button.click()
    assert answer.asked
    qtbot.waitUntil(lambda: not controller.groups and not controller.busy, timeout=30_000)
    assert sorted(p.name for p in duplicated.iterdir()) == ["other.jpg", "tree.jpg"]
    trashed = sorted(p.name for p in (tmp_path / "data" / "Trash" / "files").iterdir())
    assert trashed == ["tree copy.jpg", "tree-small.jpg"]  # in the trash, not deleted
    assert catalog_paths(library_dir) == {keeper, str(duplicated / "other.jpg")}
    assert view.groups.count() == 0 and not view.cards
    assert "No duplicates" in view.status.text()


def test_a_trash_that_refuses_deletes_nothing_and_says_so(
    qtbot, make_window, duplicated: Path, library_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be: no trash can be made there")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    window = open_duplicates(qtbot, make_window)
    controller = window.duplicates
    before = catalog_paths(library_dir)
    problems: list[str] = []
    controller.problem.connect(problems.append)
    answer = Answer(MOVE_TO_TRASH)
    window.duplicates_view.trash_button.click()
    qtbot.waitUntil(lambda: bool(problems) and not controller.busy, timeout=30_000)
    assert answer.asked and "nothing was deleted" in problems[0] and "tree copy.jpg" in problems[0]
    assert len(list(duplicated.iterdir())) == 4  # every file where it was
    assert catalog_paths(library_dir) == before and len(controller.groups) == 1
