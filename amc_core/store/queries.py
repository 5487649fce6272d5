"""Reads of photos by id, path and filter: what search, the app and indexing ask the catalog."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from amc_core.store.connection import PHOTO_COLUMNS, CatalogConnection, decode_path, encode_path
from amc_core.store.records import SQUARE_TOLERANCE, PhotoFilter
from amc_core.words.normalise import normalise


class PhotoQueries(CatalogConnection):
    def filtered_ids(self, wanted: PhotoFilter) -> set[int]:
        """The indexed photos that every filter allows."""
        where, params = _filter_terms(wanted)
        terms = " AND ".join(["state = 'ok'", *where])
        rows = self._conn.execute(f"SELECT id FROM photos WHERE {terms}", params).fetchall()
        return {int(r[0]) for r in rows}

    def indexed_paths(self) -> Iterator[tuple[int, str]]:
        """(id, path) of every indexed photo, one at a time."""
        for photo_id, blob in self._conn.execute("SELECT id, path FROM photos WHERE state = 'ok'"):
            yield int(photo_id), decode_path(blob)

    def photo_record(self, photo_id: int) -> dict[str, object] | None:
        """One photo's stored row (path, taken_at, camera, size...), None when it is gone."""
        rows = self.photo_rows("WHERE id = ?", (photo_id,))
        return rows[0] if rows else None

    def photo_folders(self) -> set[str]:
        """The folder of every photo (the query parser reads their words)."""
        rows = self._conn.execute("SELECT path FROM photos")
        return {os.path.dirname(decode_path(blob)) for (blob,) in rows}

    def photo_state(self, path: str) -> tuple[int, str] | None:
        """(id, state) of the photo at this real path, None when the library has none."""
        row = self._conn.execute(
            "SELECT id, state FROM photos WHERE path = ?", (encode_path(path),)
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def indexed_ids(self) -> set[int]:
        """Every photo that is indexed and searchable (what the vector index must hold)."""
        return {int(r[0]) for r in self._conn.execute("SELECT id FROM photos WHERE state = 'ok'")}

    def ok_ids(self, photo_ids: Sequence[int]) -> list[int]:
        """The given photos that are indexed and searchable."""
        rows = self._by_ids("SELECT id FROM photos WHERE state = 'ok' AND id", photo_ids)
        return [int(r[0]) for r in rows]

    def photo_rows(self, where: str = "", params: Sequence[object] = ()) -> list[dict[str, object]]:
        """Photo records as dicts (paths decoded); `where` is engine-written SQL, never user text."""
        cur = self._conn.execute(f"SELECT id, {PHOTO_COLUMNS} FROM photos {where}", tuple(params))
        names = [d[0] for d in cur.description]
        out: list[dict[str, object]] = []
        for values in cur:
            record: dict[str, object] = dict(zip(names, values, strict=True))
            record["path"] = decode_path(values[names.index("path")])
            out.append(record)
        return out

    def paths_and_hashes(self, photo_ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
        """Per photo: its path (decoded) and content hash (keys the thumbnail)."""
        rows = self._by_ids("SELECT id, path, content_hash FROM photos WHERE id", photo_ids)
        return {int(pid): (decode_path(path), digest) for pid, path, digest in rows}

    def features_of(self, photo_ids: Sequence[int]) -> dict[int, bytes]:
        rows = self._by_ids("SELECT photo_id, data FROM photo_features WHERE photo_id", photo_ids)
        return {int(pid): bytes(data) for pid, data in rows}

    def face_boxes(self, photo_ids: Sequence[int]) -> dict[int, list[tuple[float, ...]]]:
        """(x, y, w, h, score) of every face found in these photos (fractions of the oriented
        photo), for the photos that have any."""
        return self._boxes(
            "SELECT photo_id, x, y, w, h, score FROM faces WHERE photo_id", photo_ids
        )

    def body_boxes(self, photo_ids: Sequence[int]) -> dict[int, list[tuple[float, ...]]]:
        """(x, y, w, h, confidence) of every person seen whole in these photos (fractions of
        the oriented photo), for the photos that have any."""
        return self._boxes(
            "SELECT photo_id, x, y, w, h, confidence FROM bodies WHERE photo_id", photo_ids
        )

    def _boxes(
        self, select_where_id: str, photo_ids: Sequence[int]
    ) -> dict[int, list[tuple[float, ...]]]:
        out: dict[int, list[tuple[float, ...]]] = {}
        for photo_id, *box in self._by_ids(select_where_id, photo_ids):
            out.setdefault(int(photo_id), []).append(tuple(float(v) for v in box))
        return out

    def hashes_in_use(self) -> set[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT content_hash FROM photos WHERE state = 'ok' AND content_hash IS NOT NULL"
        )
        return {r[0] for r in rows}

    # -- people filters --------------------------------------------------------

    def photos_of_people_named(self, words: Sequence[str]) -> set[int]:
        """Photos with a face of a person whose name holds all these words (folded, lower
        case): "anna" finds Anna Smith and Anna Lee; "anna smith" only Anna Smith."""
        wanted = set(words)
        people = [
            int(pid)
            for pid, name in self._conn.execute("SELECT id, name FROM people WHERE name NOT NULL")
            if wanted <= set(normalise(name, lemmatise_words=False).split())
        ]
        rows = self._by_ids(
            "SELECT DISTINCT f.photo_id FROM faces f JOIN photos ph ON ph.id = f.photo_id "
            "WHERE ph.state = 'ok' AND f.person_id",
            people,
        )
        return {int(r[0]) for r in rows}

    def photos_by_face_count(self, least: int, most: int | None) -> set[int]:
        """Photos whose faces were read, with least..most faces (most None: no upper bound);
        read from an index of the counts, not by counting faces."""
        rows = self._conn.execute(
            "SELECT photo_id FROM face_scans WHERE face_count BETWEEN ? AND ?",
            (least, most if most is not None else 1 << 30),
        )
        return {int(r[0]) for r in rows}


def _filter_terms(wanted: PhotoFilter) -> tuple[list[str], list[str]]:
    """WHERE terms (and their parameters) for the filters the photos table answers."""
    where: list[str] = []
    params: list[str] = []
    if wanted.years:  # ranges, so the (taken_at, state) index serves them
        ranges = " OR ".join("(taken_at >= ? AND taken_at < ?)" for _ in wanted.years)
        where.append(f"({ranges})")
        for year in wanted.years:
            params += [f"{year:04d}", f"{year + 1:04d}"]
    if wanted.months:
        where.append(f"substr(taken_at, 6, 2) IN ({','.join('?' * len(wanted.months))})")
        params += [f"{m:02d}" for m in wanted.months]
    if wanted.before:
        where.append("taken_at < ?")
        params.append(wanted.before.isoformat())
    if wanted.after:
        where.append("taken_at >= ?")
        params.append(wanted.after.isoformat())
    for camera in wanted.cameras:
        where.append("(lower(camera_make) LIKE ? OR lower(camera_model) LIKE ?)")
        params += [f"%{camera}%", f"%{camera}%"]
    for folder in wanted.folders:
        where.append("instr(lower(CAST(path AS TEXT)), ?) > 0")
        params.append(folder)
    if wanted.orientations:
        where.append("(" + " OR ".join(_ORIENTATION_SQL[o] for o in wanted.orientations) + ")")
    return where, params


_ASPECT = "(CAST(width AS REAL) / NULLIF(height, 0))"
_ORIENTATION_SQL = {
    "portrait": f"{_ASPECT} < {1 - SQUARE_TOLERANCE}",
    "landscape": f"{_ASPECT} > {1 + SQUARE_TOLERANCE}",
    "square": f"{_ASPECT} BETWEEN {1 - SQUARE_TOLERANCE} AND {1 + SQUARE_TOLERANCE}",
}
