"""A keyword source appended (person names): saved parameters and a library's own ranking
made before it keep working, the learned biases stay with their sources."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from amc_core.learn.model import AMC, N_SOURCES
from amc_core.learn.params import load_params
from amc_core.resources import resources_dir
from amc_core.runtime import SessionFactory
from amc_core.search.graph_io import HEAD_NAME, SOURCES_KEY
from amc_core.search.rerank import OnnxRanker, head_fits
from amc_core.words.keyword import SOURCES
from amc_core.words.space import semantic_space


def test_parameters_saved_before_person_existed_load_with_every_bias_in_place(
    tmp_path: Path,
) -> None:
    import torch

    model = AMC(torch.from_numpy(semantic_space().class_matrix))
    old_bias = np.arange(1, N_SOURCES, dtype=np.float32)  # one slot fewer: no "person" yet
    with np.load(resources_dir() / "models" / "amc_params.npz") as shipped:
        arrays = {k: shipped[k] for k in shipped.files}
    arrays["source_bias"] = old_bias
    saved = tmp_path / "old.npz"
    np.savez(saved, **arrays)  # type: ignore[arg-type]
    load_params(model, saved)
    bias = model.source_bias.detach().numpy()
    person = SOURCES.index("person")
    assert bias.shape == (N_SOURCES,)
    assert bias[person] == 0.0  # the new source starts neutral
    assert bias[-1] == old_bias[-1]  # "other" keeps its learned bias
    assert np.array_equal(bias[:person], old_bias[:person])


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
