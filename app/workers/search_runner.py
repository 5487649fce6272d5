"""Runs the search engine off the UI thread, on one dedicated thread that owns it (SQLite).

Requests are answered newest-first: a request still waiting when a newer one comes is
dropped, and an answer to anything but the newest request is never shown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from amc_app.workers.jobs import GeneratorJob, OwnerThread
from amc_core.api import (
    AmcError,
    Browser,
    Catalog,
    Engine,
    EngineFactory,
    Facets,
    PhotoListing,
    SearchResponse,
    load_engine,
    make_engine,
    make_fallback_engine,
    open_catalog,
)

_CLOSE_WAIT_MS = 10_000


@dataclass(frozen=True, slots=True)
class EngineState:
    provider: str  # "CUDA" or "CPU"
    problem: str = ""  # why the engine fell back to keyword search, if it did


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    request: int
    query: str  # the text searched; "" for "find similar"
    response: SearchResponse
    similar_to: int | None = None  # the photo id for "find similar"
    listing: PhotoListing | None = None  # a browse (no words): the photos, newest first


class _EngineHome:
    """The engine and everything that touches it: used only on the runner's thread."""

    def __init__(self, factory: EngineFactory, fallback: EngineFactory, library_dir: Path) -> None:
        self._factory = factory
        self._fallback = fallback
        self._library_dir = library_dir
        self._engine: Engine | None = None
        self._catalog: Catalog | None = None  # browsing reads the catalog, whichever engine
        self._browser: Browser | None = None

    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = open_catalog(self._library_dir)
        return self._catalog

    def browser(self) -> Browser:
        if self._browser is None:
            self._browser = Browser(self.catalog())
        return self._browser

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._factory(self._library_dir)
        return self._engine

    def load(self, cancel: threading.Event) -> Iterator[object]:
        """A fresh engine, its models loaded: at start, and for new ranking parameters."""
        self._close_engine()
        self._engine, problem = load_engine(self._library_dir, self._factory, self._fallback)
        self.browser().everything()  # the library newest first, read once at start-up
        yield EngineState(self._engine.provider, problem)

    def search(
        self, request: int, query: str, top: int, cancel: threading.Event
    ) -> Iterator[object]:
        if not cancel.is_set():
            yield SearchAnswer(request, query, _answer(self.engine().search, query, top))

    def similar(
        self, request: int, photo_id: int, top: int, cancel: threading.Event
    ) -> Iterator[object]:
        if not cancel.is_set():
            response = _answer(self.engine().similar, photo_id, top)
            yield SearchAnswer(request, "", response, photo_id)

    def browse(self, request: int, query: str, cancel: threading.Event) -> Iterator[object]:
        """A query without words: the photos it allows, newest first (both engines alike)."""
        if cancel.is_set():
            return
        started = time.perf_counter()
        try:
            listing = self.browser().browse(query)
        except AmcError as exc:
            error = SearchResponse(query, [], 0, (time.perf_counter() - started) * 1000, str(exc))
            yield SearchAnswer(request, query, error)
            return
        response = SearchResponse(query, [], len(listing), (time.perf_counter() - started) * 1000)
        yield SearchAnswer(request, query, response, listing=listing)

    def facets(self, cancel: threading.Event) -> Iterator[object]:
        yield self.catalog().facets()

    def refresh(self, cancel: threading.Event) -> Iterator[object]:
        self.engine().refresh()
        yield True

    def close(self, cancel: threading.Event) -> Iterator[object]:
        self._close_engine()
        if self._catalog is not None:
            self._catalog.close()
            self._catalog, self._browser = None, None
        yield True

    def _close_engine(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            engine.close()


def _answer(ask: Callable[[Any, int], SearchResponse], subject: Any, top: int) -> SearchResponse:
    """The engine's sentence for what the user asked wrongly becomes the answer's error."""
    started = time.perf_counter()
    try:
        return ask(subject, top)
    except AmcError as exc:
        return SearchResponse(str(subject), [], 0, (time.perf_counter() - started) * 1000, str(exc))


class SearchRunner(QObject):
    ready = Signal(object)  # EngineState once the models are loaded
    answered = Signal(object)  # SearchAnswer for the newest request
    failed = Signal(str)
    facets_ready = Signal(object)  # Facets: the years and places that narrow a browse

    def __init__(
        self,
        library_dir: Path,
        factory: EngineFactory = make_engine,
        parent: QObject | None = None,
        fallback: EngineFactory = make_fallback_engine,
    ) -> None:
        super().__init__(parent)
        self._thread = OwnerThread(self)
        self._home = _EngineHome(factory, fallback, library_dir)
        self._waiting: GeneratorJob | None = None
        self._request = 0

    @property
    def busy(self) -> bool:
        return self._thread.busy

    def preload(self) -> None:
        self._submit(self._home.load, self._on_ready)

    def search(self, query: str, top: int = 200) -> int:
        return self._ask(partial(self._home.search, self._next_request(), query, top))

    def browse(self, query: str = "") -> int:
        return self._ask(partial(self._home.browse, self._next_request(), query))

    def load_facets(self) -> None:
        self._submit(self._home.facets, self._on_facets)

    def similar(self, photo_id: int, top: int = 200) -> int:
        return self._ask(partial(self._home.similar, self._next_request(), photo_id, top))

    def drop_pending(self) -> None:
        """Whatever was asked so far is no longer wanted: its answer will not be shown."""
        self._next_request()
        if self._waiting is not None:
            self._waiting.cancel()
            self._waiting = None

    def refresh(self) -> None:
        """New or removed photos: the engine updates its index (searches wait their turn)."""
        self._submit(self._home.refresh)

    def reload(self) -> None:
        """New ranking parameters on disk: start a fresh engine."""
        self._submit(self._home.load, self._on_ready)

    def close(self) -> None:
        """Closes the engine on its own thread and waits for it (at most a few seconds)."""
        self._thread.close(self._home.close, _CLOSE_WAIT_MS)

    def _next_request(self) -> int:
        self._request += 1
        return self._request

    def _ask(self, make: Callable[[threading.Event], Iterator[object]]) -> int:
        if self._waiting is not None:
            self._waiting.cancel()  # not started yet, or about to answer a stale question
        self._waiting = self._submit(make, self._on_answer)
        return self._request

    def _submit(
        self,
        make: Callable[[threading.Event], Iterator[object]],
        on_value: Callable[[object], None] | None = None,
    ) -> GeneratorJob:
        return self._thread.submit(make, on_value=on_value, on_failed=self._on_failed)

    def _on_ready(self, state: object) -> None:
        self.ready.emit(state)

    def _on_answer(self, answer: object) -> None:
        if isinstance(answer, SearchAnswer) and answer.request == self._request:
            self._waiting = None
            self.answered.emit(answer)

    def _on_facets(self, facets: object) -> None:
        if isinstance(facets, Facets):
            self.facets_ready.emit(facets)

    def _on_failed(self, message: str) -> None:
        self.failed.emit(message)
