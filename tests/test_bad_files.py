"""Every kind of bad file is reported with a reason and never stops a run."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from amc_core.index.library import Library
from photo_factory import photo_like, write_photo


def _bad_corpus(folder: Path) -> dict[str, str]:
    """Files that must fail, with a word their reason must contain."""
    (folder / "zero.jpg").write_bytes(b"")
    good = io.BytesIO()
    photo_like(200, 150, 1).save(good, "JPEG")
    (folder / "truncated.jpg").write_bytes(good.getvalue()[: len(good.getvalue()) // 3])
    png = io.BytesIO()
    photo_like(200, 150, 2).save(png, "PNG")
    (folder / "truncated.png").write_bytes(png.getvalue()[:200])
    (folder / "random.jpg").write_bytes(np.random.default_rng(0).bytes(5000))
    (folder / "notes.jpg").write_text("this is a text file, not a photo")
    (folder / "fake.heic").write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100)
    Image.new("1", (16000, 12000)).save(folder / "bomb.png")  # 192 MP of nothing, 30 KB on disk
    heic = _heic_bytes(photo_like(160, 120, 5))
    (folder / "truncated.heic").write_bytes(heic[: len(heic) // 2])
    return {
        "zero.jpg": "empty",
        "truncated.jpg": "decode",
        "truncated.png": "decode",
        "random.jpg": "not an image",
        "notes.jpg": "not an image",
        "fake.heic": "not a readable HEIF image",
        "bomb.png": "too large",
        "truncated.heic": "cannot decode",
    }


def _heic_bytes(image: Image.Image) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    image.save(out, "HEIF", quality=80)
    return out.getvalue()


def _odd_but_good(folder: Path) -> list[str]:
    """Unusual files that are real photos and must be indexed."""
    base = photo_like(120, 90, 3)
    base.convert("CMYK").save(folder / "cmyk.jpg")
    base.convert("P").save(folder / "palette.gif")
    frames = [photo_like(60, 40, s) for s in range(3)]
    frames[0].save(folder / "animated.gif", save_all=True, append_images=frames[1:])
    frames[0].save(folder / "pages.tiff", save_all=True, append_images=frames[1:])
    Image.fromarray((np.arange(120 * 90, dtype=np.uint16) * 7).reshape(90, 120)).save(
        folder / "deep16.png"
    )
    base.convert("RGBA").save(folder / "alpha.png")
    base.save(folder / "photo.webp")
    base.save(folder / "photo.bmp")
    base.save(folder / "no_extension_jpeg", "JPEG")  # recognised by content
    write_photo(folder / "bad_gps.jpg", gps=(123.0, 500.0))
    write_photo(folder / ("x" * 246 + ".jpg"))  # a 250-character name
    (folder / "real.heic").write_bytes(_heic_bytes(photo_like(160, 120, 6)))
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif.get_ifd(0x8769)[0x927C] = bytes(range(256)) * 234  # 60 KB: as big as JPEG EXIF allows
    photo_like(120, 90, 7).save(folder / "makernote.jpg", exif=exif.tobytes())
    return [
        "cmyk.jpg",
        "palette.gif",
        "animated.gif",
        "pages.tiff",
        "deep16.png",
        "alpha.png",
        "photo.webp",
        "photo.bmp",
        "no_extension_jpeg",
        "bad_gps.jpg",
        "x" * 246 + ".jpg",
        "real.heic",
        "makernote.jpg",
    ]


def test_bad_files_are_reported_and_good_ones_indexed(library_dir, photos_dir, settings):
    expected_failures = _bad_corpus(photos_dir)
    good = _odd_but_good(photos_dir)
    (photos_dir / "folder.jpg").mkdir()  # a folder named like a photo
    write_photo(photos_dir / "folder.jpg" / "inside.jpg")
    good.append("inside.jpg")
    (photos_dir / "readme.txt").write_text("not a photo and not named like one: ignored")
    with Library(library_dir, settings) as library:
        folders = library.add_folders([str(photos_dir)])
        for progress in library.index(folders):
            pass
        report = progress.report
        failures = {Path(p).name: e for p, e in report.errors}
        assert set(failures) == set(expected_failures)
        for name, word in expected_failures.items():
            assert word in failures[name], (name, failures[name])
        indexed = {
            Path(str(r["path"])).name for r in library.catalog.photo_rows("WHERE state='ok'")
        }
        assert indexed == set(good)
        assert report.failed == len(expected_failures)
        bad_gps = next(r for r in library.catalog.photo_rows() if "bad_gps" in str(r["path"]))
        assert bad_gps["gps_lat"] is None  # out-of-range GPS is dropped, the photo kept


def test_failed_files_are_not_retried_until_they_change(library_dir, photos_dir, settings):
    (photos_dir / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    with Library(library_dir, settings) as library:
        folders = library.add_folders([str(photos_dir)])
        for progress in library.index(folders):
            pass
        assert progress.report.failed == 1
        for progress in library.index():
            pass
        assert (progress.report.failed, progress.report.skipped) == (0, 1)
        write_photo(photos_dir / "broken.jpg")  # the user repaired it
        for progress in library.index():
            pass
        assert (progress.report.indexed, progress.report.failed) == (1, 0)
        assert library.catalog.counts() == {"ok": 1, "failed": 0}


@pytest.mark.skipif(os.name != "posix", reason="non-UTF-8 names and symlinks are POSIX matters")
def test_non_utf8_names_and_symlinks(library_dir, tmp_path, photos_dir, settings):
    raw_name = os.path.join(os.fsencode(photos_dir), b"caf\xe9 \xff.jpg")
    with open(raw_name, "wb") as handle:
        photo_like(100, 80, 4).save(handle, "JPEG")
    outside = write_photo(tmp_path / "outside" / "secret.jpg")
    os.symlink(outside, photos_dir / "link_out.jpg")
    os.symlink(photos_dir, photos_dir / "loop")  # a symlink loop
    os.symlink(tmp_path / "outside", photos_dir / "dir_out")
    with Library(library_dir, settings) as library:
        folders = library.add_folders([str(photos_dir)])
        for progress in library.index(folders):
            pass
        rows = library.catalog.photo_rows()
        assert [os.fsencode(str(r["path"])) for r in rows] == [raw_name]
        assert progress.report.failed == 0
