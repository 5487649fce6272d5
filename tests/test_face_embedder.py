"""The face embedder: dlib's face ResNet converted to ONNX gives dlib's own descriptors.

The model files are fetched by ``python -m amc_core.build.face_models --fetch`` (``make install``
runs it); the tests that need them skip where they were not fetched. Chips are cut from real
photos (tests/data/faces) with dlib's detector, 5-point landmarks and ``get_face_chip``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from amc_core.build.dlib_format import DlibFormatError, Reader, read_network
from amc_core.describe.face_embedder import (
    CHIP_SIDE,
    DIM,
    FETCH_COMMAND,
    LANDMARKS_FILE,
    MODEL_FILE,
    SAME_PERSON_DISTANCE,
    FaceEmbedder,
    distance,
    model_dir,
)
from amc_core.errors import AmcError
from amc_core.runtime import SessionFactory

PHOTOS = Path(__file__).parent / "data" / "faces"
PEOPLE = {"obama": "obama", "obama2": "obama", "obama3": "obama", "biden": "biden"}
PARITY = 1e-4  # max |ONNX - dlib| over all descriptor values (measured: ~3e-7)

fetched = pytest.mark.skipif(
    not (model_dir() / MODEL_FILE).is_file(),
    reason=f"face models not fetched: run `{FETCH_COMMAND}`",
)


# --- the reader, on hand-made bytes -----------------------------------------------------------


def test_reader_decodes_dlib_primitives() -> None:
    data = (
        b"\x01\x00"  # 0
        b"\x01\x80"  # 128
        b"\x02\x00\x01"  # 256
        b"\x81\x04"  # -4
        b"\x01\x10\x81\x04"  # float 16 * 2**-4 = 1.0
        b"\x01\x05relu_"  # string
        b"10"  # bools
        b"\x01\x02\x01\x01\x01\x02\x01\x01\x01\x01" + np.array([1.5, -2], "<f4").tobytes()
    )
    reader = Reader(data)
    assert [reader.integer() for _ in range(4)] == [0, 128, 256, -4]
    assert reader.real() == 1.0
    assert reader.text() == "relu_"
    assert (reader.flag(), reader.flag()) == (True, False)
    tensor = reader.tensor()
    assert tensor.shape == (1, 2, 1, 1)
    assert tensor.ravel().tolist() == [1.5, -2.0]
    assert reader.at_end()


def test_reader_rejects_what_it_does_not_know() -> None:
    with pytest.raises(DlibFormatError, match="end of file"):
        Reader(b"\x02\x01").integer()
    with pytest.raises(DlibFormatError, match="not a dlib network"):
        read_network(b"\x01\x02")
    with pytest.raises(DlibFormatError, match="loss layer"):
        read_network(b"\x01\x01\x01\x08loss_mmod")


def test_missing_model_names_the_fetch_command(tmp_path: Path) -> None:
    with pytest.raises(AmcError, match=re.escape(FETCH_COMMAND)):
        FaceEmbedder(SessionFactory(prefer_gpu=False), tmp_path)


# --- the model, on real faces -------------------------------------------------------------------


@pytest.fixture(scope="module")
def dlib() -> Any:
    return pytest.importorskip("dlib", reason="dlib-bin (a dev dependency) is not installed")


@pytest.fixture(scope="module")
def chips(dlib: Any) -> dict[str, np.ndarray]:
    """name -> the (150, 150, 3) uint8 aligned chip of the photo's one face."""
    from PIL import Image

    detector = dlib.get_frontal_face_detector()
    landmarks = dlib.shape_predictor(str(model_dir() / LANDMARKS_FILE))
    out = {}
    for name in PEOPLE:
        with Image.open(PHOTOS / f"{name}.jpg") as opened:
            rgb = np.asarray(opened.convert("RGB"))
        (box,) = detector(rgb, 1)  # upsample once: the faces are 53-90 px wide
        chip = dlib.get_face_chip(rgb, landmarks(rgb, box), size=CHIP_SIDE, padding=0.25)
        out[name] = np.asarray(chip, dtype=np.uint8)
    return out


@pytest.fixture(scope="module")
def embedder() -> FaceEmbedder:
    return FaceEmbedder(SessionFactory(prefer_gpu=False, threads=2))


@fetched
def test_onnx_descriptors_equal_dlibs(
    dlib: Any, chips: dict[str, np.ndarray], embedder: FaceEmbedder
) -> None:
    from amc_core.build.face_models import dlib_descriptors, reference_dat

    if not reference_dat().is_file():
        pytest.skip(f"dlib's model is not in the build cache: run `{FETCH_COMMAND}`")
    batch = np.stack(list(chips.values()))  # (4, 150, 150, 3) uint8
    ours = embedder.embed(batch)  # (4, 128) float32
    theirs = dlib_descriptors(reference_dat(), batch)
    worst = float(np.abs(ours - theirs).max())
    print(f"max |ONNX - dlib| over {len(batch)} real faces: {worst:.2e}")
    assert worst < PARITY, worst


@fetched
def test_same_person_is_near_and_another_is_far(
    chips: dict[str, np.ndarray], embedder: FaceEmbedder
) -> None:
    names = list(chips)
    vectors = embedder.embed(np.stack([chips[n] for n in names]))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            b = names[j]
            gap = float(distance(vectors[i], vectors[j]))
            print(f"{a} - {b}: {gap:.3f}")
            if PEOPLE[a] == PEOPLE[b]:
                assert gap < SAME_PERSON_DISTANCE, (a, b, gap)
            else:
                assert gap > SAME_PERSON_DISTANCE, (a, b, gap)


@fetched
def test_batches_give_the_descriptors_of_single_chips(
    chips: dict[str, np.ndarray], embedder: FaceEmbedder
) -> None:
    real = np.stack(list(chips.values()))
    many = np.concatenate([real] * 5)[:18]  # more than one batch of 16, and a remainder
    together = embedder.embed(many)
    alone = np.concatenate([embedder.embed(chip[None]) for chip in real])
    assert together.shape == (18, DIM) and together.dtype == np.float32
    np.testing.assert_allclose(together[:4], alone, atol=1e-5)
    np.testing.assert_allclose(together[4:8], alone, atol=1e-5)
    assert embedder.embed(np.zeros((0, CHIP_SIDE, CHIP_SIDE, 3), np.uint8)).shape == (0, DIM)
    with pytest.raises(ValueError, match="chips"):
        embedder.embed(real[:, :100])


@fetched
def test_the_fetched_model_is_what_the_converter_writes() -> None:
    """The ONNX file in resources/faces comes from this code and dlib's file, byte for byte."""
    from amc_core.build.dlib_format import read_network_file
    from amc_core.build.face_models import reference_dat
    from amc_core.build.face_onnx import network_to_onnx

    pytest.importorskip("onnx")
    if not reference_dat().is_file():
        pytest.skip(f"dlib's model is not in the build cache: run `{FETCH_COMMAND}`")
    net = read_network_file(reference_dat())
    assert len(net.layers) == 130 and net.input.rows == CHIP_SIDE
    assert network_to_onnx(net) == (model_dir() / MODEL_FILE).read_bytes()
