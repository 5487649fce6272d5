"""Where VAN looks, against regions labelled by looking (issue 15: the "where the search
looked" heat-map must point at the thing).

For every word of `data/devset/region_labels.json` and every dev photo where that word fills
some but not all of the 3x3 cells (1 to 6 of 9), the word alone is the query and VAN's
attention over the nine cells (the whole-photo region left out) is read: a hit when the most
attended cell is one the word was labelled in; also the attention mass on labelled cells.
Chance is the labelled share of the cells. The hand-checked face boxes of the dev photos
(`data/devset/faces.json`) add "face" and "person" cases: the cells holding a face's centre
(the issue's "free ground truth for person queries"). Compared: VAN as shipped (the scene
probe's words, and the found faces as its "person", among each region's evidence) and VAN on
the ImageNet classes alone (a bridge without the probe's rows, as before the probe). The dev-set library is indexed cross-fitted (each photo's
probe evidence from the probe trained on the other half of the photos), so no photo is scored
by a probe that saw its labels.

    python benchmarks/attention_cells.py           # the dev set (cached library)
    python benchmarks/attention_cells.py --smoke   # 8 photos indexed here (seconds)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import _smoke
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "data" / "devset" / "region_labels.json"
FACES = ROOT / "data" / "devset" / "faces.json"
PHOTOS = ROOT / "data" / "devset" / "photos"
CELLS = 9
MAX_CELLS = 6  # a word filling more of the photo has no place to point at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import torch

    from amc_core.learn.devset import indexed_devset
    from amc_core.learn.evaluate import DevSetScorer
    from amc_core.learn.model import AMC
    from amc_core.learn.params import default_model
    from amc_core.learn.ranker import score_torch
    from amc_core.learn.reference import reference_class_matrix

    work = Path(tempfile.mkdtemp(prefix="amc-attention-"))
    try:
        if args.smoke:
            print("smoke run: 8 dev photos indexed here; the numbers mean nothing")
            scorer = DevSetScorer(_smoke.tiny_devset(work))
        else:
            scorer = DevSetScorer(indexed_devset())
        labels = json.loads(LABELS.read_text(encoding="utf-8"))
        shipped = default_model(scorer.space)
        classes_only = AMC(torch.from_numpy(reference_class_matrix(scorer.space)))
        classes_only.load_state_dict(
            {k: v for k, v in shipped.state_dict().items() if "class_" not in k}, strict=False
        )
        models = {"VAN with the probe": shipped, "VAN, classes only": classes_only}
        rows = _measure(scorer, labels, models, score_torch)
        rows += _measure(scorer, _face_labels(scorer.names), models, score_torch)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(rows, list(models))
    return 0


def _measure(scorer, labels: dict, models: dict, score) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    """Per (word, photo) case: chance and, per model, (hit, attention mass on the word)."""
    rows = []
    for word in labels["words"]:
        cases = [
            (i, labels["labels"][name][word])
            for i, name in enumerate(scorer.names)
            if 0 < len(labels["labels"].get(name, {}).get(word, [])) <= MAX_CELLS
        ]
        if not cases:
            continue
        query = scorer.parse(word)
        if query.empty:
            continue
        for model in models.values():
            model.mode = "visual"
        attention = {n: score(m, query, scorer.batch).region_attention for n, m in models.items()}
        for model in models.values():
            model.mode = "full"
        for i, cells in cases:
            result: dict = {"chance": len(cells) / CELLS}
            for name, attn in attention.items():
                grid = attn[i, :CELLS] / max(float(attn[i, :CELLS].sum()), 1e-9)
                result[name] = (int(np.argmax(grid)) in cells, float(grid[cells].sum()))
            rows.append((word, result))
    return rows


def _face_labels(names: list[str]) -> dict:
    """The hand-checked face boxes as region labels: for the queries "face" and "person", the
    cells holding a face's centre (free ground truth for where a person query should look)."""
    from PIL import Image

    boxes = json.loads(FACES.read_text(encoding="utf-8"))["faces"]
    labels: dict = {"words": ["face", "person"], "labels": {}}
    for name in names:
        if name not in boxes:
            continue
        with Image.open(PHOTOS / f"{name}.jpg") as photo:
            width, height = photo.size
        cells = sorted(
            {min(2, int(3 * (y + h / 2) / height)) * 3 + min(2, int(3 * (x + w / 2) / width))
             for x, y, w, h in boxes[name]}
        )  # fmt: skip
        labels["labels"][name] = {"face": cells, "person": cells}
    return labels


def _report(rows: list[tuple[str, dict]], names: list[str]) -> None:
    words = list(dict.fromkeys(w for w, _ in rows))  # in the labels' order
    header = f"{'word':<10} {'cases':>5} {'chance':>7}"
    for name in names:
        header += f"  {name + ': hit':>26} {'mass':>5}"
    print(header)
    for word in [*words, "all"]:
        mine = [r for w, r in rows if word in (w, "all")]
        line = f"{word:<10} {len(mine):>5} {np.mean([r['chance'] for r in mine]):>7.2f}"
        for name in names:
            hits = np.mean([r[name][0] for r in mine])
            mass = np.mean([r[name][1] for r in mine])
            line += f"  {hits:>26.2f} {mass:>5.2f}"
        print(line)
    print("hit = VAN's most attended of the 9 cells is a labelled one; mass = its attention there")


if __name__ == "__main__":
    raise SystemExit(main())
