"""The AMC model on real photos: region attention, exact keyword hits, intent weights,
fine-tuning on clicks, and the ONNX export's parity."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from PIL import Image

from amc_core.describe.tagging import default_tagger
from amc_core.errors import AmcError
from amc_core.index.library import Library
from amc_core.learn.data import load
from amc_core.learn.model import AMC
from amc_core.learn.params import default_model, load_params, save_params
from amc_core.learn.ranker import score_torch
from amc_core.learn.reference import reference_class_matrix, zero_shot_scores
from amc_core.learn.train import (
    RankingData,
    TrainConfig,
    evaluate,
    improve_from_clicks,
    model_for_library,
    reset_to_default,
    split_examples,
    user_params_path,
)
from amc_core.resources import resources_dir
from amc_core.search.terms import parse_query
from amc_core.store.batch import KeywordVectors, load_batch
from amc_core.words.space import semantic_space
from photo_factory import exif_bytes, write_photo

PHOTOS = Path(__file__).parent / "data" / "photos"


def _composite(out: Path) -> Path:
    """The dog photo with an espresso in its top-right corner: the dog rules the whole frame."""
    base = Image.open(PHOTOS / "dog_bicycle_truck.jpg").convert("RGB").resize((600, 450))
    cup = Image.open(PHOTOS / "coffee.jpg").convert("RGB").resize((250, 190))
    base.paste(cup, (350, 0))
    base.save(out, quality=92)
    return out


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("amc")
    photos = root / "photos"
    (photos / "Holidays" / "Paris 2019").mkdir(parents=True)
    with Image.open(PHOTOS / "chelsea_cat.jpg") as cat:
        cat.save(photos / "Holidays" / "Paris 2019" / "IMG_0001.jpg",
                 exif=exif_bytes(taken=datetime(2019, 7, 4, 15, 0), gps=(48.8566, 2.3522)))  # fmt: skip
    for name in ("coffee", "dog_bicycle_truck", "astronaut", "rocket"):
        shutil.copy(PHOTOS / f"{name}.jpg", photos / f"{name}.jpg")
    _composite(photos / "dog_and_cup.jpg")
    write_photo(photos / "x.jpg", seed=3, gps=(35.6762, 139.6503))  # only its place says Tokyo
    library = Library(root / "lib")
    folders = library.add_folders([str(photos)])
    for _ in library.index(folders, analyzer=default_tagger(ocr=False)):
        pass
    return library


def _scored(library: Library, query: str):  # type: ignore[no-untyped-def]
    space = semantic_space()
    rows = library.catalog.photo_rows("WHERE state = 'ok'")
    names = [Path(str(r["path"])).name for r in rows]
    batch = load_batch(library.catalog, KeywordVectors(library.catalog, space),
                       [int(r["id"]) for r in rows])  # type: ignore[call-overload]  # fmt: skip
    parsed = parse_query(query, space)
    return names, batch, parsed, score_torch(default_model(space), parsed, batch)


def test_van_finds_the_small_object_the_whole_frame_hides(library):
    names, batch, parsed, scored = _scored(library, "espresso")
    composite = names.index("dog_and_cup.jpg")
    attention = scored.region_attention[composite]
    assert int(np.argmax(attention[:9])) == 2  # the top-right cell of the 3x3 grid
    assert attention[2] > 0.5
    dog = names.index("dog_bicycle_truck.jpg")
    assert scored.scores[composite] > scored.scores[dog] + 0.1
    # the zero-shot reference looks at the best 3x3 region too: it sees the cup as well
    zero_shot = zero_shot_scores(parsed, batch, reference_class_matrix(semantic_space()))
    assert zero_shot[composite] > zero_shot[dog]


def test_each_word_is_looked_for_where_it_is(library):
    """Word by word, the heat-map of "dog espresso" on the composite shows the espresso in the
    top-right cell and the dog elsewhere; the photo's map weighs each word by how much the
    picture counted for it, so a place word does not spread it ("espresso tokyo")."""
    names, _batch, _parsed, scored = _scored(library, "dog espresso")
    row = names.index("dog_and_cup.jpg")
    dog, espresso = scored.word_regions[row]
    assert int(np.argmax(espresso[:9])) == 2 and espresso[2] > 0.5
    assert int(np.argmax(dog[:9])) != 2 and dog[2] < 0.1
    names, _batch, parsed, scored = _scored(library, "espresso tokyo")
    assert [t.intent for t in parsed.tokens] == ["thing", "place"]
    assert scored.word_visual[row, 0] > scored.word_visual[row, 1] + 0.3
    assert int(np.argmax(scored.region_attention[row][:9])) == 2
    # (the words' plain mean would give the cell 0.52: half of it where Tokyo was looked for)
    assert scored.region_attention[row][2] > 0.65
    assert scored.word_regions[row].shape == (2, 10)


@pytest.mark.parametrize(
    ("query", "photo"),
    [("cat", "IMG_0001.jpg"), ("espresso", "coffee.jpg"), ("rocket", "rocket.jpg")],
)
def test_zero_shot_reference_ranks_the_photo_of_its_class_first(library, query, photo):
    """The training-free reference (posteriors -> WordNet lemmas and hypernyms -> word
    vectors, whole photo and regions) finds a real photo by its ImageNet class's name."""
    names, batch, parsed, _ = _scored(library, query)
    zero_shot = zero_shot_scores(parsed, batch, reference_class_matrix(semantic_space()))
    ranking = [names[i] for i in np.argsort(-zero_shot)]
    assert ranking[0] == photo
    assert zero_shot[names.index(photo)] > zero_shot[names.index(ranking[1])] + 0.1
    assert reference_class_matrix(semantic_space()) is reference_class_matrix(semantic_space())


def test_exact_keyword_hit_survives_a_long_query(library):
    names, _, _, scored = _scored(library, "espresso on a wooden table")
    ranking = [names[i] for i in np.argsort(-scored.scores)]
    assert ranking[0] == "coffee.jpg"


def test_place_only_photo_found_by_its_place(library):
    names, _, _, scored = _scored(library, "tokyo")
    assert names[int(np.argmax(scored.scores))] == "x.jpg"


def test_mtn_weighs_modalities_by_intent(library):
    _, _, _, metadata = _scored(library, "paris 2019")
    _, _, _, visual = _scored(library, "dog")
    assert metadata.modality[:, 1].mean() > 0.7  # language
    assert visual.modality[:, 1].mean() < 0.5
    assert np.allclose(metadata.modality.sum(axis=1), 1.0)


def _rank_with_sims(query: str, region_sims: torch.Tensor) -> torch.Tensor:
    """Scores of photos whose regions match each query word as given (B, T, R) and whose one
    keyword matches nothing, under the shipped model."""
    parsed = parse_query(query, semantic_space())
    b = region_sims.shape[0]
    with torch.no_grad():
        scores = default_model().rank(
            torch.from_numpy(parsed.weights), torch.from_numpy(parsed.token_intents),
            torch.from_numpy(parsed.spread), region_sims, torch.zeros(b, len(parsed.tokens), 1), torch.ones(b, 1),
            torch.zeros(b, 1, dtype=torch.long), torch.ones(b, 1),
        )[0]  # fmt: skip
    return scores


def test_scenery_is_looked_for_across_the_photo_and_a_thing_where_it_is():
    """A snowfield is snow in every region; a white wall in one region is not: "snow" prefers
    the photo that matches fairly everywhere, "cup" the one that matches sharply in one place."""
    sims = torch.zeros(2, 1, 10)
    sims[0, 0, 0] = 0.8  # photo 0: one region matches strongly
    sims[1, 0, :] = 0.5  # photo 1: every region matches fairly
    snow, cup = _rank_with_sims("snow", sims), _rank_with_sims("cup", sims)
    assert snow[1] > snow[0] + 0.02
    assert cup[0] > cup[1] + 0.1


def test_mtn_weighs_each_word_of_a_mixed_query_by_its_own_kind():
    """In "dog paris" the dog is looked for in the pixels, Paris in the keywords: a photo
    that looks like a dog gains more than one whose pixels happen to resemble "paris"."""
    assert [t.intent for t in parse_query("dog paris", semantic_space()).tokens] == [
        "thing", "place",
    ]  # fmt: skip
    sims = torch.zeros(3, 2, 10)
    sims[1, 0] = 0.6  # photo 1: every region looks like a dog
    sims[2, 1] = 0.6  # photo 2: every region resembles the word "paris"
    plain, dog_like, paris_like = _rank_with_sims("dog paris", sims).tolist()
    assert dog_like - plain > 1.5 * (paris_like - plain) > 0
    # a query of one kind of word is weighed as the paper's per-query MTN weighs it (while
    # MTN's evidence weights are 0, as shipped: fine-tuning may move them)
    assert not default_model().mtn_evidence.detach().any()
    one_kind = torch.zeros(2, 2, 10)
    one_kind[1, 0] = 0.6
    single = _rank_with_sims("dog cat", one_kind)
    model = default_model()
    parsed = parse_query("dog cat", semantic_space())
    with torch.no_grad():
        p_visual = torch.sigmoid(
            torch.from_numpy(parsed.intent) @ model.mtn_intent + model.mtn_bias
        )
    expected_gain = p_visual * 0.6 * float(parsed.weights[0])
    assert float(single[1] - single[0]) == pytest.approx(float(expected_gain), rel=1e-4)


def test_parameters_load_only_plain_arrays(tmp_path: Path):
    model = default_model()
    evil = tmp_path / "evil.npz"
    np.savez(evil, beta=np.array([object()], dtype=object))  # needs pickle to load
    with pytest.raises(AmcError):
        load_params(model, evil)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, beta=np.zeros(3, np.float32))
    with pytest.raises(AmcError, match="shape"):
        load_params(model, wrong)


def test_a_class_residual_learned_on_the_old_bridge_is_reset_with_a_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """Saved before VAN used the reference's class vectors: no bridge marker. The residual
    is dropped (it corrected other vectors), everything else loads; a new save round-trips."""
    import torch

    model = default_model()
    old = tmp_path / "old.npz"
    residual = np.full((1000, model.config.dim), 0.01, np.float32)
    np.savez(old, class_residual=residual, beta=np.array(2.0, np.float32))
    with caplog.at_level("WARNING"):
        load_params(model, old)
    assert "older visual bridge" in caplog.text
    assert float(model.class_residual.detach().abs().max()) == 0.0
    assert float(model.beta.detach()) == 2.0
    with torch.no_grad():
        model.class_residual.fill_(0.02)
    new = tmp_path / "new.npz"
    save_params(model, new)
    fresh = default_model()
    load_params(fresh, new)
    assert torch.allclose(fresh.class_residual, model.class_residual)


# ---------------------------------------------------------------- learning from clicks

SWAPS = {  # query -> the photo the (simulated) user keeps in a folder of that name
    "cat": "coffee", "coffee": "rocket", "dog": "astronaut", "rocket": "chelsea_cat",
    "astronaut": "dog_bicycle_truck", "espresso": "chelsea_cat", "kitty": "rocket",
    "bicycle": "coffee", "spaceship": "dog_bicycle_truck",
}  # fmt: skip


@pytest.fixture(scope="module")
def folder_user(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library whose owner files photos by what they mean to them, not what they show."""
    root = tmp_path_factory.mktemp("clicks")
    photos = root / "photos"
    for name in ("coffee", "rocket", "astronaut", "chelsea_cat", "dog_bicycle_truck"):
        (photos / "Unsorted").mkdir(parents=True, exist_ok=True)
        shutil.copy(PHOTOS / f"{name}.jpg", photos / "Unsorted" / f"{name}.jpg")
    for query, name in SWAPS.items():
        (photos / query.title()).mkdir()
        with Image.open(PHOTOS / f"{name}.jpg") as image:  # re-encoded: a distinct file
            image.rotate(180).save(photos / query.title() / "IMG_0042.jpg", quality=80)
    with Library(root / "lib") as library:
        folders = library.add_folders([str(photos)])
        for _ in library.index(folders, analyzer=default_tagger(ocr=False)):
            pass
        rows = library.catalog.photo_rows()
        for query in SWAPS:
            target = next(int(r["id"]) for r in rows if f"/{query.title()}/" in str(r["path"]))  # type: ignore[call-overload]
            library.catalog.record_click(query, target, "open")
    return root / "lib"


def test_fine_tuning_on_clicks_helps_held_out_searches(folder_user: Path):
    progress = list(improve_from_clicks(folder_user, threading.Event()))
    final = progress[-1]
    assert final.finished and final.kept, final.message
    assert final.after > final.before + 0.05
    assert user_params_path(folder_user).is_file()
    assert reset_to_default(folder_user) and not user_params_path(folder_user).is_file()


def test_fine_tuning_never_keeps_worse_parameters(tmp_path: Path, folder_user: Path):
    lib = tmp_path / "lib"
    shutil.copytree(folder_user, lib)
    with Library(lib) as library:
        library.catalog.clear_clicks()
        rows = [int(r["id"]) for r in library.catalog.photo_rows()]  # type: ignore[call-overload]
        rng = np.random.default_rng(0)
        for i, query in enumerate(["red", "blue", "sky", "car", "tree", "house", "sea", "snow"]):
            library.catalog.record_click(
                query, int(rng.choice(rows)), "inspect" if i % 2 else "open"
            )
    final = list(improve_from_clicks(lib))[-1]
    # judged from outside: the ranking now in use, on the held-out clicks the trainer kept aside
    config = TrainConfig()
    with Library(lib) as library:
        examples = load("user", None, library.catalog).examples
        held_out = split_examples(examples, 0.3, config.seed)[1]
        data = RankingData(library, held_out, semantic_space(), seed=config.seed)
        assert evaluate(model_for_library(lib), data) >= final.before - 1e-6
    assert user_params_path(lib).is_file() == final.kept


def test_too_few_clicks_is_explained(tmp_path: Path, folder_user: Path):
    lib = tmp_path / "lib"
    shutil.copytree(folder_user, lib)
    with Library(lib) as library:
        library.catalog.clear_clicks()
    final = list(improve_from_clicks(lib))[-1]
    assert final.finished and not final.kept and "needs clicks" in final.message


def test_the_scene_probe_reaches_van_as_region_evidence(library):
    """After each region's posteriors come the probe's likeliest scene words (ids N + s) at
    their probability; VAN mixes them into the region, the training-free reference does not."""
    from amc_core.describe.scene_probe import default_scene_probe
    from amc_core.store.batch import SCENE_K, TOP_K

    probe = default_scene_probe()
    assert probe is not None
    names, batch, parsed, _ = _scored(library, "sky")
    ids, probs = batch.region_ids[..., TOP_K:], batch.region_probs[..., TOP_K:]
    assert ids.shape[-1] == SCENE_K
    assert ((ids >= 1000) & (ids < 1000 + len(probe.words))).all()
    assert ((probs >= 0) & (probs <= 1)).all()
    sky = probe.words.index("sky")
    rocket = names.index("rocket.jpg")  # a launch against a dusk sky
    has_sky = (ids[rocket] == 1000 + sky) & (probs[rocket] > 0.5)
    assert has_sky.any(axis=-1).sum() >= 2  # sky is among the likeliest words of its regions
    coffee = names.index("coffee.jpg")
    assert not ((ids[coffee] == 1000 + sky) & (probs[coffee] > 0.5)).any()
    # a model whose bridge stops at the classes (made before the probe) ignores the entries
    plain = AMC(torch.from_numpy(reference_class_matrix(semantic_space())))
    assert np.isfinite(score_torch(plain, parsed, batch).scores).all()


def test_people_vouch_where_they_are_in_the_photo():
    """A face stands for "person" in the regions holding its centre; a person seen whole in
    those holding at least BODY_SHARE of their box (a standing figure: a column of cells),
    one filling the frame (or a box of no size) in those holding its centre; each also in the
    whole photo, and at its own confidence."""
    from amc_core.store.batch import N_REGIONS, SCENE_K, TOP_K, _put_people

    person = 1000

    def vouched(faces: dict, bodies: dict) -> list[list[float]]:
        ids = np.zeros((1, N_REGIONS, TOP_K + SCENE_K), np.int64)
        probs = np.zeros((1, N_REGIONS, TOP_K + SCENE_K), np.float32)
        _put_people(faces, bodies, [7], ids, probs, person)
        return [round(float(probs[0, r][ids[0, r] == person].max(initial=0)), 2)
                for r in range(N_REGIONS)]  # fmt: skip

    face = vouched({7: [(0.05, 0.05, 0.1, 0.1, 0.9)]}, {})  # top-left corner
    assert face == [0.9, 0, 0, 0, 0, 0, 0, 0, 0, 0.9]
    walker = vouched({}, {7: [(0.23, 0.16, 0.27, 0.8, 0.7)]})  # dv026's walker, left of centre
    assert [r for r in range(9) if walker[r]] == [3, 4, 6, 7] and walker[9] == 0.7
    filling = vouched({}, {7: [(0.1, 0.0, 0.8, 1.0, 0.6)]})  # no window holds 0.3 of them
    assert [r for r in range(9) if filling[r]] == [4] and filling[9] == 0.6
    nothing = vouched({}, {7: [(0.5, 0.5, 0.0, 0.0, 0.6)]})
    assert [r for r in range(9) if nothing[r]] == [4]


def test_the_bridge_mixes_probe_words_as_they_are_and_ignores_ids_it_does_not_know():
    from amc_core.search.bridge import Bridge

    rng = np.random.default_rng(1)
    table = rng.normal(size=(5, 8)).astype(np.float32)
    table /= np.linalg.norm(table, axis=1, keepdims=True)
    bridge = Bridge(table, temperature=6.0, flattened=3)  # rows 3 and 4: probe words
    ids = np.array([[[0, 3, 7]]])  # a class, a probe word, and a word of a newer probe
    probs = np.array([[[0.5, 0.4, 0.9]]], np.float32)
    flat = np.array([0.5 ** (1 / 6), 0.4, 0.0], np.float32)
    mix = flat[0] * table[0] + flat[1] * table[3]
    np.testing.assert_allclose(
        bridge.region_weights(ids, probs)[0, 0], flat / np.linalg.norm(mix), rtol=1e-5
    )
    assert bridge.known_ids(ids)[0, 0].tolist() == [0, 3, 0]


def test_the_bridge_keeps_each_photos_norms_while_its_posteriors_stay():
    """Search reuses a photo's region norms from its last search, giving exactly what taking
    them afresh gives, in any order and batch; a photo whose posteriors changed since (indexed
    again, or given faces) gets new ones."""
    from amc_core.search.bridge import Bridge

    rng = np.random.default_rng(2)
    table = rng.normal(size=(50, 8)).astype(np.float32)
    bridge = Bridge(table, temperature=6.0)
    ids = rng.integers(0, 50, (6, 10, 4))
    probs = rng.random((6, 10, 4)).astype(np.float32)
    photos = [11, 3, 500, 7, 42, 9]
    fresh = bridge.region_weights(ids, probs)
    assert np.array_equal(bridge.region_weights(ids, probs, photos), fresh)
    order = [4, 0, 5]
    kept = bridge.region_weights(ids[order], probs[order], [photos[i] for i in order])
    assert np.array_equal(kept, fresh[order])
    probs[1, 2, 0] *= 0.5  # photo 3 analysed again
    changed = bridge.region_weights(ids, probs, photos)
    assert np.array_equal(changed, bridge.region_weights(ids, probs))
    assert not np.allclose(changed[1, 2], fresh[1, 2])
    far = bridge.region_weights(ids[:1], probs[:1], [10**9])  # an id too large to keep: computed
    assert np.array_equal(far, fresh[:1])


# ---------------------------------------------------------------- export


def test_search_scores_real_photos_as_the_torch_model_does(library):
    """The shipped graph, fed region weights from its bridge, ranks the real photos exactly
    as AMC in torch ranks them from the raw posteriors."""
    from amc_core.resources import resources_dir
    from amc_core.runtime import SessionFactory
    from amc_core.search.rerank import OnnxRanker

    models = resources_dir() / "models"
    ranker = OnnxRanker(SessionFactory(prefer_gpu=False), models, models)
    for query in ("dog on a bicycle", "espresso", "cat in paris 2019", "rocket launch"):
        _, batch, parsed, torch_scores = _scored(library, query)
        graph = ranker.score(parsed, batch)
        assert np.abs(graph.scores - torch_scores.scores).max() < 1e-4, query
        assert np.argsort(-graph.scores).tolist() == np.argsort(-torch_scores.scores).tolist()
        assert np.abs(graph.region_attention - torch_scores.region_attention).max() < 1e-4
        assert np.abs(graph.modality - torch_scores.modality).max() < 1e-4
        assert np.abs(graph.word_visual - torch_scores.word_visual).max() < 1e-4
        assert graph.word_visual.shape == (len(batch), len(parsed.tokens))


def test_onnx_export_matches_torch(tmp_path: Path):
    pytest.importorskip("onnxscript")
    from amc_core.learn.export import build

    result = build(tmp_path)
    assert result["parity_max_abs_diff"] < 1e-4
    assert {p.name for p in tmp_path.iterdir()} >= {
        "amc_head.onnx",
        "amc_bridge.npz",
        "amc_query.onnx",
        "amc_params.npz",
    }
    assert (tmp_path / "amc_params.npz").stat().st_size < 100_000
    # what ships is what the code builds (no hand-kept parameters): the same parameters and
    # bridge, and graphs that compute the same (on this machine the very same bytes; another
    # CPU's float kernels may move the fitted MTN weights in their seventh digit)
    shipped = resources_dir() / "models"
    for name in ("amc_params.npz", "amc_bridge.npz"):
        with np.load(tmp_path / name) as built, np.load(shipped / name) as kept:
            assert sorted(built.files) == sorted(kept.files), name
            for key in built.files:
                a, b = built[key], kept[key]
                same = np.allclose(a, b, atol=1e-5) if a.dtype.kind == "f" else np.array_equal(a, b)
                assert same, (name, key)
    for name, feeds in _graph_feeds(shipped).items():
        sessions = [ort.InferenceSession(str(d / name)) for d in (tmp_path, shipped)]
        built_out, kept_out = (s.run(None, feeds) for s in sessions)
        for a, b in zip(built_out, kept_out, strict=True):
            assert np.allclose(a, b, atol=1e-5), name


def _graph_feeds(models: Path) -> dict[str, dict[str, np.ndarray]]:
    """Inputs for the head graph (region weights from its bridge) and the query encoder."""
    from amc_core.learn.export import example_head_inputs, head_feeds
    from amc_core.search.bridge import Bridge

    bridge = Bridge.load(models / "amc_bridge.npz")
    head = head_feeds(example_head_inputs(3, 16, 40, 256, seed=5, rows=bridge.n_rows), bridge)
    words = np.random.default_rng(5).standard_normal((4, 256)).astype(np.float32)
    return {"amc_head.onnx": head, "amc_query.onnx": {"word_vectors": words}}


def test_query_finds_place_names_with_small_words_and_accents():
    """Stop words inside a place name, and accents, do not break it into pieces."""
    space = semantic_space()
    texts = [t.text for t in parse_query("beach in Rio de Janeiro", space).tokens]
    assert texts == ["beach", "rio de janeiro"]
    assert [t.intent for t in parse_query("São Paulo", space).tokens] == ["place"]


def test_shipped_query_encoder_agrees_with_the_shipped_word_vectors():
    """amc_query.onnx carries the centre of the word-vector space: rebuilding the vectors
    without re-exporting it would move queries away from the keywords they should meet."""
    from amc_core.resources import resources_dir
    from amc_core.runtime import SessionFactory
    from amc_core.search.rerank import OnnxRanker
    from amc_core.search.terms import centre_and_normalise

    space = semantic_space()
    models = resources_dir() / "models"
    shipped = OnnxRanker(SessionFactory(prefer_gpu=False), models, models).encode_query
    raw = space.vectors.matrix(["beach", "paris", "grandma", "2019"]).astype(np.float32)
    for got, want in zip(shipped(raw), centre_and_normalise(space)(raw), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_eval_gives_each_query_kind_its_own_interval():
    """`amc eval` reports, kind by kind, whether full AMC is really ahead of or behind the
    reference: a gap on a handful of queries whose interval holds 0 is not a finding."""
    from amc_core.learn.devset import Judged
    from amc_core.learn.evaluate import by_kind_intervals

    queries = [Judged(f"q{i}", "x", "visual", {}, "objects" if i < 6 else "scenes")
               for i in range(30)]  # fmt: skip
    rng = np.random.default_rng(0)
    reference = rng.random(30)
    full = reference.copy()
    full[:6] += 0.2  # better on every object query
    full[6:] += rng.normal(0.0, 0.2, 24)  # noise on the scene queries
    intervals = by_kind_intervals(full, reference, queries, rounds=2000)
    mean, low, high = intervals["objects"]
    assert mean == pytest.approx(0.2) and low > 0.19
    mean, low, high = intervals["scenes"]
    assert low < mean < high and high - low > 0.1


@pytest.mark.parametrize(
    ("query", "intents"),
    [
        ("forest", ["thing"]),  # also a town of 55k in Belgium
        ("red brick house", ["colour", "thing", "thing"]),  # Brick, New Jersey
        ("orange flower", ["colour", "thing"]),  # Orange, California: 140k people
        ("old coins", ["other", "thing"]),
        ("seaside", ["thing"]),
        ("paris", ["place"]),
        ("forest switzerland", ["thing", "place"]),
        ("two men", ["people"]),  # the Isle of Man is a major place; a count is no content
        ("bay", ["thing"]),
        ("sydney harbour bush", ["place", "thing", "thing"]),
        ("swimming pool", ["thing", "thing"]),  # Pool, a region
        ("police car", ["other", "thing"]),  # Police, Poland
        ("young girl", ["other", "people"]),  # Young, Uruguay
        ("phoenix", ["place"]),  # the bird is rare in writing: the city stays
        ("turkey", ["place"]),  # countries always stay places
        ("apple", ["thing"]),  # the fruit, though Apple makes cameras: not only iPhone photos
        ("iphone", ["camera"]),
    ],
)
def test_everyday_visual_words_are_things_not_small_towns(query, intents):
    """A word for what a photo shows that ImageNet has no class for is read as a visible
    thing (MTN then leans on the picture), not as the small town it also names."""
    assert [t.intent for t in parse_query(query, semantic_space()).tokens] == intents
