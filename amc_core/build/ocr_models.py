"""Re-create the OCR models in ``resources/ocr`` from the rapidocr wheel (build time only),
and read photos from the command line to check them::

    python -m amc_core.build.ocr_models --fetch            # pip download the wheel, extract
    python -m amc_core.build.ocr_models --fetch --wheel W  # use an already downloaded wheel
    python -m amc_core.build.ocr_models PHOTO...           # print the keywords read from photos
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from amc_core.build.wheels import registry_wheel, wheel_member
from amc_core.describe.ocr import DET_FILE, DICT_FILE, REC_FILE, TextReader, model_dir
from amc_core.runtime import SessionFactory

WHEEL_SPEC = "rapidocr-onnxruntime==1.4.4"
_WHEEL_MODELS = "rapidocr_onnxruntime/models/"


def fetch(wheel: Path | None = None, dest: Path | None = None) -> list[Path]:
    """Extract the det/rec models and the character list from the rapidocr wheel."""
    dest = dest or model_dir()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = wheel or registry_wheel(WHEEL_SPEC, Path(tmp))
        for name in (DET_FILE, REC_FILE):
            (dest / name).write_bytes(wheel_member(wheel, _WHEEL_MODELS + name))
    rec = ort.InferenceSession(str(dest / REC_FILE), providers=["CPUExecutionProvider"])
    symbols = rec.get_modelmeta().custom_metadata_map["character"].splitlines()
    (dest / DICT_FILE).write_text("\n".join(symbols) + "\n", encoding="utf-8")
    return [dest / DET_FILE, dest / REC_FILE, dest / DICT_FILE]


def _print_keywords(paths: Sequence[str]) -> None:
    from PIL import Image, ImageOps

    reader = TextReader(SessionFactory(prefer_gpu=False))
    for path in paths:
        with Image.open(path) as opened:
            img = ImageOps.exif_transpose(opened).convert("RGB")
        img.thumbnail((512, 512))
        rgb = np.asarray(img)
        start = time.perf_counter()
        gate = reader.likely_has_text(rgb)
        words = reader.read(rgb)
        ms = (time.perf_counter() - start) * 1000
        shown = ", ".join(f"{k.text} {k.confidence:.2f}" for k in words)
        print(f"{path}: gate={gate} {ms:.0f} ms: {shown}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amc_core.build.ocr_models", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--fetch", action="store_true", help=f"extract models from {WHEEL_SPEC}")
    parser.add_argument("--wheel", type=Path, help="an already downloaded rapidocr wheel")
    parser.add_argument("photos", nargs="*", help="photos to read")
    args = parser.parse_args(argv)
    if args.fetch:
        for path in fetch(args.wheel):
            print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.photos:
        _print_keywords(args.photos)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
