"""Reading the EXIF fields search needs, defensively: bad EXIF yields None, never an error."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from PIL import Image

_ORIENTATION = 0x0112
_MAKE = 0x010F
_MODEL = 0x0110
_SOFTWARE = 0x0131
_DATETIME = 0x0132
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 0x9003
_DATETIME_DIGITIZED = 0x9004

_DATE_RE = re.compile(r"^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")


@dataclass(frozen=True, slots=True)
class ExifInfo:
    taken_at: datetime | None = None  # local time as the camera wrote it (no zone)
    camera_make: str | None = None
    camera_model: str | None = None
    software: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    orientation: int = 1


def read_exif(image: Image.Image) -> ExifInfo:
    try:
        exif = image.getexif()
    except Exception:  # malformed EXIF blocks raise all sorts of errors inside Pillow
        return ExifInfo()
    sub = _ifd(exif, _EXIF_IFD)
    gps = _ifd(exif, _GPS_IFD)
    taken = (
        _parse_date(sub.get(_DATETIME_ORIGINAL))
        or _parse_date(sub.get(_DATETIME_DIGITIZED))
        or _parse_date(exif.get(_DATETIME))
    )
    lat, lon = _gps(gps)
    return ExifInfo(
        taken_at=taken,
        camera_make=_text(exif.get(_MAKE)),
        camera_model=_text(exif.get(_MODEL)),
        software=_text(exif.get(_SOFTWARE)),
        gps_lat=lat,
        gps_lon=lon,
        orientation=_orientation(exif.get(_ORIENTATION)),
    )


def _ifd(exif: Image.Exif, tag: int) -> dict[int, object]:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:
        return {}


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()
    return cleaned[:64] or None


def _parse_date(value: object) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    match = _DATE_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    if not 1826 <= year <= 2200:  # before the first photograph, or garbage
        return None
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _orientation(value: object) -> int:
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _rational(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return math.nan
    return number


def _degrees(value: object) -> float:
    if not isinstance(value, tuple | list) or len(value) != 3:
        return math.nan
    d, m, s = (_rational(v) for v in value)
    if any(math.isnan(x) or x < 0 for x in (d, m, s)):
        return math.nan
    return d + m / 60.0 + s / 3600.0


def _gps(gps: dict[int, object]) -> tuple[float | None, float | None]:
    lat = _degrees(gps.get(2))
    lon = _degrees(gps.get(4))
    if _text(gps.get(1)) == "S":
        lat = -lat
    if _text(gps.get(3)) == "W":
        lon = -lon
    if math.isnan(lat) or math.isnan(lon) or abs(lat) > 90 or abs(lon) > 180:
        return None, None
    if lat == 0.0 and lon == 0.0:  # "null island": cameras write it when they had no fix
        return None, None
    return lat, lon
