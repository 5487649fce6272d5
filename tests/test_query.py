"""The query text, split once: phrases stay whole through ranking, filter values may be quoted,
and the keyword fallback compares words in the forms keywords are stored in."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from amc_core.describe.tagging import default_tagger
from amc_core.index.library import Library
from amc_core.search.fallback import KeywordSearchEngine
from amc_core.search.query import QueryError, QueryPart, parse
from amc_core.search.terms import parse_query
from amc_core.words.space import semantic_space

PHOTOS = Path(__file__).parent / "data" / "photos"


def test_filters_take_quoted_values() -> None:
    query = parse('beach place:"New York" folder:"Grandma 80th" camera:iphone')
    assert query.places == ["new york"]
    assert query.folders == ["grandma 80th"]
    assert query.cameras == ["iphone"]
    assert query.text == "beach"  # no stray `york"` or `80th"` among the words that rank


def test_an_unknown_quoted_filter_says_so() -> None:
    with pytest.raises(QueryError, match="unknown filter 'person:'"):
        parse('person:"anna smith"')


def test_a_quoted_phrase_stays_one_token_through_ranking() -> None:
    query = parse('"red car" parking')
    assert query.parts == [QueryPart("red car", phrase=True), QueryPart("parking")]
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


@pytest.fixture(scope="module")
def fallback_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fallback")
    for src, dst in (("dog_bicycle_truck", "Walks/IMG_0100.jpg"), ("coffee", "Cafe/x.jpg")):
        (root / "photos" / dst).parent.mkdir(parents=True, exist_ok=True)
        with Image.open(PHOTOS / f"{src}.jpg") as image:
            image.save(root / "photos" / dst, quality=90)
    with Library(root / "lib") as library:
        folders = library.add_folders([str(root / "photos")])
        for _ in library.index(folders, analyzer=default_tagger(ocr=False)):
            pass
    return root / "lib"


@pytest.mark.parametrize(("typed", "expected"), [
    ("dog", "IMG_0100.jpg"), ("dogs", "IMG_0100.jpg"), ("Dogs", "IMG_0100.jpg"),
    ("cafe", "x.jpg"), ("Cafés", "x.jpg"), ("CAFE", "x.jpg"),
])  # fmt: skip
def test_the_keyword_fallback_finds_stored_forms(
    fallback_library: Path, typed: str, expected: str
) -> None:
    engine = KeywordSearchEngine(fallback_library)
    try:
        response = engine.search(typed)
    finally:
        engine.close()
    assert response.error is None
    assert [Path(r.path).name for r in response.results][:1] == [expected]
