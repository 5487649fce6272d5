"""Colour, texture and layout of a photo's 3x3 regions: the pixel side of scene evidence.

Computed in the decode worker from the encoder's 224x224 input (already made there), so it
costs one lookup per pixel through the colour namer's RGB table plus a gradient: about a
millisecond a photo. The result is a small (10, N_STATS) float32 array, regions in reading
order (row by row, top left first) then the whole photo, that crosses to the main process
with the decoded photo; :mod:`amc_core.describe.scenes` turns it, with the classifier's
posteriors, into scene and material keywords.

Per region: mean lightness (CIELAB L, 0-100), its spread, mean chroma and the mean a and b,
texture (mean absolute lightness step to the right plus the one downward, in L units; and
the step to the right alone: upright things, trunks and facades, step more across), the share of
each named colour (the colour keywords' palette), and a few shares that name stuff rather than
colours: sky blue (light, blue hue), vegetation (green hue with some chroma), bright neutral
(snow, cloud, white walls), sand (light, low-chroma yellowish), dark, warm (orange-red-pink
hues with chroma), and bright points (bright pixels in a dark neighbourhood: lights at night,
stars).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from amc_core.describe.keywords.colours import _tables
from amc_core.words.vocabulary import COLOUR_NAMES

GRID = 3
N_REGIONS = GRID * GRID + 1  # nine regions, then the whole photo
WHOLE = GRID * GRID

_BASE = ("light", "light_spread", "chroma", "a", "b", "texture", "texture_x")
_STUFF = ("sky_blue", "vegetation", "bright_neutral", "sand", "dark", "warm", "bright_points")
STAT_NAMES: tuple[str, ...] = _BASE + tuple(f"c_{n}" for n in COLOUR_NAMES) + _STUFF
N_STATS = len(STAT_NAMES)
STAT = {name: i for i, name in enumerate(STAT_NAMES)}


@lru_cache(maxsize=1)
def _stuff_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per RGB bin of the colour namer: Lab chroma, and the stuff flags as bits."""
    _names, light, ab = _tables()
    chroma = np.hypot(ab[:, 0], ab[:, 1]).astype(np.float32)
    hue = np.degrees(np.arctan2(ab[:, 1], ab[:, 0])) % 360.0
    flags = [
        (chroma > 10) & (hue > 230) & (hue < 305),  # sky blue (and blue-hour purple)
        (chroma > 10) & (hue > 95) & (hue < 200),  # vegetation
        (light > 78) & (chroma < 10),  # bright neutral: snow, cloud, white walls
        (light > 55) & (chroma > 6) & (chroma < 35) & (hue > 55) & (hue < 100),  # sand
        light < 22,  # dark
        (chroma > 20) & ((hue < 75) | (hue > 330)),  # warm: orange, red, pink
    ]
    bits = np.zeros(light.shape, np.uint8)
    for i, flag in enumerate(flags):
        bits |= flag.astype(np.uint8) << i
    return chroma, bits


def _bounds(n: int) -> list[tuple[int, int]]:
    edges = [round(i * n / GRID) for i in range(GRID + 1)]
    return list(itertools.pairwise(edges))


@lru_cache(maxsize=8)
def _region_ids(h: int, w: int) -> np.ndarray:
    """(H * W,) int: the 3x3 region of each pixel, in reading order."""
    rows = np.searchsorted([e for _s, e in _bounds(h)], np.arange(h), side="right")
    cols = np.searchsorted([e for _s, e in _bounds(w)], np.arange(w), side="right")
    return (rows[:, None] * GRID + cols[None, :]).ravel()


def scene_stats(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 (the encoder's 224x224 input) -> (N_REGIONS, N_STATS) float32.

    Every statistic is a per-region sum of a per-pixel value (one bincount each), so the cost
    is a few passes over the pixels whatever the number of statistics.
    """
    if rgb.ndim != 3 or rgb.shape[2] < 3 or rgb.shape[0] < GRID or rgb.shape[1] < GRID:
        return np.zeros((N_REGIONS, N_STATS), np.float32)
    names, lightness, ab = _tables()
    chroma_of, stuff_of = _stuff_tables()
    h, w = rgb.shape[:2]
    bins = (
        ((rgb[:, :, 0] >> 3).astype(np.int32) << 10)
        | ((rgb[:, :, 1] >> 3).astype(np.int32) << 5)
        | (rgb[:, :, 2] >> 3).astype(np.int32)
    )
    light = lightness[bins]  # (H, W)
    # texture: absolute lightness step to the right and downward neighbour
    across = np.zeros_like(light)
    across[:, :-1] = np.abs(np.diff(light, axis=1))
    step = across.copy()
    step[:-1, :] += np.abs(np.diff(light, axis=0))
    points = (light > 70) & (_local_mean(light) < 30)
    flat = bins.ravel()
    rid = _region_ids(h, w)
    n = GRID * GRID

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(rid, values.ravel(), n)

    count = np.maximum(np.bincount(rid, minlength=n), 1).astype(np.float64)
    sums = [
        total(light), total(light * light), total(chroma_of[flat]), total(ab[flat, 0]),
        total(ab[flat, 1]), total(step), total(across),
    ]  # fmt: skip
    colours = np.bincount(rid * len(COLOUR_NAMES) + names[flat], minlength=n * len(COLOUR_NAMES))
    colours = colours.reshape(n, len(COLOUR_NAMES)).astype(np.float64)
    codes = np.bincount(rid * 64 + stuff_of[flat], minlength=n * 64).reshape(n, 64)
    bits = (np.arange(64)[:, None] >> np.arange(len(_STUFF) - 1)) & 1  # (64, stuff)
    stuff = np.concatenate([codes @ bits, total(points.astype(np.float32))[:, None]], axis=1)
    # rows 0-8: the regions; row 9: the whole photo (sums over the regions)
    count = np.append(count, count.sum())
    sums = [np.append(x, x.sum()) for x in sums]
    colours = np.vstack([colours, colours.sum(0)])
    stuff = np.vstack([stuff, stuff.sum(0)])
    mean_light = sums[0] / count
    spread = np.sqrt(np.maximum(sums[1] / count - mean_light**2, 0.0))
    base = [mean_light, spread, *(x / count for x in sums[2:])]
    out = np.concatenate(
        [np.stack(base, axis=1), colours / count[:, None], stuff / count[:, None]], 1
    )
    return out.astype(np.float32)


def _local_mean(light: np.ndarray, radius: int = 4) -> np.ndarray:
    """Mean lightness in a (2r+1)^2 box around each pixel (integral image)."""
    h, w = light.shape
    pad = np.pad(light, radius + 1, mode="edge").astype(np.float64)
    integral = pad.cumsum(0).cumsum(1)
    k = 2 * radius + 1
    total = (
        integral[k:, k:][:h, :w]
        - integral[:-k, k:][:h, :w]
        - integral[k:, :-k][:h, :w]
        + integral[:-k, :-k][:h, :w]
    )
    return (total / (k * k)).astype(np.float32)
