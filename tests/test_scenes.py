"""Scene and material keywords (source "scene"): region statistics, the class lexicon, the
rules on real dev-set photos, and the tagger that puts them among a photo's keywords."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from amc_core.describe.preprocess import squash
from amc_core.describe.scene_pixels import N_REGIONS, N_STATS, STAT, WHOLE, scene_stats
from amc_core.describe.scenes import RULES, SceneClasses, default_scene_classes, scene_keywords
from amc_core.describe.tagging import PhotoTagger, TaggerOptions
from amc_core.index.prepare import prepare_photo
from amc_core.ingest.decode import DecodedPhoto
from amc_core.runtime import SessionFactory
from amc_core.settings import IndexSettings
from amc_core.words.keyword import SOURCES

ROOT = Path(__file__).resolve().parent.parent
DEV_PHOTOS = ROOT / "data" / "devset" / "photos"
TEST_PHOTOS = Path(__file__).parent / "data" / "photos"


@pytest.fixture(scope="module")
def tagger() -> PhotoTagger:
    return PhotoTagger(SessionFactory(prefer_gpu=False), TaggerOptions(ocr=False, faces=False))


def _scene_words(tagger: PhotoTagger, path: Path) -> dict[str, float]:
    """The photo's keywords that the scene source made or also made (a word two sources
    make is kept once, at the higher confidence)."""
    settings = IndexSettings(pixel_sources=tagger.pixel_sources, model_input=True)
    photo = prepare_photo(str(path), settings)
    assert isinstance(photo, DecodedPhoto) and photo.scene_stats is not None
    analysis = tagger.analyze([photo], [str(path.parent)])[0]
    assert any(k.source == "scene" for k in analysis.keywords)
    return {k.text: k.confidence for k in analysis.keywords if k.text in RULES}


def test_scene_is_the_last_source_and_its_stats_are_taken_in_the_decode_worker(
    tagger: PhotoTagger,
) -> None:
    assert SOURCES[-1] == "scene" and "scene" in tagger.pixel_sources
    settings = IndexSettings(pixel_sources=("scene",), model_input=True)
    photo = prepare_photo(str(TEST_PHOTOS / "coffee.jpg"), settings)
    assert isinstance(photo, DecodedPhoto)
    assert photo.pixels is None  # the analysis image never leaves the worker
    assert photo.scene_stats is not None and photo.scene_stats.shape == (N_REGIONS, N_STATS)
    assert photo.scene_stats.dtype == np.float32
    without = prepare_photo(str(TEST_PHOTOS / "coffee.jpg"), IndexSettings(model_input=True))
    assert isinstance(without, DecodedPhoto) and without.scene_stats is None


def test_region_stats_read_layout_colour_and_texture() -> None:
    rng = np.random.default_rng(0)
    image = np.zeros((224, 224, 3), np.uint8)
    image[:75] = (110, 160, 225)  # smooth sky blue on top
    green = rng.integers(0, 90, (149, 224, 1)) + np.array([30, 110, 20])  # textured green
    image[75:] = np.clip(green, 0, 255).astype(np.uint8)
    stats = scene_stats(image)
    top, bottom = [0, 1, 2], [6, 7, 8]
    assert stats[top, STAT["sky_blue"]].min() > 0.95
    assert stats[top, STAT["texture"]].max() < 0.5
    assert stats[bottom, STAT["vegetation"]].min() > 0.8
    assert stats[bottom, STAT["texture"]].min() > 10
    assert stats[WHOLE, STAT["c_blue"]] == pytest.approx(stats[:9, STAT["c_blue"]].mean(), abs=0.02)
    words = {k.text for k in scene_keywords(stats, {})}
    assert {"sky", "grass"} <= words
    assert "night" not in words and "beach" not in words


def test_a_dark_frame_with_points_of_light_is_night() -> None:
    image = np.full((224, 224, 3), 8, np.uint8)
    ys, xs = np.random.default_rng(1).integers(2, 222, (2, 150))
    image[ys, xs] = 250
    assert scene_stats(image)[WHOLE, STAT["bright_points"]] > 0.002
    assert {k.text for k in scene_keywords(scene_stats(image), {})} == {"night"}


def test_garbage_in_gives_no_scene_words() -> None:
    assert scene_stats(np.zeros((2, 2, 3), np.uint8)).shape == (N_REGIONS, N_STATS)
    assert scene_keywords(None, {}) == []
    assert scene_keywords(np.zeros((3, 3)), {}) == []
    flat = scene_stats(np.full((224, 224, 3), 128, np.uint8))  # could be an overcast sky
    assert {k.text for k in scene_keywords(flat, {})} <= {"sky", "cloud"}


def test_class_evidence_carries_places_to_everyday_words() -> None:
    classes = default_scene_classes()
    seashore = next(i for i, c in enumerate(classes_in_order()) if c == "seashore")
    probs = np.zeros((1, 1000), np.float32)
    probs[0, seashore] = 0.8
    evidence = dict(
        zip(classes.words, classes.evidence(probs, np.zeros((1, 9, 1000)))[0], strict=False)
    )
    assert evidence["beach"] == pytest.approx(0.8) and evidence["sea"] == pytest.approx(0.8)
    assert evidence["mountain"] == 0.0 and evidence["_open"] == pytest.approx(0.8)
    regions = np.zeros((1, 9, 1000), np.float32)
    regions[0, 4, seashore] = 1.0  # one region only: discounted
    one = dict(zip(classes.words, classes.evidence(np.zeros((1, 1000)), regions)[0], strict=False))
    assert 0.0 < one["beach"] < 0.5


def classes_in_order() -> list[str]:
    from amc_core.words.labels import load_imagenet_classes

    return [c.name for c in load_imagenet_classes()]


def test_a_lexicon_entry_naming_the_wrong_class_is_refused(tmp_path: Path) -> None:
    data = json.loads((ROOT / "resources" / "lexicon" / "scene_classes.json").read_text())
    wnid = next(iter(data["words"]["beach"]))
    data["words"]["beach"][wnid][0] = "not seashore"
    bad = tmp_path / "scene_classes.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="not seashore"):
        SceneClasses(bad)


def test_the_beach_photo_gets_beach_sea_and_sand(tagger: PhotoTagger) -> None:
    words = _scene_words(tagger, DEV_PHOTOS / "dv025.jpg")  # kitesurfers on a beach
    assert min(words["beach"], words["sea"], words["sand"]) >= 0.5
    assert words["sky"] >= 0.5
    assert "tree" not in words and "building" not in words


def test_the_forest_path_gets_trees_and_no_sky(tagger: PhotoTagger) -> None:
    words = _scene_words(tagger, DEV_PHOTOS / "dv062.jpg")  # a spruce forest footpath
    assert words["tree"] >= 0.45
    assert "sky" not in words and "beach" not in words and "sea" not in words


def test_mountains_under_a_blue_sky(tagger: PhotoTagger) -> None:
    words = _scene_words(tagger, DEV_PHOTOS / "dv037.jpg")  # Picos de Europa
    assert words["mountain"] >= 0.5 and words["sky"] >= 0.5
    assert "city" not in words and "shop" not in words


def test_the_rocket_at_dusk_is_night_sky_and_the_coffee_has_no_scene(
    tagger: PhotoTagger,
) -> None:
    rocket = _scene_words(tagger, TEST_PHOTOS / "rocket.jpg")
    assert rocket["sky"] >= 0.5 and "night" in rocket
    coffee = _scene_words(tagger, TEST_PHOTOS / "coffee.jpg")
    assert all(conf < 0.5 for conf in coffee.values()), coffee


def test_confidences_stay_within_each_words_reliability() -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        stats = scene_stats(rng.integers(0, 256, (224, 224, 3), dtype=np.uint8))
        evidence = {w: float(rng.random()) for w in default_scene_classes().words}
        for kw in scene_keywords(stats, evidence):
            assert kw.source == "scene" and 0.0 < kw.confidence <= RULES[kw.text][1]


def test_stats_are_cheap() -> None:
    import time

    image = squash(np.random.default_rng(3).integers(0, 256, (480, 640, 3), dtype=np.uint8))
    scene_stats(image)
    start = time.perf_counter()
    for _ in range(20):
        scene_stats(image)
    assert (time.perf_counter() - start) / 20 < 0.03  # ~3 ms on one core; generous bound
