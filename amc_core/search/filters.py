"""What a query's filters, exclusions and phrases allow, read from the catalog.

Shared by the AMC engine and the keyword-only fallback, so both answer the query language
the same way: filters (year, month, before/after, camera, folder, place) choose the photos
searched; `-word` drops photos with that keyword or folder/file word; a "phrase" keeps only
photos with it as one keyword, in the path, or read word by word in the photo.
"""

from __future__ import annotations

import os

from amc_core.search.query import Query
from amc_core.store.catalog import Catalog
from amc_core.words.normalise import normalise, tokenize


def filtered_ids(catalog: Catalog, query: Query) -> set[int]:
    """The searchable photos the query's filters allow."""
    places = [catalog.photos_with_keyword(place, "place") for place in query.places]
    where, params = _sql_filters(query)
    if places and not where:  # only places: check their few photos, not the whole library
        return set(catalog.ok_ids(list(set.intersection(*places))))
    terms = " AND ".join(["state = 'ok'", *where])
    rows = catalog.connection.execute(f"SELECT id FROM photos WHERE {terms}", params).fetchall()
    return set.intersection({int(r[0]) for r in rows}, *places)


def _sql_filters(query: Query) -> tuple[list[str], list[str]]:
    """WHERE terms (and their parameters) for the filters the photos table answers."""
    where: list[str] = []
    params: list[str] = []
    if query.years:  # ranges, so the (taken_at, state) index serves them
        ranges = " OR ".join("(taken_at >= ? AND taken_at < ?)" for _ in query.years)
        where.append(f"({ranges})")
        for year in query.years:
            params += [f"{year:04d}", f"{year + 1:04d}"]
    if query.months:
        where.append(f"substr(taken_at, 6, 2) IN ({','.join('?' * len(query.months))})")
        params += [f"{m:02d}" for m in query.months]
    if query.before:
        where.append("taken_at < ?")
        params.append(query.before.isoformat())
    if query.after:
        where.append("taken_at >= ?")
        params.append(query.after.isoformat())
    for camera in query.cameras:
        where.append("(lower(camera_make) LIKE ? OR lower(camera_model) LIKE ?)")
        params += [f"%{camera}%", f"%{camera}%"]
    for folder in query.folders:
        where.append("instr(lower(CAST(path AS TEXT)), ?) > 0")
        params.append(folder)
    return where, params


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
    forms = {normalise(text), normalise(text, lemmatise_words=False)} - {""}
    return set().union(*(catalog.carrying(blobs, f) for f in forms))


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
