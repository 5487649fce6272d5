"""The keyword record shared by every keyword source, the catalog and search."""

from __future__ import annotations

from dataclasses import dataclass

# Where a keyword came from; MTN and the inspector use it.
SOURCES = (
    "visual",
    "people",
    "text",
    "date",
    "place",
    "camera",
    "folder",
    "file",
    "colour",
    "shape",
)


@dataclass(frozen=True, slots=True)
class Keyword:
    text: str  # normalised: lower case, singular
    confidence: float  # in [0, 1]
    source: str  # one of SOURCES
