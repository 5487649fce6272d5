"""Duplicates: exact copies and near-duplicates (resized, re-encoded, cropped) grouped from
what the index holds, with a suggested keeper; different photos, bursts included, never."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from amc_core.index.duplicates import EXACT, KEEPER, NEAR, find_duplicates
from amc_core.index.library import Library

DEVSET = Path(__file__).resolve().parent.parent / "data" / "devset" / "photos"
COPIED = ("dv003", "dv017", "dv052")  # three photos, each with three copies
OTHERS = ("dv008", "dv024", "dv061", "dv070", "dv088", "dv093")  # distinct photos
BURST = "dv040"  # two frames of a pan (15% apart), without the photo they come from


def amc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "amc_core.cli", *args], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ))  # fmt: skip


def _save(image: Image.Image, path: Path, quality: int) -> None:
    image.convert("RGB").save(path, "JPEG", quality=quality)  # no EXIF: near-equal file times


def build_folder(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name in (*COPIED, *OTHERS):
        with Image.open(DEVSET / f"{name}.jpg") as image:
            _save(image, folder / f"{name}.jpg", 92)
    for name in COPIED:
        original = folder / f"{name}.jpg"
        shutil.copyfile(original, folder / f"{name} copy.jpg")  # exact copy
        with Image.open(original) as image:
            w, h = image.size
            _save(image.resize((w // 2, h // 2), Image.Resampling.LANCZOS),
                  folder / f"{name}-half.jpg", 80)  # fmt: skip
            _save(image.crop((w // 20, h // 20, w - w // 20, h - h // 20)),
                  folder / f"{name}-cropped.jpg", 90)  # fmt: skip
    with Image.open(DEVSET / f"{BURST}.jpg") as image:
        w, h = image.size
        shift = int(w * 0.15)
        _save(image.crop((0, 0, w - shift, h)), folder / f"{BURST}-frame1.jpg", 90)
        _save(image.crop((shift, 0, w, h)), folder / f"{BURST}-frame2.jpg", 90)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("duplicates")
    folder, library = root / "photos", root / "library"
    build_folder(folder)
    result = amc("index", str(folder), "--library", str(library), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["indexed"] == len(list(folder.iterdir()))
    return folder, library


def stem_of(path: str) -> str:
    return Path(path).stem.split(" ")[0].split("-")[0]


def test_cli_reports_three_groups_of_four_and_touches_no_file(indexed: tuple[Path, Path]):
    folder, library = indexed
    before = digests(folder)
    result = amc("duplicates", "--library", str(library), "--json")
    assert result.returncode == 0, result.stderr
    groups = json.loads(result.stdout)["groups"]
    assert len(groups) == 3
    for group in groups:
        photos = group["photos"]
        assert len(photos) == 4
        assert len({stem_of(p["path"]) for p in photos}) == 1  # no group mixes photos
        assert set(photos[0]) == {"path", "width", "height", "size_bytes", "format",
                                  "taken_at", "reason"}  # fmt: skip
        # the keeper: full resolution (the original or its exact copy, equal but for time)
        keeper = next(p for p in photos if p["path"] == group["keeper"])
        assert keeper["reason"] == KEEPER
        assert keeper["width"] * keeper["height"] == max(p["width"] * p["height"] for p in photos)
        assert not keeper["path"].endswith(("-half.jpg", "-cropped.jpg"))
        reasons = sorted(p["reason"] for p in photos)
        assert reasons == sorted([KEEPER, EXACT, NEAR, NEAR])
    assert sorted(stem_of(g["keeper"]) for g in groups) == sorted(COPIED)
    assert digests(folder) == before  # listing changes no file


def test_bursts_and_distinct_photos_are_not_grouped(indexed: tuple[Path, Path]):
    _folder, library_dir = indexed
    with Library(library_dir) as library:
        steps = list(find_duplicates(library.catalog, library.thumbnails))
    assert steps[-1].phase == "done"
    grouped = {stem_of(p.path) for g in steps[-1].groups for p in g.photos}
    assert grouped == set(COPIED)  # neither the burst's frames nor the other photos


def test_human_listing_and_no_duplicates(indexed: tuple[Path, Path], tmp_path: Path):
    _folder, library = indexed
    listing = amc("duplicates", "--library", str(library))
    assert listing.returncode == 0 and listing.stdout.count("group ") == 3
    empty = amc("duplicates", "--library", str(tmp_path / "empty"), "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout) == {"groups": []}
