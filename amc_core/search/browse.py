"""Browsing: a query without words (empty, or filters only) lists what it allows, newest first.

Both engines answer it the same way (this module reads only the catalog): the filters of the
query language choose the photos, `-word` and "phrases" drop or keep as in a search.
"""

from __future__ import annotations

import numpy as np

from amc_core.search.filters import apply_words, filtered_ids
from amc_core.search.query import QueryError, parse
from amc_core.store.browse import PhotoListing
from amc_core.store.catalog import Catalog


def is_browse(text: str) -> bool:
    """True when the text has no words that rank: nothing, or only filters (a malformed
    query is a search: the engine's answer names what is wrong)."""
    try:
        return not parse(text).text.strip()
    except QueryError:
        return False


def browse(catalog: Catalog, text: str) -> PhotoListing:
    """The photos the query allows, newest first (capture date, else file date)."""
    return Browser(catalog).browse(text)


class Browser:
    """Browses one catalog, keeping the whole library's listing until another connection
    (the indexer) commits: a browse, narrowed or not, then costs a numpy pass, not a query
    that sorts 10^5 rows."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._all: PhotoListing | None = None
        self._version: int | None = None

    def everything(self) -> PhotoListing:
        version = self._catalog.others_changes()  # before reading: a later write shows next time
        if self._all is None or version != self._version:
            self._all, self._version = self._catalog.listing(), version
        return self._all

    def browse(self, text: str) -> PhotoListing:
        query = parse(text)
        listing = self.everything()
        if query.has_sql_filters:
            allowed = np.fromiter(filtered_ids(self._catalog, query), np.int64)
            listing = listing.take(np.flatnonzero(np.isin(listing.ids, allowed)))
        if query.excluded or query.phrases:
            kept = np.array(apply_words(self._catalog, listing.ids.tolist(), query), np.int64)
            listing = listing.take(np.flatnonzero(np.isin(listing.ids, kept)))
        return listing
