"""Catalog schema versions, migrations and the in-memory mode."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from amc_core.errors import LibraryError
from amc_core.store.catalog import Catalog
from amc_core.store.records import PhotoRow
from amc_core.store.schema import SCHEMA_VERSION
from amc_core.words.keyword import Keyword


def test_in_memory_catalog_round_trip():
    with Catalog.open(None) as catalog:
        folder = catalog.add_folder("/photos")
        ids = catalog.write_photos(
            [
                PhotoRow(
                    "/photos/a.jpg",
                    folder.id,
                    10,
                    1,
                    "ok",
                    content_hash="h1",
                    keywords=[Keyword("dog", 0.9, "visual"), Keyword("beach", 0.5, "folder")],
                ),
                PhotoRow("/photos/b.jpg", folder.id, 10, 1, "failed", error="empty file"),
            ]
        )
        assert catalog.counts() == {"ok": 1, "failed": 1}
        assert [k.text for k in catalog.keywords_of(ids[0])] == ["dog", "beach"]
        hits = catalog.connection.execute(
            "SELECT rowid FROM photo_text WHERE photo_text MATCH 'beach'"
        ).fetchall()
        assert hits == [(ids[0],)]
        # re-writing a photo replaces its keywords, never duplicates the row
        catalog.write_photos([PhotoRow("/photos/a.jpg", folder.id, 11, 2, "ok", content_hash="h2")])
        assert catalog.counts()["ok"] == 1 and catalog.keywords_of(ids[0]) == []


def test_fresh_catalog_is_at_current_version(tmp_path: Path):
    Catalog.open(tmp_path / "c.sqlite3").close()
    with sqlite3.connect(tmp_path / "c.sqlite3") as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_catalog_is_refused_not_damaged(tmp_path: Path):
    path = tmp_path / "c.sqlite3"
    Catalog.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(LibraryError, match="newer"):
        Catalog.open(path)
    with sqlite3.connect(path) as conn:
        assert (
            conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION + 1
        )


def test_version_1_catalog_migrates_with_its_keywords(tmp_path: Path):
    """A library written by version 1 (saved fixture) opens, and its keywords survive."""
    import shutil

    path = tmp_path / "catalog.sqlite3"
    shutil.copy(Path(__file__).parent / "data" / "catalog_v1.sqlite3", path)
    with Catalog.open(path) as catalog:
        rows = {str(r["path"]): int(r["id"]) for r in catalog.photo_rows()}  # type: ignore[call-overload]
        assert set(rows) == {"/photos/cat.jpg", "/photos/beach.jpg"}
        cat = catalog.keywords_of(rows["/photos/cat.jpg"])
        assert [(k.text, k.source) for k in cat] == [("paris", "place"), ("cat", "visual")]
        assert abs(cat[1].confidence - 0.9) < 0.01
        hits = catalog.connection.execute(
            "SELECT rowid FROM photo_text WHERE photo_text MATCH 'york'"
        ).fetchall()
        assert hits == [(rows["/photos/beach.jpg"],)]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        plan = conn.execute(  # the engine's year filter reads the index alone
            "EXPLAIN QUERY PLAN SELECT id FROM photos WHERE state = 'ok' "
            "AND (taken_at >= '2019' AND taken_at < '2020')"
        ).fetchall()
        assert "COVERING INDEX photos_taken" in str(plan)


def test_a_reader_sees_keywords_another_connection_added(tmp_path: Path):
    path = tmp_path / "catalog.sqlite3"
    with Catalog.open(path) as writer, Catalog.open(path) as reader:
        folder = writer.add_folder("/photos")
        first = writer.write_photos([PhotoRow("/photos/a.jpg", folder.id, 1, 1, "ok",
                                              keywords=[Keyword("dog", 0.9, "visual")])])  # fmt: skip
        assert [k.text for k in reader.keywords_of(first[0])] == ["dog"]
        later = writer.write_photos([PhotoRow("/photos/b.jpg", folder.id, 1, 1, "ok",
                                              keywords=[Keyword("beach", 0.8, "place")])])  # fmt: skip
        assert [k.text for k in reader.keywords_of(later[0])] == ["beach"]
        assert reader.vocabulary_id("beach") == writer.vocabulary_id("beach")


def test_orientation_keywords_leave_an_older_catalog_and_other_sources_stay(tmp_path: Path):
    """Version 5 stored "landscape"/"portrait" (source shape) on every photo; opening drops
    them, while the same word from another source (a face's "portrait") stays."""
    from amc_core.store import schema

    path = tmp_path / "catalog.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for step in schema.MIGRATIONS[:5]:
        step(conn)
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (5)")
    conn.close()
    with Catalog.open(path) as catalog:  # v6 now: write as v5 did, straight into the blobs
        folder = catalog.add_folder("/photos")
        ids = catalog.write_photos([
            PhotoRow("/photos/a.jpg", folder.id, 1, 1, "ok", keywords=[Keyword("dog", 0.9, "visual")]),
            PhotoRow("/photos/b.jpg", folder.id, 1, 1, "ok", keywords=[Keyword("dog", 0.9, "visual")]),
        ])  # fmt: skip
        entries = {
            ids[0]: [("dog", 0.9, "visual"), ("landscape", 1.0, "shape")],
            ids[1]: [("portrait", 0.8, "people"), ("portrait", 1.0, "shape")],
        }
        with catalog.transaction() as tx:
            for photo_id, keywords in entries.items():
                packed = [(catalog._keyword_id(tx, t), c, s) for t, c, s in keywords]
                tx.execute("UPDATE photo_keyword_sets SET data = ? WHERE photo_id = ?",
                           (schema.pack_keyword_set(packed), photo_id))  # fmt: skip
            tx.execute("UPDATE schema_version SET version = 5")
    with Catalog.open(path) as catalog:
        assert [(k.text, k.source) for k in catalog.keywords_of(ids[0])] == [("dog", "visual")]
        assert [(k.text, k.source) for k in catalog.keywords_of(ids[1])] == [("portrait", "people")]
