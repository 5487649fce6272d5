"""Build ``resources/lexicon/common_place_words.json``: town and region names that are first
everyday English words (build time only; WordNet 3.0 from the Debian package wordnet-base).

    apt-get install -y --no-install-recommends wordnet-base   # /usr/share/wordnet
    python -m amc_core.build.common_words --build [--wordnet DIR]
    python -m amc_core.build.space                            # then the parser's word lists

A query word that names a town of 15k people or a region is read as a place, and MTN then
leans on the keywords: "police car", "swimming pool", "book store", "young girl", "reading a
book" each had a place in them (Police, Poland; Pool and Store, regions; Young, Uruguay;
Reading, England) that no photo's keywords name. WordNet's sense-tagged corpus tells how often
a word is used as a common word: the tag counts of its senses written in lower case (the city
of Nice is "Nice", the adjective "nice"). A name used so at least ``MIN_TAGS`` times is a
common word first; countries, their aliases and continents always stay places.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from amc_core.words.lexicon import PLACE_POPULATION, common_place_words_path

DEFAULT_WORDNET = Path("/usr/share/wordnet")
MIN_TAGS = 10  # phoenix (0), buffalo (3), bath (8) stay places; nice (39), man (1220) do not
_SS_TYPES = {"n": 1, "v": 2, "a": 3, "r": 4, "s": 5}  # a sense key's synset type numbers


def lowercase_tag_counts(wordnet: Path) -> Counter[str]:
    """Single word -> the tag count of its senses that WordNet writes in lower case."""
    tags: Counter[tuple[str, int, int, int]] = Counter()
    for line in (wordnet / "cntlist.rev").read_text(encoding="utf-8").splitlines():
        key, _sense_number, count = line.split()
        lemma, rest = key.split("%")
        ss_type, lex_file, lex_id = (int(v) for v in rest.split(":")[:3])
        tags[(lemma, ss_type, lex_file, lex_id)] += int(count)
    out: Counter[str] = Counter()
    for pos in ("noun", "verb", "adj", "adv"):
        text = (wordnet / f"data.{pos}").read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if line.startswith("  "):  # the licence header
                continue
            fields = line.split()
            lex_file, ss_type, n_words = int(fields[1]), _SS_TYPES[fields[2]], int(fields[3], 16)
            for i in range(n_words):
                word = fields[4 + 2 * i].split("(")[0]  # "(a)", "(p)": adjective positions
                if word == word.lower() and "_" not in word:
                    out[word] += tags[(word, ss_type, lex_file, int(fields[5 + 2 * i], 16))]
    return out


def find_common_place_words(wordnet: Path) -> list[str]:
    from amc_core.words.gazetteer import CONTINENTS, COUNTRY_ALIASES, load_gazetteer

    gazetteer = load_gazetteer()
    if gazetteer is None:
        raise SystemExit("the gazetteer is missing: build it first (amc_core.build.gazetteer)")
    countries = {*CONTINENTS.values(), *gazetteer.country_names}
    countries.update(alias for aliases in COUNTRY_ALIASES.values() for alias in aliases)
    towns = {
        name
        for name, population in zip(gazetteer.names, gazetteer.population, strict=True)
        if population >= PLACE_POPULATION
    }
    counts = lowercase_tag_counts(wordnet)
    names = (towns | set(gazetteer.region_names)) - countries
    return sorted(w for w in names if " " not in w and counts[w] >= MIN_TAGS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amc_core.build.common_words", description=__doc__
    )
    parser.add_argument("--build", action="store_true", help="write the list")
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET)
    args = parser.parse_args(argv)
    words = find_common_place_words(args.wordnet)
    print(f"{len(words)} place names are common words first: {' '.join(words)}")
    if args.build:
        data = {
            "about": "Town and region names that WordNet 3.0's tagged corpus uses in lower case "
            f"at least {MIN_TAGS} times: read as common words in queries, not as places; built "
            "by python -m amc_core.build.common_words --build",
            "source": "WordNet 3.0 (Princeton University), Debian package wordnet-base; licence "
            "in LICENSE-WordNet.txt; GeoNames via the gazetteer",
            "words": words,
        }
        common_place_words_path().write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {common_place_words_path()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
