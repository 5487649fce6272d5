#!/usr/bin/env python3
"""Materialise the dev set as a personal photo library: folders, file names and EXIF.

``materialise(out_dir)`` copies every photo of ``photos/`` into ``out_dir``:

* photos listed in ``metadata.json`` go to their synthetic path (``Holidays/Paris 2019/IMG_4410.JPG``)
  with EXIF written by Pillow: Make (0x010F), Model (0x0110), DateTime (0x0132) in IFD0;
  DateTimeOriginal (0x9003) and DateTimeDigitized (0x9004) in the Exif IFD (0x8769);
  GPSVersionID, GPSLatitudeRef/GPSLatitude, GPSLongitudeRef/GPSLongitude as (d, m, s) rationals
  in the GPS IFD (0x8825);
* every other photo goes to ``Unsorted/<id>.jpg`` without EXIF.

The JPEG data are not re-encoded (the EXIF segment is spliced in), so pixels are identical to
``photos/<id>.jpg``. It returns ``{photo id: written path}``.

    python data/devset/build_library.py OUT_DIR
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
PHOTOS_DIR = HERE / "photos"
METADATA_JSON = HERE / "metadata.json"
PHOTOS_JSON = HERE / "photos.json"

TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_DATETIME = 0x0132
TAG_EXIF_IFD = 0x8769
TAG_GPS_IFD = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
TAG_DATETIME_DIGITIZED = 0x9004
GPS_VERSION_ID, GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 0, 1, 2, 3, 4


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    """Decimal degrees -> (degrees, minutes, seconds) rationals, seconds to 1/100."""
    value = abs(value)
    deg = int(value)
    minutes_f = (value - deg) * 60
    minutes = int(minutes_f)
    hundredths = round((minutes_f - minutes) * 60 * 100)
    if hundredths >= 6000:  # rounding carried into the next minute
        hundredths -= 6000
        minutes += 1
    if minutes >= 60:
        minutes -= 60
        deg += 1
    return Fraction(deg, 1), Fraction(minutes, 1), Fraction(hundredths, 100)


def exif_bytes(meta: dict) -> bytes:
    """EXIF (APP1 payload) for one metadata.json entry."""
    exif = Image.Exif()
    taken = datetime.fromisoformat(meta["datetime_original"]).strftime("%Y:%m:%d %H:%M:%S")
    if meta.get("make"):
        exif[TAG_MAKE] = meta["make"]
    if meta.get("model"):
        exif[TAG_MODEL] = meta["model"]
    exif[TAG_DATETIME] = taken
    sub = exif.get_ifd(TAG_EXIF_IFD)
    sub[TAG_DATETIME_ORIGINAL] = taken
    sub[TAG_DATETIME_DIGITIZED] = taken
    gps = meta.get("gps")
    if gps:
        g = exif.get_ifd(TAG_GPS_IFD)
        g[GPS_VERSION_ID] = b"\x02\x02\x00\x00"
        g[GPS_LAT_REF] = "N" if gps["lat"] >= 0 else "S"
        g[GPS_LAT] = _dms(gps["lat"])
        g[GPS_LON_REF] = "E" if gps["lon"] >= 0 else "W"
        g[GPS_LON] = _dms(gps["lon"])
    return exif.tobytes()


def _splice_exif(jpeg: bytes, exif: bytes) -> bytes:
    """Insert an APP1 Exif segment right after SOI (dropping any existing APP1 Exif)."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out, pos = [jpeg[:2]], 2
    # keep APP0 (JFIF) first if present, drop old Exif APP1 segments
    head: list[bytes] = []
    while pos + 4 <= len(jpeg) and jpeg[pos] == 0xFF and 0xE0 <= jpeg[pos + 1] <= 0xEF:
        seg_len = int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
        seg = jpeg[pos : pos + 2 + seg_len]
        if not (jpeg[pos + 1] == 0xE1 and seg[4:10] == b"Exif\x00\x00"):
            head.append(seg)
        pos += 2 + seg_len
    payload = exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("EXIF too large")
    app1 = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    jfif = [s for s in head if s[1] == 0xE0]
    rest = [s for s in head if s[1] != 0xE0]
    return b"".join(out + jfif + [app1] + rest) + jpeg[pos:]


def load_metadata(path: Path = METADATA_JSON) -> dict[str, dict]:
    return json.loads(path.read_text())["photos"]


def photo_ids(path: Path = PHOTOS_JSON) -> list[str]:
    return [p["id"] for p in json.loads(path.read_text())["photos"]]


def materialise(out_dir: Path, photos_dir: Path = PHOTOS_DIR) -> dict[str, Path]:
    """Write the dev-set library under ``out_dir``; return {photo id: path written}."""
    out_dir = Path(out_dir)
    meta = load_metadata()
    written: dict[str, Path] = {}
    for pid in photo_ids():
        src = photos_dir / f"{pid}.jpg"
        data = src.read_bytes()
        m = meta.get(pid)
        if m is None:
            dest = out_dir / "Unsorted" / f"{pid}.jpg"
        else:
            rel = Path(m["path"])
            if rel.is_absolute() or ".." in rel.parts:
                raise ValueError(f"{pid}: unsafe path {m['path']!r}")
            dest = out_dir / rel
            data = _splice_exif(data, exif_bytes(m))
        if dest in written.values():
            raise ValueError(f"{pid}: two photos map to {dest}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        if m is not None:
            ts = datetime.fromisoformat(m["datetime_original"]).timestamp()
            os.utime(dest, (ts, ts))  # file time = capture time, as a camera copy would have
        written[pid] = dest
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    written = materialise(Path(argv[0]))
    n_meta = sum(1 for p in written.values() if p.parent.name != "Unsorted")
    print(
        f"{len(written)} photos written under {argv[0]} ({n_meta} with EXIF, {len(written) - n_meta} unsorted)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
