"""The 1000 ImageNet-1k classes as WordNet synsets: names, synonyms, parent terms, glosses.

The classifier's output i is the i-th WordNet 3.0 noun id in sorted order (n01440764 ...
n15075141); the id's number is the synset's byte offset in WordNet's ``data.noun``. At run time
:func:`load_imagenet_classes` reads the committed ``resources/lexicon/imagenet_classes.json``
(WordNet licence: ``resources/lexicon/LICENSE-WordNet.txt``); nothing here needs WordNet
installed.

Rebuilt by :mod:`amc_core.build.labels` (which says how).

JSON layout: ``classes`` (in output order) hold ``wnid``, ``name`` (the first lemma: a short
common name), ``synonyms`` (all lemmas, underscores -> spaces), ``gloss`` and ``hypernyms``:
``[wnid, distance]`` pairs, nearest first, over ALL parent paths (hypernyms and instance
hypernyms) up to but excluding the abstract roots (the builder's ``ABSTRACT_ROOTS``).
``synsets`` maps each of those parent wnids to its ``name``, ``synonyms``, ``gloss`` and
``everyday``: true when the parent is a term people type (dog, bird, car, fruit...; the
builder's ``EVERYDAY_TERMS``), which the keyword generator prefers over taxonomy (placental,
chordate, instrumentality).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from amc_core.resources import resources_dir

JSON_NAME = "imagenet_classes.json"


@dataclass(frozen=True, slots=True)
class Hypernym:
    wnid: str
    name: str
    synonyms: tuple[str, ...]
    distance: int  # 1 = direct parent
    everyday: bool


@dataclass(frozen=True, slots=True)
class ImageNetClass:
    index: int  # the classifier's output index
    wnid: str
    name: str  # short common name: the first synonym
    synonyms: tuple[str, ...]
    hypernyms: tuple[Hypernym, ...]  # nearest first
    gloss: str

    def parent_names(self, everyday_only: bool = False) -> list[str]:
        return [h.name for h in self.hypernyms if h.everyday or not everyday_only]


def default_json_path() -> Path:
    return resources_dir() / "lexicon" / JSON_NAME


@cache
def _load_cached(path: Path) -> tuple[ImageNetClass, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    parents = {
        wnid: (s["name"], tuple(s["synonyms"]), bool(s["everyday"]))
        for wnid, s in data["synsets"].items()
    }

    def hypernym(wnid: str, distance: int) -> Hypernym:
        name, synonyms, everyday = parents[wnid]
        return Hypernym(wnid, name, synonyms, distance, everyday)

    return tuple(
        ImageNetClass(
            index=i,
            wnid=c["wnid"],
            name=c["name"],
            synonyms=tuple(c["synonyms"]),
            hypernyms=tuple(hypernym(w, d) for w, d in c["hypernyms"]),
            gloss=c.get("gloss", ""),
        )
        for i, c in enumerate(data["classes"])
    )


def load_imagenet_classes(path: Path | None = None) -> list[ImageNetClass]:
    """The 1000 classes in the classifier's output order (parsed once per process)."""
    return list(_load_cached((path or default_json_path()).resolve()))
