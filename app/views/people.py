"""The People view: a tile per person (their clearest face, name, photo count), and below it
the selected person's name, actions and faces. Layout only; the people controller fills it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from amc_app.models.people_model import COUNT_ROLE, FACE_ROLE, PERSON_ROLE
from amc_app.widgets import describe, plain_label

PERSON_SIDE = 112  # a person's face on their tile
FACE_SIDE = 80  # a face in the selected person's faces
_TILE_PAD = 10
_Index = QModelIndex | QPersistentModelIndex


class PeopleView(QWidget):
    showing = Signal()  # the tab was opened: worth reading the people again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "People", "The people in your photos: name them, merge them, hide them")
        self.title = plain_label("People")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.summary = plain_label()
        describe(
            self.summary,
            "People summary",
            "How many people were found; faces in no group yet join one once three photos "
            "show the same face",
        )
        self.show_hidden = QCheckBox("Show hidden people")
        describe(self.show_hidden, "Show hidden people", "List the people you hid, too")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addSpacing(12)
        header.addWidget(self.summary, 1)
        header.addWidget(self.show_hidden)

        self.people_list = PeopleGrid()
        self.stack = QStackedWidget()
        self.empty = self._build_empty()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.people_list)
        self.splitter.addWidget(self._build_panel())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)

    def _build_empty(self) -> QWidget:
        page = QWidget()
        self.empty_title = plain_label("No people yet")
        font = QFont(self.empty_title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.empty_title.setFont(font)
        self.empty_text = plain_label("People appear after indexing finds faces.")
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setFixedWidth(440)
        describe(self.empty_text, "No people yet", "Why the People view is empty")
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        layout.addWidget(self.empty_title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.empty_text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        return page

    def _build_panel(self) -> QWidget:
        panel = QWidget()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Add a name")
        self.name_edit.setClearButtonEnabled(True)
        describe(
            self.name_edit,
            "Person's name",
            "Type a name and press Enter; a name someone already has merges the two (F2)",
        )
        self.name_button = QPushButton("Save name")
        describe(self.name_button, "Save name", "Give the selected person this name")
        self.name_hint = plain_label()
        self.name_hint.setWordWrap(True)
        self.name_hint.setEnabled(False)  # the palette's quieter text colour
        describe(self.name_hint, "Name hint", "What saving this name will do")
        self.photos_button = QPushButton("Show photos")
        describe(self.photos_button, "Show photos", "Show this person's photos (double-click)")
        self.merge_button = QPushButton("Merge")
        describe(self.merge_button, "Merge people", "Select two people (Ctrl+click) to merge")
        self.hide_button = QPushButton("Hide")
        describe(self.hide_button, "Hide person", "Hide this person from the People view")
        self.faces_heading = plain_label("Faces")
        bold = QFont(self.faces_heading.font())
        bold.setBold(True)
        self.faces_heading.setFont(bold)
        self.faces_list = FaceGrid()
        self.reject_button = QPushButton("Not this person")
        describe(
            self.reject_button,
            "Not this person",
            "Take the selected faces out of this person; they never join them again (Delete)",
        )
        self.confirm_button = QPushButton("Confirm all")
        describe(
            self.confirm_button,
            "Confirm all",
            "Say every suggested face is this person (regrouping never moves them)",
        )

        name_row = QHBoxLayout()
        name_row.addWidget(self.name_edit, 1)
        name_row.addWidget(self.name_button)
        for button in (self.photos_button, self.merge_button, self.hide_button):
            name_row.addWidget(button)
        face_row = QHBoxLayout()
        face_row.addWidget(self.faces_heading, 1)
        face_row.addWidget(self.reject_button)
        face_row.addWidget(self.confirm_button)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(name_row)
        layout.addWidget(self.name_hint)
        layout.addLayout(face_row)
        layout.addWidget(self.faces_list, 1)
        return panel

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not event.spontaneous():  # the tab chosen, not the window coming back
            self.showing.emit()

    # -- filling -----------------------------------------------------------------------

    def show_empty(self, title: str, text: str) -> None:
        self.empty_title.setText(title)
        self.empty_text.setText(text)
        self.stack.setCurrentWidget(self.empty)

    def show_people(self) -> None:
        self.stack.setCurrentWidget(self.splitter)

    def has_people(self) -> bool:
        return self.stack.currentWidget() is self.splitter


class PeopleGrid(QListView):
    """The person tiles; Enter or a double-click shows the person's photos, F2 names them."""

    open_requested = Signal(QModelIndex)
    rename_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(
            self,
            "People list",
            "Everyone found in your photos, named people first. Double-click shows their "
            "photos; Ctrl+click a second person to merge",
        )
        _icon_grid(self, PersonDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.doubleClicked.connect(self.open_requested)
        # the right-click menu: the panel's actions, where the pointer is
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.photos_action = _menu_action(self, "Show photos", "Enter")
        self.rename_action = _menu_action(self, "Name…", "F2")
        self.merge_action = _menu_action(self, "Merge the two selected")
        self.hide_action = _menu_action(self, "Hide")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        if event.key() == Qt.Key.Key_F2:
            self.rename_requested.emit()
            return
        super().keyPressEvent(event)


class FaceGrid(QListView):
    """The selected person's faces; Delete says "not this person" for the selected ones."""

    reject_requested = Signal()
    open_requested = Signal(QModelIndex)  # Enter or a double-click: the face's photo

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(
            self,
            "Faces of this person",
            "Every face in this person's group, suggested ones first; a tick marks the ones "
            'you confirmed. Delete says "Not this person"; a double-click opens the photo',
        )
        _icon_grid(self, FaceDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.doubleClicked.connect(self.open_requested)
        self.open_action = _menu_action(self, "Open photo", "Enter")
        self.reject_action = _menu_action(self, "Not this person", "Delete")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selectedIndexes():
            self.reject_requested.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


def _menu_action(view: QListView, text: str, keys: str = "") -> QAction:
    """An entry of the view's right-click menu (the keys are handled by the view itself)."""
    action = QAction(text + (f"\t{keys}" if keys else ""), view)
    view.addAction(action)
    return action


def _icon_grid(view: QListView, delegate: QStyledItemDelegate) -> None:
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setMovement(QListView.Movement.Static)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setUniformItemSizes(True)
    view.setSpacing(4)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setDragEnabled(False)
    view.setItemDelegate(delegate)


def _quiet(palette: QPalette) -> QColor:
    """Secondary text: the text colour two thirds of the way from the background."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    mix = 0.68
    return QColor(
        round(base.red() + (text.red() - base.red()) * mix),
        round(base.green() + (text.green() - base.green()) * mix),
        round(base.blue() + (text.blue() - base.blue()) * mix),
    )


class PersonDelegate(QStyledItemDelegate):
    """A round face, the name (bold) and the photo count beneath; hidden people faded."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        line = option.fontMetrics.height()
        return QSize(PERSON_SIDE + 2 * _TILE_PAD + 16, PERSON_SIDE + 2 * _TILE_PAD + 2 * line + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        person = index.data(PERSON_ROLE)
        rect = option.rect.adjusted(2, 2, -2, -2)
        face = QRect(rect.x() + (rect.width() - PERSON_SIDE) // 2, rect.y() + _TILE_PAD,
                     PERSON_SIDE, PERSON_SIDE)  # fmt: skip
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        _tile_background(painter, option, rect)
        if person is not None and person.hidden:
            painter.setOpacity(0.45)
        circle = QPainterPath()
        circle.addEllipse(face)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None:
            painter.setClipPath(circle)
            painter.drawPixmap(face, pixmap)
            painter.setClipping(False)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(circle)
        line = option.fontMetrics.height()
        text = QRect(rect.x() + 4, face.bottom() + 6, rect.width() - 8, line)
        named = bool(person is not None and person.name)
        name_font = QFont(option.font)
        name_font.setBold(named)
        name_font.setItalic(not named)
        painter.setFont(name_font)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, text.width())
        painter.drawText(text, Qt.AlignmentFlag.AlignHCenter, elided)
        painter.setFont(option.font)
        painter.setPen(_quiet(option.palette))
        count = str(index.data(COUNT_ROLE) or "")
        painter.drawText(text.translated(0, line), Qt.AlignmentFlag.AlignHCenter, count)
        painter.restore()


def _tile_background(painter: QPainter, option: QStyleOptionViewItem, rect: QRect) -> None:
    """Selected: a soft wash of the highlight colour (the text stays readable); hovered: less."""
    state = option.state
    if state & QStyle.StateFlag.State_Selected:
        alpha = 70
    elif state & QStyle.StateFlag.State_MouseOver:
        alpha = 28
    else:
        return
    wash = QColor(option.palette.color(QPalette.ColorRole.Highlight))
    wash.setAlpha(alpha)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(wash)
    painter.drawRoundedRect(rect, 8, 8)


class FaceDelegate(QStyledItemDelegate):
    """A face crop with rounded corners; a tick in a disc marks a confirmed face."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        return QSize(FACE_SIDE + 12, FACE_SIDE + 12)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = option.rect
        face = QRect(rect.x() + (rect.width() - FACE_SIDE) // 2,
                     rect.y() + (rect.height() - FACE_SIDE) // 2, FACE_SIDE, FACE_SIDE)  # fmt: skip
        rounded = QPainterPath()
        rounded.addRoundedRect(face, 8, 8)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None:
            painter.setClipPath(rounded)
            painter.drawPixmap(face, pixmap)
            painter.setClipping(False)
        highlight = option.palette.color(QPalette.ColorRole.Highlight)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(highlight, 4))
            painter.drawPath(rounded)
        stored = index.data(FACE_ROLE)
        if stored is not None and stored.confirmed:
            _tick(painter, QRect(face.right() - 21, face.bottom() - 21, 18, 18), highlight)
        painter.restore()


def _tick(painter: QPainter, disc: QRect, colour: QColor) -> None:
    painter.setPen(QPen(QColor(255, 255, 255), 1.5))
    painter.setBrush(colour)
    painter.drawEllipse(disc)
    pen = QPen(QColor(255, 255, 255), 2.2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    x, y, w = disc.x(), disc.y(), disc.width()
    marks = ((0.27, 0.52), (0.44, 0.68), (0.74, 0.34))
    painter.drawPolyline([QPointF(x + w * a, y + w * b) for a, b in marks])
