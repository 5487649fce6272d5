"""What the Duplicates view's own thread does: find the groups, and move the copies the user
chose to the desktop trash (never deleting them), then make the catalog forget them.

The thread owns its own Library (SQLite connections stay on one thread). Forgetting photos
takes the library's write lock, like indexing: it waits for a running index to finish.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDir, QFile, QStandardPaths

from amc_app.workers.library_home import LibraryHome
from amc_core.api import DuplicateGroup, DuplicatePhoto, find_duplicates


@dataclass(frozen=True, slots=True)
class DuplicatesFound:
    groups: list[DuplicateGroup]
    thumbnails: dict[str, Path]  # content hash -> its thumbnail file


@dataclass(frozen=True, slots=True)
class Trashed:
    moved: list[str]  # paths now in the trash (and gone from the catalog)
    failed: list[str]  # "path: why" for each file left where it was


class DuplicatesHome(LibraryHome):
    """The Duplicates thread's Library, opened lazily on that thread."""

    def find(self, cancel: threading.Event) -> Iterator[object]:
        library = self.library()
        for step in find_duplicates(library.catalog, library.thumbnails, cancel):
            if step.phase != "done":
                yield step
                continue
            hashes = {p.content_hash for g in step.groups for p in g.photos}
            yield DuplicatesFound(step.groups, {h: library.thumbnails.path_for(h) for h in hashes})

    def trash(self, photos: Sequence[DuplicatePhoto], cancel: threading.Event) -> Iterator[object]:
        """Move each photo's file to the desktop trash; the catalog forgets those that went."""
        moved: list[DuplicatePhoto] = []
        failed: list[str] = []
        # Qt makes the freedesktop trash inside the data folder, but not the folder itself
        data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
        if data:
            QDir().mkpath(data)
        for photo in photos:
            if not os.path.exists(photo.path):
                moved.append(photo)  # already gone: the catalog should forget it too
            elif QFile.moveToTrash(photo.path):
                moved.append(photo)
            else:
                failed.append(f"{photo.path}: the desktop trash refused it")
        if moved:
            self.library().forget_photos([p.photo_id for p in moved])
        yield Trashed([p.path for p in moved], failed)
