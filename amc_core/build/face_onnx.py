"""dlib's face recognition ResNet as an ONNX graph (build time): the layers parsed by
:mod:`amc_core.build.dlib_format`, checked against the network's definition, laid out as ONNX
nodes.

The network (dlib's ``dnn_face_recognition_ex.cpp``, ``anet_type``): a 150x150 RGB chip, a 7x7/2
convolution with 32 filters, max pool 3x3/2, then residual blocks of two 3x3 convolutions, each
followed by a per-channel affine (a frozen batch norm), ReLUs between and after; the blocks
that halve the size add an average-pooled (2x2/2) shortcut. dlib adds two tensors of different
shapes by treating the missing values as zero (a shortcut with fewer channels, or a 4x4 shortcut
beside a 3x3 block output), so the graph pads the smaller one at the end of each axis. Then the
mean over the remaining 2x2 positions and a 256 -> 128 matrix without bias. The descriptor is
that output as is (not normalised; dlib's loss_metric compares raw Euclidean distances).

The graph: chips (N, 150, 150, 3) uint8 RGB -> descriptors (N, 128) float32. Each affine layer
is multiplied into the convolution before it (w * gamma, b * gamma + beta).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from amc_core.build.dlib_format import Layer, Network
from amc_core.describe.face_embedder import CHIP_SIDE, DIM, INPUT_NAME, MODEL_ID, OUTPUT_NAME

OPSET = 17
IR_VERSION = 8  # readable by every onnxruntime the project allows (>= 1.20)
SOURCE = "dlib_face_recognition_resnet_model_v1 (Davis King, CC0 1.0)"


# --- the network's definition ---------------------------------------------------------------
# Ops from the input outwards, as dlib's templates expand them. ("tag", i) remembers the current
# tensor, ("skip", i) goes back to it, ("add", i) adds it to the current tensor.


def _block(filters: int, stride: int) -> list[tuple[Any, ...]]:
    return [
        ("con", filters, 3, stride),
        ("affine",),
        ("relu",),
        ("con", filters, 3, 1),
        ("affine",),
    ]


def _ares(filters: int) -> list[tuple[Any, ...]]:
    """relu<add_prev1<block<N,affine,1,tag1<SUBNET>>>>"""
    return [("tag", 1), *_block(filters, 1), ("add", 1), ("relu",)]


def _ares_down(filters: int) -> list[tuple[Any, ...]]:
    """relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUBNET>>>>>>>"""
    shortcut = [("tag", 2), ("skip", 1), ("avg_pool", 2, 2), ("add", 2), ("relu",)]
    return [("tag", 1), *_block(filters, 2), *shortcut]


def face_resnet_ops() -> list[tuple[Any, ...]]:
    ops: list[tuple[Any, ...]] = [("con", 32, 7, 2), ("affine",), ("relu",), ("max_pool", 3, 2)]
    ops += _ares(32) * 3  # alevel4
    ops += _ares_down(64) + _ares(64) * 3  # alevel3
    ops += _ares_down(128) + _ares(128) * 2  # alevel2
    ops += _ares_down(256) + _ares(256) * 2  # alevel1
    ops += _ares_down(256)  # alevel0
    return [*ops, ("avg_pool_everything",), ("fc", DIM)]


def _matches(op: tuple[Any, ...], layer: Layer) -> bool:
    name, f = op[0], layer.fields
    if name in ("tag", "skip"):
        return layer.kind == "tag_or_skip"
    if name == "con":
        shape = (f.get("filters"), f.get("rows"), f.get("cols"), f.get("stride_y"))
        return layer.kind == "con_4" and shape == (op[1], op[2], op[2], op[3])
    if name in ("max_pool", "avg_pool"):
        shape = (f.get("rows"), f.get("cols"), f.get("stride_y"), f.get("stride_x"))
        return layer.kind == f"{name}_2" and shape == (op[1], op[1], op[2], op[2])
    if name == "avg_pool_everything":  # dlib's window size 0 means "the whole input"
        return layer.kind == "avg_pool_2" and (f.get("rows"), f.get("cols")) == (0, 0)
    if name == "affine":
        return layer.kind == "affine_" and f.get("mode") == 0  # one gamma/beta per channel
    if name == "fc":
        return layer.kind == "fc_2" and f.get("outputs") == op[1] and f.get("bias_mode") == 1
    return layer.kind == {"relu": "relu_", "add": "add_prev_"}[name]


def check_architecture(net: Network) -> list[tuple[tuple[Any, ...], Layer]]:
    """Pair the file's layers with the definition; a mismatch is an error, never a guess."""
    ops = face_resnet_ops()
    if len(ops) != len(net.layers):
        raise ValueError(f"the file has {len(net.layers)} layers, the definition {len(ops)}")
    for i, (op, layer) in enumerate(zip(ops, net.layers, strict=True)):
        if not _matches(op, layer):
            raise ValueError(f"layer {i}: the file has {layer.kind} {layer.fields}, expected {op}")
    if (net.input.rows, net.input.cols) != (CHIP_SIDE, CHIP_SIDE):
        raise ValueError(f"input size {net.input.rows}x{net.input.cols}, expected {CHIP_SIDE}")
    return list(zip(ops, net.layers, strict=True))


# --- ONNX -------------------------------------------------------------------------------------


def _out_side(side: int, kernel: int, stride: int, pad: int) -> int:
    """dlib's (and ONNX's) output size: 1 + (side + 2 pad - kernel) // stride."""
    return 1 + (side + 2 * pad - kernel) // stride


@dataclass
class _Value:
    name: str
    shape: tuple[int, int, int]  # (channels, rows, cols) of an (N, C, H, W) tensor


class _Graph:
    def __init__(self) -> None:
        import onnx

        self.onnx = onnx
        self.nodes: list[Any] = []
        self.weights: list[Any] = []
        self._count = 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, stem: str, value: np.ndarray) -> str:
        name = self.name(stem)
        self.weights.append(self.onnx.numpy_helper.from_array(value, name))
        return name

    def node(self, op: str, inputs: list[str], stem: str, **attrs: Any) -> str:
        out = self.name(stem)
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


def _conv(g: _Graph, x: _Value, conv: Layer, affine: Layer | None) -> _Value:
    """dlib's con (+ the affine after it, folded in: w * gamma, b * gamma + beta)."""
    f = conv.fields
    filters, cin, k = f["filters"], f["in_channels"], f["rows"]
    weights = conv.params[: filters * cin * k * k].reshape(filters, cin, k, k)  # OIHW
    bias = conv.params[filters * cin * k * k :]
    if bias.size != filters or cin != x.shape[0]:
        raise ValueError(f"convolution sizes do not add up: {f}, input {x.shape}")
    if affine is not None:
        gamma, beta = affine.params[:filters], affine.params[filters:]
        weights = weights * gamma[:, None, None, None]
        bias = bias * gamma + beta
    pads = [f["pad_y"], f["pad_x"], f["pad_y"], f["pad_x"]]
    strides = [f["stride_y"], f["stride_x"]]
    out = g.node(
        "Conv",
        [x.name, g.const("w", weights.astype(np.float32)), g.const("b", bias.astype(np.float32))],
        "conv",
        kernel_shape=[k, k],
        strides=strides,
        pads=pads,
    )
    rows = _out_side(x.shape[1], k, strides[0], f["pad_y"])
    cols = _out_side(x.shape[2], k, strides[1], f["pad_x"])
    return _Value(out, (filters, rows, cols))


def _pool(g: _Graph, x: _Value, layer: Layer, op: str) -> _Value:
    f = layer.fields
    kernel, strides = [f["rows"], f["cols"]], [f["stride_y"], f["stride_x"]]
    pads = [f["pad_y"], f["pad_x"], f["pad_y"], f["pad_x"]]
    if any(pads):  # dlib averages over the window inside the image only
        raise ValueError(f"padded pooling is not converted: {f}")
    out = g.node(op, [x.name], op.lower(), kernel_shape=kernel, strides=strides, pads=pads)
    rows = _out_side(x.shape[1], kernel[0], strides[0], 0)
    cols = _out_side(x.shape[2], kernel[1], strides[1], 0)
    return _Value(out, (x.shape[0], rows, cols))


def _pad_to(g: _Graph, x: _Value, shape: tuple[int, int, int]) -> str:
    """Zero-pad (N, C, H, W) at the end of C, H and W up to ``shape``."""
    extra = [want - have for want, have in zip(shape, x.shape, strict=True)]
    if not any(extra):
        return x.name
    pads = np.array([0, 0, 0, 0, 0, *extra], dtype=np.int64)  # begins (N,C,H,W), then ends
    return g.node("Pad", [x.name, g.const("pads", pads)], "pad", mode="constant")


def _add(g: _Graph, x: _Value, y: _Value) -> _Value:
    """dlib's add_prev: shapes may differ; each is treated as zero where it has no value."""
    (c1, h1, w1), (c2, h2, w2) = x.shape, y.shape
    shape = (max(c1, c2), max(h1, h2), max(w1, w2))
    out = g.node("Add", [_pad_to(g, x, shape), _pad_to(g, y, shape)], "add")
    return _Value(out, shape)


def _step(
    g: _Graph, op: tuple[Any, ...], layer: Layer, value: _Value, tags: dict[int, _Value]
) -> _Value:
    """One op other than con/affine: the value it leaves current."""
    name = op[0]
    if name == "relu":
        return _Value(g.node("Relu", [value.name], "relu"), value.shape)
    if name == "max_pool":
        return _pool(g, value, layer, "MaxPool")
    if name == "avg_pool":
        return _pool(g, value, layer, "AveragePool")
    if name == "tag":
        tags[op[1]] = value
        return value
    if name == "skip":
        return tags[op[1]]
    if name == "add":
        return _add(g, value, tags[op[1]])
    if name == "avg_pool_everything":
        pooled = g.node("GlobalAveragePool", [value.name], "gap")  # (N, 256, 1, 1)
        flat = g.node("Flatten", [pooled], "flat", axis=1)  # (N, 256)
        return _Value(flat, (value.shape[0], 1, 1))
    if name == "fc":
        f = layer.fields
        if f["inputs"] != value.shape[0]:
            raise ValueError(f"fc expects {f['inputs']} inputs, gets {value.shape[0]}")
        # dlib: output = input x W, W stored (inputs, outputs) row-major; (N, 256) -> (N, 128)
        w = layer.params[: f["inputs"] * f["outputs"]].reshape(f["inputs"], f["outputs"])
        out = g.node("MatMul", [value.name, g.const("fc", w.astype(np.float32))], "fc")
        return _Value(out, (f["outputs"], 1, 1))
    raise ValueError(f"op {op} is not converted")


def network_to_onnx(net: Network) -> bytes:
    """The parsed network as a serialized ONNX model: chips (N,150,150,3) uint8 RGB ->
    descriptors (N,128) float32."""
    import onnx
    from onnx import TensorProto, helper

    pairs = check_architecture(net)
    g = _Graph()
    # Input: dlib's input_rgb_image: (value - channel mean) / 256, planes in R, G, B order.
    mean = np.array(net.input.mean_rgb, dtype=np.float32).reshape(1, 3, 1, 1)
    x = g.node("Cast", [INPUT_NAME], "float", to=TensorProto.FLOAT)  # (N, 150, 150, 3)
    x = g.node("Transpose", [x], "nchw", perm=[0, 3, 1, 2])  # (N, 3, 150, 150)
    x = g.node("Sub", [x, g.const("mean", mean)], "centred")
    x = g.node("Div", [x, g.const("scale", np.array(256.0, dtype=np.float32))], "scaled")
    value = _Value(x, (3, CHIP_SIDE, CHIP_SIDE))
    tags: dict[int, _Value] = {}
    i = 0
    while i < len(pairs):
        (name, *args), layer = pairs[i]
        if name == "con":
            follows = pairs[i + 1][1] if i + 1 < len(pairs) else None
            affine = follows if follows is not None and follows.kind == "affine_" else None
            value = _conv(g, value, layer, affine)
            i += 2 if affine is not None else 1
            continue
        if name == "affine":  # only ever after a con in this network
            raise ValueError(f"layer {i}: an affine layer that does not follow a convolution")
        value = _step(g, (name, *args), layer, value, tags)
        i += 1
    g.nodes[-1].output[0] = OUTPUT_NAME
    graph = helper.make_graph(
        g.nodes,
        MODEL_ID,
        [
            helper.make_tensor_value_info(
                INPUT_NAME, TensorProto.UINT8, ["N", CHIP_SIDE, CHIP_SIDE, 3]
            )
        ],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", DIM])],
        g.weights,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="amc_core.build.face_models",
    )
    model.ir_version = IR_VERSION
    model.doc_string = (
        f"{SOURCE}, converted by amc_core.build.face_onnx; affine layers folded into the "
        "convolutions"
    )
    onnx.checker.check_model(model, full_check=True)
    return bytes(model.SerializeToString())
