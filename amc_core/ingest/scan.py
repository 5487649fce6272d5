"""Walking folders for photos: hidden and system folders skipped, symlinks never followed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from amc_core.ingest.formats import PHOTO_EXTENSIONS, SNIFF_BYTES, sniff

# Folders that hold no user photos, or copies of them that would only duplicate results.
SKIPPED_FOLDERS = frozenset(
    {
        "$recycle.bin",
        "system volume information",
        "lost+found",
        "@eadir",
        "#recycle",
        "__macosx",
        "node_modules",
        "thumbnails.noindex",
    }
)
_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class ScannedFile:
    path: str
    size: int
    mtime_ns: int


def scan_folder(
    root: str, on_error: Callable[[str, str], None] | None = None
) -> Iterator[ScannedFile]:
    """Yield the candidate photos under root.

    A file is a candidate when its extension says photo (so a broken one gets
    reported) or when its first bytes do. Symlinks are not followed: a link
    inside the folder points at a file that is indexed where it lives, and a
    link out of it leads outside what the user chose (or into a loop).
    """
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            if on_error:
                on_error(folder, f"cannot read folder: {exc.strerror or exc}")
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if wanted_folder(entry.name) and depth < _MAX_DEPTH:
                        stack.append((entry.path, depth + 1))
                    continue
                if not entry.is_file(follow_symlinks=False) or entry.name.startswith("."):
                    continue
                st = entry.stat(follow_symlinks=False)
                if _is_candidate(entry.path, entry.name, st.st_size):
                    yield ScannedFile(entry.path, st.st_size, st.st_mtime_ns)
            except OSError as exc:
                if on_error:
                    on_error(entry.path, f"cannot read: {exc.strerror or exc}")


def wanted_folder(name: str) -> bool:
    """The scanner's rule for a subfolder: hidden and system folders hold no user photos."""
    return not name.startswith(".") and name.lower() not in SKIPPED_FOLDERS


def folders_under(roots: Sequence[str], limit: int) -> list[str]:
    """The roots and the subfolders the scanner would enter (same rules: hidden and system
    folders skipped, symlinks not followed), at most `limit` of them: what a watcher watches."""
    out: list[str] = []
    for root in roots:
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            folder, depth = stack.pop()
            out.append(folder)
            if len(out) >= limit:
                return out
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
            except OSError:
                continue
            for entry in entries:
                try:
                    is_folder = entry.is_dir(follow_symlinks=False) and not entry.is_symlink()
                except OSError:
                    continue
                if is_folder and wanted_folder(entry.name) and depth < _MAX_DEPTH:
                    stack.append((entry.path, depth + 1))
    return out


def _is_candidate(path: str, name: str, size: int) -> bool:
    if os.path.splitext(name)[1].lower() in PHOTO_EXTENSIONS:
        return True
    if size < SNIFF_BYTES:
        return False
    try:
        with open(path, "rb") as handle:
            return sniff(handle.read(SNIFF_BYTES)) is not None
    except OSError:
        return False
