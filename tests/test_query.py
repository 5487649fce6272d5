"""The query text, split once: phrases stay whole through ranking, filter values may be quoted,
and the keyword fallback compares words in the forms keywords are stored in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from amc_core.describe.tagging import default_tagger
from amc_core.index.library import Library
from amc_core.search.engine import SearchEngine
from amc_core.search.fallback import KeywordSearchEngine
from amc_core.search.query import QueryError, QueryPart, parse
from amc_core.search.results import SearchResponse
from amc_core.search.terms import default_lexicon, parse_query
from amc_core.words.space import semantic_space
from photo_factory import write_photo

PHOTOS = Path(__file__).parent / "data" / "photos"


def test_filters_take_quoted_values() -> None:
    query = parse('beach place:"New York" folder:"Grandma 80th" camera:iphone')
    assert query.places == ["new york"]
    assert query.folders == ["grandma 80th"]
    assert query.cameras == ["iphone"]
    assert query.text == "beach"  # no stray `york"` or `80th"` among the words that rank


def test_an_unknown_quoted_filter_says_so() -> None:
    with pytest.raises(QueryError, match="unknown filter 'album:'"):
        parse('album:"summer 2019"')


def test_a_quoted_phrase_stays_one_token_through_ranking() -> None:
    query = parse('"red car" parking')
    assert query.parts == [QueryPart("red car", phrase=True), QueryPart("parking")]
    assert [p.folded for p in parse('Cafés "New-York"').parts] == ["cafes", "new york"]
    space = semantic_space()
    quoted = parse_query(query, space)
    assert [t.text for t in quoted.tokens] == ["red car", "parking"]
    assert quoted.tokens[0].words == ["red", "car"]  # its candidates must hold both words
    unquoted = parse_query(parse("red car parking"), space)
    assert [t.text for t in unquoted.tokens] == ["red", "car", "parking"]
    # one token for the phrase: its vector is the phrase's, weighed as one of two terms
    assert quoted.vectors.shape[0] == 2 and unquoted.vectors.shape[0] == 3


def test_free_words_keep_their_phrases_and_lemmas() -> None:
    parsed = parse_query(parse("dogs in rio de janeiro"), semantic_space())
    assert [t.text for t in parsed.tokens] == ["dog", "rio de janeiro"]


def test_emoji_are_read_as_their_words() -> None:
    """A phone keyboard offers emoji first: they rank, exclude and quote as their words."""
    words = [part.folded for part in parse("🐶 🏖️ 🇫🇷 👩🏽‍🦰").parts]
    assert words == ["dog", "beach with umbrella", "france", "woman red hair"]
    query = parse('🐱 -🐶 "🍕"')
    assert query.excluded == ["dog"] and query.phrases == ["slice of pizza"]
    assert [t.text for t in parse_query("🐶", semantic_space()).tokens] == ["dog"]
    assert parse("café").parts[0].folded == "cafe"  # other letters are not emoji


def test_words_about_the_picture_do_not_rank() -> None:
    """Every photo is a photo: "photo", "close-up" or "beautiful" name nothing a photo shows
    and would take a share of the query's weight from what does."""
    space = semantic_space()
    for typed in ("a close-up photo of dogs", "Beautiful pictures of my dog", "dog close up"):
        assert [t.text for t in parse_query(parse(typed), space).tokens] == ["dog"], typed
    # ...unless that is all there is, or the user quoted them, or a folder is named so
    assert [t.text for t in parse_query(parse("photos"), space).tokens] == ["photo"]
    assert [t.text for t in parse_query(parse('"nice" dog'), space).tokens] == ["nice", "dog"]
    lexicon = default_lexicon().with_folder_words({"picture"})
    in_folder = parse_query(parse("pictures of dogs"), space, lexicon)
    assert [t.text for t in in_folder.tokens] == ["picture", "dog"]


NEW_YORK = (40.7128, -74.0060)


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("query")
    for src, dst in (("dog_bicycle_truck", "Walks/IMG_0100.jpg"), ("coffee", "Cafe/x.jpg")):
        (root / "photos" / dst).parent.mkdir(parents=True, exist_ok=True)
        with Image.open(PHOTOS / f"{src}.jpg") as image:
            image.save(root / "photos" / dst, quality=90)
    write_photo(root / "photos" / "Grandma 80th" / "IMG_0200.jpg", seed=7, gps=NEW_YORK)
    write_photo(root / "photos" / "Grandma 90th" / "IMG_0300.jpg", seed=8)  # not "grandma 80th"
    with Library(root / "lib") as library:
        folders = library.add_folders([str(root / "photos")])
        for _ in library.index(folders, analyzer=default_tagger(ocr=False)):
            pass
    return root / "lib"


@pytest.fixture(scope="module")
def engine(small_library: Path) -> Iterator[SearchEngine]:
    with SearchEngine(small_library) as engine:
        engine.preload()
        yield engine


def _names(response: SearchResponse) -> list[str]:
    assert response.error is None, response.error
    return [Path(r.path).name for r in response.results]


@pytest.mark.parametrize("typed", [
    'place:"new york"', 'place:"New York"', 'folder:"grandma 80th"', 'folder:"Grandma 80th"',
    'place:"new york" folder:"grandma 80th"',
])  # fmt: skip
def test_a_quoted_filter_value_finds_its_photo(
    engine: SearchEngine, small_library: Path, typed: str
) -> None:
    assert _names(engine.search(typed)) == ["IMG_0200.jpg"]
    fallback = KeywordSearchEngine(small_library)
    try:
        assert _names(fallback.search(typed)) == ["IMG_0200.jpg"]
    finally:
        fallback.close()


def test_a_quoted_phrase_is_scored_as_one_term(engine: SearchEngine, small_library: Path) -> None:
    """The head weighs "red car" as one term with its own vector, not as "red" and "car":
    the same photo scores differently, and typing the quotes again changes nothing."""
    photo = engine.photo_id(str(small_library.parent / "photos" / "Walks" / "IMG_0100.jpg"))
    quoted = engine.explain('"red car"', photo)
    assert quoted.score != pytest.approx(engine.explain("red car", photo).score, abs=1e-6)
    assert quoted.score == pytest.approx(engine.explain('"Red  Car"', photo).score, abs=1e-6)


def test_a_photo_of_a_dog_is_searched_as_a_dog(engine: SearchEngine) -> None:
    dog = engine.search("dog")
    assert [(r.path, r.score) for r in engine.search("a nice photo of a dog").results] == [
        (r.path, r.score) for r in dog.results
    ]
    assert _names(dog)[:1] == ["IMG_0100.jpg"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("dog", "IMG_0100.jpg"), ("dogs", "IMG_0100.jpg"), ("Dogs", "IMG_0100.jpg"),
    ("cafe", "x.jpg"), ("Cafés", "x.jpg"), ("CAFE", "x.jpg"),
])  # fmt: skip
def test_the_keyword_fallback_finds_stored_forms(
    small_library: Path, typed: str, expected: str
) -> None:
    engine = KeywordSearchEngine(small_library)
    try:
        response = engine.search(typed)
    finally:
        engine.close()
    assert _names(response)[:1] == [expected]


def test_orientation_is_a_filter_read_from_the_photo_size() -> None:
    from amc_core.search.filters import filtered_ids
    from amc_core.store.catalog import Catalog
    from amc_core.store.records import PhotoRow

    assert parse("orientation:vertical").orientations == ["portrait"]
    with pytest.raises(QueryError, match="orientation:portrait"):
        parse("orientation:diagonal")
    with Catalog.open(None) as catalog:
        folder = catalog.add_folder("/p")
        sizes = {"tall": (3000, 4000), "wide": (4000, 3000), "square": (1080, 1080)}
        ids = dict(zip(sizes, catalog.write_photos([
            PhotoRow(f"/p/{name}.jpg", folder.id, 1, 1, "ok", width=w, height=h)
            for name, (w, h) in sizes.items()
        ]), strict=True))  # fmt: skip
        for name, orientation in (("tall", "portrait"), ("wide", "landscape"),
                                  ("square", "square")):  # fmt: skip
            assert filtered_ids(catalog, parse(f"orientation:{orientation}")) == {ids[name]}
