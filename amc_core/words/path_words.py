"""Keywords from where a photo lives: folder names and the file name.

``/photos/Holidays/Grandma 80th/IMG_1234.JPG`` (root ``/photos``) gives ``grandma``,
``80th`` and the phrase ``grandma 80th`` (source ``folder``, 0.9: the nearest folder),
``holiday`` (0.8), and nothing from ``IMG_1234``. Nearer folders count more.

Names are split on separators (``_ - . space``), camelCase and letter/digit boundaries
(``80th`` stays whole). Camera counters (IMG_1234, DSC01234, PXL_...), camera folders (DCIM,
100APPLE), system folders (home/<user>, Pictures), copies/edits, hashes, UUIDs and bare
numbers are dropped; plausible years (1900-2099) are kept and dates written in names
(2019-07-04, 20190704) give year and month keywords. Runs of 2-3 meaningful words are also
kept whole (``new york``, ``eiffel tower``). Non-UTF-8 (surrogate-escaped) paths are fine.
"""

from __future__ import annotations

import os
import re
from datetime import date

from amc_core.words.keyword import Keyword
from amc_core.words.normalise import STOP_WORDS, normalise
from amc_core.words.vocabulary import MONTHS

MAX_FOLDERS = 6
NEAREST_FOLDER_CONFIDENCE = 0.9
FOLDER_CONFIDENCE_STEP = 0.1
MIN_FOLDER_CONFIDENCE = 0.4
FILE_CONFIDENCE = 0.7
PHRASE_FACTOR = 0.95
MONTH_FACTOR = 0.9
MAX_PHRASE_WORDS = 3

# Folder names (normalised) that say nothing about the photos in them.
JUNK_FOLDERS = frozenset(
    """
    dcim|camera|camera roll|pictures|my pictures|photos|my photos|images|my images|home|users
    |user|mnt|media|volumes|storage|emulated|sdcard|documents|my documents|desktop|downloads
    |onedrive|dropbox|google photos|icloud photos|photos library photoslibrary|originals
    |masters|thumbnails|thumbs|tmp|temp|var|data|private|mobile|export|exports|import|imports
    |upload|uploads|backup|backups|unsorted|misc|new folder|untitled folder|untitled|sent
    |whatsapp images|whatsapp image|resources|library|run|srv|opt|share|shared|usb|sd card
    """.replace("\n", "").split("|")
)
# Folders followed by a user or drive name when no library root is known.
_OWNER_FOLDERS = frozenset({"home", "users", "media", "volumes", "run"})

# Words (normalised) from camera counters, editors and file formats: never keywords.
JUNK_WORDS = frozenset(
    """
    img image dsc dscn dscf dcim pxl mvimg vid mov dji gopr gp gx gh cimg imgp pict sdc
    hpim dcp mvc pic imag photo picture jpg jpeg jpe png heic heif raw cr2 cr3 crw nef nrw
    arw srf sr2 dng orf rw2 raf pef x3f tif tiff webp gif bmp mp mp4 copy edited edit
    final version ver wa fb ig burst cover lrg resized thumb thumbnail sm med tmp temp
    untitled unknown misc stuff export exported upload download backup file files kopie
    copia
    """.split()
)
# Words that may join a phrase ("new york") but say little alone.
WEAK_WORDS = frozenset(
    {
        "new",
        "old",
        "big",
        "small",
        "large",
        "day",
        "part",
        "set",
        "album",
        "folder",
        "other",
        "various",
        "random",
        "selection",
        "best",
        "los",
        "las",
        "el",
        "la",
        "le",
        "st",
        "san",
    }
)
_WORD_MAP = {"pano": "panorama", "xmas": "christmas", "bday": "birthday", "hols": "holiday"}
# CamelCase names that must not be split.
_CAMEL_WORDS = frozenset(
    """
    whatsapp youtube facebook instagram gopro onedrive dropbox playstation macbook linkedin
    tiktok snapchat wechat iphone ipad imac ipod airpods photoshop lightroom snapseed facetime
    """.split()
)
_MONTH_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

_YMD_RE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)[-_. ]?(0[1-9]|1[0-2])[-_. ]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
_DMY_RE = re.compile(
    r"(?<!\d)(0?[1-9]|[12]\d|3[01])[-_.](0?[1-9]|1[0-2])[-_.]((?:19|20)\d\d)(?!\d)"
)
_YM_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.](0[1-9]|1[0-2])(?!\d)")
# A camera's file counter: IMG_2041, DSC01234, PXL_..._123456789 (its number is no year).
_COUNTER_RE = re.compile(
    r"(?<![^\W_])(?:img|dsc[nf]?|pxl|mvimg|vid|gopr|gp|dji|cimg|imgp|pict|sdc|hpim|dcp|p)"
    r"[_\- ]*\d{3,}",
    re.IGNORECASE,
)
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_DCF_FOLDER_RE = re.compile(r"^\d{3}[A-Za-z0-9_]{5}$")  # 100APPLE, 101MSDCF, 100_PANA
_DRIVE_RE = re.compile(r"^[A-Za-z]:$")
_EXTENSION_RE = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_CHUNK_SPLIT_RE = re.compile(r"[\s_\-.,;:+=&|()\[\]{}~#@!?\"/\\%*<>^$]+")
_HEX_RE = re.compile(r"^[0-9a-fA-F]{8,}$")
_MIXED_RE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]{10,}$")
_PIECE_RE = re.compile(r"\d+(?:st|nd|rd|th)(?![^\W\d_])|\d+|[^\W\d_]+", re.IGNORECASE)
_APOSTROPHES_RE = re.compile("['\u2019\u2018\u02bc`]")
_VOWELS = frozenset("aeiouy")


PATH_SOURCES = ("folder", "file")  # the sources of path_keywords: a move replaces them


def path_keywords(path: str, root: str | None = None) -> list[Keyword]:
    """Folder and file-name keywords of a photo path; ``[]`` for nothing useful. Never raises."""
    parts = _split_path(path)
    if not parts:
        return []
    root_parts = _split_path(root) if root else []
    folders = _relative_folders(parts[:-1], root_parts)
    found: dict[str, Keyword] = {}
    for rank, folder in enumerate(reversed(folders[-MAX_FOLDERS:])):
        step = FOLDER_CONFIDENCE_STEP * rank
        conf = round(max(MIN_FOLDER_CONFIDENCE, NEAREST_FOLDER_CONFIDENCE - step), 3)
        if not _is_junk_folder(folder):
            _collect(found, name_keywords(folder, conf, "folder"))
    stem = _EXTENSION_RE.sub("", parts[-1])
    _collect(found, name_keywords(stem, FILE_CONFIDENCE, "file"))
    return sorted(found.values(), key=lambda k: (-k.confidence, k.text))


def _split_path(path: object) -> list[str]:
    if isinstance(path, bytes | os.PathLike):
        try:
            path = os.fsdecode(path)
        except (TypeError, ValueError):
            return []
    if not isinstance(path, str):
        return []
    return [p for p in re.split(r"[\\/]+", _repair(path)) if p and p != "."]


def _repair(text: str) -> str:
    """Undecodable bytes (surrogate-escaped) are most often Windows-1252: decode them so."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("cp1252", "replace")
    except UnicodeError:
        return text


def _relative_folders(folders: list[str], root_parts: list[str]) -> list[str]:
    """Folders below the library root; without one, those after home/<user> and the like."""
    if root_parts and _starts_with(folders, root_parts):
        return folders[len(root_parts) :]
    start = 0
    for i, folder in enumerate(folders):
        if folder.casefold() in _OWNER_FOLDERS:
            start = i + 2
    return folders[start:]


def _starts_with(parts: list[str], prefix: list[str]) -> bool:
    if len(prefix) > len(parts):
        return False
    if os.name == "nt":
        return [p.casefold() for p in parts[: len(prefix)]] == [p.casefold() for p in prefix]
    return parts[: len(prefix)] == prefix


def _is_junk_folder(folder: str) -> bool:
    if _DCF_FOLDER_RE.match(folder) or _DRIVE_RE.match(folder) or folder.startswith("."):
        return True
    return normalise(folder, lemmatise_words=False) in JUNK_FOLDERS


def _collect(found: dict[str, Keyword], keywords: list[Keyword]) -> None:
    for kw in keywords:
        held = found.get(kw.text)
        if held is None or kw.confidence > held.confidence:
            found[kw.text] = kw


def name_keywords(name: str, confidence: float, source: str) -> list[Keyword]:
    """Keywords of one folder or file name (without extension)."""
    text = _APOSTROPHES_RE.sub("", _UUID_RE.sub(" ", name))
    out, text = _date_keywords(text, confidence, source)
    text = _COUNTER_RE.sub(" ", text)
    runs: list[list[str]] = [[]]
    for chunk in _CHUNK_SPLIT_RE.split(text):
        if not chunk or _is_junk_chunk(chunk):
            runs.append([])
            continue
        for piece in _pieces(chunk):
            word = _word(piece)
            if word is None:
                runs.append([])
            elif word.isdigit():
                out.append(Keyword(word, confidence, source))  # a year
                runs.append([])
            else:
                runs[-1].append(word)
    for run in runs:
        out.extend(_run_keywords(run, confidence, source))
    return out


def _run_keywords(run: list[str], confidence: float, source: str) -> list[Keyword]:
    out = [Keyword(w, confidence, source) for w in run if w not in WEAK_WORDS]
    if 2 <= len(run) <= MAX_PHRASE_WORDS and not all(w in WEAK_WORDS for w in run):
        out.append(Keyword(" ".join(run), round(confidence * PHRASE_FACTOR, 3), source))
    return out


def _date_keywords(text: str, confidence: float, source: str) -> tuple[list[Keyword], str]:
    """Year and month keywords of dates written in a name, and the name without them."""
    out: list[Keyword] = []

    def year_month(year: int, month: int | None) -> None:
        out.append(Keyword(str(year), confidence, source))
        if month:
            out.append(Keyword(MONTHS[month - 1], round(confidence * MONTH_FACTOR, 3), source))

    def ymd(match: re.Match[str]) -> str:
        year, month, day = (int(g) for g in match.groups())
        if not _valid_date(year, month, day):
            return match.group(0)
        year_month(year, month)
        return " "

    def dmy(match: re.Match[str]) -> str:
        first, second, year = (int(g) for g in match.groups())
        if not (_valid_date(year, second, first) or _valid_date(year, first, second)):
            return match.group(0)
        unambiguous = first > 12 or first == second
        year_month(year, second if unambiguous else None)
        return " "

    def ym(match: re.Match[str]) -> str:
        year_month(int(match.group(1)), int(match.group(2)))
        return " "

    text = _YMD_RE.sub(ymd, text)
    text = _DMY_RE.sub(dmy, text)
    text = _YM_RE.sub(ym, text)
    return out, text


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


_CODE_RE = re.compile(r"^[A-Za-z]{1,3}\d{2,}$")  # dv026, ab1234, x7: an id, not words


def _is_junk_chunk(chunk: str) -> bool:
    if len(chunk) > 40 or _DCF_FOLDER_RE.match(chunk) or _CODE_RE.match(chunk):
        return True
    if _HEX_RE.match(chunk) and not chunk.isdigit() and not chunk.isalpha():
        return True
    return bool(_MIXED_RE.match(chunk))


def _pieces(chunk: str) -> list[str]:
    """Split letters from digits (keeping ordinals like 80th) and camelCase words."""
    pieces: list[str] = []
    for piece in _PIECE_RE.findall(chunk):
        camel = piece[:1].isalpha() and piece.casefold() not in _CAMEL_WORDS
        pieces.extend(_split_camel(piece) if camel else [piece])
    return pieces


def _split_camel(word: str) -> list[str]:
    """eiffelTowerAtNight -> eiffel Tower At Night; HTMLPage -> HTML Page; iPhone stays."""
    parts: list[str] = []
    start = 0
    for i in range(1, len(word)):
        prev, cur = word[i - 1], word[i]
        nxt = word[i + 1] if i + 1 < len(word) else ""
        lower_to_upper = prev.islower() and cur.isupper() and i - start >= 2
        acronym_end = prev.isupper() and cur.isupper() and nxt.islower() and i - start >= 2
        if lower_to_upper or acronym_end:
            parts.append(word[start:i])
            start = i
    parts.append(word[start:])
    return parts


def _word(piece: str) -> str | None:
    """The keyword for one piece, a year as digits, or None when it is junk."""
    if piece.isdigit():
        return piece if len(piece) == 4 and 1900 <= int(piece) <= 2099 else None
    raw = normalise(piece, lemmatise_words=False)
    if raw in _MONTH_ABBREVIATIONS:
        return MONTHS[_MONTH_ABBREVIATIONS[raw] - 1]
    word = _WORD_MAP.get(raw) or normalise(piece)
    if not word or " " in word or word in STOP_WORDS or raw in JUNK_WORDS or word in JUNK_WORDS:
        return None
    if word[:1].isdigit():
        return word  # an ordinal: 80th
    if len(word) < 2 or (len(word) >= 4 and word.isascii() and not set(word) & _VOWELS):
        return None
    return word
