"""Worker processes die with the process that started them, even after its kill -9.

Neither notices on its own: the forkserver stays up while any worker holds its "alive" pipe,
and a pool worker waits on a queue whose write end it holds too. So:
- the forkserver watches its parent process (a thread polling os.getppid()). Not
  PR_SET_PDEATHSIG: that fires when the *thread* that started the child ends, and the app
  starts the forkserver from a worker thread that may end while the app lives;
- a pool worker, forked by the forkserver's main thread (it lives as long as the forkserver),
  asks the kernel for SIGKILL when the forkserver ends (Linux; elsewhere it watches its
  parent the same way).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_POLL_S = 0.25
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Set in the forkserver by its preload; the workers it forks inherit it.
_server_pid: int | None = None


def serve_with_parent() -> None:
    """In the forkserver: exit when the process that started it is gone. (If that process
    died before this runs, no worker exists yet and the forkserver's own "alive" pipe ends it.)"""
    global _server_pid  # noqa: PLW0603 - once, in the forkserver; its forks inherit it
    _server_pid = os.getpid()
    _watch(os.getppid())


def die_with_parent() -> None:
    """A pool worker's initializer: die when the process that forked it ends."""
    parent = _server_pid if _server_pid is not None else os.getppid()
    if not _kernel_kills_on_parent_exit():
        _watch(parent)
    if os.getppid() != parent:  # it ended before we asked
        os._exit(1)


def _kernel_kills_on_parent_exit() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        return int(prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    def run() -> None:
        while os.getppid() == parent:
            time.sleep(_POLL_S)
        os._exit(1)  # no cleanup: whatever it would flush or tell, nobody is left to read it

    # it only sleeps and reads its parent's pid: it holds no lock that the forkserver's forks
    # could copy held
    threading.Thread(target=run, name="amc-lifeline", daemon=True).start()
