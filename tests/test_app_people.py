"""The People view driven as a person would, on real photos of real, repeated people
(tests/data/faces: one man in five photos, another in one): the view lists the group, names
it (search then finds the name), merges, takes a face out, confirms, hides, shows a person's
photos, and the inspector draws the faces. The library is indexed once for the module (the
way the app indexes: default analyzer, faces pass); each test works on a copy of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from test_app_support import (
    make_window_fixture,  # noqa: F401 - a fixture
    opened_urls_fixture,  # noqa: F401 - a fixture
    wait_results,
)

from amc_app.views.heatmap import FaceBox
from amc_app.window import MainWindow
from amc_core.api import default_analyzer
from amc_core.describe.face_crops import face_model_dir
from amc_core.index.library import Library
from amc_core.settings import IndexSettings

FACES = Path(__file__).parent / "data" / "faces"
OBAMA = {"obama", "obama2", "obama3", "obama_partial_face", "obama_partial_face2"}

pytestmark = pytest.mark.skipif(
    not (face_model_dir() / "shape_predictor_5_face_landmarks.dat").is_file(),
    reason="face models not fetched (`make install` fetches them)",
)


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faces-album")
    for photo in FACES.glob("*.jpg"):
        shutil.copy(photo, folder / photo.name)
    return folder


@pytest.fixture(scope="module")
def indexed_people(album: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The album indexed as the app indexes it; tests copy this library, never change it."""
    root = tmp_path_factory.mktemp("people-template") / "library"
    with Library(root, IndexSettings(workers=1, batch_size=4)) as library:
        library.add_folders([str(album)])
        last = None
        for last in library.index(None, analyzer=default_analyzer()):
            pass
        assert last is not None and last.report.indexed == 6
        assert [p.photos for p in library.catalog.people()] == [5]
    return root


@pytest.fixture
def people_library(indexed_people: Path, library_dir: Path) -> Path:
    """A copy of the indexed library where make_window opens it."""
    shutil.copytree(indexed_people, library_dir, ignore=shutil.ignore_patterns("*.lock"))
    return library_dir


def a_second_person(library_dir: Path, album: Path) -> None:
    """The other man's one face is in no group (a group starts from three faces): make it one,
    as the grouping step would, through the catalog's own method."""
    with Library(library_dir) as library:
        catalog = library.catalog
        found = catalog.photo_state(os.path.realpath(album / "biden.jpg"))
        assert found is not None
        [face] = catalog.faces_of_photos([found[0]])[found[0]]
        catalog.save_groups({}, [[face.id]])


def open_people(qtbot, make_window, **options: object) -> MainWindow:
    window = make_window(**options)
    window.tabs.show_people()
    wait_idle(qtbot, window)
    return window


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.people.loaded and not window.indexing.running and not window.people.busy,
        timeout=60_000,
    )


def select_person(qtbot, window: MainWindow, row: int) -> None:
    grid = window.people_view.people_list
    rect = grid.visualRect(window.people.model.index(row))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    person = window.people.model.person(row)
    qtbot.waitUntil(
        lambda: (
            window.people.faces_model.person_id == person.id
            and window.people.faces_model.rowCount() == person.faces
        ),
        timeout=10_000,
    )


def names(window: MainWindow, top: int | None = None) -> list[str]:
    rows = window.model.photo_rows()[:top]  # header rows (a browse's months) left out
    return [Path(window.model.result(row).path).stem for row in rows]


def test_the_group_is_listed_named_and_found_by_its_name(qtbot, make_window, people_library):
    window = open_people(qtbot, make_window)
    view, people = window.people_view, window.people.model
    assert view.has_people() and people.rowCount() == 1
    person = people.person(0)
    assert (person.name, person.photos, person.faces) == (None, 5, 5)
    assert people.data(people.index(0), Qt.ItemDataRole.AccessibleTextRole) == "Unnamed, 5 photos"
    assert "1 person" in view.summary.text() and "1 face in no group yet" in view.summary.text()

    select_person(qtbot, window, 0)
    assert view.faces_heading.text() == "Faces of Unnamed (5 faces, 5 to confirm)"
    view.name_edit.clear()
    qtbot.keyClicks(view.name_edit, "Barack Obama")
    assert view.name_button.text() == "Save name"  # nobody has that name: no merge
    qtbot.mouseClick(view.name_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: people.rowCount() == 1 and people.person(0).name == "Barack Obama")
    assert window.statusBar().currentMessage() == "Named Barack Obama"
    assert people.data(people.index(0), Qt.ItemDataRole.DisplayRole) == "Barack Obama"
    assert window.people.current_person() is not None  # the person stays selected

    # the name reaches the search (rewritten keywords): his photos first, for his name alone
    window.tabs.show_photos()
    for query in ("obama", "barack"):  # "barack" is in no file name: only the name finds it
        window.search_edit.setText(query)
        wait_results(
            qtbot,
            window,
            lambda q=query: window.model.query == q and set(names(window, 5)) == OBAMA,
        )
    window.gallery.setCurrentIndex(window.model.index(0))
    sources = {source for _keyword, _weight, source in window.inspector.keyword_rows()}
    assert "person" in sources
    [box] = window.inspector.photo.face_boxes()
    assert box.name == "Barack Obama" and all(0.0 <= v <= 1.0 for v in box.box)
    assert window.inspector.people.text() == "Barack Obama"


def test_clicking_a_person_shows_their_photos_with_face_boxes(qtbot, make_window, people_library):
    window = open_people(qtbot, make_window, fast_engine=True)
    grid = window.people_view.people_list
    rect = grid.visualRect(window.people.model.index(0))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.currentIndex() == 0  # the Photos tab
    person = window.people.model.person(0)
    assert window.search_edit.text() == f"person:#{person.id}"
    wait_results(qtbot, window, lambda: sorted(names(window)) == sorted(OBAMA))

    # their photos are a browse (filters only): row 0 is its month's header
    window.gallery.setCurrentIndex(window.model.index(window.model.photo_rows()[0]))
    [box] = window.inspector.photo.face_boxes()
    assert box == FaceBox(box.box, None)  # nobody named: a box without a name
    x, y, w, h = box.box
    assert 0 < w < 1 and 0 < h < 1 and x + w <= 1.001 and y + h <= 1.001
    assert window.inspector.people.text() == "1 face not named"
    assert "matches the search's filters" in window.inspector.regions_note.text()


def test_merging_two_people_leaves_one(qtbot, make_window, people_library, album):
    a_second_person(people_library, album)
    window = open_people(qtbot, make_window, fast_engine=True)
    view, people = window.people_view, window.people.model
    assert [(p.name, p.photos) for p in people.people()] == [(None, 5), (None, 1)]
    select_person(qtbot, window, 0)
    assert not view.merge_button.isEnabled()  # merging needs two
    second = people.index(1)
    view.people_list.selectionModel().select(second, QItemSelectionModel.SelectionFlag.Select)
    qtbot.waitUntil(view.merge_button.isEnabled)
    assert view.merge_button.toolTip() == "Merge two unnamed people into one (6 faces)"
    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: people.rowCount() == 1 and people.person(0).photos == 6)
    assert window.statusBar().currentMessage() == "Merged two unnamed people into one (6 faces)"


def test_a_name_someone_has_merges_and_says_so(qtbot, make_window, people_library, album):
    with Library(people_library) as library:
        obama = library.catalog.people()[0].id
        library.catalog.name_person(obama, "Barack Obama")
    a_second_person(people_library, album)
    window = open_people(qtbot, make_window, fast_engine=True)
    view, people = window.people_view, window.people.model
    assert [p.name for p in people.people()] == ["Barack Obama", None]
    select_person(qtbot, window, 1)
    qtbot.keyClicks(view.name_edit, "barack  obama")
    assert view.name_hint.text() == (
        "Barack Obama is already a person: saving merges Unnamed into Barack Obama (5 photos)."
    )
    assert view.name_button.text() == "Merge"
    qtbot.keyClick(view.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: people.rowCount() == 1 and people.person(0).faces == 6)
    assert people.person(0).name == "Barack Obama"
    assert window.people.current_person() == people.person(0)
    assert "Merged Unnamed into Barack Obama" in window.statusBar().currentMessage()


def test_not_this_person_and_confirm_all(qtbot, make_window, people_library, opened_urls):
    window = open_people(qtbot, make_window, fast_engine=True)
    view, people, faces = window.people_view, window.people.model, window.people.faces_model
    select_person(qtbot, window, 0)
    assert not view.reject_button.isEnabled()  # no face selected yet
    assert view.confirm_button.isEnabled()  # every face is a suggestion so far
    rejected = faces.face(0)
    rect = view.faces_list.visualRect(faces.index(0))
    qtbot.mouseClick(view.faces_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.reject_button.isEnabled()
    qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: people.person(0).faces == 4 and faces.rowCount() == 4)
    assert rejected.id not in {f.id for f in faces.faces()}
    rect = view.faces_list.visualRect(faces.index(0))  # a double-click opens the face's photo
    qtbot.mouseClick(view.faces_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.faces_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened_urls == [faces.path(0)] and Path(faces.path(0)).stem in OBAMA
    assert window.statusBar().currentMessage() == "Took a face out of Unnamed"
    assert "2 faces in no group yet" in view.summary.text()

    qtbot.mouseClick(view.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: faces.rowCount() == 4 and all(f.confirmed for f in faces.faces()))
    assert not view.confirm_button.isEnabled()
    assert view.faces_heading.text() == "Faces of Unnamed (4 faces, all confirmed)"
    assert window.statusBar().currentMessage() == "Confirmed 4 faces of Unnamed"
    with Library(people_library) as library:  # the answers are in the catalog
        assert (rejected.id, people.person(0).id) in library.catalog.rejections()
        stored = library.catalog.person_faces(people.person(0).id)
        assert len(stored) == 4 and all(f.confirmed for f in stored)


def test_hide_a_person_and_show_them_again(qtbot, make_window, people_library):
    window = open_people(qtbot, make_window, fast_engine=True)
    view, people = window.people_view, window.people.model
    select_person(qtbot, window, 0)
    qtbot.mouseClick(view.hide_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: people.rowCount() == 0)
    assert not view.has_people() and view.empty_title.text() == "Everyone is hidden"
    assert "1 hidden" in view.summary.text()

    view.show_hidden.setChecked(True)
    qtbot.waitUntil(lambda: people.rowCount() == 1)
    assert people.person(0).hidden
    assert people.data(people.index(0), Qt.ItemDataRole.AccessibleTextRole) == (
        "Unnamed, 5 photos, hidden"
    )
    select_person(qtbot, window, 0)
    assert view.hide_button.text() == "Unhide"
    assert view.people_list.hide_action.text() == "Unhide"  # the right-click menu's, too
    view.people_list.hide_action.trigger()
    qtbot.waitUntil(lambda: people.rowCount() == 1 and not people.person(0).hidden)
    view.show_hidden.setChecked(False)
    qtbot.waitUntil(lambda: people.rowCount() == 1 and not window.people.busy)


def test_people_appear_when_indexing_finds_faces(qtbot, make_window, album: Path):
    window = open_people(qtbot, make_window, fast_engine=True)
    view = window.people_view
    assert not view.has_people()
    assert view.empty_text.text() == "People appear after indexing finds faces."
    shown: list[str] = []
    window.indexing.progress.connect(
        lambda p: shown.append(window.index_view.label.text()) if p.phase == "faces" else None
    )
    window.library_status.add_folders([str(album)])
    qtbot.waitUntil(lambda: window.people.model.rowCount() == 1, timeout=60_000)
    assert view.has_people() and window.people.model.person(0).photos == 5
    assert any(t.startswith("Finding people: looking for faces in photo") for t in shown)
    assert any(t.startswith("Finding people: measuring face") for t in shown)


def test_a_blank_name_is_refused_in_place(qtbot, make_window, people_library):
    with Library(people_library) as library:
        library.catalog.name_person(library.catalog.people()[0].id, "Barack Obama")
    window = open_people(qtbot, make_window, fast_engine=True)
    view = window.people_view
    select_person(qtbot, window, 0)
    view.name_edit.setText("   ")
    qtbot.keyClick(view.name_edit, Qt.Key.Key_Return)
    assert view.name_hint.text() == "A name needs at least one letter."
    assert window.people.model.person(0).name == "Barack Obama"
    assert not window.banner.text()


def test_changes_made_elsewhere_show_when_the_tab_opens(qtbot, make_window, people_library):
    window = open_people(qtbot, make_window, fast_engine=True)
    with Library(people_library) as library:  # `amc people name 1 ...` meanwhile
        library.catalog.name_person(library.catalog.people()[0].id, "Barack Obama")
    window.tabs.show_photos()
    window.tabs.show_people()
    qtbot.waitUntil(lambda: window.people.model.person(0).name == "Barack Obama")


def test_a_name_being_typed_survives_a_reload(qtbot, make_window, people_library):
    """Indexing ends (or the tab opens) while a name is typed: the list is read again, the
    person stays selected and the typing stays."""
    window = open_people(qtbot, make_window, fast_engine=True)
    view = window.people_view
    select_person(qtbot, window, 0)
    qtbot.keyClicks(view.name_edit, "Barack")
    window.people.reload()
    qtbot.waitUntil(lambda: not window.people.busy)
    qtbot.wait(50)  # the selection settles on the next turn of the event loop
    assert window.people.current_person() is not None
    assert view.name_edit.text() == "Barack"
