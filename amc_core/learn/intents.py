"""MTN's default parameters, learned from synthetic queries that need no images.

Queries are generated from the gazetteer's places, dates (years, months, seasons, weekdays,
holidays), folder-like words, camera names, colour words and the names of visible things
(ImageNet classes and their everyday WordNet parents), alone and mixed ("dog paris",
"beach 2019", "red car"). The label is which modality should answer: keywords for places,
dates, folders and cameras (no pixel shows a date), the picture for things, an even split
for colours and people (the keyword generator names both from pixels). MTN weighs word by
word (model.py): each word of a query is one example, read as MTN reads it (its intent half
its own kind, half its query's: ParsedQuery.token_intents) and labelled by its own kind. MTN's
intent weights are fitted to these with a logistic loss. (Fitted per query instead, on the
share of its tokens, the weights ranked the dev split 0.768 NDCG@10; word by word 0.771.)
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import torch

from amc_core.learn.model import AMC
from amc_core.search.terms import (
    CAMERA_WORDS,
    INTENTS,
    PEOPLE_WORDS,
    Lexicon,
    default_lexicon,
    parse_query,
)
from amc_core.words.space import SemanticSpace
from amc_core.words.vocabulary import COLOUR_NAMES, MONTHS, WEEKDAYS

# What a person names folders after (the library's own folder words join these at search time).
FOLDER_WORDS = (
    "holiday", "holidays", "vacation", "trip", "wedding", "birthday", "party", "graduation",
    "family", "grandma", "grandpa", "mum", "dad", "kids", "school", "work", "camping",
    "christmas party", "honeymoon", "reunion", "anniversary", "baptism", "road trip",
    "weekend away", "new house", "garden project", "summer camp", "office", "team event",
)  # fmt: skip
# Soft labels: keywords also name visible things (the generator tags them), so even a thing
# query keeps a quarter of its weight on the language side; metadata queries keep a tenth on
# the picture.
VISUAL_TARGET = {"thing": 0.75, "colour": 0.5, "people": 0.5, "other": 0.4}
LANGUAGE_TARGET = 0.1  # place, date, folder, camera


def _category_words(lexicon: Lexicon, rng: random.Random) -> dict[str, list[str]]:
    places = sorted(lexicon.places)
    things = sorted(t for t in lexicon.things if len(t) > 2)
    years = [str(y) for y in range(1995, 2027)]
    return {
        "place": rng.sample(places, min(400, len(places))),
        "date": [*years, *MONTHS, *WEEKDAYS, "summer", "winter", "spring", "autumn",
                 "christmas", "easter", "halloween", "morning", "evening", "night"],
        "folder": list(FOLDER_WORDS),
        "camera": sorted(CAMERA_WORDS - {"selfie"}),
        "colour": list(COLOUR_NAMES),
        "people": sorted(PEOPLE_WORDS),
        "thing": rng.sample(things, min(400, len(things))),
    }  # fmt: skip


def synthetic_queries(
    lexicon: Lexicon, count: int = 3000, seed: int = 7
) -> Iterator[tuple[str, list[str]]]:
    """(query text, the category of each part) - single parts and mixes of two or three."""
    rng = random.Random(seed)
    words = _category_words(lexicon, rng)
    categories = sorted(words)
    for _ in range(count):
        n = rng.choices((1, 2, 3), weights=(5, 4, 1))[0]
        picked = [rng.choice(categories) for _ in range(n)]
        yield " ".join(rng.choice(words[c]) for c in picked), picked


def fit_mtn(model: AMC, space: SemanticSpace, count: int = 3000, seed: int = 7) -> dict[str, float]:
    """Fit MTN's intent weights and bias on the words of synthetic queries; returns the
    fit's accuracy (the share of words whose visual weight lands within 0.1 of its label)."""
    lexicon = default_lexicon().with_folder_words(FOLDER_WORDS)
    intents, targets = [], []
    for text, _ in synthetic_queries(lexicon, count, seed):
        parsed = parse_query(text, space, lexicon)
        if parsed.empty:
            continue
        intents.append(torch.from_numpy(parsed.token_intents))
        targets += [VISUAL_TARGET.get(t.intent, LANGUAGE_TARGET) for t in parsed.tokens]
    x = torch.cat(intents)  # (W, I) every word of every query
    y = torch.tensor(targets)  # (W,)
    w = torch.zeros(len(INTENTS), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    optimiser = torch.optim.LBFGS([w, b], max_iter=200)

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
        loss = loss + 1e-3 * (w**2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    with torch.no_grad():
        model.mtn_intent.copy_(w)
        model.mtn_bias.copy_(b)
        predicted = torch.sigmoid(x @ w + b)
        agree = (predicted - y).abs() < 0.1
    return {"words": float(len(y)), "within_0.1": float(agree.float().mean())}
