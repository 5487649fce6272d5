"""Date keywords from the capture time: year, month, season, weekday, time of day, holidays.

``taken_at`` is the local time the camera wrote (EXIF has no zone), so "afternoon" means the
photographer's afternoon. EXIF facts (year, month, weekday) get confidence 1.0; derived ones
less: the season depends on the hemisphere (and means little in the tropics), the time of day
on a clock someone may never have set.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from amc_core.words.keyword import Keyword
from amc_core.words.vocabulary import MONTHS, TIMES_OF_DAY, WEEKDAYS

# fmt: off
_NORTH_SEASONS = ("winter", "winter", "spring", "spring", "spring", "summer",
                  "summer", "summer", "autumn", "autumn", "autumn", "winter")
# fmt: on
_OPPOSITE = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}

MIN_YEAR = 1826  # the first surviving photograph
MAX_YEAR = 2200

_FACT = 1.0
_DECADE = 0.8
_WEEKEND = 0.9
_TIME_OF_DAY = 0.8
_SEASON_KNOWN_HEMISPHERE = 0.85
_SEASON_ASSUMED_NORTH = 0.7
_SEASON_TROPICS = 0.4
_HOLIDAY = 0.6
_TROPICS_LAT = 23.44


def date_keywords(taken_at: datetime | date | None, latitude: float | None = None) -> list[Keyword]:
    """Keywords for a capture time; ``[]`` for a missing or implausible one. Never raises."""
    if not isinstance(taken_at, date) or not MIN_YEAR <= taken_at.year <= MAX_YEAR:
        return []
    day = taken_at.date() if isinstance(taken_at, datetime) else taken_at
    out = [
        Keyword(str(day.year), _FACT, "date"),
        Keyword(f"{day.year // 10 * 10}s", _DECADE, "date"),
        Keyword(MONTHS[day.month - 1], _FACT, "date"),
        Keyword(WEEKDAYS[day.weekday()], _FACT, "date"),
        season_keyword(day.month, latitude),
    ]
    if day.weekday() >= 5:
        out.append(Keyword("weekend", _WEEKEND, "date"))
    if isinstance(taken_at, datetime):
        out.append(Keyword(time_of_day(taken_at.hour), _TIME_OF_DAY, "date"))
    out.extend(Keyword(name, _HOLIDAY, "date") for name in holidays(day))
    return out


def season_keyword(month: int, latitude: float | None) -> Keyword:
    """The meteorological season; southern hemisphere when ``latitude < 0``."""
    season = _NORTH_SEASONS[month - 1]
    if latitude is None or not isinstance(latitude, int | float) or not math.isfinite(latitude):
        return Keyword(season, _SEASON_ASSUMED_NORTH, "date")
    if latitude < 0:
        season = _OPPOSITE[season]
    tropical = abs(latitude) < _TROPICS_LAT
    return Keyword(season, _SEASON_TROPICS if tropical else _SEASON_KNOWN_HEMISPHERE, "date")


def time_of_day(hour: int) -> str:
    """morning 5-12, afternoon 12-17, evening 17-21, night 21-5."""
    morning, afternoon, evening, night = TIMES_OF_DAY
    if 5 <= hour < 12:
        return morning
    if 12 <= hour < 17:
        return afternoon
    if 17 <= hour < 21:
        return evening
    return night


def holidays(day: date) -> list[str]:
    """Widely photographed holidays falling on ``day`` (western calendar)."""
    names: list[str] = []
    if day.month == 12 and day.day in (24, 25, 26):
        names.append("christmas")
    if (day.month, day.day) in ((12, 31), (1, 1)):
        names.append("new year")
    if (day.month, day.day) == (10, 31):
        names.append("halloween")
    if (day.month, day.day) == (2, 14):
        names.append("valentine")
    if 0 <= (day - easter_sunday(day.year)).days <= 1:
        names.append("easter")
    return names


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, 1) + timedelta(days=(h + l_ - 7 * m + 33 * month + 19) % 32 - 1)
