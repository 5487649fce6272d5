"""The catalog's records as the other stages see them: folders, stored photos, rows to write."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

from amc_core.words.keyword import Keyword


@dataclass(frozen=True, slots=True)
class Folder:
    id: int
    path: str


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    """What the scanner needs to decide whether a file changed."""

    id: int
    path: str
    size: int
    mtime_ns: int
    content_hash: str | None
    state: str
    feature_model: str | None = None  # what analysed it (None: no stored features)


@dataclass(slots=True)
class PhotoRow:
    """One photo as the indexer writes it (ok or failed)."""

    path: str
    folder_id: int
    size: int
    mtime_ns: int
    state: str  # "ok" | "failed"
    error: str | None = None
    content_hash: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    taken_at: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    orientation: int | None = None
    keywords: list[Keyword] = field(default_factory=list)
    features: bytes | None = None
    feature_model: str | None = None


@dataclass(frozen=True, slots=True)
class PhotoMove:
    """A stored photo found at a new path (same content)."""

    photo_id: int
    path: str
    folder_id: int
    mtime_ns: int
    keywords: list[Keyword]


@dataclass(frozen=True, slots=True)
class PhotoFilter:
    """What the photos table itself can answer of a query's filters (all must hold)."""

    years: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    before: date | None = None  # taken strictly before
    after: date | None = None  # taken on or after
    cameras: tuple[str, ...] = ()  # lower case, a part of the make or model
    folders: tuple[str, ...] = ()  # lower case, a part of the path
    orientations: tuple[str, ...] = ()  # any of ORIENTATIONS

    @property
    def empty(self) -> bool:
        return not (
            self.years or self.months or self.before or self.after or self.cameras
            or self.folders or self.orientations
        )  # fmt: skip


ORIENTATIONS = ("portrait", "landscape", "square")
SQUARE_TOLERANCE = 0.05  # width / height within 5% of 1: square


def path_within(path: str, folder: str) -> bool:
    """path is folder, or lies somewhere below it ("/photos2" is not within "/photos")."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
