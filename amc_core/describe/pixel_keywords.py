"""Keywords read from pixels one photo at a time (faces, text, colours), in decode workers.

They cost more CPU than the decode itself (faces ~15 ms, the OCR gate ~12 ms, a page of
text ~100 ms), so they run where the photo was decoded, on every core, instead of queueing
behind the batched encoder in the main process. Detectors load once per worker process,
single-threaded: the workers already fill the cores.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from amc_core.describe.keywords.colours import colour_keywords
from amc_core.words.keyword import Keyword

if TYPE_CHECKING:
    from amc_core.describe.ocr import TextReader

# the keyword sources found from pixels (names from amc_core.words.keyword.SOURCES); "scene"
# only takes region statistics here (index/prepare.py), its words need the encoder's posteriors
PIXEL_SOURCES = ("people", "text", "colour", "scene")


@cache
def _text_reader() -> TextReader:
    from amc_core.describe.ocr import TextReader
    from amc_core.runtime import SessionFactory

    return TextReader(SessionFactory(threads=1))


def pixel_keywords(rgb: np.ndarray, sources: tuple[str, ...]) -> list[Keyword]:
    """The keywords of the requested pixel sources for one (H, W, 3) uint8 photo."""
    out: list[Keyword] = []
    if "colour" in sources:
        out += colour_keywords(rgb)
    if "people" in sources:
        from amc_core.describe.faces import people_keywords

        out += people_keywords(rgb)
    if "text" in sources:
        reader = _text_reader()
        if reader.likely_has_text(rgb):
            out += reader.read(rgb)
    return out
