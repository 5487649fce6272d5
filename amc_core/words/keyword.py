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
    "person",  # a named person's name (the faces pass)
    "scene",  # where a photo was taken, what it is made of; append new sources, never reorder
)


@dataclass(frozen=True, slots=True)
class Keyword:
    text: str  # normalised: lower case, singular
    confidence: float  # in [0, 1]
    source: str  # one of SOURCES
