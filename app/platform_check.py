"""Before Qt opens a window on X11: the system libraries its xcb plugin needs, by Debian
package. Qt's own message when one is missing names the wrong package (libxcb-cursor0 for
any of them) and then aborts the process; this says which to install, in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# What libqxcb.so and the Qt libraries under it load from the system (Debian 12 names,
# from `dpkg -S` of each library `ldd` lists).
XCB_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def missing_packages(ldd_output: str) -> list[str]:
    """The Debian packages of the libraries `ldd` could not find (unknown ones by name)."""
    missing = []
    for line in ldd_output.splitlines():
        if "not found" in line:
            name = line.split("=>")[0].strip()
            missing.append(XCB_PACKAGES.get(name, name))
    return sorted(set(missing))


def xcb_problem() -> str | None:
    """One line naming the packages to install when Qt's X11 plugin cannot load, else None
    (not on Linux, another platform plugin chosen, or no `ldd` to ask)."""
    if not sys.platform.startswith("linux"):
        return None
    if os.environ.get("QT_QPA_PLATFORM", "xcb").split(":")[0] not in ("", "xcb"):
        return None
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    ldd = shutil.which("ldd")
    if not plugin.is_file() or ldd is None:
        return None
    try:
        listed = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    packages = missing_packages(listed.stdout)
    if not packages:
        return None
    return (
        "Qt cannot open a window: system libraries are missing; install them with "
        f"`sudo apt install {' '.join(packages)}` (Debian/Ubuntu names)"
    )
