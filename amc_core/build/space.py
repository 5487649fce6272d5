"""Precompute what search would otherwise build at every start: the semantic space (the centre
of common words and the ImageNet class matrix, ``resources/text/space.npz``) and the query
parser's word lists (places, major places, visual terms, ``resources/text/lexicon.npz``) and
the word vectors' word -> row index (``resources/text/word_index.npz``).

Run after the word vectors, the labels or the gazetteer change::

    python -m amc_core.build.space
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from amc_core.arrays import split_strings
from amc_core.words.lexicon import computed_lexicon_words, lexicon_path, save_lexicon_words
from amc_core.words.space import computed_space, space_path
from amc_core.words.vectors import WordRows, default_path, save_word_rows, word_rows_path


def build(out_dir: Path) -> list[Path]:
    space = computed_space()
    space_file = out_dir / space_path().name
    tmp = space_file.with_suffix(".tmp.npz")
    np.savez(tmp, centre=space.centre, class_matrix=space.class_matrix)
    tmp.replace(space_file)
    lexicon_file = out_dir / lexicon_path().name
    save_lexicon_words(computed_lexicon_words(), lexicon_file)
    index_file = out_dir / word_rows_path().name
    with np.load(default_path(), allow_pickle=False) as npz:
        words, words_crc = split_strings(npz["words"]), npz.zip.getinfo("words.npy").CRC
    save_word_rows(WordRows.of(words), words_crc, index_file)
    return [space_file, lexicon_file, index_file]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amc_core.build.space", description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="default: resources/text")
    args = parser.parse_args(argv)
    for path in build(args.out or space_path().parent):
        print(f"{path} {path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
