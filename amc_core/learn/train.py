"""Fine-tuning AMC with the paper's ranking loss, guarded by validation.

Loss: for a query, every relevant photo must outscore sampled irrelevant ones by a margin,
mean(max(0, margin - s(q, pos) + s(q, neg))). By default only the small parameters move
(temperatures, MTN, confidence exponents, source weights); the class-to-word residual moves
only with ``all_parameters``. After every epoch the validation queries are ranked against all
candidate photos; the best parameters seen are kept, and when no epoch beats the starting
point the starting parameters come back: training never leaves the ranking worse than it found
it (on validation). Deterministic for a seed.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from amc_core.index.library import Library
from amc_core.learn.constants import MIN_CLICKED_QUERIES, user_params_path
from amc_core.learn.data import Example, load
from amc_core.learn.metrics import ndcg_at
from amc_core.learn.model import AMC
from amc_core.learn.params import default_model, default_params_path, save_params
from amc_core.learn.ranker import model_inputs
from amc_core.runtime import write_checksums
from amc_core.search.terms import Lexicon, ParsedQuery, default_lexicon, parse_query
from amc_core.store.batch import PERSON_WORD, KeywordVectors, PhotoBatch, load_batch
from amc_core.words.space import SemanticSpace, semantic_space

MAX_POOL = 3000  # photos scored per query while training (positives + a sample)


@dataclass
class TrainConfig:
    epochs: int = 30
    lr: float = 0.03
    margin: float = 0.1
    negatives: int = 24
    seed: int = 7
    all_parameters: bool = False


@dataclass
class TrainProgress:
    epoch: int
    epochs: int
    loss: float = 0.0
    before: float = 0.0  # validation NDCG@10 of the starting parameters
    after: float = 0.0  # validation NDCG@10 of the parameters kept so far
    kept: bool = False  # the final parameters differ from the starting ones
    finished: bool = False
    message: str = ""
    history: list[float] = field(default_factory=list)


class RankingData:
    """Examples with parsed queries and one batch of every photo they may be ranked among."""

    def __init__(
        self,
        library: Library,
        examples: Sequence[Example],
        space: SemanticSpace,
        lexicon: Lexicon | None = None,
        seed: int = 7,
        person_row: int | None = None,
    ) -> None:
        lexicon = lexicon or default_lexicon()
        self.examples = [e for e in examples if e.relevant]
        self.queries = [parse_query(e.query, space, lexicon) for e in self.examples]
        photo_ids = [int(r["id"]) for r in library.catalog.photo_rows("WHERE state = 'ok'")]  # type: ignore[call-overload]
        wanted = {pid for e in self.examples for pid in e.relevant}
        others = [pid for pid in photo_ids if pid not in wanted]
        random.Random(seed).shuffle(others)
        pool = sorted(wanted & set(photo_ids)) + others[: max(0, MAX_POOL - len(wanted))]
        self.batch: PhotoBatch = load_batch(
            library.catalog, KeywordVectors(library.catalog, space), pool, person_row
        )
        self.row_of = {pid: i for i, pid in enumerate(self.batch.photo_ids)}


def evaluate(model: AMC, data: RankingData, k: int = 10) -> float:
    """Mean NDCG@k of the examples, each ranked against the whole pool."""
    if not data.examples:
        return 0.0
    total = 0.0
    with torch.no_grad():
        for example, query in zip(data.examples, data.queries, strict=True):
            scores = model(*model_inputs(query, data.batch))[0].numpy()
            order = np.argsort(-scores, kind="stable")[:k]
            ranking = [str(data.batch.photo_ids[i]) for i in order]
            total += ndcg_at(ranking, {str(p): g for p, g in example.relevant.items()}, k)
    return total / len(data.examples)


def _step_loss(
    model: AMC, query: ParsedQuery, example: Example, data: RankingData, rng: random.Random,
    config: TrainConfig,
) -> torch.Tensor | None:  # fmt: skip
    positives = [data.row_of[p] for p in example.relevant if p in data.row_of]
    candidates = [
        i for i in range(len(data.batch)) if data.batch.photo_ids[i] not in example.relevant
    ]
    if not positives or not candidates:
        return None
    negatives = rng.sample(candidates, min(config.negatives, len(candidates)))
    sub = data.batch.take(positives + negatives)
    scores = model(*model_inputs(query, sub))[0]
    pos, neg = scores[: len(positives)], scores[len(positives) :]
    return torch.relu(config.margin - pos[:, None] + neg[None, :]).mean()


def train(
    model: AMC,
    train_data: RankingData,
    val_data: RankingData,
    config: TrainConfig,
    cancel: threading.Event | None = None,
) -> Iterator[TrainProgress]:
    """Fit in place; yields progress per epoch; the model ends at its best validation point."""
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    params = list(model.parameters()) if config.all_parameters else model.small_parameters()
    optimiser = torch.optim.Adam(params, lr=config.lr)
    before = evaluate(model, val_data)
    best, best_state = before, copy.deepcopy(model.state_dict())
    history = [before]
    order = list(range(len(train_data.examples)))
    for epoch in range(1, config.epochs + 1):
        if cancel is not None and cancel.is_set():
            break
        rng.shuffle(order)
        losses = []
        model.train()
        for i in order:
            loss = _step_loss(
                model, train_data.queries[i], train_data.examples[i], train_data, rng, config
            )
            if loss is None:
                continue
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        model.eval()
        score = evaluate(model, val_data)
        history.append(score)
        if score > best + 1e-6:
            best, best_state = score, copy.deepcopy(model.state_dict())
        yield TrainProgress(epoch, config.epochs, float(np.mean(losses)) if losses else 0.0,
                            before, best, history=list(history))  # fmt: skip
    model.load_state_dict(best_state)
    kept = best > before + 1e-6
    message = (
        f"validation NDCG@10 {before:.3f} -> {best:.3f}"
        if kept
        else f"no improvement on validation (NDCG@10 {before:.3f}); parameters unchanged"
    )
    yield TrainProgress(
        config.epochs, config.epochs, 0.0, before, best, kept, True, message, history
    )


def split_examples(
    examples: Sequence[Example], val_share: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Deterministic split by query."""
    shuffled = sorted(examples, key=lambda e: e.query)
    random.Random(seed).shuffle(shuffled)
    n_val = max(1, round(len(shuffled) * val_share)) if len(shuffled) > 1 else 0
    return shuffled[n_val:], shuffled[:n_val]


def model_for_library(library_dir: Path, space: SemanticSpace | None = None) -> AMC:
    """The library's own fine-tuned parameters when it has them, else the shipped defaults."""
    own = user_params_path(library_dir)
    return default_model(space, own if own.is_file() else default_params_path())


def improve_from_clicks(
    library_dir: Path,
    cancel: threading.Event | None = None,
    config: TrainConfig | None = None,
) -> Iterator[TrainProgress]:
    """Fine-tune on the clicks the app recorded; keep the result only if held-out clicks rank
    better with it (saved beside the catalog; `reset_to_default` removes it)."""
    config = config or TrainConfig(epochs=15)
    with Library(library_dir) as library:
        examples = load("user", None, library.catalog).examples
        if len(examples) < MIN_CLICKED_QUERIES:
            yield TrainProgress(0, 0, finished=True, message=(
                f"needs clicks after at least {MIN_CLICKED_QUERIES} different searches "
                f"(has {len(examples)}); open or inspect results while you search"))  # fmt: skip
            return
        train_ex, val_ex = split_examples(examples, 0.3, config.seed)
        yield from fine_tune(library, train_ex, val_ex, config, cancel)


def fine_tune(
    library: Library,
    train_ex: Sequence[Example],
    val_ex: Sequence[Example],
    config: TrainConfig,
    cancel: threading.Event | None = None,
) -> Iterator[TrainProgress]:
    """The one training run of the app and the CLI: from the library's current parameters,
    on train_ex, judged on val_ex; the new parameters are saved for the library only when
    validation ranks better with them."""
    space = semantic_space()
    model = model_for_library(library.paths.root, space)
    faces = model.row_of(PERSON_WORD)  # the inputs search will feed the tuned head
    train_data = RankingData(library, list(train_ex), space, seed=config.seed, person_row=faces)
    val_data = RankingData(library, list(val_ex), space, seed=config.seed, person_row=faces)
    last = None
    for last in train(model, train_data, val_data, config, cancel):
        yield last
    if last is not None and last.kept:
        save_library_model(model, library.paths.root)
        library.catalog.user_data_changed()  # the backup records the new parameters' SHA-256


def save_library_model(model: AMC, library_dir: Path) -> None:
    """The library's own parameters, and its own head graph that the search engine runs."""
    from amc_core.learn.export import HEAD_NAME, export_head

    target = user_params_path(library_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    export_head(model, target.parent / (HEAD_NAME + ".tmp"))
    save_params(model, target)
    (target.parent / (HEAD_NAME + ".tmp")).replace(target.parent / HEAD_NAME)
    write_checksums(target.parent)


def reset_to_default(library_dir: Path) -> bool:
    """Forget the library's fine-tuned parameters (and head graph); True if there were any."""
    from amc_core.learn.export import BRIDGE_NAME, HEAD_NAME

    params = user_params_path(library_dir)
    found = params.is_file()
    for path in (params, params.parent / HEAD_NAME, params.parent / BRIDGE_NAME,
                 params.parent / "SHA256SUMS"):  # fmt: skip
        path.unlink(missing_ok=True)
    return found
