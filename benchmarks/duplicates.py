"""How far apart copies and different photos are, for the duplicate finder's thresholds.

Copies 30 of the dev set's 97 real photos three ways (half size re-encoded, 5% cut off each
edge, brightened 15%) and makes 15 "bursts" (two frames 15% of a pan apart), indexes them
with the 97 originals (`amc index`), then prints, per kind of pair, the min/median/max of the
two measures the finder uses: the pooled visual vectors' cosine (NEAR_COSINE) and the
thumbnails' aligned correlation (ALIGNED). Different dev photos are "distinct". Then times
`find_duplicates` on that library and the candidate graph on 10^4 and 10^5 synthetic vectors.

    python benchmarks/duplicates.py [--work DIR] [--no-scale]
    python benchmarks/duplicates.py --smoke     # 8 originals, 2 copied each way: seconds
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

from amc_core.index.duplicates import (
    ALIGNED,
    NEAR_COSINE,
    _candidate_pairs,
    _vectors,
    crops,
    find_duplicates,
)
from amc_core.index.library import Library

DEVSET = Path(__file__).resolve().parent.parent / "data" / "devset" / "photos"


def make_photos(out: Path, originals: int = 97, copied: int = 30, bursts: int = 15) -> None:
    out.mkdir(parents=True)
    chosen = sorted(DEVSET.glob("*.jpg"))[:originals]
    for path in chosen:
        shutil.copyfile(path, out / path.name)

    def save(image: Image.Image, name: str, quality: int) -> None:
        image.convert("RGB").save(out / name, "JPEG", quality=quality)

    for path in chosen[:copied]:
        with Image.open(path) as image:
            w, h = image.size
            save(image.resize((w // 2, h // 2), Image.Resampling.LANCZOS), f"half_{path.name}", 80)
            save(image.crop((w // 20, h // 20, w - w // 20, h - h // 20)), f"crop_{path.name}", 90)
            save(ImageEnhance.Brightness(image).enhance(1.15), f"edit_{path.name}", 88)
    for path in chosen[copied : copied + bursts]:
        with Image.open(path) as image:
            w, h = image.size
            shift = int(w * 0.15)
            save(image.crop((0, 0, w - shift, h)), f"burstA_{path.name}", 90)
            save(image.crop((shift, 0, w, h)), f"burstB_{path.name}", 90)


def kind_of_pair(a: str, b: str) -> str:
    base = [n.split("_")[-1] for n in (a, b)]
    if base[0] != base[1]:
        return "distinct"
    return "-".join(sorted(n.split("_")[0] if "_" in n else "orig" for n in (a, b)))


def measure(library_dir: Path) -> None:
    with Library(library_dir) as library:
        rows = library.catalog.photo_rows("WHERE state = 'ok'")
        ids = [int(str(r["id"])) for r in rows]
        names = {int(str(r["id"])): Path(str(r["path"])).stem for r in rows}
        looks = {int(str(r["id"])): crops(library.thumbnails.path_for(str(r["content_hash"])))
                 for r in rows}  # fmt: skip
        vectors = _vectors(library.catalog, {i: i for i in ids})
        pairs: dict[str, list[tuple[float, float]]] = {}
        for x, i in enumerate(ids):
            for j in ids[x + 1 :]:
                la, lb = looks[i], looks[j]
                aligned = float((la @ lb.T).max()) if la is not None and lb is not None else -1
                cosine = float(vectors[i] @ vectors[j])
                pairs.setdefault(kind_of_pair(names[i], names[j]), []).append((cosine, aligned))
        print(f"{'pair':15} {'n':>6}  cosine min/median/max   aligned min/median/max")
        for kind, values in sorted(pairs.items()):
            c, a = np.array(values).T
            print(f"{kind:15} {len(values):6d}  {c.min():.3f}/{np.median(c):.3f}/{c.max():.3f}"
                  f"      {a.min():.3f}/{np.median(a):.3f}/{a.max():.3f}")  # fmt: skip
        print(f"thresholds: cosine >= {NEAR_COSINE}, aligned >= {ALIGNED}")
        started = time.perf_counter()
        last = list(find_duplicates(library.catalog, library.thumbnails))[-1]
        took = time.perf_counter() - started
        print(f"find_duplicates on {len(ids)} photos: {took:.2f} s, {len(last.groups)} groups")


def scale() -> None:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((2000, 1280)).astype(np.float32)
    for n in (10_000, 100_000):
        v = centres[rng.integers(0, 2000, n)] + rng.standard_normal((n, 1280)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        started = time.perf_counter()
        pairs = _candidate_pairs(np.rint(v * 127).astype(np.int8))
        took = time.perf_counter() - started
        print(f"candidate graph, {n} photos: {took:.1f} s, {len(pairs)} pairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="a folder to keep the photos and library in")
    parser.add_argument("--no-scale", action="store_true", help="skip the 10^4/10^5 timing")
    parser.add_argument("--smoke", action="store_true", help="8 originals, seconds")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="amc-duplicates-"))
    photos, library = work / "photos", work / "library"
    if not photos.is_dir():
        if args.smoke:
            print("smoke run: 8 originals, 2 copied each way, 1 burst; the numbers mean little")
            make_photos(photos, originals=8, copied=2, bursts=1)
        else:
            make_photos(photos)
    amc = [sys.executable, "-m", "amc_core.cli", "index", str(photos), "--library", str(library)]
    subprocess.run([*amc, "--no-faces", "--no-ocr", "--json"], check=True, capture_output=True)
    measure(library)
    if not (args.no_scale or args.smoke):
        scale()
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
