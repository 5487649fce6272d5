"""A guard against a reference-count bug of PySide6 6.12.0 on Python 3.11.

There, PySide6 drops references to None and True that it does not own: every call of a Qt
method that returns nothing, every ``Signal.emit``, every None a Python override hands back
to C++ (``QAbstractItemModel.data``, ``QRunnable.run``). After a few thousand such calls the
interpreter aborts with "none_dealloc: deallocating None" (or "bool_dealloc"). PySide6 6.11.2
does not do this, and on Python 3.12+ these objects are immortal, so the bug is harmless.

``guard_reference_counts`` measures the bug with a probe and, only where it is present, does
what Python 3.12 does: gives None, True and False a reference count no number of lost
references can bring to zero. The real fix is a PySide6 without the bug.
"""

from __future__ import annotations

import ctypes
import sys

_PROBES = 32
_RESERVE = 1 << 48  # lost references it would take to reach zero: never, in practice


def reference_bug_present() -> bool:
    """Whether calling a Qt method that returns nothing loses a reference to None."""
    from PySide6.QtCore import QTimer

    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        timer.stop()
    return before - sys.getrefcount(None) >= _PROBES


def guard_reference_counts() -> bool:
    """Make None, True and False immortal where the bug is present; True if it was."""
    if sys.getrefcount(None) > _RESERVE // 2:
        return True  # guarded already
    if sys.version_info >= (3, 12) or not reference_bug_present():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object (3.11 layout)
        ctypes.c_ssize_t.from_address(id(singleton)).value += _RESERVE
    return True
