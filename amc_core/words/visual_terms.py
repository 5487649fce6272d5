"""ImageNet posteriors -> keywords: class names and their WordNet parents, confidence propagated.

A parent term's confidence is the probability mass of all the classes below it
(twenty dog breeds at 4 % each make "dog" 80 % sure), computed once per batch as
posteriors @ membership matrix. Region posteriors count too, so an object that
fills one region but not the whole frame (the truck beside a big dog) still
gets its keyword, a little discounted.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from amc_core.words.keyword import Keyword
from amc_core.words.labels import ImageNetClass, load_imagenet_classes

_MAX_PARENT_DISTANCE = 4
_REGION_DISCOUNT = 0.6
_MIN_CONFIDENCE = 0.04
_MAX_KEYWORDS = 40


def _keep_parent(name: str, distance: int, everyday: bool) -> bool:
    if name in _JARGON_WORDS:
        return False
    return everyday or distance <= _MAX_PARENT_DISTANCE


class VisualVocabulary:
    """The terms a classifier can vouch for, and which classes stand under each."""

    def __init__(self, classes: Sequence[ImageNetClass] | None = None) -> None:
        self.classes = list(classes) if classes is not None else load_imagenet_classes()

    @cached_property
    def _index(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Terms, and for each class its term ids (CSR: offsets (N + 1,), term ids (P,))."""
        terms: dict[str, int] = {}
        offsets, term_ids = [0], []
        for cls in self.classes:
            names = list(cls.synonyms[:3])
            names += [h.name for h in cls.hypernyms if _keep_parent(h.name, h.distance, h.everyday)]
            for name in dict.fromkeys(n.lower() for n in names):
                term_ids.append(terms.setdefault(name, len(terms)))
            offsets.append(len(term_ids))
        return list(terms), np.array(offsets, np.int64), np.array(term_ids, np.int64)

    @property
    def terms(self) -> list[str]:
        return self._index[0]

    def _mass(self, probs: np.ndarray, k: int) -> np.ndarray:
        """(M, N) posteriors -> (M, T) mass per term from each row's top-k classes.

        Sparse: ~k x 8 (class, term) pairs a row summed with one bincount, instead of a
        dense (N, T) product that costs more than the encoder itself.
        """
        terms, offsets, term_ids = self._index
        m = probs.shape[0]
        top = np.argpartition(-probs, k - 1, axis=1)[:, :k]  # (M, k)
        weight = np.take_along_axis(probs, top, axis=1)
        counts = offsets[top + 1] - offsets[top]  # terms per chosen class
        rows = np.repeat(np.arange(m)[:, None].repeat(k, 1).ravel(), counts.ravel())
        starts = np.repeat(offsets[top].ravel(), counts.ravel())
        within = np.arange(counts.sum()) - np.repeat(
            np.cumsum(counts.ravel()) - counts.ravel(), counts.ravel()
        )
        flat = rows * len(terms) + term_ids[starts + within]
        mass = np.bincount(flat, np.repeat(weight.ravel(), counts.ravel()), m * len(terms))
        return mass.reshape(m, len(terms)).astype(np.float32)

    def term_confidences(self, global_probs: np.ndarray, region_probs: np.ndarray) -> np.ndarray:
        """(B, N) and (B, R, N) posteriors -> (B, T) confidence of each term."""
        b, r, n = region_probs.shape
        whole = self._mass(global_probs, min(64, n))
        regions = self._mass(region_probs.reshape(b * r, n), min(10, n)).reshape(b, r, -1)
        return np.clip(np.maximum(whole, _REGION_DISCOUNT * regions.max(axis=1)), 0.0, 1.0)

    def keywords(self, global_probs: np.ndarray, region_probs: np.ndarray) -> list[list[Keyword]]:
        """Per photo: the terms the posteriors support, most confident first."""
        confidences = self.term_confidences(global_probs, region_probs)
        out: list[list[Keyword]] = []
        for row in confidences:
            order = np.argsort(-row, kind="stable")[:_MAX_KEYWORDS]
            out.append(
                [
                    Keyword(self.terms[t], round(float(row[t]), 4), "visual")
                    for t in order
                    if row[t] >= _MIN_CONFIDENCE
                ]
            )
        return out


# Taxonomic or abstract WordNet parents that no one types into a photo search.
_JARGON_WORDS = frozenset(
    {
        "entity",
        "physical entity",
        "abstraction",
        "object",
        "whole",
        "living thing",
        "organism",
        "being",
        "artifact",
        "artefact",
        "instrumentality",
        "instrumentation",
        "matter",
        "substance",
        "unit",
        "part",
        "placental",
        "placental mammal",
        "eutherian",
        "eutherian mammal",
        "chordate",
        "vertebrate",
        "craniate",
        "arthropod",
        "invertebrate",
        "mollusk",
        "mollusc",
        "gastropod",
        "passerine",
        "passeriform bird",
        "oscine",
        "oscine bird",
        "aquatic vertebrate",
        "diapsid",
        "diapsid reptile",
        "anapsid",
        "teleost",
        "teleost fish",
        "bony fish",
        "ruminant",
        "even-toed ungulate",
        "odd-toed ungulate",
        "ungulate",
        "hoofed mammal",
        "artiodactyl",
        "artiodactyl mammal",
        "perissodactyl",
        "perissodactyl mammal",
        "canid",
        "procyonid",
        "viverrine",
        "anthropoid",
        "commodity",
        "trade good",
        "good",
        "consumer goods",
        "covering",
        "device",
        "implement",
        "conveyance",
        "transport",
        "wheeled vehicle",
        "self-propelled vehicle",
        "craft",
        "vessel",
        "system",
        "solid",
        "nutriment",
        "foodstuff",
        "food product",
        "produce",
        "edible fruit",
        "reproductive structure",
        "plant organ",
        "natural object",
        "geological formation",
        "formation",
        "creation",
        "product",
        "merchandise",
        "durables",
        "durable goods",
        "decoration",
        "adornment",
        "protective covering",
        "surface",
        "layer",
        "sheet",
        "flat solid",
        "article",
        "ware",
        "utensil",
        "mechanism",
        "mechanical device",
        "electronic device",
        "electronic equipment",
        "restraint",
        "constraint",
        "support",
        "supporting structure",
        "obstruction",
        "barrier",
        "area",
        "region",
        "location",
        "point",
        "plant part",
    }
)
