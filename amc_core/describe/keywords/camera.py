"""Camera and shape keywords: maker, model, phone/drone, panorama, screenshot.

``camera_keywords("Apple", "iPhone 12 Pro", 3024, 4032)`` gives ``apple``, ``iphone``,
``iphone 12``, ``iphone 12 pro``, ``phone`` (source ``camera``). Pass the *displayed* size
(after EXIF orientation). A screenshot is recognised from the software tag, or from a missing
camera with a typical screen size (more so for PNG).

Orientation is no keyword: "portrait" and "landscape" typed as words mean a person and a
view, and as keywords on every photo at full confidence they outranked what photos show.
It is the filter ``orientation:portrait|landscape|square`` (read from the stored size).
"""

from __future__ import annotations

from amc_core.words.keyword import Keyword
from amc_core.words.normalise import normalise

MAKE_CONFIDENCE = 1.0
MODEL_CONFIDENCE = 0.9
DEVICE_CONFIDENCE = 0.7
PANORAMA_CONFIDENCE = 0.9
PANORAMA_ASPECT = 2.2

# Words of company names that are not the brand.
_COMPANY_WORDS = frozenset(
    """
    corporation corp co ltd inc imaging camera cameras company electronics digital optical ag
    gmbh group limited mobile communications telecommunications technologies technology
    international the computer photo solutions eastman kabushiki kaisha film systems
    """.split()
)
# fmt: off
_MAKE_ALIASES = {
    "om": "olympus", "fuji": "fujifilm", "konica minolta": "minolta", "konica": "minolta",
    "hmd global": "nokia", "research in motion": "blackberry", "asahi": "pentax",
    "lge": "lg", "huawei device": "huawei",
}
# fmt: on
_PHONE_MAKES = frozenset(
    "xiaomi oneplus oppo vivo motorola htc realme honor zte fairphone blackberry nothing".split()
)
_PHONE_FAMILIES = frozenset(
    "iphone pixel galaxy nexus redmi xperia lumia moto mi poco nokia mate nova".split()
)
_DRONE_MAKES = frozenset({"dji", "parrot", "autel", "skydio"})
_CODE_FAMILIES = frozenset({"sm", "gt", "dsc", "ilce", "dmc", "dc", "ex", "hd"})

_SCREENSHOT_SOFTWARE = (
    "screenshot",
    "screen shot",
    "screen capture",
    "screencapture",
    "snipping",
    "snip &",
    "greenshot",
    "sharex",
    "flameshot",
    "spectacle",
    "lightshot",
)
# Common display resolutions (long side, short side): monitors, laptops, tablets, phones.
# fmt: off
SCREEN_SIZES = frozenset(
    {
        (1024, 768), (1280, 720), (1280, 800), (1280, 1024), (1366, 768), (1440, 900),
        (1536, 864), (1600, 900), (1680, 1050), (1920, 1080), (1920, 1200), (2048, 1536),
        (2160, 1440), (2160, 1620), (2224, 1668), (2256, 1504), (2360, 1640), (2388, 1668),
        (2560, 1080), (2560, 1440), (2560, 1600), (2732, 2048), (2736, 1824), (2880, 1800),
        (3024, 1964), (3440, 1440), (3456, 2234), (3840, 1600), (3840, 2160), (5120, 2880),
        (1136, 640), (1334, 750), (1792, 828), (2208, 1242), (2436, 1125), (2532, 1170),
        (2556, 1179), (2688, 1242), (2778, 1284), (2796, 1290), (2160, 1080), (2220, 1080),
        (2280, 1080), (2340, 1080), (2400, 1080), (2520, 1080), (2960, 1440), (3040, 1440),
        (3120, 1440), (3200, 1440), (1600, 720), (1520, 720),
    }
)
# fmt: on
_SCREEN_ASPECTS = (16 / 9, 16 / 10, 4 / 3, 3 / 2, 18 / 9, 19.5 / 9, 20 / 9, 21 / 9)


def camera_keywords(
    make: str | None,
    model: str | None,
    width: int,
    height: int,
    software: str | None = None,
    format: str | None = None,  # the image format ("PNG"), as callers name it
) -> list[Keyword]:
    """Camera and shape keywords; bad values give fewer keywords, never an error."""
    brand = normalise_make(make)
    out: list[Keyword] = []
    if brand:
        out.append(Keyword(brand, MAKE_CONFIDENCE, "camera"))
    out.extend(model_keywords(brand, model))
    out.extend(shape_keywords(width, height))
    screenshot = screenshot_confidence(brand, model, width, height, software, format)
    if screenshot > 0:
        out.append(Keyword("screenshot", screenshot, "camera"))
    return _dedupe(out)


def normalise_make(make: object) -> str:
    """``"NIKON CORPORATION"`` -> ``"nikon"``; ``""`` for nothing usable."""
    if not isinstance(make, str):
        return ""
    text = normalise(make, lemmatise_words=False)
    if text in _MAKE_ALIASES:
        return _MAKE_ALIASES[text]
    words = [w for w in text.split() if w not in _COMPANY_WORDS]
    if not words:
        return ""
    first_two = " ".join(words[:2])
    if first_two in _MAKE_ALIASES:
        return _MAKE_ALIASES[first_two]
    return _MAKE_ALIASES.get(words[0], words[0])


def model_keywords(brand: str, model: object) -> list[Keyword]:
    """The model phrase, its family word and family + number, and the device kind."""
    text = normalise(model, lemmatise_words=False) if isinstance(model, str) else ""
    words = text.split()
    for word in brand.split():
        if words and words[0] == word:
            words = words[1:]
    out: list[Keyword] = []
    if words and len(words) <= 5 and len(" ".join(words)) <= 40:
        out.append(Keyword(" ".join(words), MODEL_CONFIDENCE, "camera"))
    family = words[0] if words else ""
    named = family.isalpha() and len(family) >= 3 and family not in _CODE_FAMILIES
    if named:
        out.append(Keyword(family, MODEL_CONFIDENCE, "camera"))
        if len(words) >= 2:
            out.append(Keyword(f"{family} {words[1]}", MODEL_CONFIDENCE, "camera"))
    out.extend(_device_keywords(brand, family, words))
    return out


def _device_keywords(brand: str, family: str, words: list[str]) -> list[Keyword]:
    if brand in _DRONE_MAKES:
        return [Keyword("drone", DEVICE_CONFIDENCE, "camera")]
    samsung_phone = brand == "samsung" and (family in {"sm", "galaxy"} or not words)
    if family in _PHONE_FAMILIES or brand in _PHONE_MAKES or samsung_phone:
        return [Keyword("phone", DEVICE_CONFIDENCE, "camera")]
    if brand in {"huawei", "google"} and words:
        return [Keyword("phone", DEVICE_CONFIDENCE, "camera")]
    return []


def _size(width: object, height: object) -> tuple[int, int] | None:
    if isinstance(width, bool) or isinstance(height, bool):
        return None
    if not isinstance(width, int | float) or not isinstance(height, int | float):
        return None
    if not (0 < width < 1e6 and 0 < height < 1e6):  # also rejects NaN
        return None
    return int(width), int(height)


def shape_keywords(width: int, height: int) -> list[Keyword]:
    """panorama for very elongated pictures (a kind of photo people search for)."""
    size = _size(width, height)
    if size is None or min(size) == 0:
        return []
    aspect = size[0] / size[1]
    if max(aspect, 1 / aspect) >= PANORAMA_ASPECT:
        return [Keyword("panorama", PANORAMA_CONFIDENCE, "shape")]
    return []


def _format_name(fmt: object) -> str:
    if not isinstance(fmt, str):
        return ""
    return fmt.strip().lower().removeprefix("image/").lstrip(".")


def screenshot_confidence(
    brand: str, model: object, width: object, height: object, software: object, fmt: object
) -> float:
    """How sure we are the picture is a screenshot (0 when it came from a camera)."""
    tool = software.casefold() if isinstance(software, str) else ""
    if any(word in tool for word in _SCREENSHOT_SOFTWARE):
        return 0.95
    if brand or (isinstance(model, str) and model.strip()):
        return 0.0
    size = _size(width, height)
    if size is None:
        return 0.0
    long_side, short_side = max(size), min(size)
    png = _format_name(fmt) == "png"
    if (long_side, short_side) in SCREEN_SIZES:
        return 0.85 if png else 0.6
    aspect = long_side / max(1, short_side)
    if png and short_side >= 480 and any(abs(aspect - a) < 0.01 * a for a in _SCREEN_ASPECTS):
        return 0.5
    return 0.0


def _dedupe(keywords: list[Keyword]) -> list[Keyword]:
    best: dict[str, Keyword] = {}
    for kw in keywords:
        if kw.text and (kw.text not in best or kw.confidence > best[kw.text].confidence):
            best[kw.text] = kw
    return list(best.values())
