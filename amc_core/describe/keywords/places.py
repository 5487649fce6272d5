"""Offline reverse geocoding: GPS -> place keywords (locality, big city, region, country...).

Data: ``resources/geo/places.npz``, a compact gazetteer of every GeoNames populated place
with at least 1000 inhabitants (about 170k), with its region (admin1) and country; see
``resources/geo/LICENSE.txt`` (GeoNames, CC BY 4.0). It is loaded once, on first use, with
numpy only (no pickle) and searched by brute force on unit vectors (~0.3 ms per photo).

The gazetteer: :mod:`amc_core.words.gazetteer` (rebuilt by :mod:`amc_core.build.gazetteer`).

Confidence falls with the distance to a place relative to its size: a photo within a town's
radius (about 1.2 km for 1000 people, 11 km for Paris) is "in" it (1.0), one 40 km from a
small town is not (dropped). Regions and countries decay much more slowly.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from amc_core.words.gazetteer import (
    ALIAS_FACTOR as _ALIAS_FACTOR,
)
from amc_core.words.gazetteer import (
    CONTINENT_FACTOR as _CONTINENT_FACTOR,
)
from amc_core.words.gazetteer import (
    CONTINENTS,
    COUNTRY_ALIASES,
    Gazetteer,
    load_gazetteer,
)
from amc_core.words.keyword import Keyword

EARTH_RADIUS_KM = 6371.0088
SEARCH_RADIUS_KM = 80.0  # places farther than this never name a photo's locality
BIG_CITY_POPULATION = 100_000
MIN_CONFIDENCE = 0.15
MAX_LOCALITIES = 2
MAX_BIG_CITIES = 1


def place_keywords(lat: float, lon: float) -> list[Keyword]:
    """Place keywords for a GPS position; ``[]`` for an invalid one or no data. Never raises."""
    if not _valid_position(lat, lon):
        return []
    gaz = load_gazetteer()
    if gaz is None or not gaz.names:
        return []
    candidates, distances = _candidates(gaz, float(lat), float(lon))
    scores: dict[str, float] = {}
    _add_localities(gaz, candidates, distances, scores)
    _add_big_cities(gaz, candidates, distances, scores)
    _add_region_country(gaz, int(candidates[0]), float(distances[0]), scores)
    kept = [(text, conf) for text, conf in scores.items() if conf >= MIN_CONFIDENCE and text]
    kept.sort(key=lambda item: (-item[1], item[0]))
    return [Keyword(text, round(conf, 3), "place") for text, conf in kept]


def _valid_position(lat: object, lon: object) -> bool:
    """Real numbers (not bools or strings), finite, in range, and not the unset (0, 0)."""
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (lat, lon)):
        return False
    la, lo = float(lat), float(lon)  # type: ignore[arg-type]
    if not (math.isfinite(la) and math.isfinite(lo)):
        return False
    if abs(la) > 90.0 or abs(lo) > 180.0:
        return False
    return not (la == 0.0 and lo == 0.0)  # "null island": an unset GPS fix


def _unit(lat_deg: float, lon_deg: float) -> np.ndarray:
    la, lo = math.radians(lat_deg), math.radians(lon_deg)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) from one point (radians) to many (radians)."""
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _candidates(gaz: Gazetteer, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
    """Places within the search radius, nearest first (or the single nearest place)."""
    qx, qy, qz = (np.float32(v) for v in _unit(lat, lon))
    x, y, z = gaz.xyz
    dots = x * qx + y * qy + z * qz  # elementwise: a BLAS matvec spins threads on busy CPUs
    threshold = math.cos(SEARCH_RADIUS_KM / EARTH_RADIUS_KM)
    idx = np.flatnonzero(dots >= threshold)
    if idx.size == 0:
        idx = np.array([int(np.argmax(dots))])
    dist = haversine_km(math.radians(lat), math.radians(lon), gaz.lat[idx], gaz.lon[idx])
    order = np.argsort(dist, kind="stable")
    return idx[order], dist[order]


def _decay(distance_km: float, full_km: float, scale_km: float) -> float:
    return 1.0 if distance_km <= full_km else math.exp(-(distance_km - full_km) / scale_km)


def _put(scores: dict[str, float], text: str, conf: float) -> None:
    if conf > scores.get(text, 0.0):
        scores[text] = conf


def place_confidences(distance_km: np.ndarray, population: np.ndarray) -> np.ndarray:
    """How sure a photo this far from each place was taken there: 1 within the place's radius
    (larger for bigger places, at most 30 km), decaying beyond it."""
    radius = np.minimum(30.0, 1.0 + np.sqrt(np.maximum(population, 0)) / 150.0)
    decayed = np.exp(-(distance_km - radius) / (0.5 * radius + 2.0))
    return np.where(distance_km <= radius, 1.0, decayed)


def _add_localities(
    gaz: Gazetteer, idx: np.ndarray, dist: np.ndarray, scores: dict[str, float]
) -> None:
    """The nearest places that the photo is plausibly in (neighbourhood, town)."""
    confs = place_confidences(dist, gaz.population[idx])
    taken: set[str] = set()
    for k in np.flatnonzero(confs >= MIN_CONFIDENCE).tolist():  # nearest first
        name = gaz.names[int(idx[k])]
        if name not in taken:
            taken.add(name)
            _put(scores, name, float(confs[k]))
            if len(taken) >= MAX_LOCALITIES:
                return


def _add_big_cities(
    gaz: Gazetteer, idx: np.ndarray, dist: np.ndarray, scores: dict[str, float]
) -> None:
    """The big cities the photo belongs to ("los angeles" for Santa Monica)."""
    pops = gaz.population[idx]
    confs = place_confidences(dist, pops)
    big = np.flatnonzero((pops >= BIG_CITY_POPULATION) & (confs >= MIN_CONFIDENCE))
    if big.size == 0:
        return
    ranked = big[np.lexsort((-pops[big], -confs[big]))]  # most confident, then most populous
    taken: set[str] = set()
    for k in ranked.tolist():
        name = gaz.names[int(idx[k])]
        if name not in taken:
            taken.add(name)
            _put(scores, name, float(confs[k]))
            if len(taken) >= MAX_BIG_CITIES:
                return


def _add_region_country(
    gaz: Gazetteer, nearest: int, distance_km: float, scores: dict[str, float]
) -> None:
    region = int(gaz.region[nearest])
    if 0 < region < len(gaz.region_names):
        _put(scores, gaz.region_names[region], _decay(distance_km, 25.0, 75.0))
    c = int(gaz.country[nearest])
    if c >= len(gaz.country_names):
        return
    country_conf = _decay(distance_km, 30.0, 150.0)
    _put(scores, gaz.country_names[c], country_conf)
    for alias in COUNTRY_ALIASES.get(gaz.country_codes[c], ()):
        _put(scores, alias, country_conf * _ALIAS_FACTOR)
    continent = CONTINENTS.get(gaz.country_continents[c])
    if continent:
        _put(scores, continent, country_conf * _CONTINENT_FACTOR)
