"""Non-visual keyword sources and keyword merging (pure functions, no I/O at import).

Each source returns :class:`amc_core.keyword.Keyword` records with its own ``source``;
:func:`merge_keywords` normalises, de-duplicates and caps them into one list per photo.
The other sources' submodules are imported on first use, so that
``python -m amc_core.keywords.places`` runs cleanly. (``normalise`` is imported at once: the
function shares its submodule's name, and the import must bind the function.)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from amc_core.keywords.normalise import merge_keywords, normalise, tokenize

if TYPE_CHECKING:
    from amc_core.keywords.camera import camera_keywords
    from amc_core.keywords.colours import colour_keywords
    from amc_core.keywords.dates import date_keywords
    from amc_core.keywords.paths import path_keywords
    from amc_core.keywords.places import gazetteer_names, place_keywords

_EXPORTS = {
    "camera_keywords": "camera",
    "colour_keywords": "colours",
    "date_keywords": "dates",
    "gazetteer_names": "places",
    "path_keywords": "paths",
    "place_keywords": "places",
}

__all__ = [
    "camera_keywords",
    "colour_keywords",
    "date_keywords",
    "gazetteer_names",
    "merge_keywords",
    "normalise",
    "path_keywords",
    "place_keywords",
    "tokenize",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
