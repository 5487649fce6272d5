"""What a query's filters, exclusions and phrases allow, read from the catalog.

Shared by the AMC engine and the keyword-only fallback, so both answer the query language
the same way: filters (year, month, before/after, camera, folder, place, person, faces) choose the photos
searched; `-word` drops photos with that keyword or folder/file word; a "phrase" keeps only
photos with it as one keyword, in the path, or read word by word in the photo.
"""

from __future__ import annotations

import os

from amc_core.search.query import Query, keyword_forms
from amc_core.store.catalog import Catalog
from amc_core.store.records import PhotoFilter
from amc_core.words.normalise import tokenize


def filtered_ids(catalog: Catalog, query: Query) -> set[int]:
    """The searchable photos the query's filters allow."""
    allowed = _place_and_photo_filters(catalog, query)
    for name in query.people:
        allowed &= _photos_of(catalog, name)
    if query.faces is not None:
        allowed &= catalog.photos_by_face_count(*query.faces)
    for name in query.not_people:
        allowed -= _photos_of(catalog, name)
    return allowed


def _photos_of(catalog: Catalog, person: str) -> set[int]:
    """Photos of a person given by name words ("anna smith") or by id ("#12")."""
    if person.startswith("#"):
        return set(catalog.person_photo_ids(int(person[1:])))
    return catalog.photos_of_people_named(person.split())


def _place_and_photo_filters(catalog: Catalog, query: Query) -> set[int]:
    places = [catalog.photos_with_keyword(place, "place") for place in query.places]
    wanted = PhotoFilter(
        years=tuple(query.years), months=tuple(query.months), before=query.before,
        after=query.after, cameras=tuple(query.cameras), folders=tuple(query.folders),
        orientations=tuple(query.orientations),
    )  # fmt: skip
    if places and wanted.empty:  # only places: check their few photos, not the whole library
        return set(catalog.ok_ids(list(set.intersection(*places))))
    return set.intersection(catalog.filtered_ids(wanted), *places)


def apply_words(catalog: Catalog, ids: list[int], query: Query) -> list[int]:
    """Of ids (in order), drop photos with an excluded word (keyword or folder/file word);
    keep those with every phrase (as a keyword, anywhere in the path, or read in the photo)."""
    if not (query.excluded or query.phrases):
        return ids
    blobs = catalog.keyword_blobs(ids)
    excluded = set().union(*(_holders(catalog, blobs, x) for x in query.excluded))
    phrases = {p: _phrase_holders(catalog, blobs, p) for p in query.phrases}
    paths = {pid: path for pid, (path, _) in catalog.paths_and_hashes(ids).items()}
    kept = []
    for photo_id in ids:
        path = paths.get(photo_id, "").lower()
        if photo_id in excluded or any(_in_path(x, path) for x in query.excluded):
            continue
        if all(photo_id in having or p in path for p, having in phrases.items()):
            kept.append(photo_id)
    return kept


def _holders(catalog: Catalog, blobs: dict[int, bytes], text: str) -> set[int]:
    """Photos with this text as a keyword, in either stored form: lemmatised ("hot dogs" ->
    "hot dog") or, for places and people, only folded ("los angeles")."""
    return set().union(*(catalog.carrying(blobs, f) for f in keyword_forms(text)))


def _phrase_holders(catalog: Catalog, blobs: dict[int, bytes], phrase: str) -> set[int]:
    """Photos with the phrase as one keyword, or with every word of it read in the photo
    ("no parking" on a sign: text keywords are single words, stop words dropped)."""
    holders = _holders(catalog, blobs, phrase)
    words = tokenize(phrase)
    if words and words != [phrase]:
        holders |= set.intersection(*(catalog.carrying(blobs, w, "text") for w in words))
    return holders


def _in_path(word: str, path: str) -> bool:
    return any(
        word == part or word in part.split() for part in path.replace("_", " ").split(os.sep)
    )
