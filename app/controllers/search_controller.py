"""Search as you type: a short pause, Enter searches now, Esc clears; answers fill the gallery."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer, Signal

from amc_app.models.results_model import ResultsModel
from amc_app.views.search_bar import SearchBar
from amc_app.workers.search_runner import SearchAnswer, SearchRunner
from amc_core.api import is_browse

# A search takes ~30 ms at 10^5 photos, so results follow the typing: a key searches at once
# when the engine is free; while it is busy, the newest text waits and is re-checked this often.
TYPING_PAUSE_MS = 15
# Emptying the box by typing (select-all, backspace) is mostly the start of the next query: the
# browse it means waits this long, so the gallery does not lay out the whole library (0.3-0.5 s
# of the UI thread at 10^5) under the first keys of that query. Esc browses at once.
BROWSE_PAUSE_MS = 350
SEARCH_TOP = 200  # the re-ranked set is at most 600; 200 fill many screens


class SearchController(QObject):
    query_changed = Signal(str)  # the query the shown results answer changed

    def __init__(
        self,
        bar: SearchBar,
        model: ResultsModel,
        runner: SearchRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bar = bar
        self._model = model
        self._runner = runner
        self._shown_query: str | None = None
        self._similar_name = ""
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.schedule)  # the newest text, once the engine is free
        self._browse_pause = QTimer(self, singleShot=True, interval=BROWSE_PAUSE_MS)
        self._browse_pause.timeout.connect(self.search_now)
        runner.answered.connect(self._on_answer)

    def schedule(self) -> None:
        """Text changed: search at once when the engine is free (results follow the typing),
        else once the keys stop for a moment (only the newest answer is ever shown); a text
        emptied by typing browses after a longer pause."""
        self._browse_pause.stop()
        if not self._bar.edit.text().strip():
            self._typing.stop()
            self._browse_pause.start()
        elif self._runner.busy:
            self._typing.start()
        else:
            self.search_now()

    def search_now(self) -> None:
        self._typing.stop()
        self._browse_pause.stop()
        query = self._bar.edit.text().strip()
        if is_browse(query):  # no words: the library (or what the filters allow), newest first
            self._runner.browse(query)
            return
        self._runner.search(query, SEARCH_TOP)

    def clear(self) -> None:
        self._bar.edit.clear()
        self._typing.stop()
        self._show_library()

    def rerun(self) -> None:
        """The library changed: ask again, quietly (the gallery keeps its selection)."""
        self.search_now()

    def find_similar(self, photo_id: int, path: str) -> None:
        self._typing.stop()
        self._similar_name = os.path.basename(path)
        self._runner.similar(photo_id, SEARCH_TOP)

    def _show_library(self) -> None:
        """Esc: the query is cleared, the whole library shows (a browse)."""
        self._bar.show_info("")
        self._bar.show_error("")
        self.search_now()

    def _on_answer(self, answer: SearchAnswer) -> None:
        response = answer.response
        self._bar.show_error(response.error or "")
        if response.error:
            self._model.set_results([], answer.query)
            self._bar.show_info("")
            return
        if answer.listing is not None:
            count = len(answer.listing)
            self._model.set_listing(answer.listing, answer.query)
            self._bar.show_info(f"{count} photo{'' if count == 1 else 's'} · by date")
            self._set_shown(answer.query)
            return
        results = list(response.results)
        if answer.similar_to is not None:
            info = f"{len(results)} like {self._similar_name} · {response.elapsed_ms:.0f} ms"
        else:
            noun = "result" if len(results) == 1 else "results"
            info = f"{len(results)} {noun} · {response.elapsed_ms:.0f} ms"
            strong = response.strong_count
            if strong < len(results):
                info = f"{strong} strong of {info}"
        self._model.set_results(results, answer.query)
        self._bar.show_info(info)
        self._set_shown(answer.query)

    def _set_shown(self, query: str) -> None:
        if query != self._shown_query:
            self._shown_query = query
            self.query_changed.emit(query)
