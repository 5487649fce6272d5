"""Scene and material keywords (source "scene"): region statistics, the class lexicon, the
rules on real dev-set photos, and the tagger that puts them among a photo's keywords."""

from __future__ import annotations

import json
from functools import cache
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
    make is kept once, at the higher confidence). A dev-set photo is read with the scene probe
    trained on the other half of the dev photos: the shipped probe has seen them all."""
    settings = IndexSettings(pixel_sources=tagger.pixel_sources, model_input=True)
    photo = prepare_photo(str(path), settings)
    assert isinstance(photo, DecodedPhoto) and photo.scene_stats is not None
    shipped = tagger.scenes
    if path.parent == DEV_PHOTOS:
        tagger.scenes = _unseen_by(path.stem)
    try:
        analysis = tagger.analyze([photo], [str(path.parent)])[0]
    finally:
        tagger.scenes = shipped
    assert any(k.source == "scene" for k in analysis.keywords)
    return {k.text: k.confidence for k in analysis.keywords if k.text in RULES}


@cache
def _unseen_by(photo_id: str) -> SceneClasses:
    from amc_core.learn.devset import unseen_scene_classes

    return unseen_scene_classes()(photo_id)


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


def test_a_pixel_rule_the_probe_does_not_back_is_never_sure_alone() -> None:
    image = np.zeros((224, 224, 3), np.uint8)
    image[:75] = (110, 160, 225)  # a smooth sky-blue top: the sky rule alone is sure of it
    image[75:] = (90, 90, 90)
    stats = scene_stats(image)
    alone = {k.text: k.confidence for k in scene_keywords(stats, {})}
    doubted = {k.text: k.confidence for k in scene_keywords(stats, {}, {"sky": 0.05})}
    backed = {k.text: k.confidence for k in scene_keywords(stats, {}, {"sky": 0.9})}
    assert alone["sky"] >= 0.7
    assert doubted.get("sky", 0.0) < 0.5  # a blue wall the probe reads as no sky
    assert backed["sky"] >= 0.9


def test_a_dark_frame_with_points_of_light_is_night() -> None:
    image = np.full((224, 224, 3), 8, np.uint8)
    ys, xs = np.random.default_rng(1).integers(2, 222, (2, 150))
    image[ys, xs] = 250
    assert scene_stats(image)[WHOLE, STAT["bright_points"]] > 0.002
    assert {k.text for k in scene_keywords(scene_stats(image), {})} == {"night"}


def test_a_dark_wood_is_trees_not_night() -> None:
    """A shaded forest is as dark as a night sky; its leafy, busy top says where it is."""
    image = np.zeros((224, 224, 3), np.uint8)
    green = np.random.default_rng(4).integers(4, 50, (224, 224))
    image[..., 0], image[..., 1], image[..., 2] = green // 3, green, green // 4
    words = {k.text: k.confidence for k in scene_keywords(scene_stats(image), {})}
    assert words.get("tree", 0.0) >= 0.5 and "night" not in words


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
    # a spruce forest footpath: no tree class among its regions' top ten, but the probe that
    # was not trained on it sees trees in most of its regions
    words = _scene_words(tagger, DEV_PHOTOS / "dv062.jpg")
    assert words["tree"] >= 0.5
    assert "sky" not in words and "beach" not in words and "sea" not in words
    assert "building" not in words


def test_the_probe_reads_where_each_word_shows_in_a_photo() -> None:
    from amc_core.describe.scene_probe import TOP_REGIONS, default_scene_probe

    probe = default_scene_probe()
    assert probe is not None and {"sky", "tree", "building"} <= set(probe.words)
    rng = np.random.default_rng(5)
    regions = rng.random((2, 9, 1280)).astype(np.float32) * 6.0
    probs = probe.region_probs(regions)
    assert probs.shape == (2, 9, len(probe.words)) and ((probs >= 0) & (probs <= 1)).all()
    # a photo's score is the mean of its best TOP_REGIONS regions: one stray region is half
    one = np.zeros((1, 9, len(probe.words)), np.float32)
    one[0, 4, 0] = 1.0
    assert probe.photo_scores(one)[0, 0] == pytest.approx(1.0 / TOP_REGIONS)


def test_probe_evidence_names_a_word_the_rules_miss_at_its_own_confidence() -> None:
    flat = np.zeros((N_REGIONS, N_STATS), np.float32)
    assert "tree" not in {k.text for k in scene_keywords(flat, {})}
    words = {k.text: k.confidence for k in scene_keywords(flat, {}, {"tree": 0.62, "sky": 0.1})}
    assert words == {"tree": 0.62}  # a probe score under the floor names nothing


def test_the_trees_sky_and_buildings_of_a_street_photo(tagger: PhotoTagger) -> None:
    words = _scene_words(tagger, DEV_PHOTOS / "dv093.jpg")  # validate half: street, trees
    assert min(words["tree"], words["building"]) >= 0.5 and "sky" in words
    assert "beach" not in words and "snow" not in words and "indoor" not in words


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
        probe = {w: float(rng.random()) * 0.29 for w in RULES}  # under the floor: no say
        for kw in scene_keywords(stats, evidence, probe):
            assert kw.source == "scene" and 0.0 < kw.confidence <= RULES[kw.text][1]


def test_stats_are_cheap() -> None:
    import time

    image = squash(np.random.default_rng(3).integers(0, 256, (480, 640, 3), dtype=np.uint8))
    scene_stats(image)
    start = time.perf_counter()
    for _ in range(20):
        scene_stats(image)
    assert (time.perf_counter() - start) / 20 < 0.03  # ~3 ms on one core; generous bound


def test_the_probe_trainer_learns_labelled_regions_and_leaves_ignored_ones_out() -> None:
    from amc_core.build.scene_probe import targets, train

    rng = np.random.default_rng(7)
    photos = 24
    features = rng.random((photos, 2, 9, 1280)).astype(np.float32)
    labels: dict = {"labels": {}, "ignore": {"p00": ["sky"]}}
    ids = [f"p{i:02d}" for i in range(photos)]
    for i, pid in enumerate(ids):
        cells = [c for c in range(9) if rng.random() < 0.3]
        labels["labels"][pid] = {"sky": cells}
        features[i, 0, cells, :40] += 2.0  # "sky" regions share a pattern
        features[i, 1, cells, :40] += 2.0  # the mirror copy (its cells in plain order)
    y = targets(labels, ids, ["sky"])
    assert (y[0] == -1).all() and set(np.unique(y[1:])) <= {0.0, 1.0}
    probe = train(features[:16], y[:16], ["sky"], strength=1.0)
    probs = probe.region_probs(features[16:, 0])[..., 0]
    truth = y[16:, :, 0] == 1
    assert probs[truth].min() > probs[~truth].max()  # held-out photos: every region right


def test_the_dev_set_is_tagged_cross_fitted_each_photo_by_its_own_probe(
    tagger: PhotoTagger,
) -> None:
    """`amc eval` indexes the dev set with each photo's scene evidence from the probe that
    was not trained on it: the tagger must use, photo by photo, the probe it is given."""
    from amc_core.learn.devset import CrossFittedTagger
    from amc_core.store.features import scene_evidence

    paths = [TEST_PHOTOS / "rocket.jpg", TEST_PHOTOS / "coffee.jpg"]
    settings = IndexSettings(pixel_sources=tagger.pixel_sources, model_input=True)
    photos = [prepare_photo(str(p), settings) for p in paths]
    assert all(isinstance(p, DecodedPhoto) for p in photos)
    without = SceneClasses(probe=None)
    crossed = CrossFittedTagger(
        tagger, {str(paths[0].resolve()): without, str(paths[1].resolve()): default_scene_classes()}
    )
    rocket, coffee = crossed.analyze(photos, [str(TEST_PHOTOS)])  # type: ignore[arg-type]
    assert scene_evidence(rocket.features) is None  # its probe: none
    assert scene_evidence(coffee.features) is not None
