"""The gazetteer: every GeoNames populated place of at least 1000 people, with its region and
country (``resources/geo/places.npz``, GeoNames, CC BY 4.0), loaded once with numpy only.

Shared by reverse geocoding (describe) and the query lexicon (search); built at build time by
``python -m amc_core.build.gazetteer``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from amc_core.arrays import split_strings
from amc_core.resources import resources_dir

log = logging.getLogger(__name__)

# fmt: off
CONTINENTS = {
    "AF": "africa", "AS": "asia", "EU": "europe", "NA": "north america",
    "OC": "oceania", "SA": "south america", "AN": "antarctica",
}
# fmt: on
# Extra names people use for a few countries (confidence a little below the official one).
# fmt: off
COUNTRY_ALIASES = {
    "US": ("usa", "america"), "GB": ("uk", "britain"), "CZ": ("czech republic",),
    "NL": ("holland",), "AE": ("uae",),
}
# fmt: on
_ALIAS_FACTOR = 0.8
_CONTINENT_FACTOR = 0.9
ALIAS_FACTOR = _ALIAS_FACTOR
CONTINENT_FACTOR = _CONTINENT_FACTOR


def data_path() -> Path:
    return resources_dir() / "geo" / "places.npz"


@dataclass(frozen=True)
class Gazetteer:
    """Places as parallel arrays, plus region and country tables."""

    names: list[str]  # normalised place names
    lat: np.ndarray  # float64 radians
    lon: np.ndarray  # float64 radians
    xyz: tuple[np.ndarray, np.ndarray, np.ndarray]  # unit vectors' x, y, z (float32 each)
    population: np.ndarray  # int32
    country: np.ndarray  # uint8 index into country_codes
    region: np.ndarray  # uint16 index into region_names (0 = unknown)
    region_names: list[str]
    country_codes: list[str]
    country_names: list[str]
    country_continents: list[str]


@cache  # called with two thresholds (the query lexicon): one entry each
def gazetteer_names(min_population: int = 0) -> frozenset[str]:
    """Normalised names of places (with at least ``min_population``), regions, countries,
    country aliases and continents: for query parsing and synthetic queries."""
    gaz = load_gazetteer()
    names: set[str] = set(CONTINENTS.values())
    for aliases in COUNTRY_ALIASES.values():
        names.update(aliases)
    if gaz is None:
        return frozenset(names)
    keep = np.flatnonzero(gaz.population >= min_population).tolist()
    names.update(gaz.names[i] for i in keep)
    names.update(gaz.region_names[1:])
    names.update(gaz.country_names)
    names.discard("")
    return frozenset(names)


@lru_cache(maxsize=1)
def load_gazetteer(path: str | None = None) -> Gazetteer | None:
    """The gazetteer, loaded once; ``None`` (logged) when the data file is missing or bad."""
    file = Path(path) if path else data_path()
    try:
        with np.load(file, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        return _from_arrays(arrays)
    except (OSError, KeyError, ValueError) as exc:
        log.warning("place keywords disabled: cannot load %s (%s)", file, exc)
        return None


def _from_arrays(arrays: dict[str, np.ndarray]) -> Gazetteer:
    lat_deg = arrays["lat"].astype(np.float64)
    lon_deg = arrays["lon"].astype(np.float64)
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    xyz = (
        (np.cos(lat) * np.cos(lon)).astype(np.float32),
        (np.cos(lat) * np.sin(lon)).astype(np.float32),
        np.sin(lat).astype(np.float32),
    )
    names = split_strings(arrays["names"])
    if len(names) != len(lat):
        raise ValueError("names and coordinates differ in length")
    return Gazetteer(
        names=names,
        lat=lat,
        lon=lon,
        xyz=xyz,
        population=arrays["population"].astype(np.int32),
        country=arrays["country"],
        region=arrays["region"],
        region_names=split_strings(arrays["region_names"]),
        country_codes=split_strings(arrays["country_codes"]),
        country_names=split_strings(arrays["country_names"]),
        country_continents=split_strings(arrays["country_continents"]),
    )
