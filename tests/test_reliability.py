"""What a user must be able to trust: offline, photos untouched, concurrent use, repair."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amc_core.describe.tagging import default_tagger
from amc_core.errors import LibraryError
from amc_core.index.library import Library
from amc_core.search.engine import SearchEngine
from photo_factory import write_photo

AMC = [sys.executable, "-m", "amc_core.cli"]


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }  # fmt: skip


def test_offline_index_and_search_never_touch_the_network(monkeypatch, tmp_path, photos_dir):
    for i in range(4):
        write_photo(photos_dir / "Trip" / f"p{i}.jpg", seed=i, gps=(41.9028, 12.4964))

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access attempted while offline")

    local_socket = socket.socket

    def local_only(family: int = socket.AF_INET, *args: object, **kwargs: object) -> object:
        """Worker processes talk over local (AF_UNIX) sockets: those are no network."""
        if family != socket.AF_UNIX:
            refuse()
        return local_socket(family, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "socket", local_only)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with Library(tmp_path / "lib") as library:
        folders = library.add_folders([str(photos_dir)])
        for progress in library.index(folders, analyzer=default_tagger()):
            pass
        assert progress.report.indexed == 4
    with SearchEngine(tmp_path / "lib") as engine:
        engine.preload()
        assert len(engine.search("rome").results) == 4
    assert not {"huggingface_hub", "requests", "urllib3", "transformers"} & set(sys.modules)


def test_photos_are_never_modified(tmp_path, photos_dir):
    for i in range(3):
        write_photo(photos_dir / f"p{i}.jpg", seed=i, orientation=6)
    before = _digest(photos_dir)
    with Library(tmp_path / "lib") as library:
        folders = library.add_folders([str(photos_dir)])
        for _ in library.index(folders, analyzer=default_tagger(ocr=False)):
            pass
        library.remove_folder(str(photos_dir))
    assert _digest(photos_dir) == before


def test_unopenable_catalog_is_a_clear_error(tmp_path):
    """What a read-only folder or a full disk looks like to SQLite: it cannot open the file.
    (Permission bits cannot be tested here: the tests run as root.)"""
    lib = tmp_path / "lib"
    (lib / "catalog.sqlite3").mkdir(parents=True)
    with pytest.raises(LibraryError, match=r"catalog cannot be opened"):
        Library(lib)


def test_searches_during_indexing_stay_consistent(tmp_path, photos_dir):
    for i in range(24):
        write_photo(photos_dir / f"day{i % 3}" / f"p{i:02d}.jpg", width=640, height=480, seed=i)
    lib = tmp_path / "lib"
    with Library(lib) as library:  # a first folder already searchable
        library.add_folders([str(photos_dir / "day0")])
    indexer = subprocess.Popen([*AMC, "index", str(photos_dir), "--library", str(lib),
                                "--batch-size", "2", "--workers", "1", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    searches, errors = 0, []
    with SearchEngine(lib) as engine:
        while indexer.poll() is None and searches < 400:
            try:
                engine.refresh()
                response = engine.search("day0 photo", 50)
                if response.error:
                    errors.append(response.error)
                for result in response.results:  # never a half-written photo
                    assert os.path.exists(result.path) and result.content_hash
                searches += 1
            except Exception as exc:
                errors.append(repr(exc))
            time.sleep(0.02)
        out, err = indexer.communicate(timeout=120)
        assert indexer.returncode == 0, err
        engine.refresh()
        assert len(engine.search("day0", 100).results) >= 8
    assert json.loads(out)["indexed"] == 24
    print(f"{searches} searches during indexing, {len(errors)} errors")
    assert searches >= 5 and errors == []


def test_repair_rebuilds_what_the_catalog_can_give(tmp_path, photos_dir):
    for i in range(3):
        write_photo(photos_dir / "Beach" / f"p{i}.jpg", seed=i)
    lib = tmp_path / "lib"
    assert subprocess.run([*AMC, "index", str(photos_dir), "--library", str(lib)],
                          capture_output=True, timeout=120).returncode == 0  # fmt: skip
    (lib / "vectors.hnsw").write_bytes(b"not an index")
    with Library(lib) as library, library.catalog.transaction() as tx:  # a damaged feature blob
        tx.execute("UPDATE photo_features SET data = x'00010203' WHERE rowid = "
                   "(SELECT MIN(rowid) FROM photo_features)")  # fmt: skip
    result = subprocess.run([*AMC, "repair", "--library", str(lib), "--json"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["damaged_features"] == 1 and report["vector_index_photos"] == 3
    assert report["photos_read_again"] == 1  # the damaged one, re-read by repair itself
    again = subprocess.run([*AMC, "index", str(photos_dir), "--library", str(lib), "--json"],
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert json.loads(again.stdout)["indexed"] == 0
    search = subprocess.run([*AMC, "search", "beach", "--library", str(lib), "--json"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert len(json.loads(search.stdout)["results"]) == 3


def test_search_path_does_not_import_torch():
    """torch is a training extra: indexing and search run without it."""
    code = "import sys, amc_core.search.engine, amc_core.describe.tagging, amc_core.cli; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_repair_rebuilds_a_garbage_catalog_from_the_folders(tmp_path, photos_dir):
    for i in range(3):
        write_photo(photos_dir / "Garden" / f"p{i}.jpg", seed=i)
    lib = tmp_path / "lib"
    assert subprocess.run([*AMC, "index", str(photos_dir), "--library", str(lib)],
                          capture_output=True, timeout=120).returncode == 0  # fmt: skip
    (lib / "catalog.sqlite3").write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(str(lib / "catalog.sqlite3") + suffix).unlink(missing_ok=True)
    broken = subprocess.run([*AMC, "search", "garden", "--library", str(lib)],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert broken.returncode == 3 and "amc repair" in broken.stderr
    result = subprocess.run([*AMC, "repair", "--library", str(lib), "--json"],
                            capture_output=True, text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["photos_read_again"] == 3 and Path(report["damaged_catalog_moved_to"]).is_file()
    search = subprocess.run([*AMC, "search", "garden", "--library", str(lib), "--json"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert len(json.loads(search.stdout)["results"]) == 3
