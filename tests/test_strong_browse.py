"""Strong and weak matches, and browsing by date, on a small built library (real photos)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from amc_core.describe.tagging import default_tagger
from amc_core.index.library import Library
from amc_core.search.browse import browse, is_browse
from amc_core.search.engine import SearchEngine
from amc_core.search.fallback import KeywordSearchEngine
from amc_core.search.strong import MAX_STRONG, strong_count
from amc_core.store.catalog import Catalog
from amc_core.store.layout import LibraryPaths
from photo_factory import exif_bytes, write_photo

PHOTOS = Path(__file__).parent / "data" / "photos"
OLD = datetime(2000, 1, 1).timestamp()  # the file date of the photos without a capture date


def _save(src: str, dst: Path, **exif: object) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(PHOTOS / f"{src}.jpg") as image:
        image.save(dst, quality=90, exif=exif_bytes(**exif) if exif else b"")  # type: ignore[arg-type]
    return dst


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    photos = tmp_path_factory.mktemp("strong") / "photos"
    _save("chelsea_cat", photos / "Holidays" / "cat.jpg", taken=datetime(2019, 7, 14, 16),
          gps=(48.8566, 2.3522))  # fmt: skip
    _save("coffee", photos / "Cafe" / "espresso.jpg", taken=datetime(2021, 3, 2, 9))
    _save("dog_bicycle_truck", photos / "Walks" / "dog.jpg", taken=datetime(2019, 7, 1, 12))
    _save("rocket", photos / "Space" / "launch.jpg")  # no capture date: its file's date
    os.utime(photos / "Space" / "launch.jpg", (OLD, OLD))
    _save("astronaut", photos / "Space" / "portrait.jpg", taken=datetime(2018, 2, 3))
    write_photo(photos / "Misc" / "IMG_7777.jpg", seed=5, gps=(35.6762, 139.6503))  # Tokyo
    os.utime(photos / "Misc" / "IMG_7777.jpg", (OLD + 86400, OLD + 86400))
    lib = tmp_path_factory.mktemp("strong") / "lib"
    with Library(lib) as library:
        folders = library.add_folders([str(photos)])
        for _ in library.index(folders, analyzer=default_tagger(ocr=False)):
            pass
    return lib


def test_the_line_falls_where_this_querys_scores_fall_off():
    assert strong_count([0.91, 0.9, 0.31, 0.3, 0.29, 0.28]) == 2  # two clear matches
    assert strong_count([0.3, 0.28, 0.91, 0.29]) == 1  # any order in
    assert strong_count([0.5] * 8) == 8  # nothing tells them apart: all alike
    assert strong_count([0.7]) == 1 and strong_count([]) == 0
    # the same shape on another scale splits the same way: no global threshold
    scores = np.array([0.91, 0.9, 0.31, 0.3, 0.29, 0.28])
    assert strong_count(scores * 0.1 - 3) == 2
    # a long smooth run: a few clearly above the rest, never more than the cap
    smooth = np.linspace(1.0, 0.0, 500)
    assert 1 <= strong_count(smooth) <= MAX_STRONG


def test_search_marks_strong_matches_first_and_cli_json_reports_them(built: Path):
    with SearchEngine(built) as engine:
        response = engine.search("tokyo", 50)
    results = response.results
    assert Path(results[0].path).name == "IMG_7777.jpg" and results[0].strong
    flags = [r.strong for r in results]
    assert flags == sorted(flags, reverse=True)  # strong ones first, weak ones after
    assert not flags[-1] and response.strong_count < len(results)
    assert all(r.date for r in results)  # what a date sort orders by
    out = subprocess.run([sys.executable, "-m", "amc_core.cli", "search", "tokyo", "--library",
                          str(built), "--json", "--top", "4"], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)["results"]
    assert len(shown) == 4  # the weak ones come back too, within --top
    assert [r["strong"] for r in shown] == flags[:4]
    assert {"path", "score", "modality_weights", "keywords", "regions"} <= set(shown[0])


def test_browse_lists_the_library_newest_first_by_capture_else_file_date(built: Path):
    with Catalog.open(LibraryPaths(built).catalog) as catalog:
        listing = browse(catalog, "")
        names = [Path(p).name for p in listing.paths]
        assert names == ["espresso.jpg", "cat.jpg", "dog.jpg", "portrait.jpg", "IMG_7777.jpg",
                         "launch.jpg"]  # fmt: skip
        assert listing.days.tolist()[:3] == [20210302, 20190714, 20190701]
        assert [Path(p).name for p in browse(catalog, "year:2019").paths] == ["cat.jpg", "dog.jpg"]
        assert len(browse(catalog, "-cafe")) == 5  # exclusions hold in a browse too
        facets = catalog.facets()
        assert facets.years == [(2021, 1), (2019, 2), (2018, 1)]
        assert {"paris", "tokyo"} <= {place for place, _ in facets.places}
    assert is_browse("") and is_browse("year:2019 place:paris") and not is_browse("dog")


def test_both_engines_order_a_filters_only_query_by_date(built: Path):
    for make in (SearchEngine, KeywordSearchEngine):
        engine = make(built)
        try:
            response = engine.search("after:2018-01-01", 10)
        finally:
            engine.close()
        names = [Path(r.path).name for r in response.results]
        assert names == ["espresso.jpg", "cat.jpg", "dog.jpg", "portrait.jpg"], make
        assert all(r.strong for r in response.results)
