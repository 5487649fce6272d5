"""Generated photos with photo-like content and written EXIF, for tests and benchmarks."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image


def photo_like(width: int, height: int, seed: int) -> Image.Image:
    """Smooth gradients, blobs and fine texture: compresses and decodes like a real photo."""
    rng = np.random.default_rng(seed)
    small = rng.random((6, 8, 3)).astype(np.float32)
    base = Image.fromarray((small * 255).astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    pixels = np.asarray(base, dtype=np.float32)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    for _ in range(4):
        cx, cy = rng.random() * width, rng.random() * height
        radius = (0.05 + rng.random() * 0.2) * min(width, height)
        mask = ((xx - cx) ** 2 + (yy - cy) ** 2) < radius**2
        pixels[mask] = pixels[mask] * 0.4 + rng.random(3) * 255 * 0.6
    texture = rng.normal(0, 6, (height // 4 + 1, width // 4 + 1, 1)).astype(np.float32)
    pixels += np.kron(texture, np.ones((4, 4, 1), dtype=np.float32))[:height, :width]
    pixels += rng.normal(0, 3, (height, width, 1)).astype(np.float32)  # sensor grain
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def exif_bytes(
    taken: datetime | None = None,
    gps: tuple[float, float] | None = None,
    make: str | None = None,
    model: str | None = None,
    orientation: int | None = None,
) -> bytes:
    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps:
        lat, lon = gps
        g = exif.get_ifd(0x8825)
        g[1] = "N" if lat >= 0 else "S"
        g[2] = _dms(abs(lat))
        g[3] = "E" if lon >= 0 else "W"
        g[4] = _dms(abs(lon))
    return exif.tobytes()


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 100)
    return (Fraction(d, 1), Fraction(m, 1), Fraction(s, 100))


def write_photo(
    path: Path,
    width: int = 320,
    height: int = 240,
    seed: int = 0,
    quality: int = 88,
    **exif: object,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = photo_like(width, height, seed)
    extra = {"exif": exif_bytes(**exif)} if exif else {}  # type: ignore[arg-type]
    image.save(path, "JPEG", quality=quality, **extra)
    return path
