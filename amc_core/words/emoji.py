"""Emoji in a query, read as the words they stand for: "🐶" -> "dog", "🏖️" -> "beach with
umbrella", "🇫🇷" -> "france".

Photo apps on phones answer emoji, and a phone keyboard offers them first. Their names come
with Python (``unicodedata``), so there is no table to ship; a flag's two letters are its
country's ISO code, named by the gazetteer the place keywords come from.
"""

from __future__ import annotations

import unicodedata

from amc_core.words.gazetteer import load_gazetteer

# Where pictographs live: Miscellaneous Symbols and Dingbats (☕ ❄ ⛰), and the
# supplementary planes' symbol blocks (🌅 🐶 🍕 🚗 🦋). Other symbols (© ° ™) are not emoji.
_BLOCKS = ((0x2600, 0x27BF), (0x1F300, 0x1FAFF))
# Joiners, variation selectors, skin tones, keycaps and tags shape an emoji, name nothing.
_SHAPERS = frozenset(
    {0x200D, 0xFE0E, 0xFE0F, 0x20E3, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)}
)
_FLAG_LETTERS = (0x1F1E6, 0x1F1FF)  # regional indicators A-Z: two make a country's flag
_FACES = (0x1F600, 0x1F64F)  # the smileys: "grinning face" is a person's face


def emoji_words(text: str) -> str:
    """The text with every emoji replaced by its name's words (lower case, spaced off from
    the words around it); text without emoji comes back as it is."""
    if text.isascii():
        return text
    out: list[str] = []
    flag: list[int] = []
    for char in text:
        code = ord(char)
        if _FLAG_LETTERS[0] <= code <= _FLAG_LETTERS[1]:
            flag.append(code - _FLAG_LETTERS[0])
            if len(flag) == 2:
                out.append(f" {_country(flag)} ")
                flag = []
        elif code in _SHAPERS:
            continue
        elif any(low <= code <= high for low, high in _BLOCKS):
            out.append(f" {_name(char, code)} ")
        else:
            out.append(char)
    return "".join(out)


def _name(char: str, code: int) -> str:
    """ "DOG FACE" -> "dog" (an animal's face is the animal); "GRINNING FACE" stays a face;
    "EMOJI COMPONENT RED HAIR" (joined to a person) -> "red hair"."""
    words = unicodedata.name(char, "").lower().removeprefix("emoji component ").split()
    if len(words) == 2 and words[1] == "face" and not _FACES[0] <= code <= _FACES[1]:
        words = words[:1]
    return " ".join(words)


def _country(letters: list[int]) -> str:
    code = "".join(chr(ord("A") + i) for i in letters)
    gazetteer = load_gazetteer()
    if gazetteer is None or code not in gazetteer.country_codes:
        return ""
    return gazetteer.country_names[gazetteer.country_codes.index(code)]
