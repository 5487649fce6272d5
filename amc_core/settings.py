"""Typed settings, passed in explicitly (never read from a module-level global)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "amc-photo-search"
LIBRARY_ENV = "AMC_LIBRARY"


def default_library_dir() -> Path:
    """Where the library lives when neither --library nor AMC_LIBRARY says otherwise."""
    import platformdirs  # only when no library folder was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"


def resolve_library_dir(explicit: str | os.PathLike[str] | None) -> Path:
    """--library DIR, else $AMC_LIBRARY, else the user data folder."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    from_env = os.environ.get(LIBRARY_ENV)
    if from_env:
        return Path(from_env).expanduser().absolute()
    return default_library_dir()


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """How indexing decodes and commits; the defaults fit a 2-core laptop."""

    # Photos over this many pixels are refused as decompression bombs (a 108 MP
    # phone sensor still passes).
    max_pixels: int = 150_000_000
    # Files larger than this are not read at all (RAW files of medium format stay under it).
    max_file_bytes: int = 400 * 1024 * 1024
    thumbnail_size: int = 256
    # Longest side of the in-memory image handed to the later stages (encoder, colours).
    analysis_size: int = 512
    workers: int = field(default_factory=_default_workers)
    # Photos per catalog transaction: small enough that a crash loses little work.
    batch_size: int = 32
    # Keyword sources run on pixels inside the decode workers ("people", "text", "colour");
    # set by the analysis stage that wants them (see amc_core.describe.tagging).
    pixel_sources: tuple[str, ...] = ()
    # Make the visual encoder's 224x224 input in the decode workers (set by the indexer when
    # an analysis stage runs): the larger analysis image then never leaves the worker.
    model_input: bool = False
