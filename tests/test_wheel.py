"""The wheel as a user gets it: built, installed into a fresh venv outside the checkout, run.

Dependencies are not downloaded: the new venv gets a ``.pth`` line that appends this
interpreter's site-packages (numpy, onnxruntime, PySide6, ...) *after* its own, so
``amc_core`` and ``amc_app`` resolve to the installed wheel, never to the checkout (the dev
venv's editable-install hook lives in a ``.pth`` there, which a plain path line does not run).
Every command runs with ``cwd`` outside the checkout and a clean environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageOps

import amc_core

REPO = Path(__file__).resolve().parent.parent
PHOTOS = Path(__file__).resolve().parent / "data" / "photos"

# Not copied into the build tree (top level): caches, builds and folders the wheel does not
# ship. A stale build/lib of an earlier in-tree build would otherwise leak into the wheel.
_NOT_BUILD_INPUTS = {
    ".git",
    ".venv",
    "build",
    "dist",
    "data",
    "tests",
    "benchmarks",
    "packaging",
    "bench-out",
}


def _ignore(folder: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n == "__pycache__" or n.endswith((".egg-info", ".pyc"))}
    if Path(folder) == REPO:
        skip |= {n for n in names if n in _NOT_BUILD_INPUTS or n.startswith(".")}
    return skip


def _run(
    cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{cmd} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the wheel from a copy of the source and install it into a new venv."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=_ignore)
    wheels = root / "wheels"
    build_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["-w", str(wheels), str(src)],
        cwd=root,
        env=build_env,
        timeout=300,
    )
    (wheel,) = wheels.glob("amc_photo_search-*.whl")

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root, env=build_env)
    python = venv / "bin" / "python"
    # this pip installs into the new interpreter: console scripts get its shebang
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-deps", "--no-index", str(wheel)],
        cwd=root,
        env=build_env,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        env=build_env,
        cwd=root,
    ).stdout.strip()
    dev_paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(purelib) / "zz_amc_test_deps.pth").write_text("\n".join(dev_paths) + "\n")

    home = root / "home"
    home.mkdir()
    return {
        "root": root,
        "wheel": wheel,
        "venv": venv,
        "site": Path(purelib),
        "home": home,
    }


def _clean_env(installed: dict[str, Path]) -> dict[str, str]:
    home = installed["home"]
    return {
        "PATH": f"{installed['venv'] / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "AMC_LIBRARY": str(installed["root"] / "library"),
    }


def test_wheel_contents(installed: dict[str, Path]) -> None:
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = wheel.namelist()
    assert "amc_app/main.py" in names
    # every module of the source tree is in the wheel (a package left out of pyproject's list
    # would install a program that fails on its first import of it)
    root = Path(__file__).resolve().parent.parent
    for source, installed_as in (("amc_core", "amc_core"), ("app", "amc_app")):
        for module in (root / source).rglob("*.py"):
            name = f"{installed_as}/{module.relative_to(root / source).as_posix()}"
            assert name in names, f"{name} is missing from the wheel"
    for shipped in (
        "amc_core/_resources/models/SHA256SUMS",
        "amc_core/_resources/models/visual_encoder.onnx",
        "amc_core/_resources/icons/amc-photo-search.svg",
        "amc_core/_resources/icons/amc-photo-search.png",
        "amc_core/_resources/amc-photo-search.desktop",
    ):
        assert shipped in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "packaging/"))]
    assert not [n for n in names if "__pycache__" in n]


def test_installed_package_is_the_one_imported(installed: dict[str, Path]) -> None:
    probe = (
        "import json, os, sys, amc_core, amc_app\n"
        "from amc_core.resources import resources_dir\n"
        "print(json.dumps({'core': amc_core.__file__, 'app': amc_app.__file__,\n"
        "    'resources': str(resources_dir()), 'path': [os.path.realpath(p) for p in sys.path]}))\n"
    )
    env = _clean_env(installed)
    out = json.loads(
        _run(
            [str(installed["venv"] / "bin" / "python"), "-c", probe], installed["root"], env
        ).stdout
    )
    site = installed["site"].resolve()
    assert Path(out["core"]).resolve().is_relative_to(site / "amc_core")
    assert Path(out["app"]).resolve().is_relative_to(site / "amc_app")
    resources = Path(out["resources"]).resolve()
    assert resources == site / "amc_core" / "_resources"
    assert (resources / "models" / "SHA256SUMS").is_file()
    # only the dev venv's site-packages (for the dependencies) comes from the checkout
    dev_site = {str(Path(p).resolve()) for p in sysconfig.get_paths().values()}
    for entry in out["path"]:
        resolved = Path(entry)
        assert resolved != REPO and resolved != REPO / "app"
        if resolved.is_relative_to(REPO):
            assert str(resolved) in dev_site, entry


def test_installed_cli_and_app_run(installed: dict[str, Path]) -> None:
    env = _clean_env(installed)
    cwd = installed["root"]
    bin_dir = installed["venv"] / "bin"
    amc = str(bin_dir / "amc")

    version = _run([amc, "--version"], cwd, env).stdout.strip()
    assert version == f"amc {amc_core.__version__}"

    photos = cwd / "photos"
    photos.mkdir()
    for source in sorted(PHOTOS.glob("*.jpg")):
        shutil.copy2(source, photos / source.name)
        # mirrored copies: distinct content, and enough files for the decode worker pool
        with Image.open(source) as image:
            ImageOps.mirror(image).save(photos / f"mirrored_{source.name}", quality=85)

    tags = json.loads(
        _run([amc, "keywords", str(photos / "chelsea_cat.jpg"), "--json"], cwd, env).stdout
    )
    words = {k["keyword"] for k in tags["keywords"]}
    assert {"cat", "feline"} <= words, sorted(words)

    report = json.loads(
        _run([amc, "index", str(photos), "--workers", "2", "--json"], cwd, env).stdout
    )
    assert (report["indexed"], report["failed"]) == (10, 0), report

    found = json.loads(_run([amc, "search", "cat", "--json"], cwd, env).stdout)
    top = [Path(r["path"]).name for r in found["results"][:2]]
    assert set(top) == {"chelsea_cat.jpg", "mirrored_chelsea_cat.jpg"}, found["results"][:3]

    app = _run([str(bin_dir / "amc-photo-search"), "--quit-after", "1500"], cwd, env, timeout=90)
    assert "Traceback" not in app.stderr, app.stderr
