"""A photo's details for the inspector, read from the catalog (one row by primary key: quick)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from amc_core.api import Catalog, Keyword

# The keywords listed under a photo's details say what it shows and where it is filed. The
# Taken, Place and Camera rows already say when, where and with what. A guess below
# LISTED_CONFIDENCE (an "airedale" at 0.07 on a pekinese) is counted, not listed: the issue's
# rule for scene words, a word is shown where it is right most of the time.
LISTED_CONFIDENCE = 0.5
SHOWN_ELSEWHERE = frozenset({"date", "place", "camera"})


@dataclass(frozen=True, slots=True)
class PhotoDetails:
    photo_id: int
    path: str
    taken: str  # "" when unknown
    place: str
    camera: str
    size: str


def load_details(catalog: Catalog, photo_id: int) -> PhotoDetails | None:
    row = catalog.photo_record(photo_id)
    if row is None:
        return None
    places = [k.text for k in catalog.keywords_of(photo_id) if k.source == "place"]
    return PhotoDetails(
        photo_id=photo_id,
        path=str(row["path"]),
        taken=format_taken(row.get("taken_at")),
        place=", ".join(dict.fromkeys(places)),
        camera=format_camera(row.get("camera_make"), row.get("camera_model")),
        size=format_size(row.get("width"), row.get("height")),
    )


def format_taken(value: object) -> str:
    if not value:
        return ""
    try:
        taken = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if taken.hour == taken.minute == taken.second == 0:
        return taken.strftime("%d %B %Y").lstrip("0")
    return taken.strftime("%d %B %Y, %H:%M").lstrip("0")


def format_camera(make: object, model: object) -> str:
    make_text = str(make or "").strip()
    model_text = str(model or "").strip()
    if make_text and model_text.lower().startswith(make_text.lower()):
        return model_text  # "Canon" + "Canon EOS 80D"
    return " ".join(t for t in (make_text, model_text) if t)


def format_size(width: object, height: object) -> str:
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return f"{width} × {height} px"
    return ""


def listed_keywords(keywords: Iterable[Keyword]) -> tuple[list[str], int]:
    """(the keywords to list, most confident first; how many weaker guesses are left out):
    each text once, none of the sources another row shows."""
    listed: dict[str, None] = {}
    weaker: set[str] = set()
    for keyword in sorted(keywords, key=lambda k: -k.confidence):
        if keyword.source in SHOWN_ELSEWHERE:
            continue
        if keyword.confidence >= LISTED_CONFIDENCE:
            listed.setdefault(keyword.text)
        else:
            weaker.add(keyword.text)
    return list(listed), len(weaker - set(listed))
