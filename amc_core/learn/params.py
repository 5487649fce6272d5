"""Loading and saving AMC parameters: plain arrays (npz, no pickle), never code."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch

from amc_core.arrays import unit
from amc_core.describe.scene_probe import default_scene_probe
from amc_core.errors import AmcError
from amc_core.learn.constants import PARAMS_NAME
from amc_core.learn.model import AMC
from amc_core.learn.reference import reference_class_matrix
from amc_core.resources import resources_dir
from amc_core.words.space import SemanticSpace, semantic_space

log = logging.getLogger(__name__)

# Which class matrix a saved ``class_residual`` was learned on. 1 (or no marker): search's
# class vectors; 2: the zero-shot reference's (issue 15); 3: the reference's and the scene
# probe's words after them; 4: the same with the probe's rows SCENE_WEIGHT 3 long. A residual
# made for another bridge means nothing on this one and is reset to zero.
BRIDGE_KEY = "bridge_version"
BRIDGE_VERSION = 4
# The length of a scene word's row against a class's (1), i.e. how much a probe word (or a
# found face or body, as "person") counts in a region's mix against its ten classes. On the
# dev split (each photo's probe evidence from the probe trained on the other half) ranking is
# a plateau, full AMC NDCG@10 0.770 / 0.772 / 0.775 / 0.776 / 0.776 / 0.775 at 1 / 1.5 / 2 /
# 2.5 / 3 / 4, while the heat-map points at the labelled cells more often as the word counts
# more: VAN's most attended cell is a labelled one in 0.64 / 0.66 / 0.69 / 0.71 / 0.73 / 0.75
# of 144 (word, photo) cases (benchmarks/attention_cells.py; building 0.2 -> 0.6). 3: most of
# that gain, objects not lower (0.601 vs 0.599; 0.583 at 4).
SCENE_WEIGHT = 3.0


def default_params_path() -> Path:
    return resources_dir() / "models" / PARAMS_NAME


def save_params(model: AMC, path: Path) -> None:
    arrays = {
        name: p.detach().numpy()
        for name, p in model.named_parameters()
        if name != "class_residual" or bool(p.detach().abs().max() > 0)
    }
    if "class_residual" in arrays:
        arrays[BRIDGE_KEY] = np.array(BRIDGE_VERSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)


def load_params(model: AMC, path: Path) -> None:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise AmcError(f"cannot read model parameters {path}: {exc}") from exc
    bridge = int(arrays.pop(BRIDGE_KEY, 1))
    if "class_residual" in arrays and bridge != BRIDGE_VERSION:
        del arrays["class_residual"]
        log.warning(
            "%s: its learned class vectors were made for an older visual bridge and are reset; "
            "the rest of its parameters are kept (improve the ranking again to relearn them)",
            path,
        )
    own = dict(model.named_parameters())
    unknown = set(arrays) - set(own)
    if unknown:
        raise AmcError(f"{path} has parameters this model does not know: {sorted(unknown)}")
    with torch.no_grad():
        for name, saved in arrays.items():
            value = saved
            if name == "source_bias" and 0 < len(value) < len(own[name]):
                value = _grown_sources(value, len(own[name]))
            if tuple(value.shape) != tuple(own[name].shape):
                raise AmcError(
                    f"{path}: {name} has shape {value.shape}, expected {own[name].shape}"
                )
            own[name].copy_(torch.from_numpy(value))


def _grown_sources(bias: np.ndarray, slots: int) -> np.ndarray:
    """Parameters saved before keyword sources were appended: the new sources start neutral
    (0), inserted before the last slot ("other"), so every learned bias keeps its source."""
    return np.concatenate([bias[:-1], np.zeros(slots - len(bias), bias.dtype), bias[-1:]])


def bridge_matrix(space: SemanticSpace) -> tuple[np.ndarray, tuple[str, ...]]:
    """(N + S, D) the fixed bridge: the zero-shot reference's class vectors, then the scene
    probe's S words (their centred unit word vectors x SCENE_WEIGHT; none without a probe);
    and those S words."""
    classes = reference_class_matrix(space)
    probe = default_scene_probe()
    if probe is None:
        return classes, ()
    words = np.stack([space.vectors.phrase(w) for w in probe.words])
    rows = SCENE_WEIGHT * unit(words - space.centre)
    return np.concatenate([classes, rows.astype(np.float32)]), probe.words


def default_model(space: SemanticSpace | None = None, params: Path | None = None) -> AMC:
    """The shipped model: the fixed bridge (bridge_matrix, built once per space) plus the
    shipped (or given) parameters."""
    space = space or semantic_space()
    table, scene_words = bridge_matrix(space)
    model = AMC(torch.from_numpy(table), scene_words=scene_words)
    path = params or default_params_path()
    if path.is_file():
        load_params(model, path)
    model.eval()
    return model
