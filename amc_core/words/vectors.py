"""Word vectors: one shared 256-d space for query words, photo keywords and ImageNet terms.

Source: WordLlama ``l2_supercat`` 256-d (MIT), static token vectors trained so that the mean
of a text's Llama-2 token vectors embeds the text. Chosen by measurement against GloVe 6B 50d
(PDDL) on the benchmark in ``benchmarks/word_vectors_eval.py``: 72 everyday photo-search words
("puppy", "kitty", "sea", "automobile", "latte"...) ranked against the 1000 ImageNet classes,
each class the mean of its unit name/synonym vectors (+ its everyday WordNet parents at 0.5):

    source                     classes only     + parents 0.5     sanity (10 triples)
                               R@1    R@5       R@1    R@5
    GloVe 6B 50d (raw)         0.47   0.67      0.56   0.79       0.7
    WordLlama 256d (raw)       0.61   0.92      0.86   0.96       1.0
    concat (unit GloVe + WL)   0.68   0.85      0.85   0.93       1.0
    shipped file (WordLlama)   0.65   0.90      0.82   0.96       1.0

"raw" embeds phrases the package's own way (mean over the phrase's tokens); the shipped file
uses the project's normaliser and a mean over words (below): the same R@5, R@1 within one
query. GloVe misses "kitty", "kitten", "cow", "sea", "baby", "piano", "sneakers", "tshirt"
(OOV) and more; the concatenation is no better than WordLlama alone, so we ship WordLlama.

How a word becomes a vector (``resources/text/word_vectors.npz``, built by
:mod:`amc_core.build.word_vectors`):

- The file holds the 32000 x 256 token table (int8 with a per-row scale: 8 MB; cosine to the
  float16 original > 0.9999), the Llama-2 BPE merges, and a vocabulary of ~80k words (the
  50k most frequent GloVe words, every ImageNet name/synonym/parent word, the words of places
  with >= 15k people, colours, months, weekdays, seasons) with their token ids.
- A vocabulary word is the mean of its token vectors (exactly what WordLlama computes). A word
  outside it is first tried as its lemma ("puppies" -> "puppy"), then tokenised by the same BPE
  at run time, so any word still gets its subword vector; :meth:`WordVectors.has` says whether
  it was a vocabulary word (subword vectors of rare words are weak).
- A number ("2019", "80") gets a vector hashed from its digits: each number its own direction,
  the same in every process, so "2019" does not drift towards "2018" (dates are matched
  exactly elsewhere; Llama-2 splits numbers into single digits, so BPE would make
  "2019" and "2091" the same vector).
- A phrase is the mean of its words' un-normalised vectors: stop words have short vectors in
  this space, so "king of beasts" is mostly "king" and "beasts" without a stop-word list.

Everything returned is float32 and unit length, or all zero for empty text; use a dot product
as the cosine. The file (8.9 MB) is read on first use, in ~0.1 s; a cached word costs < 1 us,
a new vocabulary word ~15 us, a word needing run-time BPE ~25 us (the first one also builds
the merge table, ~0.06 s). Re-measure with ``python benchmarks/word_vectors_eval.py``.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from amc_core.arrays import split_strings, unit
from amc_core.resources import resources_dir
from amc_core.words.normalise import lemmatise, normalise

FILE_NAME = "word_vectors.npz"
WORD_START = "\u2581"  # SentencePiece's word-start mark, prepended to every word
_MAX_CACHE = 200_000  # cached word vectors before the cache is emptied (OOV strings are unbounded)
_NO_MERGE = (1 << 62, -1)


def default_path() -> Path:
    return resources_dir() / "text" / FILE_NAME


def hashed_vector(token: str, dim: int) -> np.ndarray:
    """A unit vector that depends only on ``token``: same bytes on every machine and process.

    SHAKE-256 output mapped to [-1, 1]; no RNG whose stream might change between numpy versions.
    """
    import hashlib  # numbers only: most searches have none

    raw = hashlib.shake_256(f"amc-word:{token}".encode()).digest(2 * dim)
    v = np.frombuffer(raw, dtype="<u2").astype(np.float32) / 32767.5 - 1.0
    return unit(v)


class Bpe:
    """Llama-2 BPE over one word: characters (bytes when unknown) merged by rank.

    Matches the ``tokenizers`` BPE model WordLlama ships (byte fallback, no dropout); the build
    checks that on the whole vocabulary and tests pin a few known answers.
    """

    def __init__(self, tokens: Sequence[str], merges: np.ndarray) -> None:
        self.token_id = {t: i for i, t in enumerate(tokens)}
        unk = self.token_id.get("<unk>", 0)
        self.byte_ids = [self.token_id.get(f"<0x{b:02X}>", unk) for b in range(256)]
        self.ranks = {
            (left, right): (rank, merged)
            for rank, (left, right, merged) in enumerate(merges.tolist())
        }

    def encode(self, word: str) -> list[int]:
        ids: list[int] = []
        for ch in WORD_START + word.replace(" ", WORD_START):
            tid = self.token_id.get(ch)
            if tid is None:
                ids.extend(self.byte_ids[b] for b in ch.encode("utf-8"))
            else:
                ids.append(tid)
        while len(ids) > 1:
            pairs = [self.ranks.get(pair, _NO_MERGE) for pair in pairwise(ids)]
            k = min(range(len(pairs)), key=lambda j: pairs[j][0])
            if pairs[k] is _NO_MERGE:
                break
            ids[k : k + 2] = [pairs[k][1]]
        return ids


def word_key(word: str) -> int:
    """A 64-bit key of a word (CRC-32 and Adler-32 of its UTF-8): the same on every machine
    and in every process, unlike ``hash``."""
    data = word.encode("utf-8")
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


class WordRows:
    """Vocabulary word -> row, by binary search over sorted 64-bit keys: a search starts
    without building an 80,000-entry dict (the build checks the vocabulary has no two
    words with one key; an unknown word matching a key has odds of ~1e-14)."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray) -> None:
        self.keys = keys  # (V,) uint64, sorted
        self.rows = rows  # (V,) int32: the row of each key's word

    @classmethod
    def of(cls, words: Sequence[str]) -> WordRows:
        keys = np.array([word_key(w) for w in words], dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        if np.any(keys[order][1:] == keys[order][:-1]):
            raise ValueError("two vocabulary words share a key")
        return cls(keys[order], order.astype(np.int32))

    def get(self, word: str) -> int | None:
        key = np.uint64(word_key(word))
        i = int(np.searchsorted(self.keys, key))
        return int(self.rows[i]) if i < len(self.keys) and self.keys[i] == key else None

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None


def word_rows_path() -> Path:
    return resources_dir() / "text" / "word_index.npz"


def save_word_rows(rows: WordRows, words_crc: int, path: Path) -> None:
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, keys=rows.keys, rows=rows.rows, words_crc=np.array(words_crc, np.uint32))
    tmp.replace(path)


def load_word_rows(words_crc: int) -> WordRows | None:
    """The precomputed index, when it was made from this very word list."""
    try:
        with np.load(word_rows_path(), allow_pickle=False) as npz:
            if int(npz["words_crc"]) != words_crc:
                return None  # the word vectors were rebuilt since: build it in memory
            return WordRows(npz["keys"], npz["rows"])
    except (OSError, KeyError, ValueError):
        return None


class WordVectors:
    """The shipped word vectors; the file is read on first use (thread-safe)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path or default_path()
        self._lock = threading.Lock()
        self._loaded = False
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # word -> (raw, unit)
        self._bpe: Bpe | None = None

    # ------------------------------------------------------------ loading

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            with np.load(self._path, allow_pickle=False) as npz:
                # kept as int8 codes: a lookup dequantises only the rows it reads
                codes, scale = npz["table"], npz["scale"]
                self._words_blob = npz["words"]
                self._word_ids = npz["word_ids"].astype(np.int64)
                self._word_offsets = npz["word_offsets"].astype(np.int64)
                self.meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
                words_crc = npz.zip.getinfo("words.npy").CRC
            self._codes, self._scale = codes, scale
            self._row = load_word_rows(words_crc) or WordRows.of(split_strings(self._words_blob))
            self._number_norm = float(self.meta["number_norm"])
            self._loaded = True

    def _tokenizer(self) -> Bpe:
        """Built only when a word outside the vocabulary comes (~0.1 s)."""
        if self._bpe is None:
            with self._lock:
                if self._bpe is None:
                    with np.load(self._path, allow_pickle=False) as npz:
                        self._bpe = Bpe(split_strings(npz["tokens"]), npz["merges"])
        return self._bpe

    @property
    def dim(self) -> int:
        self._load()
        return int(self._codes.shape[1])

    def token_ids(self, word: str) -> list[int]:
        """The Llama-2 token ids of one normalised word (vocabulary entry or run-time BPE)."""
        self._load()
        row = self._row.get(word)
        if row is None:
            return self._tokenizer().encode(word)
        return self._ids_of_row(row).tolist()

    def _ids_of_row(self, row: int) -> np.ndarray:
        return self._word_ids[self._word_offsets[row] : self._word_offsets[row + 1]]

    def words(self) -> list[str]:
        """The vocabulary (for synthetic queries and tests), in file order."""
        self._load()
        return split_strings(self._words_blob)

    # ------------------------------------------------------------ lookup

    def has(self, word: str) -> bool:
        """True when every word of ``word`` (or its lemma) is in the vocabulary or a number.

        False means the vector comes from subword pieces: usable, but weak for rare words.
        """
        self._load()
        parts = normalise(word, lemmatise_words=False).split()
        return bool(parts) and all(
            p.isdigit() or p in self._row or lemmatise(p) in self._row for p in parts
        )

    def _entry(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(raw, unit) vectors of one normalised word, cached; the raw length is its weight."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        self._load()
        if word.isdigit():
            raw = hashed_vector(word, self.dim) * self._number_norm
        else:
            row = self._row.get(word)
            if row is None:
                row = self._row.get(lemmatise(word))
            if row is not None:
                ids = self._ids_of_row(row)
            else:
                ids = np.asarray(self._tokenizer().encode(word), dtype=np.int64)
            raw = self._rows(ids).mean(axis=0)
        length_one = unit(raw)
        raw.flags.writeable = False
        length_one.flags.writeable = False
        if len(self._cache) >= _MAX_CACHE:
            self._cache.clear()
        self._cache[word] = (raw, length_one)
        return raw, length_one

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        """(N,) token ids -> (N, D) float32 token vectors."""
        return self._codes[ids].astype(np.float32) * self._scale[ids, None]

    def _words_of(self, text: str) -> list[str]:
        if text in self._cache:
            return [text]  # fast path: a normalised word seen before
        return normalise(text, lemmatise_words=False).split()

    def vector(self, word: str) -> np.ndarray:
        """(D,) unit vector of a word (read-only); a multi-word string is a :meth:`phrase`."""
        return self.phrase(word)

    def phrase(self, text: str) -> np.ndarray:
        """(D,) unit mean of the words' raw vectors ("new york", "sports car"); zero if empty.

        Raw (un-normalised) vectors are averaged so that stop words, whose vectors are short
        in this space, weigh little: "king of beasts" is mostly "king" and "beasts".
        """
        self._load()
        parts = self._words_of(text)
        if not parts:
            return np.zeros(self.dim, np.float32)
        if len(parts) == 1:
            return self._entry(parts[0])[1]
        return unit(np.mean([self._entry(p)[0] for p in parts], axis=0))

    def matrix(self, terms: Iterable[str]) -> np.ndarray:
        """(T, D) float32: one unit row per term (word or phrase), zero rows for empty terms."""
        self._load()
        rows = [self.phrase(t) for t in terms]
        if not rows:
            return np.zeros((0, self.dim), np.float32)
        return np.stack(rows)


@cache
def word_vectors() -> WordVectors:
    """The process-wide instance over the shipped file (loaded on first lookup)."""
    return WordVectors()
