"""The inspector, "Why this photo?": how the picture and the keywords counted for this query."""

from __future__ import annotations

import os

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from amc_app.models.details import PhotoDetails
from amc_app.views.heatmap import GRID, FaceBox, HeatmapView
from amc_app.widgets import VerticalScroll, describe, plain_label, plain_tooltip
from amc_core.api import SearchResult, WordWeight

WEIGHT_ROLE = Qt.ItemDataRole.UserRole + 10
_BAR_STEPS = 1000
ALL_WORDS = "all words"
LOOKED = "Show where the search looked"
LOOKED_AT = 0.2  # a word the picture counted less for is not offered a heat-map of its own


class InspectorView(QWidget):
    """Layout only: the window's controller fills it with show_result / show_details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "Why this photo?", "Why the selected photo matched your search")
        self.stack = QStackedWidget()
        self.empty = plain_label("Select a photo to see why it matched.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.page = QWidget()
        self.scroller = VerticalScroll(self.page)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.scroller)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._build_page()

    def _build_page(self) -> None:
        self.title = plain_label()
        bold = QFont(self.title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.title.setFont(bold)
        self.title.setWordWrap(True)
        describe(self.title, "File name", "The selected photo's file name")
        self.photo = HeatmapView()
        self.heatmap_toggle = QCheckBox(LOOKED)
        describe(
            self.heatmap_toggle,
            "Show heat-map",
            "Colour the 3×3 regions of the photo by how much attention each one got",
        )
        self.regions_note = plain_label()
        self.regions_note.setWordWrap(True)
        self._result: SearchResult | None = None
        self._chosen_word: str | None = None  # kept from photo to photo while the query has it
        self.score = plain_label()
        describe(self.score, "Score", "How well this photo matches the query (higher is better)")

        layout = QVBoxLayout(self.page)
        layout.addWidget(self.title)
        layout.addWidget(self.photo)
        layout.addLayout(self._build_heatmap_row())
        layout.addWidget(self.regions_note)
        # why it ranked: hidden while browsing, where nothing was ranked
        self.ranking = QWidget()
        ranking = QVBoxLayout(self.ranking)
        ranking.setContentsMargins(0, 0, 0, 0)
        ranking.addWidget(self.score)
        ranking.addLayout(self._build_weights())
        ranking.addWidget(self._build_by_word())
        ranking.addWidget(_heading("Keywords it attended to"))
        ranking.addWidget(self._build_keywords(), 1)
        layout.addWidget(self.ranking, 1)
        layout.addStretch(0)  # takes the room when the ranking is hidden: details stay down
        layout.addWidget(_heading("Details"))
        layout.addLayout(self._build_details())
        layout.addLayout(self._build_buttons())

    def _build_heatmap_row(self) -> QHBoxLayout:
        """ "Show where the search looked [for dog]": for a query of several words, the
        heat-map of one word at a time (in "dog on the grass" the dog may be looked for bottom
        right and the grass along the top); one row, so the inspector grows no taller."""
        row = QHBoxLayout()
        row.addWidget(self.heatmap_toggle)
        self.word_box = QComboBox()
        describe(
            self.word_box,
            "Heat-map for one word",
            "Show where the search looked for one word of the query, or for all of them",
        )
        self.word_box.activated.connect(self._word_chosen)
        row.addWidget(self.word_box, 1)
        self.word_box.setEnabled(self.heatmap_toggle.isChecked())
        self.heatmap_toggle.toggled.connect(self.word_box.setEnabled)
        self.word_box.hide()
        row.addStretch(0)
        return row

    def _build_weights(self) -> QGridLayout:
        grid = QGridLayout()
        grid.addWidget(_heading("What counted"), 0, 0, 1, 3)
        self.visual_bar, self.visual_value = _weight_row(grid, 1, "Visual", "the picture itself")
        self.language_bar, self.language_value = _weight_row(
            grid, 2, "Language", "the photo's keywords"
        )
        grid.setColumnStretch(1, 1)
        return grid

    def _build_by_word(self) -> QLabel:
        # in the page's column, not the weights' grid: a grid gives a wrapped label one line
        self.by_word = plain_label()
        self.by_word.setWordWrap(True)
        describe(
            self.by_word,
            "Weights by word",
            "How much the picture counted for each word of the query; the keywords counted "
            "for the rest",
        )
        return self.by_word

    def _build_keywords(self) -> QTreeWidget:
        self.keywords = QTreeWidget()
        describe(
            self.keywords,
            "Keywords",
            "The photo's keywords the search attended to, most attention first, with where "
            "each keyword came from",
        )
        self.keywords.setHeaderLabels(["Keyword", "Attention", "Source"])
        self.keywords.setRootIsDecorated(False)
        self.keywords.setUniformRowHeights(True)
        self.keywords.setItemDelegateForColumn(1, BarDelegate(self.keywords))
        header = self.keywords.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 110)
        header.setStretchLastSection(False)
        self.keywords.setMinimumHeight(120)
        return self.keywords

    def _build_details(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.taken = _detail(form, "Date taken", "When the photo was taken (from its EXIF)")
        self.place = _detail(form, "Place", "Where it was taken (from its GPS position)")
        self.camera = _detail(form, "Camera", "The camera that took it")
        self.pixels = _detail(form, "Size", "Width × height in pixels")
        self.people = _detail(form, "People", "The people whose faces are in the photo")
        self.path = _detail(form, "Path", "Where the file is", selectable=False)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        self.open_button = QPushButton("Open with…")
        describe(self.open_button, "Open with", "Open the photo in your desktop's photo viewer")
        self.folder_button = QPushButton("Show in folder")
        describe(self.folder_button, "Show in folder", "Show the file in its folder")
        self.similar_button = QPushButton("Find similar")
        describe(self.similar_button, "Find similar", "Search for photos like this one")
        row = QHBoxLayout()
        for button in (self.open_button, self.folder_button, self.similar_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    # -- filling -----------------------------------------------------------------------

    def clear(self) -> None:
        self._result = None
        self._show_word_box(False)
        self.stack.setCurrentWidget(self.empty)
        self.photo.set_pixmap(None)
        self.photo.set_attention([])
        self.photo.set_faces([])

    def show_result(self, result: SearchResult) -> None:
        self.stack.setCurrentWidget(self.scroller)
        self.title.setText(os.path.basename(result.path))
        self.score.setText(f"Score {result.score:.3f}")
        _set_weight(self.visual_bar, self.visual_value, result.visual_weight)
        _set_weight(self.language_bar, self.language_value, result.language_weight)
        self.by_word.setText(_by_word(result))
        self.by_word.setVisible(bool(self.by_word.text()))
        self._result = result
        self._fill_word_choice(result)
        self._show_regions()
        self.heatmap_toggle.setEnabled(len(result.region_attention) >= GRID * GRID)
        self.ranking.setVisible(_ranked(result))
        self._fill_keywords(result)

    def show_details(self, details: PhotoDetails | None) -> None:
        details_or_blank = details or PhotoDetails(0, "", "", "", "", "")
        for label, text in (
            (self.taken, details_or_blank.taken),
            (self.place, details_or_blank.place),
            (self.camera, details_or_blank.camera),
            (self.pixels, details_or_blank.size),
        ):
            label.setText(text or "—")
        # break a long path after its separators; "Copy path" copies the exact text
        self.path.setText(details_or_blank.path.replace(os.sep, os.sep + "\u200b") or "—")
        path = details_or_blank.path
        self.path.setToolTip(plain_tooltip(path) if path else "Where the file is")

    def show_faces(self, faces: list[FaceBox]) -> None:
        """The photo's faces: boxes on the photo, and the names in the details."""
        self.photo.set_faces(faces)
        names = list(dict.fromkeys(f.name for f in faces if f.name))
        others = sum(1 for f in faces if not f.name)
        if others:
            names.append(f"{others} {'face' if others == 1 else 'faces'} not named")
        self.people.setText(", ".join(names) or "—")

    def show_photo(self, pixmap: QPixmap | None) -> None:
        self.photo.set_pixmap(pixmap)

    def _fill_word_choice(self, result: SearchResult) -> None:
        words = _looked_for(result)
        if self._chosen_word not in words:
            self._chosen_word = None
        self.word_box.clear()
        self.word_box.addItems([ALL_WORDS, *words])
        self.word_box.setCurrentIndex(
            words.index(self._chosen_word) + 1 if self._chosen_word else 0
        )
        self._show_word_box(bool(words))

    def _show_word_box(self, shown: bool) -> None:
        self.word_box.setVisible(shown)
        self.heatmap_toggle.setText(LOOKED + " for" if shown else LOOKED)

    def choose_word(self, word: str | None) -> bool:
        """Show the heat-map of one word of the query (None: of all of them), as picking it in
        the list does; False where the shown result offers no such word."""
        index = self.word_box.findText(word) if word else 0
        if index < 0:
            return False
        self.word_box.setCurrentIndex(index)
        self._word_chosen(index)
        return True

    def _word_chosen(self, index: int) -> None:
        self._chosen_word = self.word_box.itemText(index) if index > 0 else None
        self._show_regions()

    def _show_regions(self) -> None:
        """The heat-map and its note: of the chosen word, else of the whole query."""
        result = self._result
        if result is None:
            return
        chosen = next((w for w in result.words if w.word == self._chosen_word), None)
        attention = chosen.regions if chosen is not None else result.region_attention
        self.photo.set_attention(attention)
        self.regions_note.setText(_regions_note(attention, result))

    def keyword_rows(self) -> list[tuple[str, float, str]]:
        """(keyword, weight, source) as shown, top first (for tests and screen readers)."""
        out = []
        for i in range(self.keywords.topLevelItemCount()):
            item = self.keywords.topLevelItem(i)
            assert item is not None
            out.append((item.text(0), float(item.data(1, WEIGHT_ROLE)), item.text(2)))
        return out

    def _fill_keywords(self, result: SearchResult) -> None:
        self.keywords.clear()
        ranked = sorted(result.keywords, key=lambda k: (-k.weight, k.keyword))
        top = max((k.weight for k in ranked), default=0.0) or 1.0
        items = []
        for keyword in ranked:
            item = QTreeWidgetItem([keyword.keyword, f"{keyword.weight:.2f}", keyword.source])
            item.setData(1, WEIGHT_ROLE, keyword.weight)
            item.setData(1, BarDelegate.SHARE_ROLE, keyword.weight / top)
            item.setToolTip(0, plain_tooltip(keyword.keyword))
            item.setToolTip(2, f"From the photo's {keyword.source or 'keywords'}")
            items.append(item)
        self.keywords.addTopLevelItems(items)


class BarDelegate(QStyledItemDelegate):
    """Draws a cell's value as a bar in the palette's highlight colour, with the number on it."""

    SHARE_ROLE = Qt.ItemDataRole.UserRole + 11

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        share = index.data(self.SHARE_ROLE)
        rect: QRect = option.rect.adjusted(2, 3, -2, -3)
        if isinstance(share, float) and share > 0:
            colour = option.palette.color(QPalette.ColorRole.Highlight)
            colour.setAlpha(140)
            bar = QRect(rect.x(), rect.y(), max(2, round(rect.width() * share)), rect.height())
            painter.fillRect(bar, colour)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        # the number in the whole cell's height: in the bar's inset rect a compact row's
        # text was cut at its foot
        painter.drawText(option.rect.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, text)


def _heading(text: str) -> QLabel:
    label = plain_label(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


def _weight_row(grid: QGridLayout, row: int, name: str, what: str) -> tuple[QProgressBar, QLabel]:
    bar = QProgressBar()
    bar.setRange(0, _BAR_STEPS)
    bar.setTextVisible(False)
    bar.setMaximumHeight(14)
    describe(bar, f"{name} weight", f"How much {what} counted for this query (MTN)")
    value = plain_label("0.00")
    describe(value, f"{name} weight value", f"How much {what} counted, from 0 to 1")
    grid.addWidget(plain_label(name), row, 0)
    grid.addWidget(bar, row, 1)
    grid.addWidget(value, row, 2)
    return bar, value


def _set_weight(bar: QProgressBar, value: QLabel, weight: float) -> None:
    bar.setValue(round(min(1.0, max(0.0, weight)) * _BAR_STEPS))
    value.setText(f"{weight:.2f}")


def _by_word(result: SearchResult) -> str:
    """ "Picture by word: dog 68%, new york 25%" where the query's words were weighed apart;
    "" where they were weighed alike (the bars above say it all)."""
    weights = [w.visual for w in result.words]
    if len(weights) < 2 or max(weights) - min(weights) < 0.05:
        return ""
    return "Picture by word: " + ", ".join(f"{w.word} {w.visual:.0%}" for w in result.words)


def _looked_for(result: SearchResult) -> list[str]:
    """The words offered a heat-map of their own: those the picture counted for (a place or a
    date is hardly looked for in the pixels), where there are at least two."""
    looked = [w.word for w in result.words if _looked_at(w)]
    return looked if len(looked) > 1 else []


def _looked_at(word: WordWeight) -> bool:
    return len(word.regions) >= GRID * GRID and word.visual >= LOOKED_AT


def _detail(form: QFormLayout, name: str, tip: str, selectable: bool = True) -> QLabel:
    label = plain_label("—", selectable=selectable)
    label.setWordWrap(True)
    describe(label, name, tip)
    form.addRow(plain_label(name), label)
    return label


def _ranked(result: SearchResult) -> bool:
    """Whether words ranked this photo (not a browse, nor a filters-only search)."""
    unranked = result.source == "browse" or (result.source == "filter" and not result.keywords)
    return not unranked


def _regions_note(attention: list[float], result: SearchResult) -> str:
    if result.source == "browse":
        return "Browsing: no words to rank by, so photos show newest first."
    if len(attention) < GRID * GRID and not result.keywords and result.source == "filter":
        return "Shown because it matches the search's filters; there were no words to rank by."
    if len(attention) < GRID * GRID:
        return "No region attention: this photo matched on its keywords."
    if len(attention) > GRID * GRID:
        return f"Whole photo: {attention[GRID * GRID]:.2f}"
    return ""
