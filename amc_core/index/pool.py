"""Running a per-photo job over many files on all cores, robust to crashing decoders."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from amc_core.index.lifeline import die_with_parent
from amc_core.index.prepare import prepare_photo
from amc_core.ingest.decode import DecodedPhoto, DecodeFailure
from amc_core.settings import IndexSettings

DecodeResult = DecodedPhoto | DecodeFailure
Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many files, starting worker processes costs more than it saves.
_MIN_FILES_FOR_POOL = 6


def decode_many(
    items: Sequence[tuple[str, int, int]], settings: IndexSettings
) -> Iterator[DecodeResult]:
    """Decode (path, size, mtime_ns) items, yielding results in input order.

    Decoding runs in worker processes (Pillow holds the GIL in places and a
    hostile file may crash a decoder); if a worker dies, the pool restarts and
    the files that were in flight are retried one by one, and the one that
    crashes its decoder alone is reported as failed.
    """
    if settings.workers <= 1 or len(items) < _MIN_FILES_FOR_POOL:
        for path, _size, _mtime in items:
            yield prepare_photo(path, settings)
        return
    # Bounded, so memory stays flat on huge folders, yet deep enough that the workers keep
    # decoding while the main process analyses and stores a whole batch.
    window = max(settings.workers * 4, 2 * settings.batch_size)
    yield from map_in_workers(
        _prepare, [(path, settings) for path, _s, _m in items], settings.workers, window,
        crashed=lambda item: _crashed(item[0], items),
    )  # fmt: skip


def _prepare(item: tuple[str, IndexSettings]) -> DecodeResult:
    return prepare_photo(*item)


def _crashed(path: str, items: Sequence[tuple[str, int, int]]) -> DecodeFailure:
    size, mtime_ns = next((s, m) for p, s, m in items if p == path)
    return DecodeFailure(path, size, mtime_ns, "the image decoder crashed on it")


def map_in_workers(
    job: Callable[[Item], Result],
    items: Sequence[Item],
    workers: int,
    window: int,
    crashed: Callable[[Item], Result],
) -> Iterator[Result]:
    """job(item) for every item in worker processes, in input order, at most `window` in
    flight. If a worker dies, the pool restarts and the items in flight are retried one by
    one; the one that kills a worker alone gives crashed(item). job must be picklable."""
    todo = deque(items)
    pending: deque[tuple[Item, Future[Result]]] = deque()
    pool = _new_pool(workers)
    try:
        while todo or pending:
            try:
                while todo and len(pending) < window:
                    pending.append((todo[0], pool.submit(job, todo[0])))
                    todo.popleft()  # only once submitted: a broken pool refuses it whole
                result = pending[0][1].result()
            except BrokenProcessPool:  # a worker died: seen at submit or at a result
                pool.shutdown(wait=False, cancel_futures=True)
                requeue = [it for it, _ in pending]  # in input order, before the rest of todo
                pending.clear()
                yield from _one_by_one(job, requeue, crashed)
                pool = _new_pool(workers)
                continue
            pending.popleft()
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _one_by_one(
    job: Callable[[Item], Result], items: list[Item], crashed: Callable[[Item], Result]
) -> Iterator[Result]:
    """Retry the items that were in flight alone, to find the one that kills workers."""
    for item in items:
        with _new_pool(1) as solo:
            try:
                yield solo.submit(job, item).result()
            except BrokenProcessPool:
                yield crashed(item)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # die_with_parent: workers must not outlive a caller killed outright (kill -9, OOM)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=die_with_parent
    )


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where the OS has it: workers start fast, without inheriting the
    caller's threads (the app runs Qt threads, and fork with threads is unsafe). Its preload
    loads the decoders and ties the forkserver's life to this process (see lifeline)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["amc_core.index.forkserver_preload"])
        return context
    return multiprocessing.get_context("spawn")
