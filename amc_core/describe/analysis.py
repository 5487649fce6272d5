"""What the describe stage adds to one decoded photo: its keywords and its stored features."""

from __future__ import annotations

from dataclasses import dataclass, field

from amc_core.words.keyword import Keyword


@dataclass(slots=True)
class Analysis:
    """What the later stages add to one decoded photo."""

    keywords: list[Keyword] = field(default_factory=list)
    features: bytes | None = None
    feature_model: str | None = None
