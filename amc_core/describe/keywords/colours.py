"""Colour and tone keywords of an image: dominant colour names, black and white, dark, bright.

Each pixel of a subsample (at most ~16k pixels) is named by a lookup table over RGB quantised
to 5 bits per channel; the table maps every bin to the nearest of a few prototype colours per
name in CIELAB, so naming is perceptual yet costs one indexing per pixel (< 1 ms per image).
A colour's confidence grows with its area share (``sqrt(share)``, so 25% of the picture gives
0.5); neutral colours (black, white, grey) count a little less, since shadows and highlights
are in most photos. Greyscale photos get "black and white" and "monochrome"; tinted ones
"monochrome" (and "sepia" when brownish).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from amc_core.words.keyword import Keyword
from amc_core.words.vocabulary import COLOUR_NAMES

MAX_SAMPLES = 16_384
MIN_SHARE = 0.05
MAX_COLOURS = 5
NEUTRAL_FACTOR = 0.85
GREY_SPREAD = 12  # max-min channel spread below which a pixel is grey
TONED_MAX_CHROMA = 36.0  # a toned (sepia, cyanotype) photo's 95th-percentile Lab chroma
TONED_MIN_CONTRAST = 20.0  # its lightness range (5th to 95th percentile)
_BINS = 32  # per channel

# sRGB prototypes of each colour name (several shades per name).
# fmt: off
PALETTE: dict[str, tuple[tuple[int, int, int], ...]] = {
    "red": ((200, 30, 30), (230, 40, 40), (150, 20, 25), (255, 0, 0), (180, 40, 50)),
    "orange": ((255, 140, 0), (240, 120, 40), (255, 165, 0), (220, 110, 30), (250, 150, 80)),
    "yellow": ((255, 230, 0), (250, 220, 80), (240, 200, 20), (255, 255, 100), (250, 240, 150)),
    "green": ((0, 128, 0), (60, 160, 60), (110, 170, 50), (30, 90, 30), (150, 200, 100),
              (128, 128, 0), (80, 110, 40), (20, 60, 20), (0, 200, 80)),
    "teal": ((0, 128, 128), (30, 150, 140), (0, 170, 160), (64, 224, 208), (0, 90, 90)),
    "blue": ((0, 0, 255), (30, 80, 200), (70, 130, 200), (135, 190, 235), (0, 30, 100),
             (100, 150, 220), (20, 50, 140), (170, 210, 240), (40, 60, 90)),
    "purple": ((128, 0, 128), (120, 60, 170), (150, 100, 200), (80, 30, 100), (180, 140, 220)),
    "pink": ((255, 192, 203), (240, 130, 170), (255, 105, 180), (220, 80, 140), (255, 0, 255),
             (250, 200, 210)),
    "brown": ((120, 70, 30), (150, 90, 50), (90, 55, 30), (160, 110, 70), (60, 40, 25),
              (110, 80, 60)),
    "beige": ((225, 205, 170), (210, 190, 150), (240, 225, 195), (200, 175, 135)),
    "black": ((0, 0, 0), (20, 20, 20), (35, 35, 40)),
    "grey": ((128, 128, 128), (90, 90, 90), (170, 170, 170), (60, 60, 65), (110, 115, 120),
             (200, 200, 200)),
    "white": ((255, 255, 255), (235, 235, 235), (245, 245, 240)),
}
# fmt: on
NEUTRALS = frozenset({"black", "grey", "white"})


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB in [0, 255] -> CIELAB (D65)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = linear @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    lab_l = 116 * f[..., 1] - 16
    lab_a = 500 * (f[..., 0] - f[..., 1])
    lab_b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([lab_l, lab_a, lab_b], axis=-1)


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per RGB bin: colour-name index (uint8), lightness L and Lab (a, b)."""
    centres = (np.arange(_BINS) * (256 // _BINS) + (256 // _BINS) / 2).astype(np.float64)
    r, g, b = np.meshgrid(centres, centres, centres, indexing="ij")
    lab = srgb_to_lab(np.stack([r, g, b], axis=-1).reshape(-1, 3))
    protos, owners = [], []
    for i, name in enumerate(COLOUR_NAMES):
        for colour in PALETTE[name]:
            protos.append(colour)
            owners.append(i)
    proto_lab = srgb_to_lab(np.array(protos, dtype=np.float64))
    dist = (proto_lab**2).sum(axis=1)[None, :] - 2.0 * lab @ proto_lab.T  # + |lab|^2, constant
    names = np.array(owners, dtype=np.uint8)[dist.argmin(axis=1)]
    return names, lab[:, 0].astype(np.float32), lab[:, 1:].astype(np.float32)


def _as_rgb(image: object) -> np.ndarray | None:
    """A (H, W, 3) uint8 view of whatever came in, or None."""
    if not isinstance(image, np.ndarray) or image.size == 0:
        return None
    arr = image
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
        return None
    if arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    arr = arr[:, :, :3]
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0)
        if arr.max(initial=0.0) <= 1.0:
            arr = arr * 255.0
    elif arr.dtype.kind not in "iub":
        return None
    return np.clip(arr, 0, 255).astype(np.uint8)


def _subsample(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    step = max(1, math.ceil(math.sqrt(h * w / MAX_SAMPLES)))
    return rgb[::step, ::step].reshape(-1, 3)


def colour_keywords(rgb: np.ndarray) -> list[Keyword]:
    """Colour and tone keywords of an (H, W, 3) uint8 image; ``[]`` for garbage. Never raises."""
    image = _as_rgb(rgb)
    if image is None:
        return []
    pixels = _subsample(image)
    names, lightness, ab = _tables()
    bins = (
        ((pixels[:, 0] >> 3).astype(np.int32) << 10)
        | ((pixels[:, 1] >> 3).astype(np.int32) << 5)
        | (pixels[:, 2] >> 3).astype(np.int32)
    )
    out = _tone_keywords(pixels, ab[bins], lightness[bins])
    greyscale = any(k.text == "black and white" for k in out)
    out.extend(_name_keywords(names[bins], greyscale))
    out.extend(_brightness_keywords(float(lightness[bins].mean()), pixels))
    return out


def _name_keywords(name_idx: np.ndarray, greyscale: bool) -> list[Keyword]:
    shares = np.bincount(name_idx, minlength=len(COLOUR_NAMES)) / max(1, name_idx.size)
    out: list[Keyword] = []
    for i in np.argsort(-shares, kind="stable")[:MAX_COLOURS].tolist():
        share = float(shares[i])
        if share < MIN_SHARE:
            break
        name = COLOUR_NAMES[i]
        conf = min(1.0, math.sqrt(share))
        if name in NEUTRALS and not greyscale:
            conf *= NEUTRAL_FACTOR
        out.append(Keyword(name, round(conf, 3), "colour"))
    return out


def _tone_keywords(pixels: np.ndarray, ab: np.ndarray, lightness: np.ndarray) -> list[Keyword]:
    """black and white / monochrome / sepia."""
    spread = pixels.max(axis=1).astype(np.int16) - pixels.min(axis=1).astype(np.int16)
    if float(np.percentile(spread, 95)) < GREY_SPREAD:
        return [Keyword("black and white", 0.95, "colour"), Keyword("monochrome", 0.9, "colour")]
    low, high = np.percentile(lightness, [5, 95])
    if high - low < TONED_MIN_CONTRAST:
        return []  # a flat colour field, not a toned photograph
    chroma = np.hypot(ab[:, 0], ab[:, 1])
    tinted = chroma > 3.0
    if tinted.mean() < 0.5 or float(np.percentile(chroma, 95)) > TONED_MAX_CHROMA:
        return []
    unit = ab[tinted] / chroma[tinted, None]
    mean = unit.mean(axis=0)
    if float(np.hypot(mean[0], mean[1])) < 0.95:
        return []  # hues vary: a muted colour photo, not a toned one
    out = [Keyword("monochrome", 0.8, "colour")]
    hue = math.degrees(math.atan2(float(mean[1]), float(mean[0]))) % 360
    if 30.0 <= hue <= 100.0:
        out.append(Keyword("sepia", 0.8, "colour"))
    return out


def _brightness_keywords(mean_lightness: float, pixels: np.ndarray) -> list[Keyword]:
    out: list[Keyword] = []
    if mean_lightness < 25.0:
        out.append(
            Keyword("dark", round(min(0.9, 0.5 + (25.0 - mean_lightness) / 40.0), 3), "colour")
        )
    elif mean_lightness > 75.0:
        out.append(
            Keyword("bright", round(min(0.9, 0.5 + (mean_lightness - 75.0) / 40.0), 3), "colour")
        )
    m = colourfulness(pixels)
    if m >= 82.0:
        out.append(Keyword("colourful", round(min(0.95, 0.5 + (m - 82.0) / 100.0), 3), "colour"))
    return out


def colourfulness(pixels: np.ndarray) -> float:
    """Hasler and Suesstrunk's colourfulness metric M (about 0-150 for 8-bit RGB)."""
    p = pixels.astype(np.float32)
    rg = p[:, 0] - p[:, 1]
    yb = 0.5 * (p[:, 0] + p[:, 1]) - p[:, 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
