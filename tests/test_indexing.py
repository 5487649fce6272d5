"""Incremental indexing as a user sees it: new, unchanged, changed, deleted, moved."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from amc_core.index.library import Library
from amc_core.index.run import IndexReport
from amc_core.settings import IndexSettings
from photo_factory import write_photo


def run_index(library: Library, folders: list[str] | None = None) -> IndexReport:
    targets = library.add_folders(folders) if folders else None
    last = None
    for last in library.index(targets):
        pass
    assert last is not None and last.finished
    return last.report


def make_album(root: Path, count: int, prefix: str = "photo") -> list[Path]:
    return [write_photo(root / f"{prefix}_{i}.jpg", seed=i) for i in range(count)]


def test_second_run_indexes_nothing(library_dir, photos_dir, settings):
    make_album(photos_dir / "2019 Summer", 5)
    with Library(library_dir, settings) as library:
        first = run_index(library, [str(photos_dir)])
        second = run_index(library, [str(photos_dir)])
        assert (first.indexed, first.failed) == (5, 0)
        assert (second.indexed, second.skipped, second.removed) == (0, 5, 0)
        assert library.catalog.counts() == {"ok": 5, "failed": 0}
        assert library.status().pending == 0


def test_changed_and_deleted_files(library_dir, photos_dir, settings):
    photos = make_album(photos_dir, 4)
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir)])
        old_hashes = library.catalog.hashes_in_use()
        write_photo(photos[0], seed=99)  # same name, new content
        stat = photos[0].stat()
        os.utime(photos[0], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        photos[1].unlink()
        assert library.status().pending == 1
        report = run_index(library)
        assert (report.indexed, report.removed, report.skipped) == (1, 1, 2)
        rows = library.catalog.photo_rows("ORDER BY path")
        assert [Path(str(r["path"])).name for r in rows] == [
            "photo_0.jpg",
            "photo_2.jpg",
            "photo_3.jpg",
        ]
        # the thumbnails of the old content and of the deleted photo are gone, the new one exists
        hashes = library.catalog.hashes_in_use()
        assert set(library.thumbnails.hashes()) == hashes
        assert len(old_hashes - hashes) == 2


def test_moved_folder_keeps_photos_without_redecoding(library_dir, photos_dir, settings):
    make_album(photos_dir / "Trips" / "Rome", 3)
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir)])
        ids_before = {r["id"] for r in library.catalog.photo_rows()}
        shutil.move(photos_dir / "Trips" / "Rome", photos_dir / "Rome 2018")
        report = run_index(library)
        assert (report.moved, report.indexed, report.removed) == (3, 0, 0)
        rows = library.catalog.photo_rows()
        assert {r["id"] for r in rows} == ids_before
        assert all("Rome 2018" in str(r["path"]) for r in rows)


def test_moved_photo_is_found_by_its_new_folder_words_not_the_old(
    library_dir, photos_dir, settings
):
    from amc_core.describe.tagging import default_tagger

    make_album(photos_dir / "Trips" / "Lisbon", 2)
    with Library(library_dir, settings) as library:
        folders = library.add_folders([str(photos_dir)])
        tagger = default_tagger(ocr=False)
        for _ in library.index(folders, analyzer=tagger):
            pass
        photo = library.catalog.photo_rows()[0]["id"]
        before = {k.text for k in library.catalog.keywords_of(photo)}
        assert {"trip", "lisbon"} <= before
        shutil.move(photos_dir / "Trips" / "Lisbon", photos_dir / "Porto 2018")
        last = None
        for last in library.index(None, analyzer=tagger):
            pass
        assert last is not None and last.report.moved == 2 and last.report.indexed == 0
        words = {k.text: k.source for k in library.catalog.keywords_of(photo)}
        assert words.get("porto") == "folder" and "trip" not in words and "lisbon" not in words
        assert before - {"trip", "lisbon"} <= set(words)  # the photo's own analysis is kept
        hits = library.catalog.full_text_hits(["porto"])
        assert photo in hits and library.catalog.full_text_hits(["lisbon"]) == []


def test_missing_folder_keeps_its_photos(library_dir, photos_dir, settings):
    make_album(photos_dir / "card", 2)
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir / "card")])
        shutil.rmtree(photos_dir / "card")  # an unplugged memory card looks like this
        report = run_index(library)
        assert report.removed == 0
        assert "not found" in report.errors[0][1]
        assert library.catalog.counts()["ok"] == 2


def test_thumbnails_are_small_oriented_and_cached(library_dir, photos_dir, settings):
    write_photo(photos_dir / "portrait.jpg", width=400, height=300, orientation=6)
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir)])
        row = library.catalog.photo_rows()[0]
        assert (row["width"], row["height"]) == (300, 400)  # EXIF orientation 6: rotated
        from PIL import Image

        with Image.open(library.thumbnails.path_for(str(row["content_hash"]))) as thumb:
            assert thumb.size[1] > thumb.size[0]  # portrait, as the photo is shown
            assert max(thumb.size) <= 256


def test_nested_and_parent_folders_do_not_duplicate(library_dir, photos_dir, settings):
    make_album(photos_dir / "a", 2)
    make_album(photos_dir / "b", 1)
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir / "a")])
        report = run_index(library, [str(photos_dir)])  # the parent absorbs "a"
        assert report.indexed == 1 and report.skipped == 2
        assert [f.path for f in library.folders()] == [os.path.realpath(photos_dir)]
        assert library.catalog.counts()["ok"] == 3


def test_remove_folder_forgets_photos_but_keeps_files(library_dir, photos_dir, settings):
    photos = make_album(photos_dir, 3)
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir)])
        assert library.remove_folder(str(photos_dir)) == 3
        assert library.catalog.counts()["ok"] == 0
        assert list(library.thumbnails.hashes()) == []
    assert all(p.exists() for p in photos)


def test_worker_processes_give_the_same_catalog(library_dir, tmp_path, photos_dir):
    make_album(photos_dir, 10)

    def records(library: Library) -> dict[str, tuple[dict[str, object], bytes]]:
        """Every stored field but the row id and the time of indexing, and the thumbnail."""
        out = {}
        for row in library.catalog.photo_rows():
            fields = {k: v for k, v in row.items() if k not in ("id", "indexed_at", "folder_id")}
            thumb = library.thumbnails.path_for(str(row["content_hash"])).read_bytes()
            out[Path(str(row["path"])).name] = (fields, thumb)
        return out

    pooled = IndexSettings(workers=2, batch_size=3)
    with Library(library_dir, pooled) as library:
        report = run_index(library, [str(photos_dir)])
        pooled_rows = records(library)
    with Library(tmp_path / "lib2", IndexSettings(workers=1)) as library:
        run_index(library, [str(photos_dir)])
        single_rows = records(library)
    assert report.indexed == 10
    assert pooled_rows == single_rows


def test_cancel_stops_cleanly_and_resume_finishes(library_dir, photos_dir):
    import threading

    make_album(photos_dir, 12)
    settings = IndexSettings(workers=1, batch_size=2)
    cancel = threading.Event()
    with Library(library_dir, settings) as library:
        folders = library.add_folders([str(photos_dir)])
        for progress in library.index(folders, cancel=cancel):
            if progress.phase == "indexing" and progress.done == 5:
                cancel.set()
        assert progress.report.cancelled
        assert library.catalog.counts()["ok"] == 5
        started = time.monotonic()
        report = run_index(library)
        assert time.monotonic() - started < 30
        assert (report.indexed, report.skipped) == (7, 5)


def _vector_ids(library: Library) -> frozenset[int]:
    from amc_core.store.vector_index import VectorIndex
    from amc_core.words.space import semantic_space

    index = VectorIndex(library.paths.root, semantic_space().dim)
    assert index.load(), "the index run left no readable vector index"
    return index.ids


def test_index_leaves_the_vector_index_equal_to_the_catalog(library_dir, photos_dir, settings):
    """Search only reads the vector index: every run (new photos, deleted photos, a removed
    folder) leaves it holding exactly the catalog's indexed photos, with no search engine."""
    photos = make_album(photos_dir / "Trip", 4)
    make_album(photos_dir / "Other", 2, prefix="other")
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir / "Trip"), str(photos_dir / "Other")])
        assert (
            _vector_ids(library) == library.catalog.indexed_ids() and len(_vector_ids(library)) == 6
        )
        photos[0].unlink()
        run_index(library)
        assert (
            _vector_ids(library) == library.catalog.indexed_ids() and len(_vector_ids(library)) == 5
        )
        library.remove_folder(str(photos_dir / "Other"))
        assert (
            _vector_ids(library) == library.catalog.indexed_ids() and len(_vector_ids(library)) == 3
        )


def test_amc_index_completes_the_library_without_a_search_engine(library_dir, photos_dir):
    make_album(photos_dir, 2)
    amc = Path(sys.executable).parent / "amc"
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}  # every import, on stderr
    result = subprocess.run([str(amc), "index", str(photos_dir), "--library", str(library_dir)],
                            capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "amc_core.search" not in result.stderr  # no engine was opened to write vectors
    with Library(library_dir) as library:
        assert _vector_ids(library) == library.catalog.indexed_ids()
        assert len(library.catalog.indexed_ids()) == 2


def test_index_saves_every_keyword_vector_search_needs(library_dir, photos_dir, settings):
    """Search reads keyword vectors instead of embedding them (a cold first search paid for
    every keyword of its candidates); the saved rows equal what embedding gives, and a torn
    or foreign file is made again."""
    import numpy as np

    from amc_core.describe.tagging import default_tagger
    from amc_core.store.batch import KeywordVectors
    from amc_core.store.keyword_rows import read_rows
    from amc_core.words.space import semantic_space

    space = semantic_space()
    make_album(photos_dir / "Grandma 80th", 3)
    with Library(library_dir, settings) as library:
        tagger = default_tagger(ocr=False)
        folders = library.add_folders([str(photos_dir)])

        def run() -> None:
            for _ in library.index(folders, analyzer=tagger):
                pass

        run()
        size = library.catalog.vocabulary_size()
        rows = read_rows(library.paths.keyword_vectors, space.centre)
        assert rows is not None and len(rows) == size > 2
        ids = np.arange(1, size)
        fresh = KeywordVectors(library.catalog, space).embed(ids)
        np.testing.assert_array_equal(np.asarray(rows[1:]), fresh)
        with open(library.paths.keyword_vectors, "r+b") as handle:  # a crash while appending
            handle.truncate(handle.seek(0, 2) - 100)
        run()
        repaired = read_rows(library.paths.keyword_vectors, space.centre)
        assert repaired is not None and len(repaired) == size
        np.testing.assert_array_equal(np.asarray(repaired[1:]), fresh)
        library.paths.keyword_vectors.write_bytes(np.ones((size, space.dim), "<f4").tobytes())
        assert read_rows(library.paths.keyword_vectors, space.centre) is None  # another space
        run()
        rebuilt = read_rows(library.paths.keyword_vectors, space.centre)
        assert rebuilt is not None
        np.testing.assert_array_equal(np.asarray(rebuilt[1:]), fresh)


def test_a_changed_or_moved_photo_gets_a_fresh_vector(library_dir, photos_dir, settings):
    """A photo re-indexed in place (new content, same id) or moved (new folder words) is
    found by what it is now: its saved vector is recomputed, not kept from before."""
    import numpy as np

    from amc_core.describe.tagging import default_tagger
    from amc_core.store.batch import KeywordVectors, load_batch
    from amc_core.store.photo_vectors import photo_vectors
    from amc_core.store.vector_index import VectorIndex
    from amc_core.words.space import semantic_space

    space = semantic_space()

    def saved_and_fresh(library: Library, photo_id: int) -> tuple[np.ndarray, np.ndarray]:
        index = VectorIndex(library.paths.root, space.dim)
        assert index.load()
        batch = load_batch(library.catalog, KeywordVectors(library.catalog, space), [photo_id])
        return index.vectors([photo_id])[0], photo_vectors(batch, space.class_matrix)[0]

    photos = make_album(photos_dir / "Beach", 2)
    tagger = default_tagger(ocr=False)
    with Library(library_dir, settings) as library:
        folders = library.add_folders([str(photos_dir)])

        def run() -> IndexReport:
            last = None
            for last in library.index(folders, analyzer=tagger):
                pass
            assert last is not None
            return last.report

        run()
        photo_id = next(i for i, p in library.catalog.indexed_paths() if p.endswith("photo_0.jpg"))
        (photos_dir / "Snow Day Tokyo").mkdir()
        photos[0].rename(photos_dir / "Snow Day Tokyo" / "photo_0.jpg")  # moved: new folder words
        assert run().moved == 1
        saved, fresh = saved_and_fresh(library, photo_id)
        np.testing.assert_allclose(saved, fresh, atol=1e-6)
        write_photo(photos[1], seed=42)  # changed in place: new content, same id
        stat = photos[1].stat()
        os.utime(photos[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        assert run().indexed == 1
        changed = next(i for i, p in library.catalog.indexed_paths() if p.endswith("photo_1.jpg"))
        saved, fresh = saved_and_fresh(library, changed)
        np.testing.assert_allclose(saved, fresh, atol=1e-6)


def test_a_quiet_rescan_does_not_read_the_vector_index(
    library_dir, photos_dir, settings, monkeypatch
):
    """Nothing changed: the run checks the vector index's small record and stops there (the
    graph of a 10^6-photo library takes seconds to load)."""
    from amc_core.store.vector_index import VectorIndex

    make_album(photos_dir, 3)
    with Library(library_dir, settings) as library:
        run_index(library, [str(photos_dir)])
        loads: list[object] = []
        original = VectorIndex.load

        def counting(self):  # type: ignore[no-untyped-def]
            loads.append(self)
            return original(self)

        monkeypatch.setattr(VectorIndex, "load", counting)
        assert run_index(library).skipped == 3
        assert loads == []
        write_photo(photos_dir / "new.jpg", seed=77)
        run_index(library)
        assert len(loads) == 1 and _vector_ids(library) == library.catalog.indexed_ids()


def test_photos_analysed_by_an_older_model_are_read_again_once(library_dir, photos_dir, settings):
    """A library indexed before the scene probe (another feature model) gets the new
    analysis at the next index: those photos are read again, keep their ids, and then are
    skipped like the rest."""
    from amc_core.describe.tagging import FEATURE_MODEL, default_tagger
    from amc_core.store.features import scene_evidence

    make_album(photos_dir, 3)
    with Library(library_dir, settings) as library:
        folders = library.add_folders([str(photos_dir)])
        tagger = default_tagger(ocr=False)
        for _ in library.index(folders, analyzer=tagger, faces=False):
            pass
        old = library.catalog.photo_rows()[0]["id"]
        with library.catalog.transaction() as conn:
            conn.execute("UPDATE photo_features SET model = 'mobilenet_v2-amcv1' WHERE photo_id = ?",
                         (old,))  # fmt: skip
        assert library.status().pending == 1
        reports = []
        for _ in range(2):
            for last in library.index(None, analyzer=tagger, faces=False):
                pass
            reports.append(last.report)
        assert (reports[0].indexed, reports[0].skipped) == (1, 2)
        assert (reports[1].indexed, reports[1].skipped) == (0, 3)
        assert library.catalog.counts()["ok"] == 3 and library.status().pending == 0
        row = library.catalog.connection.execute(
            "SELECT model, data FROM photo_features WHERE photo_id = ?", (old,)
        ).fetchone()
        assert row[0] == FEATURE_MODEL and scene_evidence(row[1]) is not None
