"""The query language: free text, -word to exclude, "quoted phrases", and filters.

    dog beach -cat "grandma 80th" year:2019 month:july place:paris folder:holidays
    camera:iphone before:2020-01-01 after:2019-06 person:anna -person:"tom lee" faces:3+
    orientation:portrait

Filters narrow the photos searched; free text (and quoted phrases) rank them. A malformed
filter is an error with a message that says what was wrong, never an empty result. A filter's
value may be quoted to hold spaces: ``place:"new york"``.

The text is split here, once: every later stage (query words and vectors, candidates,
filters, the keyword fallback) reads the parsed :class:`Query`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from amc_core.errors import UserInputError
from amc_core.store.records import ORIENTATIONS
from amc_core.words.emoji import emoji_words
from amc_core.words.normalise import normalise
from amc_core.words.vocabulary import MONTHS

FILTER_KEYS = (
    "year", "month", "place", "folder", "camera", "before", "after", "person", "faces",
    "orientation",
)  # fmt: skip
NEGATABLE_KEYS = ("person",)  # -person:anna leaves Anna's photos out
# a "phrase" (or -"phrase"), a (-)key:"quoted value", or a bare word
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?[A-Za-z]+:"[^"]*"?)|(\S+)')
_FILTER = re.compile(r"^(-?[A-Za-z]+):(.*)$")
_FACE_COUNT = re.compile(r"^(\d{1,3})(\+?)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_MONTH_ABBREVIATIONS = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}


class QueryError(UserInputError):
    """A query the user typed that cannot be run as written."""


@dataclass(frozen=True, slots=True)
class QueryPart:
    """One ranking part of the query, in typed order: a free word as typed, or a quoted
    phrase (lower case, spaces collapsed) that ranks as one token."""

    text: str
    phrase: bool = False

    @property
    def folded(self) -> str:
        """The part as place and people keywords are stored: lower case, accents folded,
        punctuation split ("New-York" -> "new york", "Cafés" -> "cafes"), emoji as their
        words ("🐶" -> "dog"): what ranking reads."""
        return normalise(emoji_words(self.text), lemmatise_words=False)


@dataclass
class Query:
    text: str  # the free text that ranks (phrases included), for display
    parts: list[QueryPart] = field(default_factory=list)  # what ranks, split once
    phrases: list[str] = field(default_factory=list)  # a keyword, in the path, or read text
    excluded: list[str] = field(default_factory=list)  # photos with these are dropped
    years: list[int] = field(default_factory=list)
    months: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    cameras: list[str] = field(default_factory=list)
    before: date | None = None  # taken strictly before
    after: date | None = None  # taken on or after
    people: list[str] = field(default_factory=list)  # folded names: photos with each person
    not_people: list[str] = field(default_factory=list)  # ... and without these
    faces: tuple[int, int | None] | None = None  # (least, most) faces; most None: no limit
    orientations: list[str] = field(default_factory=list)  # portrait, landscape, square

    @property
    def has_filters(self) -> bool:
        return bool(self.phrases or self.has_sql_filters)

    @property
    def has_sql_filters(self) -> bool:
        """Filters answered by the catalog (phrases are checked on the candidates instead)."""
        return bool(
            self.years or self.months or self.places or self.folders or self.cameras
            or self.before or self.after or self.people or self.not_people
            or self.faces is not None or self.orientations
        )  # fmt: skip

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.has_filters


def parse(text: str) -> Query:
    query = Query(text="")
    words: list[str] = []
    for minus, phrase, keyed, bare in _TOKEN.findall(text):
        if keyed:
            key, value = keyed.split(":", 1)
            _add_filter(query, key.lower(), value)
            continue
        if not bare:  # a "quoted phrase" (the regex's first branch)
            _add_phrase(query, words, phrase, excluded=minus == "-")
            continue
        match = _FILTER.match(bare)
        if match:
            _add_filter(query, match.group(1).lower(), match.group(2))
        elif bare.startswith("-") and len(bare) > 1:
            query.excluded.append(normalise(emoji_words(bare[1:])) or bare[1:].lower())
        elif bare != "-":
            words.append(bare)
            query.parts.append(QueryPart(bare))
    query.text = " ".join(words)
    return query


def free_text(text: str) -> Query:
    """Text taken as free words only, no query syntax (training and synthetic queries)."""
    return Query(text=text, parts=[QueryPart(w) for w in text.split()])


def keyword_forms(text: str) -> set[str]:
    """The forms a keyword with this text is stored in: lemmatised ("hot dogs" -> "hot dog",
    "Cafés" -> "cafe") or, for places and people, only folded ("los angeles")."""
    return {normalise(text), normalise(text, lemmatise_words=False)} - {""}


def _add_phrase(query: Query, words: list[str], phrase: str, excluded: bool) -> None:
    cleaned = " ".join(emoji_words(phrase).lower().split())
    if not cleaned:
        return
    if excluded:
        query.excluded.append(cleaned)
    else:
        query.phrases.append(cleaned)
        query.parts.append(QueryPart(cleaned, phrase=True))
        words.append(cleaned)


def _add_filter(query: Query, key: str, value: str) -> None:
    value = value.strip().strip('"').strip()
    negated = key.startswith("-")
    key = key.lstrip("-")
    if negated and key not in NEGATABLE_KEYS:
        raise QueryError(f"'-{key}:' is not a filter; only -person: leaves photos out")
    if key not in FILTER_KEYS:
        raise QueryError(
            f"unknown filter '{key}:'; use one of " + ", ".join(f"{k}:" for k in FILTER_KEYS)
        )
    if not value:
        raise QueryError(f"'{key}:' needs a value, e.g. {_EXAMPLES[key]}")
    if key == "year":
        if not re.fullmatch(r"\d{4}", value) or not 1826 <= int(value) <= 2200:
            raise QueryError(f"'year:{value}' is not a year; write e.g. year:2019")
        query.years.append(int(value))
    elif key == "month":
        query.months.append(_month(value))
    elif key == "place":
        place = value.replace("_", " ")  # stored as place keywords are: accents folded
        query.places.append(normalise(place, lemmatise_words=False) or place.lower())
    elif key == "folder":
        query.folders.append(value.lower())
    elif key == "camera":
        query.cameras.append(value.lower())
    elif key == "person":
        # person:#12 names a person by id (an unnamed group: what the People view runs)
        name = value if re.fullmatch(r"#\d+", value) else normalise(value, lemmatise_words=False)
        (query.not_people if negated else query.people).append(name or value.lower())
    elif key == "faces":
        query.faces = _face_count(value)
    elif key == "orientation":
        query.orientations.append(_orientation(value))
    else:
        day = _date(key, value)
        if key == "before":
            query.before = day
        else:
            query.after = day
    if query.before and query.after and query.after >= query.before:
        raise QueryError("'after:' must be earlier than 'before:' or nothing can match")


def _face_count(value: str) -> tuple[int, int | None]:
    match = _FACE_COUNT.match(value)
    if not match:
        raise QueryError(
            f"'faces:{value}' is not a face count; write e.g. faces:0, faces:2 or faces:3+"
        )
    least = int(match.group(1))
    return least, None if match.group(2) else least


def _orientation(value: str) -> str:
    lowered = value.lower()
    chosen = _ORIENTATION_WORDS.get(lowered, lowered)
    if chosen not in ORIENTATIONS:
        raise QueryError(
            f"'orientation:{value}' is not an orientation; write orientation:portrait, "
            "orientation:landscape or orientation:square"
        )
    return chosen


_ORIENTATION_WORDS = {"vertical": "portrait", "tall": "portrait", "horizontal": "landscape",
                      "wide": "landscape"}  # fmt: skip


def _month(value: str) -> int:
    lowered = value.lower()
    if lowered.isdigit() and 1 <= int(lowered) <= 12:
        return int(lowered)
    if lowered in MONTHS:
        return MONTHS.index(lowered) + 1
    if lowered[:3] in _MONTH_ABBREVIATIONS and len(lowered) >= 3:
        return _MONTH_ABBREVIATIONS[lowered[:3]]
    raise QueryError(f"'month:{value}' is not a month; write e.g. month:july or month:7")


def _date(key: str, value: str) -> date:
    match = _DATE.match(value)
    if not match:
        raise QueryError(
            f"'{key}:{value}' is not a date; write e.g. {key}:2019-06-30 or {key}:2019"
        )
    year, month, day = int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise QueryError(f"'{key}:{value}' is not a valid date ({exc})") from exc


_EXAMPLES = {
    "year": "year:2019", "month": "month:july", "place": "place:paris", "folder": "folder:holidays",
    "camera": "camera:iphone", "before": "before:2020-01-01", "after": "after:2019-06",
    "person": 'person:anna or person:"anna smith"', "faces": "faces:0 or faces:3+",
    "orientation": "orientation:portrait",
}  # fmt: skip
