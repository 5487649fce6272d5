"""One photo made ready for the analysis stage, inside a decode worker: decoded, its pixel
keywords (faces, text, colours) found, its encoder input made and the region statistics of
scene words taken from it, so that only small results cross back to the main process, never
the analysis image."""

from __future__ import annotations

from dataclasses import replace

from amc_core.describe.preprocess import squash
from amc_core.ingest.decode import DecodedPhoto, DecodeFailure, decode_photo
from amc_core.settings import IndexSettings
from amc_core.words.keyword import Keyword


def prepare_photo(path: str, settings: IndexSettings) -> DecodedPhoto | DecodeFailure:
    photo = decode_photo(path, settings)
    if isinstance(photo, DecodeFailure) or photo.pixels is None:
        return photo
    keywords: tuple[Keyword, ...] = ()
    if settings.pixel_sources:
        # imported on first use: OpenCV and the OCR models load only where a source needs them
        from amc_core.describe.pixel_keywords import pixel_keywords

        keywords = tuple(pixel_keywords(photo.pixels, settings.pixel_sources))
    model_rgb = squash(photo.pixels) if settings.model_input else None
    scene_stats = None
    if "scene" in settings.pixel_sources:
        from amc_core.describe.scene_pixels import scene_stats as region_stats

        scene_stats = region_stats(model_rgb if model_rgb is not None else squash(photo.pixels))
    return replace(
        photo, pixels=None, pixel_keywords=keywords, model_rgb=model_rgb, scene_stats=scene_stats
    )
