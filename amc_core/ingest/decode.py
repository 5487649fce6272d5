"""Decode a photo once: read, hash, check, orient, and produce everything later stages need.

Runs in worker processes, so it takes and returns only picklable values. One
decode gives the thumbnail (JPEG bytes) and the analysis image (an RGB array
whose longest side is IndexSettings.analysis_size) for the encoder, colours and
OCR: nothing downstream opens the file again.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from amc_core.ingest.exif import ExifInfo, read_exif
from amc_core.ingest.formats import RAW_EXTENSIONS, SNIFF_BYTES, sniff
from amc_core.ingest.hashing import content_hash
from amc_core.settings import IndexSettings
from amc_core.words.keyword import Keyword

_HEIF_READY = False


@dataclass(frozen=True, slots=True)
class DecodedPhoto:
    path: str
    size: int
    mtime_ns: int
    content_hash: str
    format: str
    width: int  # after EXIF orientation
    height: int
    exif: ExifInfo
    thumbnail_jpeg: bytes
    # the oriented analysis image (settings.analysis_size): used in the worker, never shipped
    pixels: np.ndarray | None = None  # (H, W, 3) uint8
    pixel_keywords: tuple[Keyword, ...] = ()  # faces, text, colours (settings.pixel_sources)
    model_rgb: np.ndarray | None = None  # (224, 224, 3) encoder input (settings.model_input)
    # colour, texture and layout of the 3x3 regions (describe.scene_pixels; "scene" source)
    scene_stats: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class DecodeFailure:
    path: str
    size: int
    mtime_ns: int
    error: str


class _Refused(Exception):
    """A photo we decline with a reason a user can act on."""


def decode_photo(path: str, settings: IndexSettings) -> DecodedPhoto | DecodeFailure:
    """Decode one file; every problem becomes a DecodeFailure with a clear reason."""
    size, mtime_ns = 0, 0
    try:
        st = os.stat(path)
        size, mtime_ns = st.st_size, st.st_mtime_ns
        data = _read(path, size, settings)
        return _decode_bytes(path, data, size, mtime_ns, settings)
    except _Refused as exc:
        return DecodeFailure(path, size, mtime_ns, str(exc))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        reason = "image too large: over the pixel limit that guards against decompression bombs"
        return DecodeFailure(path, size, mtime_ns, reason)
    except MemoryError:
        return DecodeFailure(path, size, mtime_ns, "not enough memory to decode this image")
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        return DecodeFailure(path, size, mtime_ns, f"cannot decode: {reason}")
    except Exception as exc:  # a broken file must never stop a run
        return DecodeFailure(path, size, mtime_ns, f"cannot decode: {type(exc).__name__}: {exc}")


def _read(path: str, size: int, settings: IndexSettings) -> bytes:
    if size == 0:
        raise _Refused("empty file (0 bytes)")
    if size > settings.max_file_bytes:
        raise _Refused(f"file too large ({size / 2**20:.0f} MB)")
    try:
        with open(path, "rb") as handle:  # read-only: photos are never modified
            return handle.read()
    except IsADirectoryError as exc:
        raise _Refused("a folder, not a photo") from exc
    except OSError as exc:
        raise _Refused(f"cannot read file: {exc.strerror or exc}") from exc


def _decode_bytes(
    path: str, data: bytes, size: int, mtime_ns: int, settings: IndexSettings
) -> DecodedPhoto:
    digest = content_hash(data)
    fmt = sniff(data[:SNIFF_BYTES])
    if fmt is None:
        raise _Refused("not an image (unrecognised content)")
    image = _open(path, data, fmt)
    width, height = image.size
    if width <= 0 or height <= 0:
        raise _Refused("image has no pixels")
    if width * height > settings.max_pixels:
        raise _Refused(
            f"image too large: {width}x{height} px ({width * height / 1e6:.0f} MP) exceeds the "
            f"{settings.max_pixels / 1e6:.0f} MP limit for decompression bombs"
        )
    exif = read_exif(image)
    analysis = _load_analysis_image(image, settings.analysis_size)
    analysis = _orient(analysis, exif.orientation)
    if exif.orientation in (5, 6, 7, 8):
        width, height = height, width
    thumb = analysis.copy()
    thumb.thumbnail((settings.thumbnail_size, settings.thumbnail_size), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=85, optimize=False)
    rgb = np.asarray(analysis, dtype=np.uint8)
    return DecodedPhoto(
        path=path,
        size=size,
        mtime_ns=mtime_ns,
        content_hash=digest,
        format=image.format or fmt,
        width=width,
        height=height,
        exif=exif,
        thumbnail_jpeg=buffer.getvalue(),
        pixels=rgb,
    )


def oriented_pixels(path: str, max_side: int, settings: IndexSettings) -> np.ndarray:
    """The photo upright, at most max_side px, as (H, W, 3) uint8: the same reading as the
    index's (HEIC, RAW previews, EXIF orientation, the pixel limit) for a later pass that
    needs more pixels than the analysis image. Raises OSError or ValueError when it cannot."""
    try:
        image, orientation = _open_file(path, settings)
    except _Refused as exc:
        raise ValueError(str(exc)) from exc
    return np.asarray(_orient(_load_analysis_image(image, max_side), orientation), dtype=np.uint8)


def _open_file(path: str, settings: IndexSettings) -> tuple[Image.Image, int]:
    """A file opened as the index reads it (not decoded yet), and its EXIF orientation;
    _Refused when it is no image or over the pixel limit."""
    data = _read(path, os.stat(path).st_size, settings)
    fmt = sniff(data[:SNIFF_BYTES])
    if fmt is None:
        raise _Refused("not an image (unrecognised content)")
    image = _open(path, data, fmt)
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > settings.max_pixels:
        raise _Refused(f"image size {width}x{height} px is out of bounds")
    return image, read_exif(image).orientation


@dataclass(frozen=True, slots=True)
class PhotoPreview:
    """A photo upright for showing: pixels at most the asked size, and its full size."""

    pixels: np.ndarray  # (H, W, 3) uint8
    width: int  # the whole photo, upright
    height: int


def load_preview(
    path: str, max_side: int = 0, settings: IndexSettings | None = None
) -> PhotoPreview:
    """The photo as the gallery reads it (HEIC, RAW previews, EXIF orientation), decoded at
    about `max_side` px (JPEG draft mode: 1/2, 1/4 or 1/8 scale while decoding), or whole when
    max_side is 0. Raises OSError or ValueError, with a reason a person can read, when it cannot."""
    settings = settings or IndexSettings()
    try:
        image, orientation = _open_file(path, settings)
        width, height = image.size
        side = max_side if max_side > 0 else max(width, height)
        pixels = np.asarray(_orient(_load_shown_image(image, side), orientation), np.uint8)
    except _Refused as exc:
        raise ValueError(str(exc)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError("image too large: over the pixel limit") from exc
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return PhotoPreview(pixels, width, height)


def _open(path: str, data: bytes, fmt: str) -> Image.Image:
    if fmt in ("HEIF", "AVIF"):
        _register_heif()
    is_raw = fmt == "RAW" or os.path.splitext(path)[1].lower() in RAW_EXTENSIONS
    if is_raw:
        preview = _raw_preview(data)
        if preview is not None:
            return Image.open(io.BytesIO(preview))
        if fmt == "RAW":
            raise _Refused("RAW file without a readable embedded preview")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except Image.UnidentifiedImageError as exc:
            raise _Refused(f"not a readable {fmt} image (corrupt or unsupported)") from exc


def _register_heif() -> None:
    global _HEIF_READY  # noqa: PLW0603 - a once-per-process plugin registration
    if not _HEIF_READY:
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError as exc:
            raise _Refused("HEIC/HEIF support (pillow-heif) is not installed") from exc
        _HEIF_READY = True


def _raw_preview(data: bytes) -> bytes | None:
    """The JPEG preview embedded in a RAW file, when rawpy is installed and finds one."""
    try:
        import rawpy
    except ImportError:
        return None
    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            thumb = raw.extract_thumb()
    except Exception:
        return None
    if thumb.format == rawpy.ThumbFormat.JPEG:
        return bytes(thumb.data)
    return None


def _load_analysis_image(image: Image.Image, max_side: int) -> Image.Image:
    """Decode at reduced size (JPEG draft mode), first frame only, flattened to RGB."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))
        image.seek(0)  # animated GIF / multi-page TIFF: the first frame
        image.load()
    rgb = _to_rgb(image)
    rgb.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return rgb


def _load_shown_image(image: Image.Image, max_side: int) -> Image.Image:
    """Like the analysis image, but the JPEG draft's own size is kept up to twice max_side:
    the viewer scales while painting, and resampling 3 MP again would cost more than the
    decode itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if image.format == "JPEG":  # the smallest 1/2, 1/4, 1/8 whose longest side is max_side
            k = max_side / max(image.size)
            image.draft("RGB", (math.ceil(image.size[0] * k), math.ceil(image.size[1] * k)))
        image.seek(0)
        image.load()
    rgb = _to_rgb(image)
    if max(rgb.size) > 2 * max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return rgb


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float32)
        peak = float(array.max()) or 1.0
        scaled = np.clip(array * (255.0 / peak), 0, 255).astype(np.uint8)
        return Image.fromarray(scaled, "L").convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _orient(image: Image.Image, orientation: int) -> Image.Image:
    transpose = {
        2: [Image.Transpose.FLIP_LEFT_RIGHT],
        3: [Image.Transpose.ROTATE_180],
        4: [Image.Transpose.FLIP_TOP_BOTTOM],
        5: [Image.Transpose.TRANSPOSE],
        6: [Image.Transpose.ROTATE_270],
        7: [Image.Transpose.TRANSVERSE],
        8: [Image.Transpose.ROTATE_90],
    }.get(orientation, [])
    for step in transpose:
        image = image.transpose(step)
    return image


__all__ = [
    "DecodeFailure",
    "DecodedPhoto",
    "PhotoPreview",
    "decode_photo",
    "load_preview",
    "oriented_pixels",
]
