"""The search engine on a small built library: candidates, filters, exclusions, explanations."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from amc_core.describe.tagging import default_tagger
from amc_core.index.library import Library
from amc_core.search.engine import SearchEngine
from amc_core.store.records import PhotoRow
from amc_core.store.vector_index import VectorIndex
from amc_core.words.keyword import Keyword
from photo_factory import exif_bytes, write_photo

PHOTOS = Path(__file__).parent / "data" / "photos"


def _save(src: str, dst: Path, **exif: object) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(PHOTOS / f"{src}.jpg") as image:
        image.save(dst, quality=90, exif=exif_bytes(**exif) if exif else b"")  # type: ignore[arg-type]
    return dst


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("search")
    photos = root / "photos"
    _save("chelsea_cat", photos / "Holidays" / "Paris 2019" / "IMG_0001.jpg",
          taken=datetime(2019, 7, 14, 16, 0), gps=(48.8566, 2.3522), make="Canon",
          model="Canon EOS 80D")  # fmt: skip
    _save("coffee", photos / "Cafe" / "espresso.jpg", taken=datetime(2021, 3, 2, 9, 0),
          make="Apple", model="iPhone 12")  # fmt: skip
    _save("dog_bicycle_truck", photos / "Walks" / "IMG_0100.jpg", taken=datetime(2018, 7, 1, 12))
    _save("rocket", photos / "Space" / "launch.jpg")
    _save("astronaut", photos / "Space" / "portrait.jpg")
    write_photo(photos / "Misc" / "IMG_7777.jpg", seed=5, gps=(35.6762, 139.6503))  # Tokyo only
    with Image.open(PHOTOS / "coffee.jpg") as image:  # a re-encoded copy, for "similar"
        image.resize((300, 200)).save(photos / "Misc" / "copy.jpg", quality=70)
    lib = root / "lib"
    with Library(lib) as library:
        folders = library.add_folders([str(photos)])
        for _ in library.index(folders, analyzer=default_tagger(ocr=False)):
            pass
    return lib, photos


@pytest.fixture(scope="module")
def engine(built: tuple[Path, Path]) -> SearchEngine:
    engine = SearchEngine(built[0])
    engine.preload()
    return engine


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.error is None, response.error
    return [Path(r.path).name for r in response.results]


def test_visual_query_ranks_the_right_photo_first(engine):
    assert names(engine.search("kitty"))[0] == "IMG_0001.jpg"
    assert names(engine.search("espresso"))[0] in {"espresso.jpg", "copy.jpg"}
    assert names(engine.search("dog on a bicycle"))[0] == "IMG_0100.jpg"
    assert names(engine.search("🐶"))[0] == "IMG_0100.jpg"  # emoji rank as their words
    assert names(engine.search("🚀"))[0] == "launch.jpg"


def test_photo_found_only_by_its_gps_place(engine):
    assert names(engine.search("tokyo"))[0] == "IMG_7777.jpg"
    assert names(engine.search("japan"))[0] == "IMG_7777.jpg"


def test_minus_word_removes(engine):
    assert "espresso.jpg" in names(engine.search("coffee"))
    assert "espresso.jpg" not in names(engine.search("coffee -cafe"))  # its folder
    assert "IMG_0001.jpg" not in names(engine.search("animal -cat"))
    assert "IMG_0001.jpg" not in names(engine.search('animal -"cats"'))  # as stored: "cat"


def test_filters_filter(engine):
    assert names(engine.search("year:2019")) == ["IMG_0001.jpg"]
    assert set(names(engine.search("month:july"))) == {"IMG_0001.jpg", "IMG_0100.jpg"}
    assert names(engine.search("place:paris")) == ["IMG_0001.jpg"]
    assert set(names(engine.search("folder:space"))) == {"launch.jpg", "portrait.jpg"}
    assert names(engine.search("camera:iphone")) == ["espresso.jpg"]
    assert set(names(engine.search("after:2019-01-01"))) == {"IMG_0001.jpg", "espresso.jpg"}
    assert names(engine.search("before:2019")) == ["IMG_0100.jpg"]
    assert names(engine.search("animal year:2018")) == ["IMG_0100.jpg"]
    assert names(engine.search("place:paris year:2019")) == ["IMG_0001.jpg"]
    assert names(engine.search("place:paris year:2018")) == []
    assert names(engine.search("place:holidays")) == []  # a folder word, not a place
    assert names(engine.search("place:Pàris")) == ["IMG_0001.jpg"]  # accents fold as stored
    assert names(engine.search('"paris 2019"')) == ["IMG_0001.jpg"]


def test_query_language_reads_words_phrases_exclusions_and_filters():
    from datetime import date

    from amc_core.search.query import QueryError, parse

    query = parse('dog "new york" -cat year:2019 month:7 before:2020-01-01 after:2019-06')
    assert (query.text, query.phrases, query.excluded) == ("dog new york", ["new york"], ["cat"])
    assert (query.years, query.months) == ([2019], [7])
    assert (query.before, query.after) == (date(2020, 1, 1), date(2019, 6, 1))
    for bad, words in (
        ("year:20x9", "not a year"),
        ("month:smarch", "not a month"),
        ("after:yesterday", "not a date"),
        ("colour:red", "unknown filter"),
    ):
        with pytest.raises(QueryError, match=words):
            parse(bad)


def test_keyword_fallback_answers_the_query_language_as_the_engine_does(built):
    """Without the AMC models the app searches by keywords: same filters, same words."""
    from amc_core.search.fallback import KeywordSearchEngine

    fallback = KeywordSearchEngine(built[0])
    try:
        assert names(fallback.search("year:2019")) == ["IMG_0001.jpg"]
        assert names(fallback.search("place:paris")) == ["IMG_0001.jpg"]
        assert set(names(fallback.search("after:2019-06"))) == {"IMG_0001.jpg", "espresso.jpg"}
        assert "espresso.jpg" in names(fallback.search("coffee"))
        assert "espresso.jpg" not in names(fallback.search("coffee -cafe"))
        assert "year:20x9" in (fallback.search("cat year:20x9").error or "")
        # the same ranking words as the engine: every photo lies under a folder "photos",
        # yet "a photo of a rocket" is the rocket's photos, not the whole library
        assert names(fallback.search("a photo of a rocket")) == names(fallback.search("rocket"))
        assert "launch.jpg" in names(fallback.search("rocket"))
        assert len(names(fallback.search("rocket"))) < len(names(fallback.search("photos")))
    finally:
        fallback.close()


def test_malformed_filter_is_a_message_not_an_empty_result(engine):
    response = engine.search("cat year:20x9")
    assert response.error and "year:20x9" in response.error and not response.results
    assert "unknown filter" in (engine.search("colour:red").error or "")


def test_results_explain_themselves(engine):
    top = engine.search("paris").results[0]
    assert top.language_weight > 0.6 and abs(top.visual_weight + top.language_weight - 1) < 1e-5
    assert top.keywords[0].keyword == "paris" and top.keywords[0].source in {"place", "folder"}
    assert len(top.region_attention) == 10 and abs(sum(top.region_attention) - 1) < 1e-4
    cat = engine.search("cat").results[0]
    assert cat.visual_weight > 0.5
    explained = engine.explain("espresso", engine.photo_id(str(top.path)))
    assert explained.score < engine.search("espresso").results[0].score
    # word by word: the cat is looked for in the picture, Paris in the keywords
    mixed = engine.search("cat paris").results[0]
    assert Path(mixed.path).name == "IMG_0001.jpg"
    assert [w.word for w in mixed.words] == ["cat", "paris"]
    assert mixed.words[0].visual > mixed.words[1].visual + 0.2
    weights = mixed.as_json()["word_weights"]
    assert [w["word"] for w in weights] == ["cat", "paris"]  # type: ignore[index]
    assert [w.word for w in cat.words] == ["cat"]


def test_similar_finds_the_copy(engine, built):
    _, photos = built
    original = engine.photo_id(str(photos / "Cafe" / "espresso.jpg"))
    assert names(engine.similar(original, 3))[0] == "copy.jpg"


def test_cli_search_explain_similar_json(built):
    lib, photos = built
    run = [sys.executable, "-m", "amc_core.cli"]
    out = subprocess.run([*run, "search", "tokyo", "--library", str(lib), "--json"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout)["results"][0]
    assert first["path"].endswith("IMG_7777.jpg") and first["modality_weights"]["language"] > 0.5
    assert any(k["keyword"] == "tokyo" and k["weight"] > 0 for k in first["keywords"])
    out = subprocess.run([*run, "explain", "tokyo", str(photos / "Misc" / "IMG_7777.jpg"),
                          "--library", str(lib), "--json"], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    explained = json.loads(out.stdout)
    assert explained["candidate_source"] in {"keywords", "vector+keywords", "vector"}
    assert len(explained["regions"]) == 10
    assert [len(w["regions"]) for w in explained["word_weights"]] == [10]
    # in words: the photo's grid, then where each word of the query was looked for
    out = subprocess.run([*run, "explain", "coffee tokyo", str(photos / "Cafe" / "espresso.jpg"),
                          "--library", str(lib)], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    first_rows = (re.match(r"\s*(\S+)\s+\d\.\d\d  \d\.\d\d  \d\.\d\d$", line)
                  for line in out.stdout.splitlines())  # fmt: skip
    grids = [row.group(1) for row in first_rows if row]
    assert grids == ["regions", "coffee", "tokyo"], out.stdout
    bad = subprocess.run([*run, "search", "month:smarch", "--library", str(lib)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert bad.returncode == 1 and "month:smarch" in bad.stderr and "Traceback" not in bad.stderr


def test_vector_index_follows_the_catalog_and_survives_damage(built, tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(built[0], lib)
    with SearchEngine(lib) as engine:
        engine.preload()
        count = len(engine._ensure_loaded()[2])
    (lib / "vectors.hnsw").write_bytes(b"garbage")
    with SearchEngine(lib) as engine:
        engine.preload()  # the damaged file is noticed and rebuilt
        assert len(engine._ensure_loaded()[2]) == count
        assert names(engine.search("tokyo"))[0] == "IMG_7777.jpg"
    with Library(lib) as library:
        victim = next(r for r in library.catalog.photo_rows() if "IMG_7777" in str(r["path"]))
        library.catalog.delete_photos([int(victim["id"])])  # type: ignore[call-overload]
    with SearchEngine(lib) as engine:
        engine.preload()
        assert "IMG_7777.jpg" not in names(engine.search("tokyo"))


def test_open_engine_sees_what_another_connection_changed(built, tmp_path):
    """The app's engine stays open while the indexer (its own connection) writes."""
    lib = tmp_path / "lib"
    shutil.copytree(built[0], lib)
    with SearchEngine(lib) as engine:
        engine.preload()
        assert engine.refresh() == (0, 0)  # nothing new
        with Library(lib) as library:
            victim = next(r for r in library.catalog.photo_rows() if "IMG_7777" in str(r["path"]))
            library.catalog.delete_photos([int(victim["id"])])  # type: ignore[call-overload]
        assert engine.refresh() == (0, 1)
        assert "IMG_7777.jpg" not in names(engine.search("tokyo"))
        assert engine.refresh() == (0, 0)


def test_ann_recall_against_brute_force(tmp_path):
    """Clustered vectors (photos are not isotropic noise): recall@100 >= 0.95 at ef=256."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(50, 64)).astype(np.float32)
    data = centres[rng.integers(0, 50, 5000)] + 0.4 * rng.normal(size=(5000, 64)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = VectorIndex(tmp_path, 64, threads=1)
    index.add(np.arange(5000), data)
    index.save()
    reloaded = VectorIndex(tmp_path, 64, threads=1)
    assert reloaded.load() and len(reloaded) == 5000
    recalls = []
    for q in data[rng.choice(5000, 30, replace=False)]:
        exact = set(np.argsort(-(data @ q))[:100].tolist())
        found = set(reloaded.search(q, 100)[0].tolist())
        recalls.append(len(exact & found) / 100)
    assert np.mean(recalls) >= 0.95


def _keyword_library(root: Path, photos: dict[str, list[Keyword]]) -> Path:
    """A library of photos known only by these keywords (no pixels: the keywords rank them)."""
    with Library(root / "lib") as library:
        folder = library.catalog.add_folder("/photos")
        library.catalog.write_photos([
            PhotoRow(f"/photos/{name}", folder.id, 10, 1, "ok", content_hash=name,
                     keywords=keywords)
            for name, keywords in photos.items()
        ])  # fmt: skip
    return root / "lib"


def test_quoted_phrase_matches_the_words_read_in_a_photo(tmp_path):
    """Text in photos is stored word by word, stop words dropped: "no parking" still finds
    the sign, while words from other sources do not make a phrase."""
    lib = _keyword_library(tmp_path, {
        "sign.jpg": [Keyword("parking", 0.99, "text"), Keyword("street", 0.6, "visual")],
        "car park.jpg": [Keyword("parking", 0.8, "visual"), Keyword("no", 0.9, "text")],
        "trip.jpg": [Keyword("paris", 1.0, "place"), Keyword("2019", 1.0, "date")],
    })  # fmt: skip
    with SearchEngine(lib) as engine:
        engine.preload()
        assert names(engine.search('"no parking"')) == ["sign.jpg"]
        assert names(engine.search('"paris 2019"')) == []  # a place and a year, not a phrase


def test_the_calendar_says_when_not_what(tmp_path):
    """A December photo's "winter" is not snow: "snow" finds the photo that shows a little
    snow, not every photo of the season; "winter" still finds the season, and the time of
    day still tells of the light ("sunset" prefers the evening)."""
    lib = _keyword_library(tmp_path, {
        "december.jpg": [Keyword("winter", 0.85, "date"), Keyword("december", 1.0, "date")],
        "snowfield.jpg": [Keyword("snow", 0.3, "scene"), Keyword("july", 1.0, "date")],
        "dusk.jpg": [Keyword("evening", 0.8, "date")],
        "noon.jpg": [Keyword("afternoon", 0.8, "date")],
    })  # fmt: skip
    with SearchEngine(lib) as engine:
        engine.preload()
        snow = names(engine.search("snow"))
        assert snow[0] == "snowfield.jpg"
        assert names(engine.search("winter"))[0] == "december.jpg"
        sunset = names(engine.search("sunset"))
        assert sunset.index("dusk.jpg") < sunset.index("noon.jpg")


def test_common_keyword_keeps_the_hits_closest_to_the_query(engine, monkeypatch):
    """When a word matches more photos than the engine takes from the full-text index, it
    takes those nearest the query, not the oldest ones."""
    import amc_core.search.engine as engine_module

    monkeypatch.setattr(engine_module, "ANN_CANDIDATES", 1)
    monkeypatch.setattr(engine_module, "KEYWORD_CANDIDATES", 1)
    # both July photos carry "july"; the cat's (IMG_0001) was indexed first
    assert names(engine.search("dog july")) == ["IMG_0100.jpg"]
    assert names(engine.search("cat july")) == ["IMG_0001.jpg"]


def test_filters_alone_keep_the_newest_when_they_allow_many(engine, built, monkeypatch):
    import amc_core.search.engine as engine_module

    both = engine.search("month:july")
    newest = max(both.results, key=lambda r: r.photo_id)
    monkeypatch.setattr(engine_module, "RERANK_MAX", 1)
    assert [r.photo_id for r in engine.search("month:july").results] == [newest.photo_id]


def test_vector_scores_from_the_8bit_copy_survive_reload_and_loss(tmp_path):
    from amc_core.store.layout import VECTOR_CODES_NAME as CODES_NAME

    rng = np.random.default_rng(1)
    data = rng.normal(size=(3000, 64)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    ids = np.arange(50, 3050)  # catalog ids need not start at 0
    index = VectorIndex(tmp_path, 64, threads=1)
    index.add(ids, data)
    query = data[7]
    exact = data @ query
    np.testing.assert_allclose(index.scores(ids, query), exact, atol=0.01)
    index.save()
    reloaded = VectorIndex(tmp_path, 64, threads=1)
    assert reloaded.load()
    np.testing.assert_allclose(reloaded.scores(ids, query), index.scores(ids, query))
    codes = bytearray((tmp_path / CODES_NAME).read_bytes())
    codes[len(codes) // 2] ^= 0xFF  # damaged in place (same size)
    (tmp_path / CODES_NAME).write_bytes(bytes(codes))
    derived = VectorIndex(tmp_path, 64, threads=1)
    assert derived.load() and len(derived) == 3000
    np.testing.assert_allclose(derived.scores(ids, query), exact, atol=0.01)
    derived.add(np.array([5000]), data[7:8])  # grows past the saved rows
    assert derived.scores(np.array([5000]), query)[0] == pytest.approx(1.0, abs=0.01)
    derived.save()
    (tmp_path / CODES_NAME).unlink()  # lost, or a library from before the copy existed
    older = VectorIndex(tmp_path, 64, threads=1)
    assert older.load() and older.unsaved  # derived from the graph, to be saved once
    np.testing.assert_allclose(older.scores(ids, query), exact, atol=0.01)


def test_damaged_model_is_one_clear_error(tmp_path):
    from amc_core.runtime import ModelError, SessionFactory, write_checksums

    model = tmp_path / "amc_head.onnx"
    shutil.copy(Path(__file__).parents[1] / "resources" / "models" / "amc_head.onnx", model)
    write_checksums(tmp_path)
    SessionFactory().create(model)  # intact: loads
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged"):
        SessionFactory().create(model)
    model.unlink()
    with pytest.raises(ModelError, match="missing"):
        SessionFactory().create(model)
