"""Keyword text normalisation: lower case, no punctuation, singular nouns, no stop words.

Every keyword source and the query parser go through :func:`normalise`, so a keyword and a
query word meet in one form: ``"Dogs!"`` -> ``"dog"``, ``"Grandma's"`` -> ``"grandma"``,
``"Café"`` -> ``"cafe"``, ``"New York"`` -> ``"new york"``.

The lemmatiser is a small rule-based English one (plural -> singular) with lists of
irregular plurals and of words that merely end in ``s`` (``bus``, ``grass``, ``paris``,
``christmas``, ``glasses``). Proper names from the gazetteer and from people are kept
unlemmatised by :func:`merge_keywords` (source ``place``/``people``); a query parser should
match :func:`amc_core.words.gazetteer.gazetteer_names` phrases before lemmatising the rest.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from amc_core.words.keyword import Keyword

MAX_TEXT_CHARS = 1_000  # longer "words" are garbage, not keywords

# Sources whose keywords are proper names: normalised but never lemmatised.
PROPER_NAME_SOURCES = frozenset({"place", "people", "person"})

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also via per etc vs im ive id dont cant wont isnt arent wasnt
    de des du der und
    """.split()
)

# Irregular plurals and plural forms the suffix rules would get wrong.
# fmt: off
_IRREGULAR: dict[str, str] = {
    "children": "child", "childrens": "child", "men": "man", "mens": "man",
    "women": "woman", "womens": "woman", "peoples": "people", "mice": "mouse",
    "geese": "goose", "feet": "foot", "teeth": "tooth", "oxen": "ox", "lice": "louse",
    "leaves": "leaf", "wolves": "wolf", "knives": "knife", "wives": "wife", "lives": "life",
    "halves": "half", "shelves": "shelf", "loaves": "loaf", "calves": "calf",
    "thieves": "thief", "scarves": "scarf", "elves": "elf", "selves": "self",
    "hooves": "hoof", "sheaves": "sheaf", "cacti": "cactus", "fungi": "fungus",
    "octopi": "octopus", "nuclei": "nucleus", "radii": "radius", "alumni": "alumnus",
    "larvae": "larva", "antennae": "antenna", "criteria": "criterion",
    "phenomena": "phenomenon", "quizzes": "quiz", "gases": "gas", "atlases": "atlas",
    "canvases": "canvas", "lenses": "lens", "irises": "iris", "oases": "oasis",
    "crises": "crisis", "analyses": "analysis", "theses": "thesis", "axes": "axe",
    "busses": "bus", "taxis": "taxi", "skis": "ski", "kiwis": "kiwi", "bikinis": "bikini",
    "emojis": "emoji", "martinis": "martini", "safaris": "safari", "yetis": "yeti",
    "wikis": "wiki", "minis": "mini", "tipis": "tipi", "rabbis": "rabbi", "yogis": "yogi",
    "salamis": "salami", "khakis": "khaki", "chilis": "chili", "jacuzzis": "jacuzzi",
    "menus": "menu", "emus": "emu", "gurus": "guru", "haikus": "haiku", "tutus": "tutu",
    "gnus": "gnu", "dominoes": "domino", "goes": "go", "sheep": "sheep", "deer": "deer", "fish": "fish",
}
# fmt: on

# Words ending in "s" that are not plurals (or are plural-only nouns and names).
_INVARIANT = frozenset(
    """
    news series species means physics mathematics economics politics athletics gymnastics
    aerobics clothes scissors pants trousers jeans shorts tights pajamas pyjamas binoculars
    glasses sunglasses goggles headphones earphones christmas xmas texas kansas arkansas
    atlas canvas bias alias chaos cosmos kudos ethos pathos thermos asbestos lens always
    perhaps towards afterwards backwards whereas sometimes yes this thus was has does his
    hers its ours yours theirs less unless diabetes herpes measles mumps rabies billiards
    overalls cheerios wales paris athens dallas vegas los angeles memphis lagos brussels
    marseilles philippines netherlands bahamas maldives seychelles barbados comoros honduras
    emirates mykonos naxos paros samos patmos rhodes cannes nantes reims rennes nimes
    limoges valenciennes versailles calais hades olympus bruges hastings moines hebrides
    pyrenees alps andes rockies dolomites himalayas cotswolds everglades hamptons
    aires buenos algiers alpes amazonas angers antilles asturias athos azores barinas burgas
    burgos caracas campinas chiapas cienfuegos flanders galapagos goias iquitos kaunas laos
    leeds lages meknes minas naples palmas piedras posadas rios salinas tamaulipas zacatecas
    massachusetts yonkers guarulhos caxias dourados pelotas matanzas morelos nogales
    corrientes misiones manizales bocas caicos turks kitts grenadines cocos pafos homs engels
    ventspils daugavpils salaspils panevezys mostoles leganes sivas kars kahramanmaras thies
    malolos batangas ilocos visayas dasmarinas navotas vieques puntarenas tumbes lajas
    esmeraldas guayas aguascalientes canelones artigas maramures arges mures heves durres
    kukes troms ordos qods fars
    thomas nicholas nicolas lucas douglas james charles agnes frances jules miles giles
    moses hermes achilles jonas elias tobias matthias andreas silas amos carlos marcos
    santos jesus gladys mavis lois dolores mercedes ines lourdes
    """.split()
)

# Singulars ending in -ie whose plural is -ies (the default turns -ies into -y).
_IE_SINGULARS = frozenset(
    """
    movie cookie brownie selfie zombie hippie hoodie smoothie calorie rookie goalie veggie
    birdie aussie barbie pixie genie prairie auntie bookie yuppie sweetie cutie boogie indie
    newbie roomie freebie techie foodie groupie bestie beanie collie sortie rotisserie
    menagerie budgie nightie lassie laddie caddie magpie junkie oldie goodie baddie kiddie
    doggie bootie lingerie reverie coterie valkyrie wheelie walkie talkie onesie scrunchie
    hoagie pinkie
    """.split()
)

# Singulars ending in -che (the default turns -ches into -ch).
_CHE_SINGULARS = frozenset(
    """
    cache niche avalanche moustache mustache headache ache quiche psyche cliche creche
    attache douche microfiche panache brioche gouache earache toothache backache apache
    porsche tranche cloche pastiche cartouche
    """.split()
)

# Singulars ending in -us whose plural is -uses (the default turns -uses into -use).
_US_SINGULARS = frozenset(
    """
    bus minibus trolleybus omnibus virus campus bonus circus cactus octopus walrus
    hippopotamus genus census chorus citrus fungus lotus sinus status apparatus asparagus
    hibiscus eucalyptus platypus abacus crocus focus stimulus syllabus thesaurus torus uterus
    prospectus discus exodus nexus surplus terminus caucus fetus foetus hiatus impetus
    isthmus mucus onus radius rhombus stylus cumulus nimbus cirrus papyrus rebus calculus
    narcissus iris
    """.split()
)

# Singulars ending in -o whose plural is -oes (the default turns -oes into -oe).
_O_ES_SINGULARS = frozenset(
    """
    potato tomato hero volcano mango echo torpedo mosquito domino tornado buffalo cargo veto
    embargo flamingo motto avocado grotto halo
    """.split()
)

# One spelling for words with British/American variants.
# fmt: off
_SPELLING = {
    "gray": "grey", "greys": "grey", "grays": "grey", "color": "colour", "colors": "colour",
    "colorful": "colourful", "colored": "coloured", "theater": "theatre",
    "center": "centre", "harbor": "harbour", "neighborhood": "neighbourhood",
}
# fmt: on

_APOSTROPHES = frozenset("'\u2019\u2018\u02bc`\u00b4")
_DROP_CATEGORIES = frozenset({"Cs", "Cc", "Cf", "Co", "Cn"})


def lemmatise(token: str) -> str:
    """Singular of an English plural noun; anything else comes back unchanged."""
    if token in _IRREGULAR:
        return _IRREGULAR[token]
    if len(token) <= 3 or not token.endswith("s") or token in _INVARIANT:
        return token
    if not (token.isascii() and token.isalpha()):
        return token
    if token.endswith(("ss", "us", "is")):
        return token
    if token.endswith("ies"):
        return _lemma_ies(token)
    if token.endswith("es"):
        return _lemma_es(token)
    return token[:-1]


def _lemma_ies(token: str) -> str:
    if len(token) <= 4 or token[:-1] in _IE_SINGULARS:
        return token[:-1]  # pies -> pie, movies -> movie
    return token[:-3] + "y"  # puppies -> puppy


def _lemma_es(token: str) -> str:
    stem = token[:-2]
    if stem.endswith("ch"):
        return token[:-1] if token[:-1] in _CHE_SINGULARS else stem
    if stem.endswith(("ss", "sh", "x", "zz", "tz")):
        return stem  # glasses, dishes, boxes, buzzes, waltzes
    if stem.endswith("us"):
        return stem if stem in _US_SINGULARS else token[:-1]  # buses -> bus, houses -> house
    if stem.endswith("o"):
        return stem if stem in _O_ES_SINGULARS else token[:-1]  # potatoes, shoes
    return token[:-1]  # horses -> horse, leaves handled as irregular


def _fold_char(text: str) -> str:
    """Drop control and surrogate characters and the accents of Latin letters."""
    out: list[str] = []
    base_is_latin = False
    for ch in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(ch)
        if category in _DROP_CATEGORIES:
            continue
        if category == "Mn":
            if base_is_latin:
                continue
        else:
            base_is_latin = ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _words(text: str) -> list[str]:
    """Lower-cased, accent-folded words; apostrophes vanish, other punctuation splits."""
    folded = _fold_char(text.casefold())
    chars = ["" if ch in _APOSTROPHES else (ch if ch.isalnum() else " ") for ch in folded]
    return "".join(chars).split()


def normalise(word: str, lemmatise_words: bool = True) -> str:
    """The canonical form of a word or phrase (``""`` when nothing is left)."""
    if not isinstance(word, str) or len(word) > MAX_TEXT_CHARS:
        return ""
    return _normalise_cached(word, bool(lemmatise_words))


@lru_cache(maxsize=65_536)  # the same words (months, classes, places) recur photo after photo
def _normalise_cached(word: str, lemmatise_words: bool) -> str:
    tokens = [_SPELLING.get(t, t) for t in _words(word)]
    if lemmatise_words:
        tokens = [_SPELLING.get(lemma, lemma) for lemma in map(lemmatise, tokens)]
    return " ".join(tokens)


def is_stop_phrase(text: str) -> bool:
    """True when a normalised text is empty or made only of stop words."""
    tokens = text.split()
    return not tokens or all(t in STOP_WORDS for t in tokens)


def tokenize(text: str, drop_stop_words: bool = True) -> list[str]:
    """Normalised single words of a text, in order, stop words removed."""
    if not isinstance(text, str):
        return []
    tokens = normalise(text).split()
    if drop_stop_words:
        tokens = [t for t in tokens if t not in STOP_WORDS]
    return tokens


def _clean_confidence(value: object) -> float | None:
    try:
        conf = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(conf):
        return None
    return min(1.0, max(0.0, conf))


def merge_keywords(groups: Iterable[Iterable[Keyword]], limit: int = 100) -> list[Keyword]:
    """One list from several sources: normalised, de-duplicated, strongest first.

    A text met several times keeps its highest confidence and the source of that one.
    Stop words and empty texts are dropped; at most ``limit`` keywords come back.
    """
    best: dict[str, Keyword] = {}
    for group in groups:
        for kw in group:
            cleaned = _clean_keyword(kw)
            if cleaned is None:
                continue
            held = best.get(cleaned.text)
            if held is None or cleaned.confidence > held.confidence:
                best[cleaned.text] = cleaned
    ranked = sorted(best.values(), key=lambda k: (-k.confidence, k.text))
    return ranked[: max(0, limit)]


def _clean_keyword(kw: Keyword) -> Keyword | None:
    if not isinstance(kw, Keyword) or not isinstance(kw.text, str):
        return None
    conf = _clean_confidence(kw.confidence)
    if conf is None:
        return None
    text = normalise(kw.text, lemmatise_words=kw.source not in PROPER_NAME_SOURCES)
    if is_stop_phrase(text):
        return None
    return Keyword(text, conf, kw.source)
