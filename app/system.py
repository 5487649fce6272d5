"""Handing a photo to the desktop: open it, show it in its folder, copy its path."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QProcess, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication


def open_file(path: str) -> bool:
    """In the user's default viewer (QDesktopServices: patched in tests)."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(path)))


def show_in_folder(path: str) -> bool:
    """Select the file in the file manager where the platform allows it, else open its folder."""
    if sys.platform == "darwin":
        return QProcess.startDetached("open", ["-R", path])[0]
    if sys.platform == "win32":
        return QProcess.startDetached("explorer", ["/select,", os.path.normpath(path)])[0]
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path))))


def copy_path(path: str) -> None:
    QGuiApplication.clipboard().setText(path)


def pictures_folder() -> str | None:
    """The user's Pictures folder, when there is one: the first folder the app suggests."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return location if location and Path(location).is_dir() else None


def dropped_folders(urls: Iterable[QUrl]) -> list[str]:
    """The local folders among dropped URLs (files and remote URLs are ignored)."""
    paths = (url.toLocalFile() for url in urls if url.isLocalFile())
    return [p for p in paths if p and Path(p).is_dir()]
