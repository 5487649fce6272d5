"""What every command prints: paths, safely."""

from __future__ import annotations


def printable(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")
