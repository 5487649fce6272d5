"""Start-up hygiene: the app starts quietly without a GPU (onnxruntime's own CUDA error is
silenced; `--verbose` says why once), and a missing X11 library is named by its package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from amc_app.platform_check import XCB_PACKAGES, missing_packages, xcb_problem

LDD_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd0f5f2000)
\tlibQt6Gui.so.6 => /x/PySide6/Qt/lib/libQt6Gui.so.6 (0x00007f0c1c800000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f0c1c7d0000)
\tlibsomething-new.so.2 => not found
"""


def test_missing_xcb_libraries_are_named_by_their_debian_package():
    assert missing_packages(LDD_MISSING) == [
        "libsomething-new.so.2",  # unknown to the table: by its own name
        "libxcb-icccm4",
        "libxcb-keysyms1",
    ]
    assert missing_packages("\tlibxcb.so.1 => /lib/libxcb.so.1 (0x1)\n") == []


@pytest.mark.skipif(shutil.which("ldd") is None, reason="needs ldd (libc-bin)")
def test_this_machine_has_every_library_the_window_needs(monkeypatch):
    """The machine the tests run on opens windows under Xvfb: nothing reported missing,
    and every library the plugin really loads from the system has its package listed."""
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert xcb_problem() is None
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so"
    listed = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
    direct = {line.split("=>")[0].strip() for line in listed.splitlines() if "xcb" in line}
    assert direct <= set(XCB_PACKAGES)  # every xcb library the plugin needs has its package


def _start_app(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AMC_LIBRARY": str(tmp_path / "lib")}
    env.pop("AMC_PROVIDER", None)  # the default: try CUDA, as a user's start does
    env.pop("AMC_VERBOSE", None)
    code = "import sys; from amc_app.main import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "--quit-after", "3000", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_start_without_a_gpu_is_quiet_and_verbose_says_why(tmp_path: Path, monkeypatch):
    import onnxruntime as ort

    from amc_core.runtime import SessionFactory

    quiet = _start_app(tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert "onnxruntime" not in quiet.stderr and "CUDA" not in quiet.stderr
    monkeypatch.delenv("AMC_PROVIDER", raising=False)
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip("a CPU-only onnxruntime never tries CUDA: nothing to explain")
    if SessionFactory().provider == "CUDA":
        pytest.skip("CUDA loads here: nothing to explain")
    verbose = _start_app(tmp_path, "--verbose")
    assert verbose.returncode == 0, verbose.stderr
    assert verbose.stderr.count("did not load; running on the CPU") == 1
