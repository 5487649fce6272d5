"""MobileNetV2 in plain torch, with torchvision's state_dict layout.

Why our own copy: PyPI torchvision does not import beside the CPU torch we pin (its _C.so links
libtorch_cuda), and the only ImageNet weights we can reach offline are torchvision's own
``mobilenet_v2-b0353104.pth``. The module tree below reproduces torchvision's key names
(``features.{i}.conv.{j}...``, ``classifier.1``) so that file loads with ``strict=True``.

Imports torch: only the exporter and the tests use this module; the app runs the ONNX file.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class MobileNetV2Config:
    num_classes: int = 1000
    last_channels: int = 1280
    # (expansion t, output channels c, repeats n, first stride s), as in the paper's Table 2.
    blocks: tuple[tuple[int, int, int, int], ...] = (
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    )


def conv_bn_relu(
    cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1
) -> nn.Sequential:
    """Conv (no bias) -> BN -> ReLU6; indices 0/1 match torchvision's Conv2dNormActivation."""
    conv = nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    """Expand (1x1) -> depthwise (3x3) -> project (1x1, linear), residual when shapes agree."""

    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        layers: list[nn.Module] = [conv_bn_relu(cin, hidden, k=1)] if expand != 1 else []
        layers += [
            conv_bn_relu(hidden, hidden, stride=stride, groups=hidden),  # depthwise
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*layers)
        self.use_residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, cin, H, W) -> (B, cout, H/s, W/s)
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, config: MobileNetV2Config | None = None) -> None:
        super().__init__()
        self.config = cfg = config or MobileNetV2Config()
        layers: list[nn.Module] = [conv_bn_relu(3, 32, stride=2)]
        cin = 32
        for t, c, n, s in cfg.blocks:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(conv_bn_relu(cin, cfg.last_channels, k=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Dropout(0.2), nn.Linear(cfg.last_channels, cfg.num_classes)
        )

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, 224, 224) normalised -> (B, 1280, 7, 7), values in [0, 6] (ReLU6)."""
        return self.features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) normalised -> (B, num_classes) logits, exactly torchvision's forward."""
        pooled = self.feature_map(x).mean(dim=(2, 3))  # (B, 1280)
        return self.classifier(pooled)  # (B, 1000)


def load_mobilenet_v2(state_dict: dict[str, torch.Tensor]) -> MobileNetV2:
    """Build the model, load torchvision's weights strictly (a key mismatch fails loudly), eval."""
    model = MobileNetV2()
    model.load_state_dict(state_dict, strict=True)
    return model.eval()
