"""The keyword generator end to end: real photos with written EXIF, through the indexer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from amc_core.describe.tagging import PhotoTagger, TaggerOptions
from amc_core.index.library import Library
from amc_core.runtime import SessionFactory
from photo_factory import exif_bytes

PHOTOS = Path(__file__).parent / "data" / "photos"


@pytest.fixture(scope="module")
def tagger() -> PhotoTagger:
    return PhotoTagger(SessionFactory(), TaggerOptions(ocr=False, faces=False))


def _copy_with_exif(src: Path, dst: Path, **exif: object) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as image:
        image.save(dst, "JPEG", quality=90, exif=exif_bytes(**exif))  # type: ignore[arg-type]
    return dst


def _keywords(library: Library, name: str) -> dict[str, tuple[float, str]]:
    row = next(r for r in library.catalog.photo_rows() if str(r["path"]).endswith(name))
    return {k.text: (k.confidence, k.source) for k in library.catalog.keywords_of(int(row["id"]))}  # type: ignore[call-overload]


def test_indexed_photos_get_visual_date_place_and_folder_keywords(tmp_path, tagger):
    photos = tmp_path / "photos"
    _copy_with_exif(
        PHOTOS / "chelsea_cat.jpg",
        photos / "Holidays" / "Paris 2019" / "IMG_2041.jpg",
        taken=datetime(2019, 7, 4, 15, 30),
        gps=(48.8566, 2.3522),
        make="Canon",
        model="Canon EOS 80D",
    )
    shutil.copy(PHOTOS / "coffee.jpg", photos / "coffee.jpg")
    with Library(tmp_path / "lib") as library:
        folders = library.add_folders([str(photos)])
        for progress in library.index(folders, analyzer=tagger):
            pass
        assert progress.report.indexed == 2
        cat = _keywords(library, "IMG_2041.jpg")
        for word, source in [
            ("cat", "visual"), ("feline", "visual"), ("animal", "visual"),
            ("2019", "date"), ("july", "date"), ("summer", "date"), ("thursday", "date"),
            ("afternoon", "date"), ("paris", "place"), ("france", "place"),
            ("canon", "camera"), ("holiday", "folder"),
        ]:  # fmt: skip
            assert word in cat, word
            assert cat[word][1] == source or word == "2019", (word, cat[word])
        assert "img" not in cat and "2041" not in cat
        assert 20 <= len(cat) <= 100
        coffee = _keywords(library, "coffee.jpg")
        assert {"espresso", "coffee", "beverage"} <= set(coffee)
        assert "cat" not in coffee
        # the stored features decode and the full-text index finds keywords
        hits = library.catalog.connection.execute(
            "SELECT COUNT(*) FROM photo_text WHERE photo_text MATCH 'espresso'"
        ).fetchone()[0]
        assert hits == 1
        sizes = library.catalog.connection.execute(
            "SELECT MAX(LENGTH(data)) FROM photo_features"
        ).fetchone()[0]
        assert sizes <= 8192


def test_region_evidence_finds_the_smaller_objects(tagger):
    from amc_core.index.prepare import prepare_photo
    from amc_core.ingest.decode import DecodedPhoto
    from amc_core.settings import IndexSettings

    photo = prepare_photo(str(PHOTOS / "dog_bicycle_truck.jpg"), IndexSettings(model_input=True))
    assert isinstance(photo, DecodedPhoto)
    keywords = {k.text for k in tagger.analyze([photo], [])[0].keywords}
    assert "dog" in keywords and "bicycle" in keywords


def test_keywords_command_without_a_library(tmp_path):
    photo = _copy_with_exif(
        PHOTOS / "coffee.jpg", tmp_path / "Cafe Tokyo" / "morning.jpg",
        taken=datetime(2021, 12, 24, 8, 5), gps=(35.6762, 139.6503),
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "amc_core.cli", "keywords", str(photo), "--json", "--no-ocr"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    words = {k["keyword"]: k for k in data["keywords"]}
    assert {"espresso", "december", "winter", "morning", "tokyo", "japan", "cafe"} <= set(words)
    assert words["tokyo"]["source"] == "place" and 0 < words["tokyo"]["confidence"] <= 1
    assert not (tmp_path / "library").exists()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"garbage")
    result = subprocess.run(
        [sys.executable, "-m", "amc_core.cli", "keywords", str(broken)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1 and "not an image" in result.stderr


def test_pixel_sources_are_named_as_the_keywords_they_make() -> None:
    """One vocabulary of sources: the pixel analyses a tagger asks the workers for are named as
    the keywords they produce (a red photo asked for "colour" gets "colour" keywords)."""
    import numpy as np

    from amc_core.describe.pixel_keywords import PIXEL_SOURCES, pixel_keywords
    from amc_core.describe.tagging import default_tagger
    from amc_core.words.keyword import SOURCES

    assert set(PIXEL_SOURCES) <= set(SOURCES)
    assert set(default_tagger(ocr=True, faces=True).pixel_sources) == set(PIXEL_SOURCES)
    # indexing leaves faces to the faces pass, which writes their words
    assert set(default_tagger(ocr=True).pixel_sources) == set(PIXEL_SOURCES) - {"people"}
    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0] = 220
    keywords = pixel_keywords(red, ("colour",))
    assert keywords and {k.source for k in keywords} == {"colour"}
    assert "red" in {k.text for k in keywords}
