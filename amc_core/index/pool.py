"""Running prepare_photo over many files on all cores, robust to crashing decoders."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from amc_core.index.prepare import prepare_photo
from amc_core.ingest.decode import DecodedPhoto, DecodeFailure
from amc_core.settings import IndexSettings

DecodeResult = DecodedPhoto | DecodeFailure

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
    yield from _PoolRun(items, settings).results()


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where the OS has it: workers start fast, without inheriting the
    caller's threads (the app runs Qt threads, and fork with threads is unsafe)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["amc_core.index.prepare"])
        return context
    return multiprocessing.get_context("spawn")


class _PoolRun:
    def __init__(self, items: Sequence[tuple[str, int, int]], settings: IndexSettings) -> None:
        self._items = items
        self._settings = settings
        # Bounded, so memory stays flat on huge folders, yet deep enough that the workers keep
        # decoding while the main process analyses and stores a whole batch.
        self._window = max(settings.workers * 4, 2 * settings.batch_size)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self._settings.workers, mp_context=_context())

    def results(self) -> Iterator[DecodeResult]:
        todo = deque(self._items)
        pending: deque[tuple[tuple[str, int, int], Future[DecodeResult]]] = deque()
        pool = self._new_pool()
        try:
            while todo or pending:
                while todo and len(pending) < self._window:
                    item = todo.popleft()
                    pending.append((item, pool.submit(prepare_photo, item[0], self._settings)))
                item, future = pending.popleft()
                try:
                    result = future.result()
                except BrokenProcessPool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    requeue = [item] + [it for it, _ in pending]
                    pending.clear()
                    yield from self._after_crash(requeue)
                    pool = self._new_pool()
                    continue
                yield result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _after_crash(self, requeue: list[tuple[str, int, int]]) -> Iterator[DecodeResult]:
        """Retry the files that were in flight one by one, to find the one that kills decoders
        (the rest continues in a fresh pool afterwards)."""
        for path, size, mtime_ns in requeue:
            with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as solo:
                try:
                    yield solo.submit(prepare_photo, path, self._settings).result()
                except BrokenProcessPool:
                    yield DecodeFailure(path, size, mtime_ns, "the image decoder crashed on it")
