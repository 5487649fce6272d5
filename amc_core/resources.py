"""Where the files that ship with the app (models, lexicon, icons) live."""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: beside ``amc_core/`` in a checkout, or inside the package.

    A source checkout (and an editable install) has ``<repo>/resources``; an installed package
    has them as ``amc_core/_resources`` (see ``package-dir`` in pyproject.toml).
    """
    beside = Path(__file__).resolve().parent.parent / "resources"
    if beside.is_dir():
        return beside
    import importlib.resources  # an installed package only (it imports tempfile and more)

    return Path(str(importlib.resources.files("amc_core") / "_resources"))


def build_cache_dir() -> Path:
    """Where build tools keep downloaded inputs (weight and data wheels): never shipped.

    ``<repo>/.cache`` in a checkout (git-ignored), else the user's cache folder.
    """
    repo = Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").is_file():
        return repo / ".cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir("amc-photo-search"))
