"""What the describe stage adds to one decoded photo: its keywords and its stored features."""

from __future__ import annotations

from dataclasses import dataclass, field

from amc_core.words.keyword import Keyword

# What a photo's stored analysis is made by (the tagger's encoder and evidence); a photo
# analysed by another is read again at the next index. v2: the features carry the scene
# probe's region evidence (issue 15).
FEATURE_MODEL = "mobilenet_v2-amcv2"


@dataclass(slots=True)
class Analysis:
    """What the later stages add to one decoded photo."""

    keywords: list[Keyword] = field(default_factory=list)
    features: bytes | None = None
    feature_model: str | None = None
