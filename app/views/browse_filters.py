"""Above the gallery: the sort order, and the years and places that narrow what is shown.

Each year and place is a chip: one click narrows the gallery as the query's own filter does
(`year:2019`, `place:paris`), a second click widens it again. The chips come from the
catalog's dates and places (Facets), so they name only what the library holds.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QStandardItemModel, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from amc_app.widgets import describe, plain_label
from amc_core.api import Facets

SORT_NAMES = {"score": "Best match first", "newest": "Newest first", "oldest": "Oldest first"}
MAX_YEARS = 16
MAX_PLACES = 10


def holds(query: str, token: str) -> bool:
    """Whether the query holds this filter as one of its terms."""
    return re.search(rf"(?<!\S){re.escape(token)}(?!\S)", query) is not None


def year_filter(year: int) -> str:
    return f"year:{year}"


def place_filter(place: str) -> str:
    return f'place:"{place}"' if " " in place else f"place:{place}"


class _ChipRow(QScrollArea):
    """A title and a row of checkable chips, scrolled sideways when the row is too long."""

    clicked = Signal(str)  # the chip's filter

    def __init__(self, title: str, tip: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._layout = QHBoxLayout(inner)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addWidget(plain_label(title))
        self._layout.addStretch(1)
        self._inner = inner
        self.setWidget(inner)  # the scroll area watches it: eventFilter below
        # as tall as its chips are now (a style or font change makes them taller), never less
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.chips: dict[str, QToolButton] = {}
        self._tip = tip

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(super().sizeHint().width(), self._inner.sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(0, self._inner.sizeHint().height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """The row's height follows its chips: a scroll area does not tell the layout around
        it that its widget changed size, so chips that grew when first styled (after being
        added) were at times squeezed into the height of the title alone."""
        if watched is self._inner and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        """A row longer than the window scrolls sideways under the mouse wheel (it has no
        scroll bar to drag), as a tab bar does."""
        bar = self.horizontalScrollBar()
        step = event.angleDelta().y() or event.angleDelta().x()
        if bar.maximum() > 0 and step:
            bar.setValue(bar.value() - step)
            event.accept()
        else:
            super().wheelEvent(event)

    def set_chips(self, chips: list[tuple[str, str]]) -> None:
        """(label, filter) per chip, in order."""
        for chip in self.chips.values():
            chip.deleteLater()
        self.chips = {}
        for label, token in chips:
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setAutoRaise(True)
            describe(button, label, self._tip.format(label))
            button.clicked.connect(lambda _=False, t=token: self.clicked.emit(t))
            self._layout.insertWidget(self._layout.count() - 1, button)
            self.chips[token] = button
        self.updateGeometry()
        self.setVisible(bool(chips))

    def mark(self, query: str) -> None:
        for token, chip in self.chips.items():
            chip.setChecked(holds(query, token))


class BrowseFilters(QWidget):
    filter_clicked = Signal(str)  # a year's or place's filter, to add to the query or drop
    sort_changed = Signal(str)  # "score", "newest" or "oldest"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.years = _ChipRow("Years", "Show only photos taken in {}; click again for all")
        self.places = _ChipRow("Places", "Show only photos taken in {}; click again for all")
        self.sort = QComboBox()
        for order, name in SORT_NAMES.items():
            self.sort.addItem(name, order)
        describe(self.sort, "Sort", "Results best match first, or by date (newest or oldest)")
        describe(self.sort.view(), "Sort orders", "Choose how the gallery orders the photos")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.years, 1)
        top.addWidget(self.sort)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.places)
        self.years.clicked.connect(self.filter_clicked)
        self.places.clicked.connect(self.filter_clicked)
        self.sort.currentIndexChanged.connect(
            lambda _: self.sort_changed.emit(str(self.sort.currentData()))
        )

    def set_facets(self, facets: Facets) -> None:
        self.years.set_chips([(str(y), year_filter(y)) for y, _ in facets.years[:MAX_YEARS]])
        self.places.set_chips([(p.title(), place_filter(p)) for p, _ in facets.places[:MAX_PLACES]])

    def set_sort(self, order: str, browsing: bool = False) -> None:
        """Show the sort order. While browsing there are no words to rank by: best match is
        not offered, and shows as what the gallery does, newest first (unless another order
        is chosen, the remembered order stays best match, for the next search)."""
        shown = "newest" if browsing and order == "score" else order
        self.sort.blockSignals(True)  # showing an order is not choosing one
        self.sort.setCurrentIndex(max(0, self.sort.findData(shown)))
        self.sort.blockSignals(False)
        best = self.sort.model()
        assert isinstance(best, QStandardItemModel)
        item = best.item(self.sort.findData("score"))
        if item is not None:
            item.setEnabled(not browsing)

    def mark(self, query: str) -> None:
        """Check the chips whose filter the query holds."""
        self.years.mark(query)
        self.places.mark(query)
