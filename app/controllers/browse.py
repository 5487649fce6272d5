"""Browsing: the years and places that narrow the gallery, and the remembered sort order.

A chip's click edits the query text (adds `year:2019`, replacing another year; a second
click drops it), so a narrowed browse is an ordinary query: it can be typed, refined with
words, and is restored at the next start like any other.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject

from amc_app.models.results_model import ResultsModel
from amc_app.settings import AppSettings
from amc_app.views.browse_filters import BrowseFilters, holds
from amc_app.views.search_bar import SearchBar
from amc_app.workers.search_runner import SearchRunner
from amc_core.api import Facets


def toggle_filter(query: str, token: str) -> str:
    """The query with the filter added (replacing one of the same key), or dropped if held."""
    key = token.split(":", 1)[0]
    same_key = re.compile(rf'(?<!\S){key}:("[^"]*"|\S+)')
    held = holds(query, token)
    kept = " ".join(same_key.sub("", query).split())
    return kept if held else f"{kept} {token}".strip()


class BrowseController(QObject):
    def __init__(
        self,
        filters: BrowseFilters,
        bar: SearchBar,
        model: ResultsModel,
        runner: SearchRunner,
        settings: AppSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._filters = filters
        self._bar = bar
        self._model = model
        self._settings = settings
        self._runner = runner
        filters.set_sort(settings.sort_order)
        model.set_sort(settings.sort_order)
        filters.filter_clicked.connect(self.narrow)
        filters.sort_changed.connect(self.set_sort)
        runner.facets_ready.connect(self._on_facets)
        bar.edit.textChanged.connect(filters.mark)
        model.modelReset.connect(self._show_sort)

    def reload(self) -> None:
        """The library changed: its years and places again (on the engine's thread)."""
        self._runner.load_facets()

    def narrow(self, token: str) -> None:
        """A year or place clicked: the query gets (or loses) that filter, and searches."""
        self._bar.edit.setText(toggle_filter(self._bar.edit.text(), token))

    def set_sort(self, order: str) -> None:
        self._settings.sort_order = order
        self._model.set_sort(order)
        self._show_sort()

    def _show_sort(self) -> None:
        self._filters.set_sort(self._settings.sort_order, browsing=self._model.browsing)

    def _on_facets(self, facets: Facets) -> None:
        self._filters.set_facets(facets)
        self._filters.mark(self._bar.edit.text())
