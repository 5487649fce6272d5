"""EXIF fields a search needs, from written EXIF; bad EXIF gives None, never an error."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PIL import Image

from amc_core.ingest.decode import DecodedPhoto, decode_photo
from amc_core.settings import IndexSettings
from photo_factory import write_photo


def test_exif_fields_are_read(tmp_path: Path):
    path = write_photo(
        tmp_path / "paris.jpg",
        taken=datetime(2019, 7, 4, 15, 30),
        gps=(48.8566, -2.3522),
        make="Apple",
        model="iPhone 12",
    )
    photo = decode_photo(str(path), IndexSettings())
    assert isinstance(photo, DecodedPhoto)
    assert photo.exif.taken_at == datetime(2019, 7, 4, 15, 30)
    assert photo.exif.camera_make == "Apple" and photo.exif.camera_model == "iPhone 12"
    assert abs(photo.exif.gps_lat - 48.8566) < 1e-3  # type: ignore[operator]
    assert abs(photo.exif.gps_lon + 2.3522) < 1e-3  # type: ignore[operator]


def test_garbage_exif_is_ignored(tmp_path: Path):
    exif = Image.Exif()
    exif[0x0112] = 77  # no such orientation
    exif[0x010F] = "\x00\x01\x02"
    exif.get_ifd(0x8769)[0x9003] = "0000:00:00 00:00:00"
    gps = exif.get_ifd(0x8825)
    gps[2] = (1, 2)  # wrong arity
    gps[4] = (400, 0, 0)  # beyond 180 degrees
    path = tmp_path / "junk.jpg"
    Image.new("RGB", (64, 48), (10, 200, 30)).save(path, exif=exif.tobytes())
    photo = decode_photo(str(path), IndexSettings())
    assert isinstance(photo, DecodedPhoto)
    assert (photo.exif.taken_at, photo.exif.gps_lat, photo.exif.camera_make) == (None, None, None)
    assert photo.exif.orientation == 1
