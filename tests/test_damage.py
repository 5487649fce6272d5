"""Fault injection, the fast cases (benchmarks/damage_trials.py runs many seeds): a damaged
catalog never crashes a command, `amc repair` always ends with a working, complete library,
and is safe to run twice and after being killed."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fault_injection import PAGE, overwrite_pages, truncate

from amc_core.cli import main
from amc_core.errors import EXIT_DAMAGED
from amc_core.index.library import Library
from amc_core.index.repair import catalog_problem
from amc_core.store.layout import LibraryPaths
from photo_factory import write_photo

AMC = [sys.executable, "-m", "amc_core.cli"]
PHOTOS = 8


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A library of real-looking photos, indexed once through the CLI (faces off: fast)."""
    work = tmp_path_factory.mktemp("damage")
    photos = work / "photos"
    for i in range(PHOTOS):
        write_photo(photos / ("Beach" if i % 2 else "Garden") / f"p{i}.jpg", seed=i)
    lib = work / "lib"
    assert main(["index", str(photos), "--library", str(lib), "--no-faces", "--workers", "1"]) == 0
    return photos, lib


@pytest.fixture
def lib(base: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "lib"
    shutil.copytree(base[1], copy)
    return copy


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """A command in this process: any exception escaping main() is a traceback a user sees."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _after_repair_everything_is_back(capsys, lib: Path) -> dict[str, object]:
    code, out, err = run(capsys, "repair", "--library", str(lib), "--json")
    assert code == 0, err
    report = json.loads(out)
    code, out, _ = run(capsys, "status", "--library", str(lib), "--json")
    assert code == 0 and json.loads(out)["photos"] == PHOTOS
    code, out, _ = run(capsys, "search", "photo", "--top", "50", "--library", str(lib), "--json")
    assert code == 0 and len(json.loads(out)["results"]) == PHOTOS
    assert catalog_problem(lib) is None
    return report


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_damaged_pages_one_line_then_repair(capsys, base, lib: Path, seed: int):
    overwrite_pages(lib / "catalog.sqlite3", seed)
    for args in (("status",), ("search", "beach"), ("index", str(base[0]), "--no-faces")):
        code, _out, err = run(capsys, *args, "--library", str(lib))
        assert code in (0, EXIT_DAMAGED)
        if code == EXIT_DAMAGED:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "amc repair" in lines[0] and "untouched" in lines[0]
            assert str(lib / "catalog.sqlite3") in lines[0]
    report = _after_repair_everything_is_back(capsys, lib)
    moved = report.get("damaged_catalog_moved_to")
    if moved:  # never deleted: kept beside, for whoever wants to look at it
        assert Path(str(moved)).is_file()


def test_truncated_catalog(capsys, lib: Path):
    truncate(lib / "catalog.sqlite3", 0.4)
    code, _out, err = run(capsys, "search", "beach", "--library", str(lib))
    assert code == EXIT_DAMAGED and "damaged" in err
    _after_repair_everything_is_back(capsys, lib)


def test_catalog_from_a_newer_version(capsys, lib: Path):
    with sqlite3.connect(lib / "catalog.sqlite3") as conn:
        conn.execute("UPDATE schema_version SET version = version + 5")
    code, _out, err = run(capsys, "status", "--library", str(lib))
    assert code == EXIT_DAMAGED and "newer" in err and "amc repair" in err
    report = _after_repair_everything_is_back(capsys, lib)
    assert "newer" in str(report["catalog"])


def test_repair_of_a_healthy_library_says_so_and_twice_is_safe(capsys, lib: Path):
    overwrite_pages(lib / "catalog.sqlite3", 2)
    first = _after_repair_everything_is_back(capsys, lib)
    assert str(first["catalog"]).startswith("damaged")
    second = _after_repair_everything_is_back(capsys, lib)
    assert second["catalog"] == "healthy: nothing to salvage"
    assert "photos_read_again" not in second  # nothing was read again


def test_deleted_catalog_comes_back_from_the_folders(capsys, lib: Path):
    (lib / "catalog.sqlite3").unlink()
    code, _out, err = run(capsys, "search", "beach", "--library", str(lib))
    assert code == EXIT_DAMAGED and "missing" in err  # never a silently empty library
    report = _after_repair_everything_is_back(capsys, lib)
    assert report["photos_read_again"] == PHOTOS


def test_repair_killed_while_salvaging_goes_on_when_run_again(capsys, lib: Path):
    """What a kill -9 during the salvage leaves on disk: the state file, the damaged catalog
    moved aside, a half-made fresh one. The next repair starts the salvage over."""
    paths = LibraryPaths(lib)
    overwrite_pages(paths.catalog, 4)
    aside = lib / "catalog.sqlite3.damaged-killed"
    paths.catalog.replace(aside)
    paths.repair_state.write_text(json.dumps({"aside": str(aside), "stage": "salvage"}))
    paths.rebuilding_catalog.write_bytes(b"half written" * 100)
    report = _after_repair_everything_is_back(capsys, lib)
    assert report["catalog"] == "resuming an interrupted repair"
    assert not paths.repair_state.exists() and not paths.rebuilding_catalog.exists()
    assert aside.is_file()


def test_repair_killed_while_indexing_goes_on_when_run_again(base, lib: Path):
    """kill -9 of a real `amc repair` in the middle of reading photos again; the next run
    finishes the job."""
    catalog = lib / "catalog.sqlite3"
    with sqlite3.connect(catalog) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'photo_keyword_sets'"
        ).fetchone()
    with open(catalog, "r+b") as f:  # every photo's keywords lost: all must be read again
        f.seek((root - 1) * PAGE)
        f.write(b"\x5a" * PAGE)
    cmd = [*AMC, "repair", "--library", str(lib), "--json"]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = LibraryPaths(lib).repair_state
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if state.exists() and '"rebuild"' in state.read_text():
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert state.exists(), "the kill must land before the repair finished"
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["catalog"] == "resuming an interrupted repair"
    with Library(lib) as library:
        assert library.catalog.counts()["ok"] == PHOTOS
    assert not state.exists()


def test_lost_write_ahead_log_mid_run(base, tmp_path: Path):
    """The log and its index deleted while `amc index` writes (a cleaner, a sync tool): no
    traceback, and repair ends with every photo."""
    photos = tmp_path / "many"
    for i in range(40):
        write_photo(photos / f"q{i:02d}.jpg", width=640, height=480, seed=100 + i)
    lib = tmp_path / "walless"
    cmd = [*AMC, "index", str(photos), "--library", str(lib), "--no-faces", "--workers", "1",
           "--batch-size", "2"]  # fmt: skip
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wal = Path(str(lib / "catalog.sqlite3") + "-wal")
    deadline = time.monotonic() + 60
    while not wal.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.3)
    for suffix in ("-wal", "-shm"):
        Path(str(lib / "catalog.sqlite3") + suffix).unlink(missing_ok=True)
    _out, err = process.communicate(timeout=300)
    assert "Traceback" not in err
    for args in (["status"], ["search", "photo"], ["index", str(photos), "--no-faces"]):
        done = subprocess.run([*AMC, *args, "--library", str(lib)], capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert "Traceback" not in done.stderr and done.returncode in (0, EXIT_DAMAGED)
    repaired = subprocess.run([*AMC, "repair", "--library", str(lib), "--json"],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
    assert repaired.returncode == 0, repaired.stderr
    with Library(lib) as library:
        assert library.catalog.counts()["ok"] == 40


def test_unmounted_photos_folder_keeps_its_photos(capsys, base, tmp_path: Path):
    """A folder on a drive that is not mounted: its photos stay (offline) through an index
    of the whole library and through repair, and none is read again when it returns."""
    drive = tmp_path / "drive"
    shutil.copytree(base[0], drive)
    lib = tmp_path / "offline"
    assert run(capsys, "index", str(drive), "--no-faces", "--library", str(lib))[0] == 0
    unmounted = tmp_path / "unmounted"
    drive.rename(unmounted)
    with Library(lib) as library:
        last = list(library.index(faces=False))[-1]
        assert any("not mounted" in error for _path, error in last.report.errors)
        assert library.catalog.counts()["ok"] == PHOTOS
    overwrite_pages(lib / "catalog.sqlite3", 1)
    code, out, err = run(capsys, "repair", "--library", str(lib), "--json")
    assert code == 0, err
    # the damaged pages may have held some photos' features: those, and only those, are read
    # again once their files are back (which pages the damage hits depends on the layout)
    lost = json.loads(out)["salvage"]["photos_to_reanalyse"]
    with Library(lib) as library:
        assert library.catalog.counts()["ok"] == PHOTOS  # kept, though the files are away
        unmounted.rename(drive)
        last = list(library.index(faces=False))[-1]
        assert last.report.indexed == lost < PHOTOS and last.report.removed == 0


def _people_state(lib: Path) -> tuple[int, list[int]]:
    """(faces, sizes of the people groups), as the catalog holds them."""
    with Library(lib) as library:
        conn = library.catalog.connection
        faces = int(conn.execute("SELECT COUNT(*) FROM faces").fetchone()[0])
        sizes = [int(r[0]) for r in conn.execute(
            "SELECT COUNT(*) FROM faces WHERE person_id IS NOT NULL GROUP BY person_id "
            "ORDER BY 1")]  # fmt: skip
    return faces, sizes


def test_kill_9_during_the_faces_pass_then_resume(tmp_path: Path):
    """kill -9 of `amc index` once its faces pass has begun (reading, embedding or grouping,
    each committed whole): the next run ends with the same people as a run never killed."""
    from test_people import FACES

    album = tmp_path / "album"
    for copy in range(3):  # a longer faces pass, so that the kill lands inside it
        shutil.copytree(FACES, album / f"c{copy}")
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    cmd = [*AMC, "index", str(album), "--no-ocr", "--workers", "2", "--library"]
    process = subprocess.Popen([*cmd, str(killed)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    scans = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(f"file:{killed / 'catalog.sqlite3'}?mode=ro", uri=True) as c:
                scans = int(c.execute("SELECT COUNT(*) FROM face_scans").fetchone()[0])
        except sqlite3.Error:
            scans = 0
        if scans:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the kill must land inside the faces pass"
    process.send_signal(signal.SIGKILL)
    process.wait()
    for lib in (killed, clean):
        done = subprocess.run([*cmd, str(lib)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    assert _people_state(killed) == _people_state(clean)
    assert _people_state(clean)[1], "the repeated man forms a group"
