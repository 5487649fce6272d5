"""SQLite catalog of folders, photos, their keywords and stored features."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amc_core.errors import CatalogDamagedError, LibraryError
from amc_core.store.records import (
    Folder,
    PhotoFilter,
    PhotoMove,
    PhotoRow,
    StoredPhoto,
    path_within,
)
from amc_core.store.schema import carriers, migrate, pack_keyword_set, unpack_keyword_set
from amc_core.words.keyword import Keyword


def _enc(path: str) -> bytes:
    return os.fsencode(path)


def _dec(blob: bytes) -> str:
    return os.fsdecode(bytes(blob))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_PHOTO_COLUMNS = (
    "folder_id, path, size, mtime_ns, content_hash, format, width, height, taken_at, "
    "camera_make, camera_model, gps_lat, gps_lon, orientation, state, error, indexed_at"
)


class Catalog:
    """The one owner of a library's SQLite database.

    Writes happen in explicit transactions (one per batch), so a crash at any
    moment leaves the last committed batch and nothing half-written.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._vocab_ids: dict[str, int] = {}
        self._vocab_texts: dict[int, str] = {}
        self._vocab_read_to = 0  # vocabulary ids up to this one have been read

    @classmethod
    def open(cls, path: Path | None) -> Catalog:
        """Open (creating and migrating) the catalog at path; None gives an in-memory one."""
        target = ":memory:" if path is None else str(path)
        try:
            conn = sqlite3.connect(target, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            # a cheap read of the schema proves it is a catalog; the full integrity check
            # reads every page (27 s at 10^6 photos) and belongs to `amc repair`
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            raise LibraryError(
                f"cannot open the catalog {target} ({exc}): is the library folder read-only, "
                "on a full disk, or locked by another program?"
            ) from exc
        except sqlite3.DatabaseError as exc:
            raise CatalogDamagedError(
                f"the catalog {target} is damaged or not a catalog ({exc}); "
                "run `amc repair` to rebuild it from your folders (photos are not touched)"
            ) from exc
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; a full disk or a read-only library becomes one clear LibraryError
        and leaves the catalog as it was before the transaction."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise storage_error(exc) from exc
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise storage_error(exc) from exc
            raise

    # -- folders ---------------------------------------------------------------

    def folders(self) -> list[Folder]:
        rows = self._conn.execute("SELECT id, path FROM folders ORDER BY path").fetchall()
        return [Folder(r[0], _dec(r[1])) for r in rows]

    def add_folder(self, path: str) -> Folder:
        """Remember a folder; a folder inside a known one is already covered by it,
        and a folder around known ones absorbs them (their photos move to it)."""
        for folder in self.folders():
            if path_within(path, folder.path):
                return folder
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO folders (path, added_at) VALUES (?, ?)", (_enc(path), _now())
            )
            new_id = int(cur.lastrowid or 0)
            for folder in self.folders():
                if folder.id != new_id and path_within(folder.path, path):
                    conn.execute(
                        "UPDATE photos SET folder_id = ? WHERE folder_id = ?", (new_id, folder.id)
                    )
                    conn.execute("DELETE FROM folders WHERE id = ?", (folder.id,))
        return Folder(new_id, path)

    def find_folder(self, path: str) -> Folder | None:
        row = self._conn.execute(
            "SELECT id, path FROM folders WHERE path = ?", (_enc(path),)
        ).fetchone()
        return Folder(row[0], _dec(row[1])) if row else None

    def remove_folder(self, folder: Folder) -> int:
        """Forget a folder and its photos (the files on disk are not touched)."""
        with self.transaction() as conn:
            ids = [
                r[0]
                for r in conn.execute("SELECT id FROM photos WHERE folder_id = ?", (folder.id,))
            ]
            self._delete_text(conn, ids)
            conn.execute("DELETE FROM photos WHERE folder_id = ?", (folder.id,))
            conn.execute("DELETE FROM folders WHERE id = ?", (folder.id,))
        return len(ids)

    # -- photos ----------------------------------------------------------------

    def stored_photos(self, folder_id: int) -> dict[str, StoredPhoto]:
        rows = self._conn.execute(
            "SELECT id, path, size, mtime_ns, content_hash, state FROM photos WHERE folder_id = ?",
            (folder_id,),
        )
        result: dict[str, StoredPhoto] = {}
        for r in rows:
            path = _dec(r[1])
            result[path] = StoredPhoto(r[0], path, r[2], r[3], r[4], r[5])
        return result

    def write_photos(self, rows: Sequence[PhotoRow]) -> list[int]:
        """Insert or replace photos with their keywords and features, in one transaction."""
        ids: list[int] = []
        with self.transaction() as conn:
            for row in rows:
                ids.append(self._upsert(conn, row))
        return ids

    def _upsert(self, conn: sqlite3.Connection, row: PhotoRow) -> int:
        values = (
            row.folder_id,
            _enc(row.path),
            row.size,
            row.mtime_ns,
            row.content_hash,
            row.format,
            row.width,
            row.height,
            row.taken_at,
            row.camera_make,
            row.camera_model,
            row.gps_lat,
            row.gps_lon,
            row.orientation,
            row.state,
            row.error,
            _now(),
        )
        updates = ", ".join(
            f"{c.strip()} = excluded.{c.strip()}" for c in _PHOTO_COLUMNS.split(",")
        )
        cur = conn.execute(
            f"INSERT INTO photos ({_PHOTO_COLUMNS}) VALUES ({', '.join('?' * 17)}) "
            f"ON CONFLICT(path) DO UPDATE SET {updates} RETURNING id",
            values,
        )
        photo_id = int(cur.fetchone()[0])
        conn.execute("DELETE FROM photo_features WHERE photo_id = ?", (photo_id,))
        self._write_keywords(conn, photo_id, row.keywords)
        if row.features is not None:
            conn.execute(
                "INSERT INTO photo_features (photo_id, model, data) VALUES (?, ?, ?)",
                (photo_id, row.feature_model or "", row.features),
            )
        return photo_id

    def _write_keywords(
        self, conn: sqlite3.Connection, photo_id: int, keywords: Sequence[Keyword]
    ) -> None:
        """Replace a photo's keyword set and its full-text row."""
        conn.execute("DELETE FROM photo_keyword_sets WHERE photo_id = ?", (photo_id,))
        self._delete_text(conn, [photo_id])
        if not keywords:
            return
        entries = [(self._keyword_id(conn, k.text), k.confidence, k.source) for k in keywords]
        conn.execute(
            "INSERT INTO photo_keyword_sets (photo_id, data) VALUES (?, ?)",
            (photo_id, pack_keyword_set(entries)),
        )
        conn.execute(
            "INSERT INTO photo_text (rowid, keywords) VALUES (?, ?)",
            (photo_id, " ".join(k.text for k in keywords)),
        )

    def _keyword_id(self, conn: sqlite3.Connection, text: str) -> int:
        cached = self._vocab_ids.get(text)
        if cached is not None:
            return cached
        row = conn.execute(
            "INSERT INTO keyword_vocab (text) VALUES (?) "
            "ON CONFLICT(text) DO UPDATE SET text = excluded.text RETURNING id",
            (text,),
        ).fetchone()
        keyword_id = int(row[0])
        self._vocab_ids[text] = keyword_id
        self._vocab_texts[keyword_id] = text
        return keyword_id

    def keyword_text(self, keyword_id: int) -> str:
        """The text of a vocabulary id (reloaded once if another process added it)."""
        text = self._vocab_texts.get(keyword_id)
        if text is None:
            self._load_vocabulary()
            text = self._vocab_texts.get(keyword_id, "")
        return text

    def _load_vocabulary(self) -> None:
        """Read the vocabulary rows added since the last read (ids only grow: a miss after
        another process indexed costs its new words, not the whole table)."""
        rows = self._conn.execute(
            "SELECT id, text FROM keyword_vocab WHERE id > ?", (self._vocab_read_to,)
        ).fetchall()
        for keyword_id, text in rows:
            self._vocab_texts[int(keyword_id)] = text
            self._vocab_ids[text] = int(keyword_id)
            self._vocab_read_to = max(self._vocab_read_to, int(keyword_id))

    def vocabulary_size(self) -> int:
        """One more than the largest vocabulary id (ids start at 1 and only grow)."""
        row = self._conn.execute("SELECT MAX(id) FROM keyword_vocab").fetchone()
        return int(row[0] or 0) + 1

    def keyword_blobs(self, photo_ids: Sequence[int]) -> dict[int, bytes]:
        """Per photo: the stored keyword set, packed (see schema.pack_keyword_set)."""
        rows = self._by_ids(
            "SELECT photo_id, data FROM photo_keyword_sets WHERE photo_id", photo_ids
        )
        return {int(pid): bytes(data) for pid, data in rows}

    def vocabulary_id(self, text: str) -> int | None:
        """The id of a keyword text, None when no photo ever had it."""
        if text not in self._vocab_ids:
            self._load_vocabulary()  # another process may have added it
        return self._vocab_ids.get(text)

    def photos_with_keyword(self, text: str, source: str) -> set[int]:
        """Photos that carry exactly this keyword from this source ("paris" as a place, not
        as a folder word or text in the photo)."""
        hits = self.full_text_hits(text.split(" "))
        return self.carrying(self.keyword_blobs(hits), text, source)

    def carrying(self, blobs: dict[int, bytes], text: str, source: str | None = None) -> set[int]:
        """Of photos' packed keyword sets (keyword_blobs), those holding exactly this keyword."""
        keyword_id = self.vocabulary_id(text)
        if keyword_id is None:
            return set()
        owners = list(blobs)
        return {owners[i] for i in carriers(list(blobs.values()), keyword_id, source)}

    def filtered_ids(self, wanted: PhotoFilter) -> set[int]:
        """The indexed photos that every filter allows."""
        where, params = _filter_terms(wanted)
        terms = " AND ".join(["state = 'ok'", *where])
        rows = self._conn.execute(f"SELECT id FROM photos WHERE {terms}", params).fetchall()
        return {int(r[0]) for r in rows}

    def indexed_paths(self) -> Iterator[tuple[int, str]]:
        """(id, path) of every indexed photo, one at a time."""
        for photo_id, blob in self._conn.execute("SELECT id, path FROM photos WHERE state = 'ok'"):
            yield int(photo_id), _dec(blob)

    def photo_record(self, photo_id: int) -> dict[str, object] | None:
        """One photo's stored row (path, taken_at, camera, size...), None when it is gone."""
        rows = self.photo_rows("WHERE id = ?", (photo_id,))
        return rows[0] if rows else None

    def photo_folders(self) -> set[str]:
        """The folder of every photo (the query parser reads their words)."""
        rows = self._conn.execute("SELECT path FROM photos")
        return {os.path.dirname(_dec(blob)) for (blob,) in rows}

    def photo_state(self, path: str) -> tuple[int, str] | None:
        """(id, state) of the photo at this real path, None when the library has none."""
        row = self._conn.execute(
            "SELECT id, state FROM photos WHERE path = ?", (_enc(path),)
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def integrity_problems(self) -> list[str]:
        """What SQLite's own check finds wrong (empty when the database is sound)."""
        rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return [str(r[0]) for r in rows if r[0] != "ok"]

    def all_features(self) -> Iterator[tuple[int, bytes]]:
        """Every stored feature blob, one at a time (for checks: never all in memory)."""
        for photo_id, blob in self._conn.execute("SELECT photo_id, data FROM photo_features"):
            yield int(photo_id), bytes(blob)

    def forget_analysis(self, photo_ids: Sequence[int]) -> None:
        """Make the next index run analyse these photos again (their size no longer matches)."""
        with self.transaction() as tx:
            tx.executemany("UPDATE photos SET size = -1 WHERE id = ?", [(i,) for i in photo_ids])

    def rebuild_full_text(self) -> None:
        with self.transaction() as tx:
            tx.execute("INSERT INTO photo_text(photo_text) VALUES ('rebuild')")

    def indexed_ids(self) -> set[int]:
        """Every photo that is indexed and searchable (what the vector index must hold)."""
        return {int(r[0]) for r in self._conn.execute("SELECT id FROM photos WHERE state = 'ok'")}

    def ok_ids(self, photo_ids: Sequence[int]) -> list[int]:
        """The given photos that are indexed and searchable."""
        rows = self._by_ids("SELECT id FROM photos WHERE state = 'ok' AND id", photo_ids)
        return [int(r[0]) for r in rows]

    def keyword_sets(self, photo_ids: Sequence[int]) -> dict[int, list[tuple[int, float, str]]]:
        """Per photo: (vocabulary id, confidence, source), most confident first."""
        return {
            pid: unpack_keyword_set(blob) for pid, blob in self.keyword_blobs(photo_ids).items()
        }

    def move_photos(self, moves: Sequence[PhotoMove]) -> None:
        """Record files that were moved or renamed, in one transaction: their analysis is
        kept, their keywords are replaced by the given ones (new folder and file words)."""
        with self.transaction() as conn:
            for move in moves:
                conn.execute(
                    "UPDATE photos SET path = ?, folder_id = ?, mtime_ns = ? WHERE id = ?",
                    (_enc(move.path), move.folder_id, move.mtime_ns, move.photo_id),
                )
                self._write_keywords(conn, move.photo_id, move.keywords)

    def delete_photos(self, ids: Iterable[int]) -> int:
        id_list = list(ids)
        with self.transaction() as conn:
            self._delete_text(conn, id_list)
            conn.executemany("DELETE FROM photos WHERE id = ?", [(i,) for i in id_list])
        return len(id_list)

    @staticmethod
    def _delete_text(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        conn.executemany("DELETE FROM photo_text WHERE rowid = ?", [(i,) for i in ids])

    # -- reading ---------------------------------------------------------------

    def others_changes(self) -> int:
        """A number that changes whenever another connection commits (PRAGMA data_version):
        equal twice means nothing new to read."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def counts(self) -> dict[str, int]:
        rows = dict(
            self._conn.execute("SELECT state, COUNT(*) FROM photos GROUP BY state").fetchall()
        )
        return {"ok": int(rows.get("ok", 0)), "failed": int(rows.get("failed", 0))}

    def hashes_in_use(self) -> set[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT content_hash FROM photos WHERE state = 'ok' AND content_hash IS NOT NULL"
        )
        return {r[0] for r in rows}

    def photo_rows(self, where: str = "", params: Sequence[object] = ()) -> list[dict[str, object]]:
        """Photo records as dicts (paths decoded); `where` is engine-written SQL, never user text."""
        cur = self._conn.execute(f"SELECT id, {_PHOTO_COLUMNS} FROM photos {where}", tuple(params))
        names = [d[0] for d in cur.description]
        out: list[dict[str, object]] = []
        for values in cur:
            record: dict[str, object] = dict(zip(names, values, strict=True))
            record["path"] = _dec(values[names.index("path")])
            out.append(record)
        return out

    def keywords_of(self, photo_id: int) -> list[Keyword]:
        entries = self.keyword_sets([photo_id]).get(photo_id, [])
        keywords = [Keyword(self.keyword_text(i), round(c, 3), s) for i, c, s in entries]
        return sorted(keywords, key=lambda k: (-k.confidence, k.text))

    def features_of(self, photo_ids: Sequence[int]) -> dict[int, bytes]:
        rows = self._by_ids("SELECT photo_id, data FROM photo_features WHERE photo_id", photo_ids)
        return {int(pid): bytes(data) for pid, data in rows}

    def paths_and_hashes(self, photo_ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
        """Per photo: its path (decoded) and content hash (keys the thumbnail)."""
        rows = self._by_ids("SELECT id, path, content_hash FROM photos WHERE id", photo_ids)
        return {int(pid): (_dec(path), digest) for pid, path, digest in rows}

    def full_text_hits(self, words: Sequence[str], limit: int = -1) -> list[int]:
        """Photos whose keywords hold every one of these words (confirm exact keywords
        afterwards: the index keeps no positions, so it cannot match phrases)."""
        query = " AND ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
        rows = self._conn.execute(
            "SELECT rowid FROM photo_text WHERE photo_text MATCH ? LIMIT ?", (query, limit)
        )
        return [int(r[0]) for r in rows]

    def _by_ids(self, select_where_id: str, ids: Sequence[int]) -> list[Any]:
        """`SELECT ... WHERE <id column>` + ` IN (...)`, in chunks SQLite accepts."""
        out: list[Any] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            out += self._conn.execute(f"{select_where_id} IN ({marks})", chunk).fetchall()
        return out

    # -- clicks ------------------------------------------------------------------

    def record_click(self, query: str, photo_id: int, action: str) -> bool:
        """Record that a result was opened or inspected; False when the photo has left the
        library meanwhile (nothing to learn from)."""
        try:
            with self.transaction() as conn:
                conn.execute(
                    "INSERT INTO clicks (query, photo_id, action, at) VALUES (?, ?, ?, ?)",
                    (query.strip(), photo_id, action, _now()),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def clicks(self) -> list[tuple[str, int, str]]:
        """(query, photo id, action), oldest first."""
        rows = self._conn.execute("SELECT query, photo_id, action FROM clicks ORDER BY id")
        return [(q, int(p), a) for q, p, a in rows]

    def click_counts(self) -> tuple[int, int]:
        """(clicks recorded, distinct queries they follow), counted by SQLite."""
        row = self._conn.execute("SELECT COUNT(*), COUNT(DISTINCT query) FROM clicks").fetchone()
        return int(row[0]), int(row[1])

    def clear_clicks(self) -> int:
        with self.transaction() as conn:
            return int(conn.execute("DELETE FROM clicks").rowcount)

    @property
    def connection(self) -> sqlite3.Connection:
        """For read-only queries by engine modules (search); writes go through methods."""
        return self._conn


def storage_error(exc: sqlite3.OperationalError) -> LibraryError:
    text = str(exc).lower()
    if "full" in text:
        return LibraryError("the disk that holds the library is full: free some space and run "
                            "the command again (nothing indexed so far is lost)")  # fmt: skip
    if "readonly" in text or "read-only" in text:
        return LibraryError("the library folder is read-only: nothing can be saved to it")
    if "locked" in text or "busy" in text:
        return LibraryError("the library is busy (another program is writing to it); try again")
    return LibraryError(f"the catalog could not be written: {exc}")


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
    return where, params
