"""Worker processes die with the process that started them (kill -9 of `amc index` or of the
app while it indexes), and live on while it lives, whichever thread started them.

Real processes throughout; the process tree is read from /proc (Linux only)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from amc_core.index.pool import map_in_workers
from photo_factory import write_photo

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

_GONE_WITHIN_S = 5.0


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()  # the name before ")" may hold spaces
    return fields[0], int(fields[1])


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has ended; its parent reaps it


def _wait_for_workers(process: subprocess.Popen[bytes], count: int) -> set[int]:
    """The process's descendants, once there are `count` or more (multiprocessing's resource
    tracker, the forkserver, its workers)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "it ended before it started its workers"
        if len(_descendants(process.pid)) >= count:
            time.sleep(0.2)  # let the pool finish starting: all its processes count
            return _descendants(process.pid)
        time.sleep(0.05)
    raise AssertionError("no worker processes appeared")


def _kill_and_time_their_end(process: subprocess.Popen[bytes], started: set[int]) -> float:
    assert process.poll() is None, "the kill must land while it indexes"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed = time.monotonic()
    while (alive := {pid for pid in started if _alive(pid)}) and (
        time.monotonic() - killed < _GONE_WITHIN_S
    ):
        time.sleep(0.02)
    for pid in alive:  # leave nothing behind, even when failing
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"still alive {_GONE_WITHIN_S} s after kill -9: {sorted(alive)}"
    return time.monotonic() - killed


def _photos(folder: Path, count: int, width: int = 1600, height: int = 1200) -> Path:
    for i in range(count):
        write_photo(folder / f"p{i:03d}.jpg", width=width, height=height, seed=i)
    return folder


@pytest.fixture(scope="module")
def busy_photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough large photos to keep two decoders busy for seconds: a few drawn, the rest copies
    made distinct by a trailer after the JPEG's end (decoders ignore it)."""
    folder = _photos(tmp_path_factory.mktemp("busy"), 6)
    drawn = sorted(folder.iterdir())
    for i in range(54):
        (folder / f"c{i:03d}.jpg").write_bytes(drawn[i % 6].read_bytes() + f"{i}".encode())
    return folder


def test_kill_9_of_amc_index_leaves_no_worker_alive(tmp_path: Path, busy_photos: Path) -> None:
    photos = busy_photos
    cmd = [sys.executable, "-m", "amc_core.cli", "index", str(photos),
           "--library", str(tmp_path / "lib"), "--workers", "2", "--no-faces"]  # fmt: skip
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = _wait_for_workers(process, 4)
    took = _kill_and_time_their_end(process, started)
    print(f"{len(started)} processes gone {took:.2f} s after kill -9")


_APP_INDEXING = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from amc_app.controllers.indexing import IndexingController
from amc_app.workers.watcher import FolderWatcher
from amc_core.api import IndexSettings

app = QApplication([])
controller = IndexingController(
    Path(sys.argv[2]), IndexSettings(workers=2), lambda: None, FolderWatcher()
)
controller.add_folders([sys.argv[1]])  # then it indexes, on its writer thread
controller.finished.connect(lambda last: app.exit(0))
sys.exit(app.exec())
"""


def test_kill_9_of_the_app_while_it_indexes_leaves_no_worker_alive(
    tmp_path: Path, busy_photos: Path
) -> None:
    """The app indexes on its writer thread (a QThreadPool thread): the forkserver is
    started from there, not from the main thread."""
    photos = busy_photos
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-c", _APP_INDEXING, str(photos), str(tmp_path / "lib")]
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = _wait_for_workers(process, 4)
    took = _kill_and_time_their_end(process, started)
    print(f"{len(started)} processes gone {took:.2f} s after kill -9")


_TWO_THREADS = """
import json, os, sys, threading, time
from multiprocessing import forkserver
from pathlib import Path
from amc_core.index.library import Library
from amc_core.settings import IndexSettings

def forkserver_pid():  # multiprocessing's own record (private, but only read here)
    return forkserver._forkserver._forkserver_pid

def index(folder, out):
    with Library(Path(sys.argv[1]), IndexSettings(workers=2)) as library:
        library.add_folders([folder])
        for last in library.index(faces=False):
            pass
    out.append((last.report.indexed, forkserver_pid()))

results = []
for folder in sys.argv[2:]:
    thread = threading.Thread(target=index, args=(folder, results))
    thread.start()
    thread.join()
    time.sleep(1.0)  # the thread that started the forkserver has ended: it must live on
    state = open(f"/proc/{forkserver_pid()}/stat").read().rsplit(")", 1)[1].split()[0]
    assert state != "Z", "the forkserver died with the thread that started it"
print(json.dumps(results))
"""


def test_workers_outlive_the_thread_that_started_them(tmp_path: Path) -> None:
    """PR_SET_PDEATHSIG fires when the *thread* that started a child ends: the forkserver,
    started by the first index run's thread, must serve the second run from another thread."""
    first = _photos(tmp_path / "a", 8, 320, 240)
    second = _photos(tmp_path / "b", 8, 320, 240)
    cmd = [sys.executable, "-c", textwrap.dedent(_TWO_THREADS), str(tmp_path / "lib"),
           str(first), str(second)]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    (indexed_a, server_a), (indexed_b, server_b) = json.loads(result.stdout)
    assert (indexed_a, indexed_b) == (8, 8)
    assert server_a == server_b and server_a is not None


def _crash_on_zero(item: int) -> int:
    if item == 0:
        os.kill(os.getpid(), signal.SIGSEGV)  # what a hostile file does to a decoder
    return item * 2


def test_a_crashing_worker_still_costs_only_its_own_item() -> None:
    """The workers' lifeline leaves the pool's crash isolation as it was."""
    results = map_in_workers(_crash_on_zero, [3, 1, 0, 4, 5, 6], 2, 4, crashed=lambda _item: -1)
    assert list(results) == [6, 2, -1, 8, 10, 12]


def _crash_zero_after_a_moment(item: int) -> int:
    if item == 0:
        time.sleep(0.3)  # after the caller took the first result, before it asks for more
        os.kill(os.getpid(), signal.SIGSEGV)
    return item * 2


def test_a_worker_crashing_while_the_caller_is_busy_costs_only_its_own_item() -> None:
    """The pool can break between two results, while the caller (the indexer storing a
    batch) is busy: refilling the pool then meets the broken pool at submit, not at a result,
    and the photos in flight must still be retried, none lost, in order."""
    results = map_in_workers(
        _crash_zero_after_a_moment, [3, 0, 4, 5, 6], 2, 2, crashed=lambda _item: -1
    )
    first = next(results)
    time.sleep(1.0)  # the crash happens now
    assert [first, *results] == [6, -1, 8, 10, 12]
