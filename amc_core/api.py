"""The engine's front door: everything the app uses of the engine, in one place.

The app (``amc_app``) imports this module and nothing else of ``amc_core`` (an import-linter
contract). It re-exports the few types the app shows or passes on, and creates the engine's
heavy parts on request, so that importing it loads neither onnxruntime's sessions, torch nor
the search engine: each is imported inside the function that creates it, on the thread that
calls it.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from amc_core import VERBOSE_VAR, __version__
from amc_core.errors import EXIT_DAMAGED, AmcError, CatalogDamagedError
from amc_core.index.duplicates import (
    DuplicateGroup,
    DuplicatePhoto,
    DuplicatesProgress,
    find_duplicates,
)
from amc_core.index.library import Library
from amc_core.index.repair import RepairProgress, catalog_problem, repair_library
from amc_core.index.run import FACE_STEPS, Analyzer, IndexProgress, IndexReport
from amc_core.ingest.scan import folders_under
from amc_core.learn.constants import MIN_CLICKED_QUERIES, user_params_path
from amc_core.search.browse import Browser, is_browse
from amc_core.search.results import KeywordWeight, SearchResponse, SearchResult, WordWeight
from amc_core.settings import IndexSettings, resolve_library_dir
from amc_core.store.browse import Facets, PhotoListing
from amc_core.store.catalog import Catalog
from amc_core.store.damage import as_user_error, is_database_error
from amc_core.store.faces import Person, StoredFace
from amc_core.store.layout import LibraryPaths
from amc_core.words.keyword import Keyword

if TYPE_CHECKING:
    from amc_core.ingest.decode import PhotoPreview

__all__ = [
    "EXIT_DAMAGED",
    "FACE_STEPS",
    "MIN_CLICKED_QUERIES",
    "VERBOSE_VAR",
    "AmcError",
    "Analyzer",
    "Browser",
    "Catalog",
    "CatalogDamagedError",
    "DuplicateGroup",
    "DuplicatePhoto",
    "DuplicatesProgress",
    "Engine",
    "EngineFactory",
    "Facets",
    "IndexProgress",
    "IndexReport",
    "IndexSettings",
    "Keyword",
    "KeywordWeight",
    "Library",
    "Person",
    "PhotoListing",
    "RepairProgress",
    "SearchResponse",
    "SearchResult",
    "StoredFace",
    "Trainer",
    "WordWeight",
    "__version__",
    "as_library_error",
    "catalog_problem",
    "default_analyzer",
    "devset_library",
    "find_duplicates",
    "folders_under",
    "has_catalog",
    "is_browse",
    "load_engine",
    "load_preview",
    "load_trainer",
    "make_engine",
    "make_fallback_engine",
    "open_catalog",
    "repair_library",
    "resolve_library_dir",
    "user_params_path",
]

TRAINER_MODULE = "amc_core.learn.train"


class Engine(Protocol):
    """What the app needs from a search engine; created, used and closed on one thread."""

    @property
    def provider(self) -> str: ...
    def preload(self) -> None: ...
    def search(self, query: str, top: int = ..., /) -> SearchResponse: ...
    def similar(self, photo_id: int, top: int = ..., /) -> SearchResponse: ...
    def refresh(self) -> object: ...
    def close(self) -> None: ...


class Trainer(Protocol):
    """What the app calls of the fine-tuning module (``amc_core.learn.train``)."""

    def improve_from_clicks(
        self, library_dir: Path, cancel: threading.Event | None = ..., /
    ) -> Iterator[object]:
        """Progress while training; the last item has ``before``, ``after``, ``kept`` and
        ``message``."""
        ...

    def reset_to_default(self, library_dir: Path, /) -> bool:
        """Forget the fine-tuned parameters; True if there were any."""
        ...


def make_engine(library_dir: Path) -> Engine:
    """The engine the app searches with: AMC re-ranking (its modules take a second or more to
    import: call this on the engine's own thread)."""
    from amc_core.search.engine import SearchEngine

    return SearchEngine(library_dir)


def make_fallback_engine(library_dir: Path) -> Engine:
    """When the AMC engine cannot load (a model file missing or damaged): keywords only."""
    from amc_core.search.fallback import KeywordSearchEngine

    return KeywordSearchEngine(library_dir)


EngineFactory = Callable[[Path], Engine]


def load_engine(
    library_dir: Path,
    make: EngineFactory = make_engine,
    fallback: EngineFactory = make_fallback_engine,
) -> tuple[Engine, str]:
    """The engine to search with, its models loaded, and "" or why it is the fallback: when
    the AMC engine cannot load (a model file missing or damaged), search by keywords only."""
    engine: Engine | None = None
    try:
        engine = make(library_dir)
        engine.preload()
    except Exception as exc:  # whatever stops the models loading: keywords still answer
        if engine is not None:
            engine.close()
        if is_database_error(exc) or isinstance(exc, CatalogDamagedError):
            raise  # a damaged catalog: keywords cannot answer either (`amc repair`)
        keywords = fallback(library_dir)
        keywords.preload()
        return keywords, str(exc) or type(exc).__name__
    return engine, ""


def default_analyzer() -> Analyzer:
    """The encoder and keyword generators indexing runs (loads the ONNX models)."""
    from amc_core.describe.tagging import default_tagger

    return default_tagger()


def load_preview(path: str, max_side: int = 0) -> PhotoPreview:
    """A photo upright for the viewer: decoded at about `max_side` px (0: whole), the way the
    index reads it (HEIC, RAW embedded previews, EXIF orientation). Slow for large photos: call
    it off the UI thread. Raises OSError or ValueError with a readable reason."""
    from amc_core.ingest.decode import load_preview as load

    return load(path, max_side)


def open_catalog(library_dir: Path) -> Catalog:
    """A catalog connection of its own (for a thread that records clicks)."""
    return Catalog.open(LibraryPaths(library_dir).catalog)


def as_library_error(exc: BaseException) -> BaseException:
    """An SQLite error from the library's catalog as the user's error (damage, a full disk,
    a read-only folder); any other exception as it is."""
    return as_user_error(exc, None)


def has_catalog(library_dir: Path) -> bool:
    return LibraryPaths(library_dir).catalog.is_file()


def load_trainer() -> Trainer:
    """The fine-tuning module; it imports torch, so call it off the UI thread. A clear error
    when the training extras are missing. Imported by name: a bundle without torch leaves it
    out instead of carrying a module that cannot load."""
    try:
        return cast(Trainer, importlib.import_module(TRAINER_MODULE))
    except ModuleNotFoundError as exc:
        if exc.name == TRAINER_MODULE:
            raise AmcError("this version cannot learn from clicks yet") from exc
        raise AmcError(
            f"learning from clicks needs the training extras ({exc.name} is missing); "
            "install amc-photo-search[train]"
        ) from exc


def devset_library() -> Path:
    """The dev set's indexed library (a source checkout: screenshots and demos)."""
    from amc_core.learn.devset import indexed_devset

    return indexed_devset().library_dir
