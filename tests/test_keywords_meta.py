"""The non-visual keyword sources, as a user searching their library would notice them."""

from __future__ import annotations

import math
import random
import time
from datetime import date, datetime

import numpy as np
import pytest

from amc_core.describe.keywords.camera import camera_keywords
from amc_core.describe.keywords.colours import colour_keywords
from amc_core.describe.keywords.dates import date_keywords
from amc_core.describe.keywords.places import MIN_CONFIDENCE, place_confidences, place_keywords
from amc_core.words.gazetteer import gazetteer_names, load_gazetteer
from amc_core.words.keyword import SOURCES, Keyword
from amc_core.words.normalise import merge_keywords, normalise, tokenize
from amc_core.words.path_words import path_keywords

PARIS = (48.8566, 2.3522)
SYDNEY = (-33.8568, 151.2153)


def texts(keywords: list[Keyword]) -> set[str]:
    return {k.text for k in keywords}


def conf(keywords: list[Keyword], text: str) -> float:
    return max((k.confidence for k in keywords if k.text == text), default=0.0)


def well_formed(keywords: list[Keyword]) -> bool:
    return all(
        isinstance(k, Keyword) and k.text and 0.0 <= k.confidence <= 1.0 and k.source in SOURCES
        for k in keywords
    )


# ----------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("dogs", "dog"),
        ("Puppies", "puppy"),
        ("boxes", "box"),
        ("leaves", "leaf"),
        ("children", "child"),
        ("mice", "mouse"),
        ("geese", "goose"),
        ("buses", "bus"),
        ("beaches", "beach"),
        ("horses", "horse"),
        ("houses", "house"),
        ("movies", "movie"),
        ("potatoes", "potato"),
        ("people", "people"),
        ("glasses", "glasses"),
        ("paris", "paris"),
        ("bus", "bus"),
        ("grass", "grass"),
        ("cactus", "cactus"),
        ("tennis", "tennis"),
        ("christmas", "christmas"),
        ("Grandma's", "grandma"),
        ("Café", "cafe"),
        ("New York", "new york"),
        ("gray", "grey"),
        ("2010s", "2010s"),
        ("80th", "80th"),
    ],
)
def test_normalise_gives_one_singular_lowercase_form(word: str, expected: str) -> None:
    assert normalise(word) == expected


def test_normalise_drops_surrogates_and_keeps_other_scripts() -> None:
    assert normalise("ab\udcffcd") == "abcd"
    assert normalise("東京タワー") == "東京タワー"
    assert normalise(None) == ""  # type: ignore[arg-type]


def test_tokenize_drops_stop_words_and_punctuation() -> None:
    assert tokenize("The dogs on the beach in Paris, 2019!") == ["dog", "beach", "paris", "2019"]
    assert tokenize("") == []


def test_merge_keeps_the_strongest_source_and_caps() -> None:
    merged = merge_keywords(
        [
            [Keyword("Dogs", 0.4, "visual"), Keyword("the", 0.9, "visual")],
            [Keyword("dog", 0.7, "folder"), Keyword("Los Angeles", 0.6, "place")],
            [Keyword("beach", float("nan"), "visual"), Keyword("sand", 3.0, "visual")],
        ],
        limit=3,
    )
    assert [k.text for k in merged] == ["sand", "dog", "los angeles"]
    assert merged[0].confidence == 1.0
    assert merged[1] == Keyword("dog", 0.7, "folder")
    assert merge_keywords([[Keyword("cat", 0.5, "visual")]], limit=0) == []


# ----------------------------------------------------------------------------- dates


def test_a_summer_afternoon_in_paris() -> None:
    keywords = date_keywords(datetime(2019, 7, 4, 15, 0), PARIS[0])
    assert {"2019", "july", "summer", "thursday", "afternoon", "2010s"} <= texts(keywords)
    assert "weekend" not in texts(keywords)
    assert conf(keywords, "2019") == 1.0
    assert conf(keywords, "summer") < 1.0  # derived, not an EXIF fact
    assert well_formed(keywords)


def test_july_is_winter_in_the_southern_hemisphere() -> None:
    keywords = date_keywords(datetime(2019, 7, 4, 9, 30), SYDNEY[0])
    assert "winter" in texts(keywords) and "summer" not in texts(keywords)
    assert "morning" in texts(keywords)


def test_weekends_nights_and_holidays() -> None:
    sunday = date_keywords(datetime(2018, 12, 23, 23, 15))
    assert {"sunday", "weekend", "night", "december", "winter"} <= texts(sunday)
    assert "christmas" in texts(date_keywords(datetime(2018, 12, 25, 10, 0)))
    assert "easter" in texts(date_keywords(date(2019, 4, 21)))
    assert "halloween" in texts(date_keywords(datetime(2020, 10, 31, 19, 0)))


def test_bad_dates_give_nothing() -> None:
    assert date_keywords(None) == []
    assert date_keywords(datetime(1, 1, 1)) == []
    assert date_keywords("2019-07-04") == []  # type: ignore[arg-type]
    assert "summer" in texts(date_keywords(datetime(2019, 7, 4), float("nan")))


# ----------------------------------------------------------------------------- places


def test_paris_gps_names_the_city_region_and_country() -> None:
    keywords = place_keywords(*PARIS)
    assert {"paris", "france", "ile de france", "europe"} <= texts(keywords)
    assert conf(keywords, "paris") == 1.0
    assert all(k.source == "place" for k in keywords)


def test_multiword_places_stay_one_keyword() -> None:
    times_square = texts(place_keywords(40.7580, -73.9855))
    assert {"new york city", "new york", "united states"} <= times_square
    assert "york" not in times_square
    assert {"sydney", "new south wales", "australia"} <= texts(place_keywords(*SYDNEY))


def test_a_photo_far_from_a_town_is_not_in_it() -> None:
    near, far, big = place_confidences(
        np.array([0.5, 40.0, 5.0]), np.array([1_000, 1_000, 2_000_000])
    )
    assert near == 1.0
    assert far < MIN_CONFIDENCE
    assert big == 1.0
    mid_atlantic = place_keywords(0.0, -30.0)
    assert mid_atlantic == []


@pytest.mark.parametrize(
    "position",
    [
        (float("nan"), 2.0),
        (48.0, float("inf")),
        (91.0, 0.0),
        (0.0, 181.0),
        (None, None),
        ("48.8", "2.3"),
        (True, False),
        (0.0, 0.0),
    ],
)
def test_bad_gps_gives_nothing(position: tuple[object, object]) -> None:
    assert place_keywords(*position) == []  # type: ignore[arg-type]


def test_gazetteer_names_serve_query_parsing() -> None:
    names = gazetteer_names()
    assert {"paris", "new york city", "new york", "france", "california", "europe"} <= names
    big = gazetteer_names(1_000_000)
    assert "paris" in big and len(big) < len(names)


def test_place_lookup_is_fast() -> None:
    assert load_gazetteer() is not None
    rng = random.Random(1)
    start = time.perf_counter()
    for _ in range(200):
        place_keywords(rng.uniform(-60, 70), rng.uniform(-180, 180))
    assert (time.perf_counter() - start) / 200 < 0.02  # ~1 ms here; generous for shared CPUs


# ----------------------------------------------------------------------------- paths


def test_folder_names_become_keywords_and_camera_counters_do_not() -> None:
    keywords = path_keywords("/photos/Holidays/Grandma 80th/IMG_1234.JPG", "/photos")
    found = texts(keywords)
    assert {"holiday", "grandma", "80th", "grandma 80th"} <= found
    assert not found & {"img", "1234", "jpg", "photo", "photos"}
    assert conf(keywords, "grandma") > conf(keywords, "holiday")  # nearer folder counts more
    assert {k.source for k in keywords} == {"folder"}


def test_dates_and_words_in_file_names() -> None:
    keywords = path_keywords(
        "/home/alice/Pictures/2019-07-04 Paris/PXL_20190704_123456789.PORTRAIT.jpg", None
    )
    assert {"2019", "july", "paris", "portrait"} <= texts(keywords)
    assert not texts(keywords) & {"alice", "home", "pictures", "pxl", "123456789"}
    camel = texts(path_keywords("/lib/New York 2019/eiffelTowerAtNight.jpg", "/lib"))
    assert {"new york", "eiffel tower", "night", "2019"} <= camel


def test_junk_names_give_nothing() -> None:
    for path in [
        "/media/alice/USB/DCIM/100APPLE/IMG_0042 (2).HEIC",
        "/lib/3f2a9c7e-1b2d-4e5f-8a9b-0c1d2e3f4a5b.jpg",
        "/lib/a1b2c3d4e5f6a7b8_copy-edited.jpg",
        "/lib/DSC01234.JPG",
        "/lib/10156789012345678_1234567890123456789_n.jpg",
    ]:
        assert path_keywords(path, "/lib") == [], path


def test_non_utf8_paths_never_raise() -> None:
    keywords = path_keywords("/lib/Z\udcfcrich Trip/IMG_1.jpg", "/lib")
    assert "zurich" in texts(keywords)
    assert path_keywords(b"/photos/caf\xe9/IMG_1.jpg", None)  # type: ignore[arg-type]
    for bad in ["", "/", "\udcff" * 5, "////", "..", None, 42]:
        assert well_formed(path_keywords(bad, None))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- colours


def test_a_red_image_is_red() -> None:
    keywords = colour_keywords(np.full((384, 512, 3), (220, 30, 35), np.uint8))
    assert keywords and max(keywords, key=lambda k: k.confidence).text == "red"
    assert "black and white" not in texts(keywords)


def test_a_greyscale_photo_is_black_and_white() -> None:
    rng = np.random.default_rng(0)
    grey = np.repeat(rng.integers(0, 256, (300, 400, 1), dtype=np.uint8), 3, axis=2)
    assert {"black and white", "monochrome"} <= texts(colour_keywords(grey))


def test_sky_over_grass_and_a_sepia_print() -> None:
    image = np.zeros((200, 300, 3), np.uint8)
    image[:100] = (135, 190, 235)
    image[100:] = (40, 120, 40)
    assert {"blue", "green"} <= texts(colour_keywords(image))
    ramp = np.linspace(0.0, 1.0, 300)[None, :, None] * np.array([255, 210, 160])
    sepia = np.broadcast_to(ramp, (200, 300, 3)).astype(np.uint8)
    assert {"monochrome", "sepia"} <= texts(colour_keywords(sepia))


def test_colours_are_fast_and_garbage_gives_nothing() -> None:
    image = np.random.default_rng(1).integers(0, 256, (384, 512, 3), dtype=np.uint8)
    colour_keywords(image)
    start = time.perf_counter()
    for _ in range(20):
        colour_keywords(image)
    assert (time.perf_counter() - start) / 20 < 0.025  # ~1.5 ms here
    for bad in [np.zeros((0, 3)), np.zeros((4, 4, 5)), "x", None, np.zeros((2, 2, 3), object)]:
        assert colour_keywords(bad) == []  # type: ignore[arg-type]
    assert well_formed(colour_keywords(np.full((4, 4, 3), np.nan)))


# ----------------------------------------------------------------------------- camera


def test_an_iphone_portrait() -> None:
    keywords = camera_keywords("Apple", "iPhone 12 Pro", 3024, 4032)
    assert {"apple", "iphone", "iphone 12", "iphone 12 pro", "phone"} <= texts(keywords)
    assert "screenshot" not in texts(keywords)
    assert not {k.text for k in keywords if k.source == "shape"}  # orientation is a filter


def test_makers_shapes_and_panoramas() -> None:
    nikon = texts(camera_keywords("NIKON CORPORATION", "NIKON D750", 6016, 4016))
    assert {"nikon", "d750"} <= nikon and "corporation" not in nikon
    assert not nikon & {"landscape", "portrait", "square"}
    assert not texts(camera_keywords(None, None, 1080, 1080)) & {"square"}
    assert "panorama" in texts(camera_keywords("Apple", "iPhone 8", 12000, 3000))
    assert "drone" in texts(camera_keywords("DJI", "FC220", 4000, 3000))


def test_screenshots() -> None:
    assert "screenshot" in texts(camera_keywords(None, None, 1170, 2532, format="PNG"))
    assert "screenshot" in texts(camera_keywords(None, None, 800, 600, software="Greenshot"))
    assert "screenshot" not in texts(camera_keywords("Canon", "EOS R", 1920, 1080))
    assert "screenshot" not in texts(camera_keywords(None, None, 4000, 3000, format="JPEG"))


def test_garbage_camera_values_never_raise() -> None:
    assert camera_keywords(None, None, 0, 0) == []
    junk = camera_keywords(3, b"x", math.nan, "wide", software=5, format=7)  # type: ignore[arg-type]
    assert junk == []


def test_every_source_survives_random_input() -> None:
    rng = random.Random(7)
    alphabet = "aZ09_-. /\\'\udcfe\u00e9\u6771%()"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        number = rng.choice([rng.uniform(-500, 500), math.nan, math.inf, 0, -1])
        assert well_formed(path_keywords(text, rng.choice([None, "/", text[:5]])))
        assert well_formed(camera_keywords(text, text, number, number, text, text))  # type: ignore[arg-type]
        assert well_formed(place_keywords(number, rng.uniform(-200, 200)))
        assert isinstance(normalise(text), str)
        assert well_formed(merge_keywords([[Keyword(text, number, "file")]]))


def test_short_codes_glued_to_numbers_are_ids_not_words():
    from amc_core.words.path_words import path_keywords

    assert path_keywords("/photos/dv026.jpg", "/photos") == []
    assert [k.text for k in path_keywords("/photos/trip2019.jpg", "/photos")] == ["2019", "trip"]


def test_every_colour_name_a_query_knows_has_a_palette_entry() -> None:
    from amc_core.describe.keywords.colours import PALETTE
    from amc_core.words.vocabulary import COLOUR_NAMES

    assert tuple(PALETTE) == COLOUR_NAMES
