"""The Duplicates view's behaviour: finds the groups on a thread of its own, shows the chosen
group with its keeper, and moves the others to the desktop trash only after the user
confirmed; the catalog then forgets them and the group leaves the list."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from amc_app.views.duplicates import DuplicatesView
from amc_app.workers.duplicates_tasks import DuplicatesFound, DuplicatesHome, Trashed
from amc_app.workers.jobs import OwnerThread
from amc_core.api import DuplicateGroup, DuplicatesProgress, IndexSettings

MOVE_TO_TRASH = "Move to Trash"
_CLOSE_WAIT_MS = 10_000


class DuplicatesController(QObject):
    photos_removed = Signal()  # the catalog forgot trashed photos: search must follow
    notice = Signal(str)  # a passing note (status bar)
    problem = Signal(str)  # a sentence for the banner

    def __init__(
        self, view: DuplicatesView, root: Path, settings: IndexSettings,
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._view = view
        self._thread = OwnerThread(self)
        self._home = DuplicatesHome(root, settings)
        self.groups: list[DuplicateGroup] = []
        self._thumbnails: dict[str, Path] = {}
        self.busy = False
        view.find_button.clicked.connect(self.find)
        view.groups.currentRowChanged.connect(self._show_row)
        view.keeper_chosen.connect(self.choose_keeper)
        view.trash_button.clicked.connect(self.trash_others)

    @property
    def current(self) -> DuplicateGroup | None:
        row = self._view.groups.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def find(self) -> None:
        if self.busy or self._thread.closed:
            return
        self._set_busy(True, "Looking for duplicates…")
        self._thread.submit(self._home.find, on_value=self._progress,
                            on_finished=self._found, on_failed=self._failed)  # fmt: skip

    def _progress(self, value: object) -> None:
        if isinstance(value, DuplicatesProgress) and value.total:
            self._view.status.setText(f"Looking for duplicates… {value.done} of {value.total}")

    def _found(self, value: object) -> None:
        self._set_busy(False, "")
        if not isinstance(value, DuplicatesFound):
            self._view.status.setText("Stopped.")
            return
        self.groups, self._thumbnails = list(value.groups), dict(value.thumbnails)
        self._fill()

    def _fill(self, row: int = 0) -> None:
        view = self._view
        view.groups.blockSignals(True)
        view.groups.clear()
        for group in self.groups:
            view.groups.addItem(f"{len(group.photos)} photos · {Path(group.keeper.path).name}")
        view.groups.blockSignals(False)
        count = len(self.groups)
        view.status.setText("No duplicates found." if not count else
                            f"{count} group{'s' if count != 1 else ''} of duplicates.")  # fmt: skip
        if count:
            view.groups.setCurrentRow(min(row, count - 1))
        else:
            view.show_group(None, {})

    def _show_row(self, row: int) -> None:
        self._view.show_group(self.current, self._thumbnails)

    def choose_keeper(self, photo_id: int) -> None:
        row = self._view.groups.currentRow()
        group = self.current
        if group is None or group.keeper.photo_id == photo_id:
            return
        self.groups[row] = group.with_keeper(photo_id)
        reasons = {p.photo_id: p.reason for p in self.groups[row].photos}
        for card in self._view.cards:
            card.reason.setText(reasons.get(card.photo.photo_id, ""))

    def trash_others(self) -> None:
        """Ask first; only a yes moves the group's other photos to the trash."""
        group = self.current
        if group is None or self.busy:
            return
        others = list(group.photos[1:])
        box = QMessageBox(self._view)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Move to Trash")
        box.setText(f"Move {len(others)} photo{'s' if len(others) != 1 else ''} to the trash "
                    f"and keep {Path(group.keeper.path).name}?")  # fmt: skip
        box.setInformativeText("\n".join(p.path for p in others[:10]))
        box.addButton(MOVE_TO_TRASH, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.exec()
        clicked = box.clickedButton()
        if clicked is None or box.buttonRole(clicked) != QMessageBox.ButtonRole.DestructiveRole:
            return  # cancelled, or the dialog closed: nothing moves
        self._set_busy(True, "Moving to the trash…")
        self._thread.submit(partial(self._home.trash, others),
                            on_finished=partial(self._trashed, group),
                            on_failed=self._failed)  # fmt: skip

    def _trashed(self, group: DuplicateGroup, value: object) -> None:
        self._set_busy(False, "")
        if not isinstance(value, Trashed):
            return
        row = self.groups.index(group) if group in self.groups else 0
        gone = set(value.moved)
        left = tuple(p for p in group.photos if p.path not in gone)
        if group in self.groups:
            if len(left) > 1:
                self.groups[row] = DuplicateGroup(left)
            else:
                self.groups.remove(group)
        self._fill(row)
        if value.moved:
            self.photos_removed.emit()
            self.notice.emit(f"Moved {len(value.moved)} photos to the trash")
        if value.failed:
            self.problem.emit("Could not move to the trash (nothing was deleted): "
                              + "; ".join(value.failed[:3]))  # fmt: skip

    def _failed(self, message: str) -> None:
        self._set_busy(False, "")
        self._view.status.setText(message)
        self.problem.emit(message)

    def _set_busy(self, busy: bool, text: str) -> None:
        self.busy = busy
        self._view.find_button.setEnabled(not busy)
        self._view.trash_button.setEnabled(not busy and self.current is not None)
        if text:
            self._view.status.setText(text)

    def close(self) -> None:
        self._thread.close(self._home.close, _CLOSE_WAIT_MS)
