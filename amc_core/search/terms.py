"""From query text to query tokens: phrases, vectors, and the intent MTN weighs modalities by.

Each content token (a word, or a phrase such as "new york" or "grandma 80th") gets a vector in
the semantic space and an intent category. The query's intent vector is the share of its
tokens in each category. MTN reads each token's intent, half its own and half its query's,
to decide how much the picture and how much the keywords should count for that token
("paris 2019" is a language query, "dog on a sofa" a visual one, and in "dog new york" the
dog is looked for in the pixels, New York in the keywords).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache

import numpy as np

from amc_core.arrays import unit
from amc_core.search.query import Query, free_text
from amc_core.words.lexicon import lexicon_words
from amc_core.words.normalise import STOP_WORDS, normalise
from amc_core.words.space import SemanticSpace
from amc_core.words.vocabulary import (
    COLOUR_NAMES,
    EVERYDAY_VISUAL_WORDS,
    MONTHS,
    SPREAD_WORDS,
    WEEKDAYS,
)

INTENTS = ("place", "date", "folder", "camera", "colour", "people", "thing", "other")
LANGUAGE_INTENTS = frozenset({"place", "date", "folder", "camera"})
CONTENT_INTENTS = frozenset({"thing", "colour", "people"})  # words for what a photo shows
_MAX_PHRASE = 3
_THING_SIMILARITY = 0.5  # a word this close to some ImageNet class names a visible thing
# A token's intent for MTN: this share its own category, the rest its query's mix. On the dev
# split all-own (1.0) lost people queries ("man with a dog": the man is seen with the dog)
# and all-query (0.0) is the paper's per-query MTN; 0.25-0.75 ranked alike (full AMC 0.768-
# 0.769 NDCG@10 vs 0.764 per query, combined queries 0.890 -> 0.914, with the MTN parameters
# shipped then; fitted word by word since, intents.py).
TOKEN_OWN_INTENT = 0.5

DATE_WORDS = frozenset(
    {*MONTHS, *WEEKDAYS, "spring", "summer", "autumn", "fall", "winter", "weekend", "morning",
     "afternoon", "evening", "night", "christmas", "easter", "halloween", "new year",
     "valentine", "today", "yesterday"}
)  # fmt: skip
CAMERA_WORDS = frozenset(
    {"apple", "iphone", "ipad", "canon", "nikon", "sony", "fujifilm", "fuji", "olympus",
     "panasonic", "lumix", "leica", "pentax", "samsung", "galaxy", "google", "pixel", "huawei",
     "xiaomi", "oneplus", "gopro", "dji", "drone", "screenshot", "panorama", "selfie"}
)  # fmt: skip
PEOPLE_WORDS = frozenset(
    {"person", "people", "face", "portrait", "group", "man", "woman", "men", "women", "child",
     "children", "kid", "baby", "boy", "girl", "family", "friend", "crowd", "selfie", "couple"}
)  # fmt: skip
# How many of a thing, not what it is: no keyword says "two", and the word vectors put it
# beside the decade keywords ("two men" matched "2020s" before the men).
COUNT_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve dozen several many".split()
)
# Words about the picture or the searcher's taste, not what a photo shows: every item of a
# photo library is a photo, yet "photo of a dog" gave "photo" half the query's weight, matched
# against keywords as loosely as any unknown word. Kept when they name one of the library's
# own folders ("Pictures").
FILLER_WORDS = frozenset(
    """photo photograph picture pic image shot snapshot snap closeup macro nice beautiful
    pretty lovely gorgeous amazing awesome cool great good best favourite favorite""".split()
)
_FILLER_PAIRS = {("close", "up")}  # "close up", "close-up": a closeup
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)s?$")


@dataclass(frozen=True, slots=True)
class QueryToken:
    text: str  # normalised; several words for a phrase ("new york", a quoted "red car")
    intent: str

    @property
    def words(self) -> list[str]:
        return self.text.split(" ")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    tokens: list[QueryToken]
    vectors: np.ndarray  # (T, D) centred unit vectors
    weights: np.ndarray  # (T,) summing to 1
    intent: np.ndarray  # (len(INTENTS),) share of tokens per intent
    mean_vector: np.ndarray | None = None  # (D,) unit: the candidate search vector

    @property
    def empty(self) -> bool:
        return not self.tokens

    @property
    def content_tokens(self) -> np.ndarray:
        """(T,) bool: the tokens that name what a photo shows (CONTENT_INTENTS)."""
        return np.array([t.intent in CONTENT_INTENTS for t in self.tokens], dtype=bool)

    @property
    def spread(self) -> np.ndarray:
        """(T,) 1 for the words of scenery and stuff (SPREAD_WORDS), looked for across a
        photo's regions rather than in its best one; 0 for the rest."""
        return np.array([t.text in SPREAD_WORDS for t in self.tokens], dtype=np.float32)

    @property
    def token_intents(self) -> np.ndarray:
        """(T, len(INTENTS)) what MTN reads per token: TOKEN_OWN_INTENT of the token's own
        category, the rest the query's intent shares (each row sums to 1)."""
        own = np.zeros((len(self.tokens), len(INTENTS)), dtype=np.float32)
        for row, token in enumerate(self.tokens):
            own[row, INTENTS.index(token.intent)] = 1.0
        return TOKEN_OWN_INTENT * own + (1.0 - TOKEN_OWN_INTENT) * self.intent[None, :]


@dataclass(frozen=True)
class Lexicon:
    """The words the parser recognises; folder words come from the library being searched."""

    places: Collection[str]  # towns of >= 15k people, regions, countries: "red" is no place
    things: Collection[str]
    folder_words: Collection[str] = frozenset()
    # cities of >= 100k people, regions and countries: a place even when also a thing word
    major_places: Collection[str] = frozenset()

    def with_folder_words(self, words: Collection[str]) -> Lexicon:
        return Lexicon(self.places, self.things, frozenset(words), self.major_places)


@cache
def default_lexicon() -> Lexicon:
    words = lexicon_words()  # precomputed at build time: no gazetteer or label parsing here
    return Lexicon(places=words.places, things=words.things, major_places=words.major_places)


def phrase_tokens(words: list[str], lexicon: Lexicon) -> list[str]:
    """Greedy longest match of multi-word places, things and folder phrases ("new york")."""
    out: list[str] = []
    i = 0
    known = (lexicon.places, lexicon.things, lexicon.folder_words)
    while i < len(words):
        for n in range(min(_MAX_PHRASE, len(words) - i), 1, -1):
            phrase = " ".join(words[i : i + n])
            if any(phrase in s for s in known):
                out.append(phrase)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def classify(token: str, lexicon: Lexicon, space: SemanticSpace, vector: np.ndarray) -> str:
    if _YEAR.match(token) or token in DATE_WORDS:
        return "date"
    if token in COLOUR_NAMES or token in {"black and white", "monochrome", "colourful"}:
        return "colour"  # "orange" is also a city of 140k people: the colour is far likelier
    if token in lexicon.major_places and not (
        token in PEOPLE_WORDS or token in EVERYDAY_VISUAL_WORDS
    ):  # "man" ("men") is also the Isle of Man; a bay, a bush, a bar are no places here
        return "place"
    if token in CAMERA_WORDS and token not in lexicon.things:
        return "camera"  # "apple" is first the fruit: the iPhone's photos still match its keyword
    if token in PEOPLE_WORDS:
        return "people"
    if token in lexicon.folder_words and token not in lexicon.things:
        return "folder"  # the library's own word (a folder or a person's name), not a thing
    if (
        token in lexicon.things
        or token in EVERYDAY_VISUAL_WORDS
        or float((space.class_matrix @ vector).max()) >= _THING_SIMILARITY
    ):
        return "thing"  # "seaside", "forest" and "cat" are also small towns
    if token in lexicon.places:
        return "place"
    if token in lexicon.folder_words:
        return "folder"
    return "other"


Encoder = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def centre_and_normalise(space: SemanticSpace) -> Encoder:
    """The query encoder's math in numpy (the exported amc_query.onnx computes the same)."""

    def encode(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        present = raw.any(axis=1, keepdims=True)
        centred = (raw - space.centre) * present
        tokens = unit(centred)
        return tokens, unit(tokens.sum(axis=0))

    return encode


def parse_query(
    query: Query | str,
    space: SemanticSpace,
    lexicon: Lexicon | None = None,
    encoder: Encoder | None = None,
) -> ParsedQuery:
    """The ranking tokens of a parsed query (text: free words only, no query syntax)."""
    lexicon = lexicon or default_lexicon()
    query = free_text(query) if isinstance(query, str) else query
    tokens_text = ranking_words(query, lexicon)
    raw = space.vectors.matrix(tokens_text) if tokens_text else np.zeros((0, space.dim), np.float32)
    vectors, mean = (encoder or centre_and_normalise(space))(raw.astype(np.float32))
    tokens = [
        QueryToken(t, classify(t, lexicon, space, vectors[i])) for i, t in enumerate(tokens_text)
    ]
    count = max(len(tokens), 1)
    weights = np.full(len(tokens), 1.0 / count, dtype=np.float32)
    intent = np.zeros(len(INTENTS), dtype=np.float32)
    for token in tokens:
        intent[INTENTS.index(token.intent)] += 1.0 / count
    return ParsedQuery(query.text, tokens, vectors, weights, intent, mean)


def ranking_words(query: Query, lexicon: Lexicon) -> list[str]:
    """The words (and phrases: "new york", a quoted "red car") a query is ranked by, in
    order: no stop words or counts, and no filler words unless they are all there is
    ("photos" still searches for photos). The keyword fallback ranks by the same words."""
    return _query_tokens(query, lexicon, True) or _query_tokens(query, lexicon, False)


def _query_tokens(query: Query, lexicon: Lexicon, drop_filler: bool) -> list[str]:
    """The distinct token texts of a query, in order."""
    tokens_text: list[str] = []
    run: list[str] = []  # folded free words since the last quoted phrase
    for part in query.parts:
        if part.phrase:  # quoted: one token, stop words and all ("king of beasts")
            tokens_text += _free_tokens(run, lexicon, drop_filler)
            run = []
            tokens_text.append(part.folded if " " in part.folded else normalise(part.folded))
        else:
            run += part.folded.split()
    tokens_text += _free_tokens(run, lexicon, drop_filler)
    return [t for t in dict.fromkeys(tokens_text) if t]


def _free_tokens(folded: list[str], lexicon: Lexicon, drop_filler: bool) -> list[str]:
    """Folded free words -> tokens: multi-word places, things and folder names found before
    stop words, counts and (drop_filler) filler words are dropped ("rio de janeiro"); single
    words lemmatised as keywords are stored."""
    if drop_filler:
        folded = _without_filler_pairs(folded)
    return [
        t if " " in t else normalise(t)
        for t in phrase_tokens(folded, lexicon)
        if " " in t
        or not (t in STOP_WORDS or t in COUNT_WORDS or (drop_filler and _filler(t, lexicon)))
    ]


def _filler(word: str, lexicon: Lexicon) -> bool:
    lemma = normalise(word)
    named = word in lexicon.folder_words or lemma in lexicon.folder_words
    return lemma in FILLER_WORDS and not named


def _without_filler_pairs(folded: list[str]) -> list[str]:
    """["dog", "close", "up"] -> ["dog", "closeup"]: a two-word filler made one word."""
    out: list[str] = []
    for word in folded:
        if out and (out[-1], word) in _FILLER_PAIRS:
            out[-1] = out[-1] + word
        else:
            out.append(word)
    return out
