"""The `amc` command line contract: JSON fields, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from amc_core.store.layout import LibraryPaths, WriteLock
from photo_factory import write_photo

AMC = [sys.executable, "-m", "amc_core.cli"]


def amc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AMC, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_index_status_search_json(tmp_path: Path, photos_dir: Path):
    write_photo(photos_dir / "Beach Day" / "IMG_0001.jpg", seed=1)
    write_photo(photos_dir / "Mountains" / "IMG_0002.jpg", seed=2)
    (photos_dir / "broken.jpg").write_bytes(b"nope")
    lib = str(tmp_path / "lib")
    result = amc("index", str(photos_dir), "--library", lib, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["indexed"], report["failed"], report["skipped"], report["removed"]) == (
        2,
        1,
        0,
        0,
    )
    assert report["errors"][0]["path"].endswith("broken.jpg") and report["errors"][0]["error"]
    assert result.stderr == ""  # no progress bar when stderr is not a terminal

    again = json.loads(amc("index", str(photos_dir), "--library", lib, "--json").stdout)
    assert (again["indexed"], again["skipped"]) == (0, 3)

    status = json.loads(amc("status", "--library", lib, "--json").stdout)
    assert (status["photos"], status["failed"], status["pending"]) == (2, 1, 0)
    assert status["folders"] == [os.path.realpath(photos_dir)]
    assert status["size_bytes"] > 0 and "execution_provider" in status and "models" in status

    found = json.loads(amc("search", "beach", "--library", lib, "--json").stdout)
    assert found["query"] == "beach"
    paths = [r["path"] for r in found["results"]]
    assert paths and paths[0].endswith(os.path.join("Beach Day", "IMG_0001.jpg"))
    first = found["results"][0]
    assert set(first) >= {"path", "score", "modality_weights", "keywords"}
    assert set(first["modality_weights"]) == {"visual", "language"}
    assert os.path.isabs(first["path"])


def test_library_from_environment(tmp_path: Path, photos_dir: Path):
    write_photo(photos_dir / "a.jpg")
    lib = tmp_path / "env-lib"
    result = amc("index", str(photos_dir), "--json", env={"AMC_LIBRARY": str(lib)})
    assert result.returncode == 0 and (lib / "catalog.sqlite3").is_file()
    assert (lib.stat().st_mode & 0o077) == 0  # the library is private to its user
    assert ((lib / "catalog.sqlite3").stat().st_mode & 0o077) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["index", "/definitely/not/here"], "folder not found"),
        (["search", "x", "--top", "0"], "--top"),
        (["frobnicate"], "invalid choice"),
        (["search"], "required"),
    ],
)
def test_bad_arguments_give_one_clear_line(tmp_path: Path, args: list[str], message: str):
    result = (
        amc(*args, "--library", str(tmp_path / "lib")) if args[0] != "frobnicate" else amc(*args)
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_export_with_missing_parameters_says_so_and_writes_nothing(tmp_path: Path):
    result = amc("export", "--out", str(tmp_path / "out"), "--params", str(tmp_path / "no.npz"))
    assert result.returncode != 0 and "parameters not found" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_unreadable_library_is_one_clear_line(tmp_path: Path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "catalog.sqlite3").write_bytes(b"this is not a database" * 100)
    result = amc("status", "--library", str(lib))
    assert result.returncode == 3  # a damaged library's own exit status
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = amc("status", "--library", str(not_a_dir))
    assert result.returncode == 1 and "not a folder" in result.stderr


def test_second_indexer_refuses_clearly(tmp_path: Path, photos_dir: Path):
    write_photo(photos_dir / "a.jpg")
    lib = tmp_path / "lib"
    assert amc("index", str(photos_dir), "--library", str(lib)).returncode == 0
    with WriteLock(LibraryPaths(lib)):  # as if another `amc index` were running
        result = amc("index", str(photos_dir), "--library", str(lib), "--json")
        assert result.returncode == 1
        assert "another program is updating this library" in result.stderr
        # reading still works while the library is being written
        assert amc("search", "a", "--library", str(lib), "--json").returncode == 0


def test_version():
    result = amc("--version")
    assert result.returncode == 0 and result.stdout.startswith("amc ")


def test_train_json_and_too_little_data(tmp_path: Path, photos_dir: Path):
    """`amc train --json`: the queries trained and validated on, the images not in the library,
    validation NDCG before and after, whether the new parameters were kept."""
    names = ["Beach/IMG_1.jpg", "Mountains/IMG_2.jpg", "Snow/IMG_3.jpg", "City/IMG_4.jpg"]
    for seed, name in enumerate(names):
        write_photo(photos_dir / name, seed=seed)
    lib = str(tmp_path / "lib")
    assert amc("index", str(photos_dir), "--library", lib, "--no-ocr").returncode == 0
    queries = [{"query": n.split("/")[0].lower(), "relevant": {n: 2}} for n in names]
    queries[0]["relevant"]["elsewhere/not_indexed.jpg"] = 2
    data = tmp_path / "queries.json"
    data.write_text(json.dumps({"queries": queries}), encoding="utf-8")
    train = ["train", "--format", "queries", str(data), "--library", lib]

    result = amc(*train, "--json", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"queries", "skipped_images", "validation_ndcg@10", "kept", "seconds"}
    assert report["queries"]["train"] + report["queries"]["validation"] == len(names)
    assert report["queries"]["validation"] >= 1 and report["skipped_images"] == 1
    ndcg = report["validation_ndcg@10"]
    assert set(ndcg) == {"before", "after"} and ndcg["after"] >= ndcg["before"]
    assert isinstance(report["kept"], bool)

    data.write_text(json.dumps({"queries": queries[:1]}), encoding="utf-8")
    result = amc(*train)
    assert result.returncode == 1 and "need at least 2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINT = 'if __name__ == "__main__":'


def test_the_tools_the_docs_name_exist_and_live_in_build_or_learn():
    """Every `python -m amc_core...` command and `amc_core/....py` file that the README, the
    docs, the licence notes or a docstring tells a reader to use exists; the only `python -m`
    tools are build's and learn's export and dev set (besides `amc` itself, cli/__main__.py)."""
    sources = list((ROOT / "amc_core").rglob("*.py"))
    texts = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("resources/*/LICENSE*")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in [*texts, *sources])
    tools = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in sources
        if ENTRY_POINT in p.read_text(encoding="utf-8")
    }
    named = set(re.findall(r"python -m (amc_core(?:\.\w+)+)", text))
    # a package named is the README's `python -m amc_core.build.<tool>`
    named -= {n for n in named if (ROOT / n.replace(".", "/")).is_dir()}
    assert named and named <= tools
    assert {t for t in tools if not t.startswith("amc_core.build.")} == {
        "amc_core.learn.export",
        "amc_core.learn.devset",
    }
    files = set(re.findall(r"\bamc_core/[\w/]+\.py\b", text))
    assert files and all((ROOT / f).is_file() for f in files), sorted(
        f for f in files if not (ROOT / f).is_file()
    )
