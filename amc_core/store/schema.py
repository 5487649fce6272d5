"""Catalog schema: a version table and step-by-step migrations.

Each entry of MIGRATIONS moves the schema from version i to i + 1 and runs in
one transaction, so a crash mid-migration leaves the previous version intact.
Paths are stored as bytes (os.fsencode) so names that are not valid UTF-8
survive the round trip.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np

from amc_core.arrays import distinct
from amc_core.errors import CatalogDamagedError
from amc_core.words.keyword import SOURCES

_SOURCE_INDEX = {name: i for i, name in enumerate(SOURCES)}

_V1 = """
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path BLOB NOT NULL UNIQUE,
    added_at TEXT NOT NULL
);
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path BLOB NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_hash TEXT,
    format TEXT,
    width INTEGER,
    height INTEGER,
    taken_at TEXT,
    camera_make TEXT,
    camera_model TEXT,
    gps_lat REAL,
    gps_lon REAL,
    orientation INTEGER,
    state TEXT NOT NULL CHECK (state IN ('ok', 'failed')),
    error TEXT,
    indexed_at TEXT NOT NULL
);
CREATE INDEX photos_folder ON photos(folder_id);
CREATE INDEX photos_hash ON photos(content_hash);
CREATE INDEX photos_taken ON photos(taken_at);
CREATE TABLE photo_keywords (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    confidence REAL NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (photo_id, keyword)
) WITHOUT ROWID;
CREATE INDEX photo_keywords_keyword ON photo_keywords(keyword);
CREATE TABLE photo_features (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE VIRTUAL TABLE photo_text USING fts5(keywords, tokenize = 'unicode61');
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _to_v1(conn: sqlite3.Connection) -> None:
    for statement in _statements(_V1):
        conn.execute(statement)


def _to_v2(conn: sqlite3.Connection) -> None:
    """Keywords as a shared vocabulary plus one compact blob per photo (6 bytes a keyword
    instead of a ~50-byte row and index entry), and a full-text index without positions."""
    conn.execute("CREATE TABLE keyword_vocab (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")
    conn.execute(
        "CREATE TABLE photo_keyword_sets ("
        " photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,"
        " data BLOB NOT NULL)"
    )
    conn.execute(
        "INSERT INTO keyword_vocab (text) SELECT DISTINCT keyword FROM photo_keywords ORDER BY 1"
    )
    vocab = dict(conn.execute("SELECT text, id FROM keyword_vocab").fetchall())
    sets: dict[int, list[tuple[int, float, str]]] = {}
    for photo_id, keyword, confidence, source in conn.execute(
        "SELECT photo_id, keyword, confidence, source FROM photo_keywords "
        "ORDER BY photo_id, confidence DESC"
    ):
        sets.setdefault(photo_id, []).append((vocab[keyword], confidence, source))
    conn.execute("DROP TABLE photo_keywords")
    conn.execute("DROP TABLE photo_text")
    conn.execute("CREATE VIRTUAL TABLE photo_text USING fts5(keywords, detail = none)")
    texts = {v: k for k, v in vocab.items()}
    for photo_id, entries in sets.items():
        conn.execute(
            "INSERT INTO photo_keyword_sets (photo_id, data) VALUES (?, ?)",
            (photo_id, pack_keyword_set(entries)),
        )
        conn.execute(
            "INSERT INTO photo_text (rowid, keywords) VALUES (?, ?)",
            (photo_id, " ".join(texts[i] for i, _, _ in entries)),
        )


def _to_v3(conn: sqlite3.Connection) -> None:
    """Clicks: which result a user opened or inspected after which query (AMC's training
    signal). Kept only in the library, cleared on request."""
    conn.execute(
        "CREATE TABLE clicks ("
        " id INTEGER PRIMARY KEY,"
        " query TEXT NOT NULL,"
        " photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,"
        " action TEXT NOT NULL CHECK (action IN ('open', 'inspect')),"
        " at TEXT NOT NULL)"
    )
    conn.execute("CREATE INDEX clicks_query ON clicks(query)")


def _to_v4(conn: sqlite3.Connection) -> None:
    """Date filters read only the index: (taken_at, state) covers `year:`, `before:` and
    `after:` without a table lookup per photo (49k photos of one year at 10^6: 36 -> 16 ms)."""
    conn.execute("DROP INDEX photos_taken")
    conn.execute("CREATE INDEX photos_taken ON photos(taken_at, state)")


_FACES = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT,
    hidden INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX people_name ON people(name COLLATE NOCASE) WHERE name IS NOT NULL;
CREATE TABLE face_scans (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    content_hash TEXT,
    detector TEXT NOT NULL,
    face_count INTEGER NOT NULL,
    body_count INTEGER NOT NULL DEFAULT 0,
    body_confidence REAL NOT NULL DEFAULT 0,
    keywords_done INTEGER NOT NULL DEFAULT 0,
    scanned_at TEXT NOT NULL
);
CREATE INDEX face_scans_keywords ON face_scans(keywords_done);
CREATE INDEX face_scans_count ON face_scans(face_count);
CREATE TABLE faces (
    id INTEGER PRIMARY KEY,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
    score REAL NOT NULL,
    quality REAL NOT NULL,
    crop BLOB,
    embedding BLOB,
    model TEXT,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX faces_photo ON faces(photo_id);
CREATE INDEX faces_person ON faces(person_id);
CREATE TABLE face_rejections (
    face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (face_id, person_id)
) WITHOUT ROWID;
"""


def _to_v5(conn: sqlite3.Connection) -> None:
    """People: faces (box as fractions of the oriented photo, detector score, an aligned crop
    so that a new embedding model needs no second decode, the embedding and the model that
    made it), the people they belong to, the user's "not this person" answers, and which
    photos the faces pass has read (per content hash: a changed photo is read again)."""
    for statement in _statements(_FACES):
        conn.execute(statement)


_RETIRED_SHAPE_WORDS = ("landscape", "portrait", "square")


def _to_v6(conn: sqlite3.Connection) -> None:
    """Orientation is a filter now, no longer a keyword: drop the "landscape", "portrait" and
    "square" keywords of source "shape" from every photo (one numpy pass per 5,000 photos; the
    same words from other sources, e.g. a face's "portrait", stay)."""
    marks = ",".join("?" * len(_RETIRED_SHAPE_WORDS))
    found = conn.execute(
        f"SELECT id FROM keyword_vocab WHERE text IN ({marks})", _RETIRED_SHAPE_WORDS
    )
    retired = [int(r[0]) for r in found]
    if not retired:
        return
    shape = _SOURCE_INDEX["shape"]
    last = -1
    while rows := conn.execute(
        "SELECT photo_id, data FROM photo_keyword_sets WHERE photo_id > ? ORDER BY photo_id "
        "LIMIT 5000",
        (last,),
    ).fetchall():
        last = int(rows[-1][0])
        for photo_id, data in rows:
            records = np.frombuffer(data, dtype=KEYWORD_RECORD)
            dropped = (records["source"] == shape) & np.isin(records["id"], retired)
            if dropped.any():
                conn.execute(
                    "UPDATE photo_keyword_sets SET data = ? WHERE photo_id = ?",
                    (records[~dropped].tobytes(), photo_id),
                )


def _to_v7(conn: sqlite3.Connection) -> None:
    """The boxes of the people seen whole (the faces pass's body detector; before, only their
    count was kept). Photos counted before get theirs from the next faces pass, which reads
    only their bodies again (BodyRecords.photos_without_body_boxes)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, "
        "photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, "
        "x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL, "
        "confidence REAL NOT NULL)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS bodies_photo ON bodies(photo_id)")


# MIGRATIONS[i] takes a catalog at version i to version i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _to_v1, _to_v2, _to_v3, _to_v4, _to_v5, _to_v6, _to_v7,
)  # fmt: skip
SCHEMA_VERSION = len(MIGRATIONS)
# one stored keyword, 6 bytes: vocabulary id, confidence * 255, source index (255: other)
KEYWORD_RECORD = np.dtype([("id", "<u4"), ("conf", "u1"), ("source", "u1")])


def pack_keyword_set(entries: list[tuple[int, float, str]]) -> bytes:
    """(vocabulary id, confidence, source) triples -> the stored blob."""
    records = [
        (keyword_id, round(min(max(confidence, 0.0), 1.0) * 255), _SOURCE_INDEX.get(source, 255))
        for keyword_id, confidence, source in entries
    ]
    return np.array(records, dtype=KEYWORD_RECORD).tobytes()


def carriers(blobs: list[bytes], keyword_id: int, source: str | None = None) -> list[int]:
    """Indexes of the packed sets that hold keyword_id (from source, if given): one numpy
    pass over all of them."""
    if not blobs or (source is not None and source not in _SOURCE_INDEX):
        return []
    records = np.frombuffer(b"".join(blobs), dtype=KEYWORD_RECORD)  # (records,)
    owner = np.repeat(np.arange(len(blobs)), [len(b) // KEYWORD_RECORD.itemsize for b in blobs])
    hit = records["id"] == keyword_id
    if source is not None:
        hit &= records["source"] == _SOURCE_INDEX[source]
    return distinct(owner[hit]).tolist()


def unpack_keyword_set(blob: bytes) -> list[tuple[int, float, str]]:
    return [
        (keyword_id, level / 255, SOURCES[source] if source < len(SOURCES) else "other")
        for keyword_id, level, source in np.frombuffer(blob, dtype=KEYWORD_RECORD).tolist()
    ]


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the catalog to SCHEMA_VERSION, one step per transaction."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise CatalogDamagedError(
            f"this library was written by a newer AMC Photo Search (catalog version {version}, "
            f"this program knows up to {SCHEMA_VERSION}); your photos are untouched: update the "
            "program, or run `amc repair` to rebuild the catalog for this version (the newer "
            "one is kept aside)"
        )
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version += 1


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit implicitly)."""
    return [s.strip() for s in script.split(";") if s.strip()]
