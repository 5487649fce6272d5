"""ONNX export of the AMC head and the query encoder, with a parity check that fails loudly.

`python -m amc_core.learn.export` (also `amc export`) rebuilds from a clean checkout:
1. MTN's default parameters are fitted on synthetic queries (intents.py);
2. the parameters are saved to resources/models/amc_params.npz (plain arrays);
3. the head (its serving form, model.ServingHead, with VAN's bridge in amc_bridge.npz beside
   it) and the query encoder are exported to resources/models/amc_head.onnx and
   amc_query.onnx (opset 18, dynamic query length, batch and keyword count) and checked
   against torch's AMC on the raw posteriors (max abs diff < 1e-4) on random inputs of
   several shapes.

The word-vector lookup itself stays outside the graph: it is a table lookup with a BPE
fallback for unknown words (amc_core.words.vectors), not a network.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch import nn

from amc_core.learn.intents import fit_mtn
from amc_core.learn.model import AMC, N_SOURCES, ServingHead
from amc_core.learn.params import PARAMS_NAME, default_model, load_params, save_params
from amc_core.resources import resources_dir
from amc_core.runtime import SessionFactory, write_checksums
from amc_core.search.bridge import Bridge, save_bridge
from amc_core.search.graph_io import (
    BRIDGE_KEY,
    BRIDGE_NAME,
    HEAD_INPUTS,
    HEAD_NAME,
    HEAD_OUTPUTS,
    QUERY_INPUTS,
    QUERY_NAME,
    QUERY_OUTPUTS,
    SOURCES_KEY,
)
from amc_core.search.terms import INTENTS
from amc_core.store.batch import N_REGIONS, SCENE_K, TOP_K
from amc_core.words.space import semantic_space

PARITY_ATOL = 1e-4
OPSET = 18


class QueryEncoder(nn.Module):
    """Raw word vectors (T, D) -> centred unit token vectors (T, D) and the unit mean (D,)."""

    def __init__(self, centre: torch.Tensor) -> None:
        super().__init__()
        self.centre: torch.Tensor
        self.register_buffer("centre", centre.float())

    def forward(self, words: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        present = (words.abs().sum(-1, keepdim=True) > 0).float()  # (T, 1) zero rows stay zero
        centred = (words - self.centre) * present
        tokens = centred / centred.norm(dim=-1, keepdim=True).clamp_min(1e-8)
        mean = tokens.sum(0)
        return tokens, mean / mean.norm().clamp_min(1e-8)


@contextlib.contextmanager
def _exporter_quiet() -> Iterator[None]:
    """torch's exporter warns about its own internals (deprecations, torchvision ops); those
    are not ours to act on, and must not fail a run that treats warnings as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("torch").setLevel(logging.ERROR)
        yield


def example_head_inputs(
    t: int, b: int, k: int, dim: int, seed: int = 0, rows: int = 1000
) -> tuple[torch.Tensor, ...]:
    """Random inputs of the head's shapes; region ids over the bridge's ``rows`` (classes and
    the scene probe's words)."""
    g = torch.Generator().manual_seed(seed)
    q = torch.nn.functional.normalize(torch.randn(t, dim, generator=g), dim=-1)
    probs = torch.rand(b, N_REGIONS, TOP_K + SCENE_K, generator=g)
    return (
        q,
        torch.full((t,), 1.0 / t),
        torch.softmax(torch.randn(t, len(INTENTS), generator=g), -1),  # each token's intent
        (torch.rand(t, generator=g) > 0.5).float(),  # words of scenery or stuff
        torch.randint(0, rows, (b, N_REGIONS, TOP_K + SCENE_K), generator=g),
        probs / probs.sum(-1, keepdim=True),
        torch.rand(b, t, k, generator=g) * 2 - 1,  # keyword similarities in [-1, 1]
        torch.rand(b, k, generator=g),
        torch.randint(0, N_SOURCES, (b, k), generator=g),
        (torch.rand(b, k, generator=g) > 0.2).float(),
    )


def export_head(model: AMC, out: Path) -> None:
    """The serving head graph at `out` and its bridge (class vectors and temperature) beside
    it, amc_bridge.npz; the graph's metadata names the bridge's SHA-256."""
    model.eval()
    table = model.bridge_table().detach().numpy()
    digest = save_bridge(
        out.with_name(BRIDGE_NAME), table, model.config.posterior_temperature,
        model.config.n_classes, model.config.scene_words,
    )  # fmt: skip
    t, b, k = (torch.export.Dim(n, min=1, max=100_000) for n in ("tokens", "batch", "keywords"))
    shapes = {
        "q_vectors": {0: t}, "q_weights": {0: t}, "q_token_intents": {0: t}, "q_spread": {0: t},
        "region_ids": {0: b}, "region_weights": {0: b},
        "kw_sims": {0: b, 1: t, 2: k}, "kw_conf": {0: b, 1: k}, "kw_source": {0: b, 1: k},
        "kw_mask": {0: b, 1: k},
    }  # fmt: skip
    with _exporter_quiet():
        program = torch.onnx.export(
            ServingHead(model), example_head_inputs(3, 4, 7, model.config.dim), dynamo=True,
            opset_version=OPSET,
            input_names=list(HEAD_INPUTS), output_names=list(HEAD_OUTPUTS),
            dynamic_shapes=shapes, verbose=False,
        )  # fmt: skip
    assert program is not None
    # on the IR model: `model_proto` is a fresh copy on every access, edits to it are lost
    program.model.doc_string = "AMC Photo Search scoring head (VAN, LAN, MTN)"
    program.model.metadata_props[SOURCES_KEY] = str(N_SOURCES)
    program.model.metadata_props[BRIDGE_KEY] = digest
    _save_reproducibly(program, out)


def export_query(encoder: QueryEncoder, out: Path) -> None:
    words = torch.randn(3, encoder.centre.shape[0])
    with _exporter_quiet():
        program = torch.onnx.export(
            encoder, (words,), dynamo=True, opset_version=OPSET, input_names=list(QUERY_INPUTS),
            output_names=list(QUERY_OUTPUTS),
            dynamic_shapes={"words": {0: torch.export.Dim("tokens", min=1, max=1000)}},
            verbose=False,
        )  # fmt: skip
    assert program is not None
    _save_reproducibly(program, out)


def _save_reproducibly(program: torch.onnx.ONNXProgram, out: Path) -> None:
    """Saves the graph without the exporter's per-node notes (the Python stack trace with
    this checkout's paths, the calling module's name) and with torch's version without its
    build tag ("2.13.0", not "2.13.0+cpu"), so that the same code and parameters give the same
    graph from any checkout, entry point or torch build of that version."""
    for node in program.model.graph.all_nodes():
        node.metadata_props.clear()
    program.model.producer_version = torch.__version__.split("+")[0]
    program.save(str(out))


def head_feeds(inputs: tuple[torch.Tensor, ...], bridge: Bridge) -> dict[str, np.ndarray]:
    """AMC.forward's inputs -> the head graph's feeds: the raw posteriors become region
    weights from the graph's bridge, as search makes them."""
    feeds = {n: x.numpy() for n, x in zip(HEAD_INPUTS, inputs, strict=True)}
    probs = inputs[HEAD_INPUTS.index("region_weights")].numpy()  # forward's region_probs
    feeds["region_weights"] = bridge.region_weights(feeds["region_ids"], probs)
    return feeds


def check_parity(model: AMC, encoder: QueryEncoder, head_path: Path, query_path: Path) -> float:
    """Max abs difference between torch and onnxruntime over several shapes; raises above 1e-4."""

    factory = SessionFactory(prefer_gpu=False)
    head, query = factory.create(head_path), factory.create(query_path)
    bridge = Bridge.load(head_path.with_name(BRIDGE_NAME))
    worst = 0.0
    for t, b, k in ((1, 1, 1), (2, 5, 30), (6, 64, 100)):
        rows = model.bridge_table().shape[0]
        inputs = example_head_inputs(t, b, k, model.config.dim, seed=t * 100 + b, rows=rows)
        with torch.no_grad():
            expected = model(*inputs)  # from the raw posteriors, as training sees them
        got = head.run(list(HEAD_OUTPUTS), head_feeds(inputs, bridge))
        for name, want, have in zip(HEAD_OUTPUTS, expected, got, strict=True):
            diff = float(np.abs(want.numpy() - have).max())
            worst = max(worst, diff)
            if diff >= PARITY_ATOL:
                raise AssertionError(
                    f"ONNX head {name} differs from torch by {diff:.2e} ({t},{b},{k})"
                )
        words = torch.randn(t, model.config.dim)
        with torch.no_grad():
            want_q = encoder(words)
        have_q = query.run(list(QUERY_OUTPUTS), {"word_vectors": words.numpy()})
        for name, want, have in zip(QUERY_OUTPUTS, want_q, have_q, strict=True):
            diff = float(np.abs(want.numpy() - have).max())
            worst = max(worst, diff)
            if diff >= PARITY_ATOL:
                raise AssertionError(f"ONNX query {name} differs from torch by {diff:.2e}")
    return worst


def build(out_dir: Path, params: Path | None = None) -> dict[str, float]:
    """Default parameters (or given ones) -> npz + both ONNX graphs, checked."""
    space = semantic_space()
    model = default_model(space, params=Path("/nonexistent"))
    if params is not None:
        load_params(model, params)
        fit = {}
    else:
        fit = fit_mtn(model, space)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_params(model, out_dir / PARAMS_NAME)
    encoder = QueryEncoder(torch.from_numpy(space.centre))
    export_head(model, out_dir / HEAD_NAME)
    export_query(encoder, out_dir / QUERY_NAME)
    write_checksums(out_dir)
    worst = check_parity(model, encoder, out_dir / HEAD_NAME, out_dir / QUERY_NAME)
    return {**fit, "parity_max_abs_diff": worst}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amc_core.learn.export", description=__doc__)
    parser.add_argument("--out", type=Path, default=resources_dir() / "models")
    parser.add_argument("--params", type=Path, help="export these parameters instead of defaults")
    args = parser.parse_args(argv)
    print(build(args.out, args.params))
    return 0


if __name__ == "__main__":
    sys.exit(main())
