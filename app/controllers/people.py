"""The People view's behaviour: loads people and faces on a thread of its own, and carries out
names, merges, hiding, "not this person" and confirmations there; asks for a person's photos
by a search, and for their keywords to be rewritten by a signal (the writer thread does it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, QTimer, Signal

from amc_app import system
from amc_app.models.people_model import (
    FacesModel,
    PeopleModel,
    person_label,
    person_query,
    photo_count,
)
from amc_app.views.people import PeopleView
from amc_app.workers.jobs import OwnerThread
from amc_app.workers.people_tasks import (
    PeopleEdited,
    PeopleHome,
    PeopleSnapshot,
    PersonFaces,
)
from amc_core.api import IndexSettings, Person

_CLOSE_WAIT_MS = 10_000


class PeopleController(QObject):
    show_photos = Signal(str)  # a search that shows a person's photos
    people_edited = Signal()  # names or faces changed: the photos' keywords must follow
    notice = Signal(str)  # a passing note (status bar)
    problem = Signal(str)  # a sentence for the banner

    def __init__(
        self,
        view: PeopleView,
        root: Path,
        settings: IndexSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._people = PeopleModel()
        self._faces = FacesModel()
        self._thread = OwnerThread(self)
        self._home = PeopleHome(root, settings)
        self._select_after: int | None = None  # who to select when the next list arrives
        self._shown: Person | None = None  # whose name the editor was last filled with
        self._loaded = False
        self._selection_settled = QTimer(self, singleShot=True, interval=0)
        self._selection_settled.timeout.connect(self._show_current)
        view.people_list.setModel(self._people)
        view.faces_list.setModel(self._faces)
        self._connect()
        self._show_current()

    def _connect(self) -> None:
        view = self._view
        # the selection changes before the current index does: show the person once both did
        selection = view.people_list.selectionModel()
        selection.selectionChanged.connect(self._settle)
        selection.currentChanged.connect(self._settle)
        view.people_list.open_requested.connect(self.show_photos_of)
        view.people_list.rename_requested.connect(self.focus_name)
        view.faces_list.reject_requested.connect(self.reject_selected_faces)
        view.faces_list.open_requested.connect(self.open_face_photo)
        view.faces_list.selectionModel().selectionChanged.connect(self._update_face_buttons)
        view.show_hidden.toggled.connect(self.reload)
        view.name_edit.returnPressed.connect(self.name_current)
        view.name_edit.textChanged.connect(self._update_name_hint)
        view.name_button.clicked.connect(self.name_current)
        view.photos_button.clicked.connect(self.show_current_photos)
        view.merge_button.clicked.connect(self.merge_selected)
        view.hide_button.clicked.connect(self.toggle_hidden)
        view.reject_button.clicked.connect(self.reject_selected_faces)
        view.confirm_button.clicked.connect(self.confirm_all)
        grid, faces = view.people_list, view.faces_list
        grid.photos_action.triggered.connect(self.show_current_photos)
        grid.rename_action.triggered.connect(self.focus_name)
        grid.merge_action.triggered.connect(self.merge_selected)
        grid.hide_action.triggered.connect(self.toggle_hidden)
        faces.open_action.triggered.connect(lambda: self.open_face_photo(faces.currentIndex()))
        faces.reject_action.triggered.connect(self.reject_selected_faces)
        view.showing.connect(self.reload)  # changes made elsewhere (`amc people name`) show

    # -- loading -------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """The list has been read at least once (tests wait for it)."""
        return self._loaded

    @property
    def busy(self) -> bool:
        return self._thread.busy

    @property
    def model(self) -> PeopleModel:
        return self._people

    @property
    def faces_model(self) -> FacesModel:
        return self._faces

    def reload(self) -> None:
        """Read the people again (after indexing, after an edit, on "Show hidden")."""
        include_hidden = self._view.show_hidden.isChecked()
        self._submit(partial(self._home.load, include_hidden))

    def _on_value(self, value: object) -> None:
        if isinstance(value, PeopleSnapshot):
            self._show_snapshot(value)
        elif isinstance(value, PersonFaces):
            current = self.current_person()
            if current is not None and current.id == value.person_id:
                self._faces.set_faces(value.person_id, value.faces)
                self._update_face_buttons()
        elif isinstance(value, PeopleEdited):
            self._select_after = value.person_id
            if value.keywords:
                self.people_edited.emit()
            self.reload()

    def _show_snapshot(self, snapshot: PeopleSnapshot) -> None:
        current = self.current_person()  # as it is now: the user may have clicked meanwhile
        keep = self._select_after if self._select_after is not None else (current and current.id)
        self._select_after = None
        self._people.set_people(snapshot.people)
        self._loaded = True
        view = self._view
        view.summary.setText(_summary(snapshot))
        if snapshot.people:
            view.show_people()
        elif snapshot.hidden:
            view.show_empty("Everyone is hidden", 'Tick "Show hidden people" to see them.')
        elif snapshot.unassigned:
            faces = "face was" if snapshot.unassigned == 1 else "faces were"
            view.show_empty(
                "No people yet",
                f"{snapshot.unassigned} {faces} found, but nobody appears often enough yet "
                "to make a group: a person appears once three photos show their face.",
            )
        else:
            view.show_empty("No people yet", "People appear after indexing finds faces.")
        row = self._people.row_of(keep) if keep is not None else -1
        grid = view.people_list
        if row >= 0:
            grid.setCurrentIndex(self._people.index(row))
        self._settle()

    # -- what is selected -----------------------------------------------------------------

    def current_person(self) -> Person | None:
        index = self._view.people_list.currentIndex()
        if not index.isValid() or not self._selected_rows():
            return None
        return self._people.person(index.row())

    def selected_people(self) -> list[Person]:
        return [self._people.person(row) for row in self._selected_rows()]

    def _selected_rows(self) -> list[int]:
        selection = self._view.people_list.selectionModel()
        return sorted(i.row() for i in selection.selectedIndexes())

    def _settle(self, *_changes: object) -> None:
        self._selection_settled.start()

    def _show_current(self) -> None:
        view = self._view
        person = self.current_person()
        chosen = len(self._selected_rows())
        grid = view.people_list
        for control in (view.name_edit, view.name_button, view.photos_button, view.hide_button,
                        grid.photos_action, grid.rename_action, grid.hide_action):  # fmt: skip
            control.setEnabled(person is not None)
        view.merge_button.setEnabled(chosen == 2)
        grid.merge_action.setEnabled(chosen == 2)
        if chosen == 2:
            keep, gone = self._merge_pair()
            view.merge_button.setToolTip(merge_message(keep, gone).replace("Merged", "Merge", 1))
        else:
            view.merge_button.setToolTip("Select two people (Ctrl+click) to merge them")
        if _other_person_or_name(self._shown, person):  # else keep what is being typed
            view.name_edit.setText((person.name or "") if person is not None else "")
        self._shown = person
        hide = "Unhide" if person is not None and person.hidden else "Hide"
        view.hide_button.setText(hide)
        grid.hide_action.setText(hide)
        if person is None:
            view.faces_heading.setText("Select a person to see their faces")
            self._faces.set_faces(None, [])
        else:
            if self._faces.person_id != person.id:
                self._faces.set_faces(None, [])
            self._submit(partial(self._home.faces, person.id))
        self._update_name_hint()
        self._update_face_buttons()

    def _update_name_hint(self) -> None:
        view = self._view
        person = self.current_person()
        typed = " ".join(view.name_edit.text().split())
        other = self._people.find_named(typed, person.id) if person and typed else None
        if other is not None and person is not None:
            view.name_hint.setText(
                f"{other.name} is already a person: saving merges {person_label(person)} "
                f"into {other.name} ({photo_count(other.photos)})."
            )
            view.name_button.setText("Merge")
        else:
            view.name_hint.setText("")
            view.name_button.setText("Save name")
        view.name_hint.setVisible(bool(view.name_hint.text()))

    def _update_face_buttons(self, *_args: object) -> None:
        view = self._view
        person = self.current_person()
        faces = self._faces.faces() if person and self._faces.person_id == person.id else []
        suggested = sum(1 for f in faces if not f.confirmed)
        chosen = bool(view.faces_list.selectedIndexes())
        view.reject_button.setEnabled(chosen)
        view.faces_list.reject_action.setEnabled(chosen)
        view.faces_list.open_action.setEnabled(chosen)
        view.confirm_button.setEnabled(suggested > 0)
        if person is None:
            return
        count = f"{person.faces} {'face' if person.faces == 1 else 'faces'}"
        if faces:
            count += f", {suggested} to confirm" if suggested else ", all confirmed"
        view.faces_heading.setText(f"Faces of {person_label(person)} ({count})")

    def focus_name(self) -> None:
        if self.current_person() is not None:
            self._view.name_edit.setFocus()
            self._view.name_edit.selectAll()

    # -- actions -------------------------------------------------------------------------

    def show_photos_of(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_photos.emit(person_query(self._people.person(index.row()),
                                               self._people.people()))  # fmt: skip

    def open_face_photo(self, index: QModelIndex) -> None:
        """A face double-clicked: its photo in the user's viewer."""
        if index.isValid():
            system.open_file(self._faces.path(index.row()))

    def show_current_photos(self) -> None:
        person = self.current_person()
        if person is not None:
            self.show_photos.emit(person_query(person, self._people.people()))

    def name_current(self) -> None:
        person = self.current_person()
        if person is None:
            return
        name = " ".join(self._view.name_edit.text().split())
        if name == (person.name or ""):
            return
        if not name:
            self._view.name_hint.setText("A name needs at least one letter.")
            self._view.name_hint.show()
            return
        other = self._people.find_named(name, person.id) if name else None
        if other is not None:
            done = f"Merged {person_label(person)} into {other.name}, who had that name already"
        else:
            done = f"Named {name}" if not person.name else f"Renamed {person.name} to {name}"
        self._edit(partial(self._home.name, person.id, name), done)

    def merge_selected(self) -> None:
        if len(self._selected_rows()) != 2:
            return
        keep, gone = self._merge_pair()
        self._edit(partial(self._home.merge, keep.id, gone.id), merge_message(keep, gone))

    def _merge_pair(self) -> tuple[Person, Person]:
        """Who stays: the first in the list (named before unnamed, larger groups first)."""
        first, second = self.selected_people()[:2]
        return first, second

    def toggle_hidden(self) -> None:
        person = self.current_person()
        if person is None:
            return
        hide = not person.hidden
        if hide:
            done = f'Hid {person_label(person)}; "Show hidden people" shows them again'
        else:
            done = f"{person_label(person)} is shown again"
        self._edit(partial(self._home.hide, person.id, hide), done)

    def reject_selected_faces(self) -> None:
        person = self.current_person()
        rows = sorted(i.row() for i in self._view.faces_list.selectedIndexes())
        if person is None or not rows:
            return
        ids = [self._faces.face(row).id for row in rows]
        faces = "a face" if len(ids) == 1 else f"{len(ids)} faces"
        self._edit(
            partial(self._home.reject, person.id, ids),
            f"Took {faces} out of {person_label(person)}",
        )

    def confirm_all(self) -> None:
        person = self.current_person()
        if person is None:
            return
        ids = [f.id for f in self._faces.faces() if not f.confirmed]
        if not ids:
            return
        faces = "face" if len(ids) == 1 else "faces"
        self._edit(
            partial(self._home.confirm, person.id, ids),
            f"Confirmed {len(ids)} {faces} of {person_label(person)}",
        )

    def close(self) -> None:
        self._thread.close(self._home.close, _CLOSE_WAIT_MS)

    # -- running jobs --------------------------------------------------------------------

    def _edit(self, make: Callable[[threading.Event], Iterator[object]], done: str) -> None:
        """Run a change; its outcome goes to the status bar, a refusal to the banner."""
        self._submit(make, on_finished=lambda _last: self.notice.emit(done))

    def _submit(
        self,
        make: Callable[[threading.Event], Iterator[object]],
        on_finished: Callable[[object], None] | None = None,
    ) -> None:
        if not self._thread.closed:
            self._thread.submit(make, on_value=self._on_value, on_finished=on_finished,
                                on_failed=self.problem.emit)  # fmt: skip


def _other_person_or_name(before: Person | None, now: Person | None) -> bool:
    if before is None or now is None:
        return before is not now
    return before.id != now.id or before.name != now.name


def merge_message(keep: Person, gone: Person) -> str:
    """What a merge did, in words (both unnamed: no name to say)."""
    if keep.name and gone.name and keep.name != gone.name:
        return f"Merged {gone.name} into {keep.name} (the name {gone.name} is dropped)"
    if keep.name:
        return f"Merged {person_label(gone)} into {keep.name}"
    if gone.name:
        return f"Merged an unnamed person into {gone.name}"
    return f"Merged two unnamed people into one ({keep.faces + gone.faces} faces)"


def _summary(snapshot: PeopleSnapshot) -> str:
    people = len(snapshot.people)
    parts = [f"{people} {'person' if people == 1 else 'people'}"] if people else []
    if snapshot.hidden:
        parts.append(f"{snapshot.hidden} hidden")
    if snapshot.unassigned:
        faces = "face" if snapshot.unassigned == 1 else "faces"
        parts.append(f"{snapshot.unassigned} {faces} in no group yet")
    return " · ".join(parts)
