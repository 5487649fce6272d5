"""A reader of dlib's serialization format, enough for the DNN files of dlib 19.x (build time).

Why our own reader: the face embedding network ships as dlib's ``.dat`` file, and the app runs
it through onnxruntime. This module turns the file into plain numpy weights, layer by layer;
:mod:`amc_core.build.face_onnx` lays them out as an ONNX graph.

The format, as the bytes of ``dlib_face_recognition_resnet_model_v1.dat`` show it:

* an integer is one header byte (low 4 bits: how many bytes follow; bit 7: negative) and then
  its magnitude, little endian (zero is ``01 00``);
* a float is two integers, mantissa and base-2 exponent (value = mantissa * 2**exponent);
* a string is its length (an integer) and then its bytes; a bool is the character 0 or 1;
* a tensor is version 2, then num_samples, k, nr, nc (integers), then its values as raw
  little-endian float32;
* an "alias" (a view of a layer's flat parameter tensor) is version 1 and its 4 dimensions.

A network ``loss<L_n<...<L_1<input>>>>`` is written from the outside in: the loss layer
(version 1, its details), then the version number of every layer down to the innermost
(2 for a computing layer, 1 for a tag or skip layer, 3 for the layer that wraps the input),
then the input layer, then each computing layer's details from the input outwards, each
followed by its bookkeeping (3 bools and 3 empty tensors; the innermost one adds an integer).
Tag and skip layers write nothing but their version, so which one is which comes from the
network's definition, not from the file (see :func:`amc_core.build.face_onnx.face_resnet_ops`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TENSOR_VERSION = 2  # raw float32 values; version 1 (dlib's own float coding) is not read here
ALIAS_VERSION = 1
COMPUTING = 2  # the version an add_layer writes
TAG_OR_SKIP = 1  # the version an add_tag_layer or add_skip_layer writes
INNERMOST = 3  # the version of the add_layer that holds the input layer


class DlibFormatError(ValueError):
    """The bytes are not the dlib network this reader expects."""


@dataclass
class Layer:
    """One layer as the file describes it.

    ``kind``: dlib's serialization tag (``con_4``, ``affine_``, ``relu_``, ``max_pool_2``,
    ``avg_pool_2``, ``add_prev_``, ``fc_2``) or ``tag_or_skip``. ``params``: the layer's flat
    parameter tensor (float32, may be empty). ``fields``: the integers that define it.
    """

    kind: str
    params: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    fields: dict[str, int] = field(default_factory=dict)


@dataclass
class InputLayer:
    """``input_rgb_image_sized``: per-channel means and the fixed chip size."""

    kind: str
    mean_rgb: tuple[float, float, float]
    rows: int
    cols: int


@dataclass
class Network:
    """A parsed network: its loss layer's tag and numbers, its input, its layers input first."""

    loss: str
    loss_values: tuple[float, ...]
    input: InputLayer
    layers: list[Layer]


class Reader:
    """Sequential reader of dlib's serialized primitives over a bytes object."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise DlibFormatError(f"unexpected end of file at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def integer(self) -> int:
        header = self._take(1)[0]
        size = header & 0x0F
        if size > 8 or header & 0x70:
            raise DlibFormatError(f"bad integer header {header:#04x} at byte {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if header & 0x80 else value

    def real(self) -> float:
        mantissa = self.integer()
        exponent = self.integer()
        return float(mantissa * 2.0**exponent)

    def text(self) -> str:
        return self._take(self.integer()).decode("ascii")

    def flag(self) -> bool:
        char = self._take(1)
        if char not in (b"0", b"1"):
            raise DlibFormatError(f"bad bool {char!r} at byte {self.pos - 1}")
        return char == b"1"

    def tensor(self) -> np.ndarray:
        """A tensor as (num_samples, k, nr, nc) float32."""
        version = self.integer()
        if version != TENSOR_VERSION:
            raise DlibFormatError(f"tensor version {version} at byte {self.pos} is not read here")
        shape = tuple(self.integer() for _ in range(4))
        count = int(np.prod(shape))
        values = np.frombuffer(self._take(4 * count), dtype="<f4")
        return values.astype(np.float32).reshape(shape)

    def alias(self) -> tuple[int, int, int, int]:
        version = self.integer()
        if version != ALIAS_VERSION:
            raise DlibFormatError(f"alias_tensor version {version} at byte {self.pos}")
        n, k, r, c = (self.integer() for _ in range(4))
        return n, k, r, c

    def expect(self, tag: str) -> None:
        got = self.text()
        if got != tag:
            raise DlibFormatError(f"expected {tag!r}, found {got!r} at byte {self.pos}")

    def at_end(self) -> bool:
        return self.pos == len(self.data)


def _conv(reader: Reader) -> Layer:
    params = reader.tensor().reshape(-1)
    names = ("filters", "rows", "cols", "stride_y", "stride_x", "pad_y", "pad_x")
    fields = {name: reader.integer() for name in names}
    fields["in_channels"] = reader.alias()[1]  # filters: (filters, in_channels, rows, cols)
    reader.alias()  # biases: (1, filters, 1, 1)
    for _ in range(4):  # learning-rate and weight-decay multipliers (training only)
        reader.real()
    return Layer("con_4", params, fields)


def _affine(reader: Reader) -> Layer:
    params = reader.tensor().reshape(-1)  # gamma then beta
    channels = reader.alias()[1]
    reader.alias()
    mode = reader.integer()  # 0: one gamma/beta per channel (CONV_MODE), 1: per value
    return Layer("affine_", params, {"channels": channels, "mode": mode})


def _fc(reader: Reader) -> Layer:
    outputs = reader.integer()
    inputs = reader.integer()
    params = reader.tensor().reshape(-1)  # weights (inputs, outputs) row-major, then biases
    reader.alias()
    reader.alias()
    bias_mode = reader.integer()  # 0: with bias, 1: fc_no_bias
    for _ in range(4):
        reader.real()
    return Layer("fc_2", params, {"outputs": outputs, "inputs": inputs, "bias_mode": bias_mode})


def read_layer_details(reader: Reader) -> Layer:
    """One computing layer's details (its serialization tag decides what follows)."""
    kind = reader.text()
    if kind == "con_4":
        return _conv(reader)
    if kind == "affine_":
        return _affine(reader)
    if kind in ("relu_", "add_prev_"):
        return Layer(kind)
    if kind in ("max_pool_2", "avg_pool_2"):
        names = ("rows", "cols", "stride_y", "stride_x", "pad_y", "pad_x")
        return Layer(kind, fields={name: reader.integer() for name in names})
    if kind == "fc_2":
        return _fc(reader)
    raise DlibFormatError(f"layer type {kind!r} (at byte {reader.pos}) is not read here")


def _bookkeeping(reader: Reader) -> None:
    """What an add_layer writes after its details: 3 bools and 3 (empty) tensors."""
    for _ in range(3):
        reader.flag()
    for _ in range(3):
        reader.tensor()


def read_network(data: bytes) -> Network:
    """Parse a ``loss_metric_2`` network over ``input_rgb_image_sized`` (the face embedder)."""
    reader = Reader(data)
    if reader.integer() != 1:
        raise DlibFormatError("not a dlib network file (loss layer version)")
    loss = reader.text()
    if loss != "loss_metric_2":
        raise DlibFormatError(f"loss layer {loss!r} is not read here")
    loss_values = (reader.real(), reader.real())  # margin, distance threshold
    versions: list[int] = []
    while True:
        version = reader.integer()
        if version == INNERMOST:
            break
        if version not in (COMPUTING, TAG_OR_SKIP):
            raise DlibFormatError(f"layer version {version} at byte {reader.pos}")
        versions.append(version)
    kind = reader.text()
    if kind != "input_rgb_image_sized":
        raise DlibFormatError(f"input layer {kind!r} is not read here")
    means = (reader.real(), reader.real(), reader.real())
    source = InputLayer(kind, means, reader.integer(), reader.integer())
    layers = [read_layer_details(reader)]
    _bookkeeping(reader)
    reader.integer()  # the input layer's sample expansion factor
    for version in reversed(versions):  # from the input outwards
        if version == TAG_OR_SKIP:
            layers.append(Layer("tag_or_skip"))
            continue
        layers.append(read_layer_details(reader))
        _bookkeeping(reader)
    if not reader.at_end():
        raise DlibFormatError(f"{len(data) - reader.pos} bytes left after the network")
    return Network(loss, loss_values, source, layers)


def read_network_file(path: Path) -> Network:
    return read_network(path.read_bytes())
