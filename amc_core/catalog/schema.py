"""Catalog schema: a version table and step-by-step migrations.

Each entry of MIGRATIONS moves the schema from version i to i + 1 and runs in
one transaction, so a crash mid-migration leaves the previous version intact.
Paths are stored as bytes (os.fsencode) so names that are not valid UTF-8
survive the round trip.
"""

from __future__ import annotations

import sqlite3

from ..errors import LibraryError

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

# MIGRATIONS[i] takes a catalog at version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the catalog to SCHEMA_VERSION, one step per transaction."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise LibraryError(
            f"this library was written by a newer AMC Photo Search (catalog version {version}, "
            f"this program knows up to {SCHEMA_VERSION}); update the program"
        )
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
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
