"""`amc repair`: whatever happened to the catalog, end with a working, complete library.

A healthy catalog gets the light checks (feature blobs, full-text and vector indexes). A
damaged, missing or too-new one is moved aside (never deleted), what can be read is salvaged
into a fresh catalog, the folders are indexed again (unchanged photos whose rows survived are
not read again), what only the user made comes back from the backup, and the indexes are
rebuilt. A small state file beside the catalog says how far a repair got, so one killed at
any moment goes on where it stopped when run again.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from amc_core.index.library import Library, remembered_folders
from amc_core.index.run import Analyzer
from amc_core.settings import IndexSettings
from amc_core.store.catalog import Catalog
from amc_core.store.damage import file_problem
from amc_core.store.layout import LibraryPaths, WriteLock, ensure_library_dir, library_had_catalog
from amc_core.store.salvage import SalvageReport, salvage
from amc_core.store.user_backup import backed_up_folders
from amc_core.store.user_restore import restore_user_data

_LOG_SUFFIXES = ("-wal", "-shm")


@dataclass(slots=True)
class RepairProgress:
    step: (
        str  # "checking" | "salvaging" | "indexing" | "faces" | "restoring" | "finishing" | "done"
    )
    done: int
    total: int
    report: dict[str, object] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.step == "done"


def catalog_problem(root: Path, thorough: bool = True) -> str | None:
    """What is wrong with the library's catalog, or None when it is sound: the schema
    version, then SQLite's own check of every page (thorough: also every index, and the
    full-text index's own check; quick: the pages only, what the app runs at start)."""
    paths = LibraryPaths(root)
    if not paths.catalog.exists():
        return "the file is missing" if library_had_catalog(paths.root) else None
    return file_problem(paths.catalog, thorough)


def repair_library(
    root: Path,
    analyzer: Analyzer | None,
    settings: IndexSettings | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[RepairProgress]:
    """Repair the library at root; the last progress ("done") carries the report."""
    paths = ensure_library_dir(root)
    report: dict[str, object] = {}
    yield RepairProgress("checking", 0, 0, report)
    with WriteLock(paths):
        state = _read_state(paths)
        if state is None:
            problem = catalog_problem(paths.root)
            if problem is None:
                report["catalog"] = "healthy: nothing to salvage"
            else:
                report["catalog"] = f"damaged ({problem})"
                state = _start(paths)
        else:
            report["catalog"] = "resuming an interrupted repair"
        if state is not None and state["stage"] == "salvage":
            yield from _salvage_step(paths, state, report)
    if state is None:
        with Library(root, settings) as library:
            checks = library.repair()
            if checks["damaged_features"]:  # read those photos again, now
                yield from _index_all(library, analyzer, cancel, report)
                checks = {**library.repair(), "damaged_features": checks["damaged_features"]}
            report.update(checks)
        yield RepairProgress("done", 1, 1, report)
        return
    report["damaged_catalog_moved_to"] = state.get("aside")
    yield from _rebuild_step(root, analyzer, settings, cancel, report)
    if cancel is None or not cancel.is_set():
        paths.repair_state.unlink(missing_ok=True)
    yield RepairProgress("done", 1, 1, report)


def _start(paths: LibraryPaths) -> dict[str, str | None]:
    """Record the plan, then move the damaged catalog aside (if there is one)."""
    aside: Path | None = None
    if paths.catalog.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = paths.root / f"{paths.catalog.name}.damaged-{stamp}"
    state: dict[str, str | None] = {"aside": str(aside) if aside else None, "stage": "salvage"}
    _write_state(paths, state)
    if aside is not None:
        _move_aside(paths, aside)
    return state


def _move_aside(paths: LibraryPaths, aside: Path) -> None:
    """The catalog and its logs, under the aside name (safe to repeat after a kill)."""
    for suffix in ("", *_LOG_SUFFIXES):
        source, target = Path(f"{paths.catalog}{suffix}"), Path(f"{aside}{suffix}")
        if source.exists() and not target.exists():
            source.replace(target)


def _salvage_step(
    paths: LibraryPaths, state: dict[str, str | None], report: dict[str, object]
) -> Iterator[RepairProgress]:
    """Fill a fresh catalog with what the damaged one still holds, then put it in place."""
    recorded = state.get("aside")
    aside = Path(recorded) if recorded else None
    if aside is not None:
        _move_aside(paths, aside)  # a kill between the file and its log
    if paths.catalog.exists():
        # moved aside already, so this is the salvaged catalog put in place before a kill
        _write_state(paths, {**state, "stage": "rebuild"})
        state["stage"] = "rebuild"
        return
    building = paths.rebuilding_catalog
    for suffix in ("", *_LOG_SUFFIXES):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    target = Catalog.open(building, new=True)
    result = SalvageReport()
    try:
        if aside is not None and aside.exists():
            for done, table in enumerate(salvage(aside, target.connection, result), start=1):
                yield RepairProgress("salvaging", done, 11, {**report, "table": table})
        target.checkpoint()
    finally:
        target.close()
    report["salvage"] = result.as_json()
    for path in paths.derived_vector_files():  # built from the old catalog's ids
        path.unlink(missing_ok=True)
    building.replace(paths.catalog)
    for suffix in _LOG_SUFFIXES:
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    state["stage"] = "rebuild"
    _write_state(paths, state)


def _rebuild_step(
    root: Path,
    analyzer: Analyzer | None,
    settings: IndexSettings | None,
    cancel: threading.Event | None,
    report: dict[str, object],
) -> Iterator[RepairProgress]:
    """Find every photo again (reading only those whose rows were lost), restore what the
    user made, rebuild the indexes."""
    with Library(root, settings) as library:
        _add_remembered_folders(library)
        yield from _index_all(library, analyzer, cancel, report)
        if cancel is not None and cancel.is_set():
            return
        yield RepairProgress("restoring", 0, 1, report)
        with WriteLock(library.paths):
            restored = restore_user_data(library.catalog, library.paths.user_backup)
        library.people_changed(restored.pop("changed_photos", []))
        report["user_data"] = restored
        yield RepairProgress("finishing", 0, 1, report)
        report.update(library.repair())
        report["photos"] = library.catalog.counts()["ok"]


def _index_all(
    library: Library,
    analyzer: Analyzer | None,
    cancel: threading.Event | None,
    report: dict[str, object],
) -> Iterator[RepairProgress]:
    """Index every folder: photos whose rows survived are skipped, the rest read again."""
    last = None
    for last in library.index(library.folders(), analyzer=analyzer, cancel=cancel):
        step = "faces" if last.phase == "faces" else "indexing"
        yield RepairProgress(step, last.done, last.total, report)
    if last is not None:
        report["photos_read_again"] = last.report.indexed
        report["photos_unchanged"] = last.report.skipped
        report["photos_failed"] = last.report.failed


def _add_remembered_folders(library: Library) -> None:
    """The folders only the folder record remembers join those the catalog kept (a folder
    on a drive that is not mounted now is kept too: its photos come back with it)."""
    known = {f.path for f in library.folders()}
    remembered = remembered_folders(library.paths.root)
    for path in dict.fromkeys(remembered + backed_up_folders(library.paths.user_backup)):
        if path not in known:
            if os.path.isdir(path):
                library.add_folders([path])
            else:
                library.catalog.add_folder(path)


def _read_state(paths: LibraryPaths) -> dict[str, str | None] | None:
    try:
        state = json.loads(paths.repair_state.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"aside": None, "stage": "salvage"}  # unreadable: start from what is there
    if not isinstance(state, dict) or state.get("stage") not in ("salvage", "rebuild"):
        return {"aside": None, "stage": "salvage"}
    return state


def _write_state(paths: LibraryPaths, state: dict[str, str | None]) -> None:
    tmp = paths.repair_state.with_suffix(".tmp")
    with open(tmp, "w") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(paths.repair_state)
