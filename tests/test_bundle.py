"""The desktop bundle's inputs, checked without building it (PyInstaller takes minutes and
hundreds of MB: packaging/build_linux.sh and packaging/smoke_test.sh do that)."""

from __future__ import annotations

import ast
import configparser
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
ICONS = REPO / "resources" / "icons"


def test_desktop_entry() -> None:
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(REPO / "resources" / "amc-photo-search.desktop", encoding="utf-8")
    fields = dict(entry["Desktop Entry"])
    assert fields["Type"] == "Application"
    assert fields["Exec"] == "amc-photo-search"  # the gui-script in pyproject.toml
    assert fields["Icon"] == "amc-photo-search"
    assert fields["Terminal"] == "false"
    assert fields["Name"] and fields["GenericName"] and fields["Comment"]
    assert fields["Categories"] == "Graphics;Photography;Viewer;"
    assert fields["Keywords"] == "photo;search;image;"


def test_icons() -> None:
    root = ET.parse(ICONS / "amc-photo-search.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    with Image.open(ICONS / "amc-photo-search.png") as png:
        assert png.format == "PNG" and png.size == (256, 256) and png.mode == "RGBA"
        assert png.getpixel((0, 0))[3] == 0  # transparent corners
        assert png.getpixel((128, 100))[3] == 255


def test_pyinstaller_spec() -> None:
    spec = (PACKAGING / "amc-photo-search.spec").read_text(encoding="utf-8")
    tree = ast.parse(spec)  # a spec is Python run by PyInstaller
    names = {
        kw.value.value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        for kw in call.keywords
        if kw.arg == "name" and isinstance(kw.value, ast.Constant)
    }
    assert {"amc-photo-search", "amc"} <= names
    for excluded in ("torch", "onnx", "onnxscript", "tests"):
        assert f'"{excluded}"' in spec
    assert '"amc_core/_resources"' in spec
    assert '"amc_core.index.forkserver_preload"' in spec  # imported by name only


def test_entry_points_support_frozen_workers() -> None:
    for entry, target in (("entry_gui.py", "amc_app.main"), ("entry_cli.py", "amc_core.cli")):
        source = (PACKAGING / entry).read_text(encoding="utf-8")
        assert source.index("freeze_support()") < source.index(f"from {target} import main")


def test_shell_scripts_parse() -> None:
    for script in ("build_linux.sh", "smoke_test.sh", "install_desktop_entry.sh"):
        path = PACKAGING / script
        assert path.stat().st_mode & 0o111, f"{script} is not executable"
        subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)
