"""Keyword sources appended (person names, then scenes): saved parameters and a library's own
ranking made before them keep working, the learned biases stay with their sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest

from amc_core.learn.model import AMC, N_SOURCES
from amc_core.learn.params import load_params
from amc_core.resources import resources_dir
from amc_core.runtime import SessionFactory
from amc_core.search.bridge import save_bridge
from amc_core.search.graph_io import BRIDGE_NAME, HEAD_NAME, SOURCES_KEY
from amc_core.search.rerank import OnnxRanker, head_fits
from amc_core.words.keyword import SOURCES
from amc_core.words.space import semantic_space


@pytest.mark.parametrize("missing", [("scene",), ("person", "scene")])
def test_parameters_saved_before_sources_were_appended_load_with_every_bias_in_place(
    tmp_path: Path, missing: tuple[str, ...]
) -> None:
    """Parameters saved before "scene" (or before "person" and "scene") were appended."""
    import torch

    assert SOURCES[-len(missing) :] == missing  # appended last, in this order
    model = AMC(torch.from_numpy(semantic_space().class_matrix))
    old_bias = np.arange(1, N_SOURCES - len(missing) + 1, dtype=np.float32)  # no new slots
    with np.load(resources_dir() / "models" / "amc_params.npz") as shipped:
        arrays = {k: shipped[k] for k in shipped.files}
    arrays["source_bias"] = old_bias
    saved = tmp_path / "old.npz"
    np.savez(saved, **arrays)  # type: ignore[arg-type]
    load_params(model, saved)
    bias = model.source_bias.detach().numpy()
    first_new = SOURCES.index(missing[0])
    assert bias.shape == (N_SOURCES,)
    assert np.all(bias[first_new : len(SOURCES)] == 0.0)  # the new sources start neutral
    assert bias[-1] == old_bias[-1]  # "other" keeps its learned bias
    assert np.array_equal(bias[:first_new], old_bias[:first_new])


def test_the_shipped_head_and_parameters_know_every_source() -> None:
    with np.load(resources_dir() / "models" / "amc_params.npz") as shipped:
        assert shipped["source_bias"].shape == (N_SOURCES,)
    head = onnx.load(str(resources_dir() / "models" / HEAD_NAME))
    meta = {p.key: p.value for p in head.metadata_props}
    assert meta[SOURCES_KEY] == str(len(SOURCES) + 1)
    assert SOURCES.index("scene") == len(SOURCES) - 1  # appended after "person"
    assert SOURCES[: SOURCES.index("person") + 1][-2:] == ("shape", "person")


def test_a_library_head_made_before_person_existed_is_set_aside_with_a_message(
    tmp_path: Path,
) -> None:
    shipped = resources_dir() / "models"
    sessions = SessionFactory(prefer_gpu=False)
    assert head_fits(sessions.create(shipped / HEAD_NAME))
    own = tmp_path / "models"
    own.mkdir()
    old = onnx.load(str(shipped / HEAD_NAME))
    kept = [p for p in old.metadata_props if p.key != SOURCES_KEY]
    del old.metadata_props[:]
    old.metadata_props.extend(kept)
    onnx.save(old, str(own / HEAD_NAME))
    ranker = OnnxRanker(sessions, own, shipped)
    assert "fine-tuned ranking" in ranker.note and "default ranking" in ranker.note
    fresh = OnnxRanker(sessions, shipped, shipped)
    assert fresh.note == ""


def _own_models(tmp_path: Path) -> tuple[Path, Path]:
    shipped = resources_dir() / "models"
    own = tmp_path / "models"
    own.mkdir()
    for name in (HEAD_NAME, BRIDGE_NAME):
        shutil.copy(shipped / name, own / name)
    return shipped, own


def test_a_library_head_with_a_bridge_it_was_not_made_with_is_set_aside(tmp_path: Path) -> None:
    """A crash between writing a fine-tuned bridge and its head leaves them unmatched: the
    region norms would be another model's, so the default ranking is used, with a note."""
    shipped, own = _own_models(tmp_path)
    sessions = SessionFactory(prefer_gpu=False)
    assert OnnxRanker(sessions, own, shipped).note == ""  # a matching pair is used
    with np.load(own / BRIDGE_NAME) as saved:
        table, temperature = saved["table"], float(saved["temperature"])
        flattened = int(saved["flattened"])
    save_bridge(own / BRIDGE_NAME, table * 1.5, temperature, flattened)
    ranker = OnnxRanker(sessions, own, shipped)
    assert "default ranking" in ranker.note
    (own / BRIDGE_NAME).unlink()
    assert "default ranking" in OnnxRanker(sessions, own, shipped).note


def test_a_library_head_from_before_the_bridge_is_set_aside(tmp_path: Path) -> None:
    """A head exported before VAN's norms moved out of the graph takes raw posteriors: fed
    region weights it would score wrongly, so it is not used."""
    shipped, own = _own_models(tmp_path)
    old = onnx.load(str(own / HEAD_NAME))
    for value in old.graph.input:
        if value.name == "region_weights":
            value.name = "region_probs"
    for node in old.graph.node:
        node.input[:] = ["region_probs" if i == "region_weights" else i for i in node.input]
    onnx.save(old, str(own / HEAD_NAME))
    sessions = SessionFactory(prefer_gpu=False)
    assert not head_fits(sessions.create(own / HEAD_NAME))
    assert "default ranking" in OnnxRanker(sessions, own, shipped).note
