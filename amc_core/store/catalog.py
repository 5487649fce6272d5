"""SQLite catalog of folders, photos, their keywords and stored features."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from amc_core.errors import CatalogDamagedError
from amc_core.store.bodies import BodyRecords
from amc_core.store.browse import BrowseQueries
from amc_core.store.checks import CatalogChecks
from amc_core.store.clicks import ClickLog
from amc_core.store.connection import (
    PHOTO_COLUMNS,
    decode_path,
    encode_path,
    now,
    user_change,
)
from amc_core.store.damage import damaged_message, database_error
from amc_core.store.faces import FaceRecords
from amc_core.store.layout import LibraryPaths, library_had_catalog
from amc_core.store.queries import PhotoQueries
from amc_core.store.records import (
    Folder,
    PhotoMove,
    PhotoRow,
    StoredPhoto,
    path_within,
)
from amc_core.store.schema import carriers, migrate, pack_keyword_set, unpack_keyword_set
from amc_core.store.user_backup import write_user_backup
from amc_core.words.keyword import Keyword
from amc_core.words.normalise import merge_keywords


class Catalog(PhotoQueries, BrowseQueries, FaceRecords, BodyRecords, ClickLog, CatalogChecks):
    """The one owner of a library's SQLite database.

    Writes happen in explicit transactions (one per batch), so a crash at any
    moment leaves the last committed batch and nothing half-written.
    """

    def __init__(self, conn: sqlite3.Connection, user_backup: Path | None = None) -> None:
        super().__init__(conn)
        self.user_backup = user_backup  # None: nothing backed up (an in-memory catalog)
        self._vocab_ids: dict[str, int] = {}
        self._vocab_texts: dict[int, str] = {}
        self._vocab_read_to = 0  # vocabulary ids up to this one have been read

    @classmethod
    def open(cls, path: Path | None, new: bool = False) -> Catalog:
        """Open (creating and migrating) the catalog at path; None gives an in-memory one.
        A library's catalog that went missing is damage, not a new library, unless `new`
        (repair starting a fresh one)."""
        if path is not None and not new and not path.exists() and library_had_catalog(path.parent):
            raise CatalogDamagedError(damaged_message(path, "the file is missing"))
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
        except sqlite3.Error as exc:
            raise database_error(exc, Path(target)) from exc
        return cls(conn, None if path is None else LibraryPaths(path.parent).user_backup)

    def user_data_changed(self) -> None:
        """Rewrite the user backup beside the catalog (never raises: see user_backup)."""
        if self.user_backup is not None:
            write_user_backup(self, self.user_backup)

    # -- folders ---------------------------------------------------------------

    def folders(self) -> list[Folder]:
        rows = self._conn.execute("SELECT id, path FROM folders ORDER BY path").fetchall()
        return [Folder(r[0], decode_path(r[1])) for r in rows]

    @user_change
    def add_folder(self, path: str) -> Folder:
        """Remember a folder; a folder inside a known one is already covered by it,
        and a folder around known ones absorbs them (their photos move to it)."""
        for folder in self.folders():
            if path_within(path, folder.path):
                return folder
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO folders (path, added_at) VALUES (?, ?)", (encode_path(path), now())
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
            "SELECT id, path FROM folders WHERE path = ?", (encode_path(path),)
        ).fetchone()
        return Folder(row[0], decode_path(row[1])) if row else None

    @user_change
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
            "SELECT p.id, p.path, p.size, p.mtime_ns, p.content_hash, p.state, f.model "
            "FROM photos p LEFT JOIN photo_features f ON f.photo_id = p.id WHERE p.folder_id = ?",
            (folder_id,),
        )
        result: dict[str, StoredPhoto] = {}
        for r in rows:
            path = decode_path(r[1])
            result[path] = StoredPhoto(r[0], path, r[2], r[3], r[4], r[5], r[6])
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
            encode_path(row.path),
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
            now(),
        )
        updates = ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in PHOTO_COLUMNS.split(","))
        cur = conn.execute(
            f"INSERT INTO photos ({PHOTO_COLUMNS}) VALUES ({', '.join('?' * 17)}) "
            f"ON CONFLICT(path) DO UPDATE SET {updates} RETURNING id",
            values,
        )
        photo_id = int(cur.fetchone()[0])
        conn.execute("DELETE FROM photo_features WHERE photo_id = ?", (photo_id,))
        self._write_keywords(conn, photo_id, row.keywords)
        # the new keywords lack the faces pass's words and names: it writes them again
        conn.execute("UPDATE face_scans SET keywords_done = 0 WHERE photo_id = ?", (photo_id,))
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
                    (encode_path(move.path), move.folder_id, move.mtime_ns, move.photo_id),
                )
                self._write_keywords(conn, move.photo_id, move.keywords)

    def replace_keywords(
        self, changes: dict[int, list[Keyword]], sources: Sequence[str]
    ) -> list[int]:
        """Per photo: its keywords of these sources become the given ones (the rest stay);
        marks the photos' face keywords written. Returns the photos whose keywords changed."""
        changed = []
        with self.transaction() as conn:
            for photo_id, keywords in changes.items():
                old = self.keywords_of(photo_id)
                kept = [k for k in old if k.source not in sources]
                merged = merge_keywords([kept, keywords], limit=len(kept) + len(keywords))
                if _as_set(merged) != _as_set(old):
                    self._write_keywords(conn, photo_id, merged)
                    changed.append(photo_id)
                conn.execute(
                    "UPDATE face_scans SET keywords_done = 1 WHERE photo_id = ?", (photo_id,)
                )
        return changed

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

    def keywords_of(self, photo_id: int) -> list[Keyword]:
        entries = self.keyword_sets([photo_id]).get(photo_id, [])
        keywords = [Keyword(self.keyword_text(i), round(c, 3), s) for i, c, s in entries]
        return sorted(keywords, key=lambda k: (-k.confidence, k.text))

    def full_text_hits(self, words: Sequence[str], limit: int = -1) -> list[int]:
        """Photos whose keywords hold every one of these words (confirm exact keywords
        afterwards: the index keeps no positions, so it cannot match phrases)."""
        query = " AND ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
        rows = self._conn.execute(
            "SELECT rowid FROM photo_text WHERE photo_text MATCH ? LIMIT ?", (query, limit)
        )
        return [int(r[0]) for r in rows]


def _as_set(keywords: Iterable[Keyword]) -> set[tuple[str, int, str]]:
    """Keywords as stored (confidence in 1/255 steps), to compare two sets."""
    return {(k.text, round(k.confidence * 255), k.source) for k in keywords}
