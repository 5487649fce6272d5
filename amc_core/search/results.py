"""The one result type of every search: a ranked photo with why it ranked, and a response."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class KeywordWeight:
    keyword: str
    weight: float
    source: str = ""


@dataclass(frozen=True, slots=True)
class WordWeight:
    """How much the picture counted for one word of the query (the keywords: the rest)."""

    word: str
    visual: float
    # where the search looked for this word: VAN's attention over the 3x3 grid (row-major
    # from the top-left), then the whole photo (the result's region_attention is the words'
    # mean, each weighed by how much the picture counted for it)
    regions: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchResult:
    photo_id: int
    path: str
    score: float
    visual_weight: float
    language_weight: float
    keywords: list[KeywordWeight] = field(default_factory=list)
    content_hash: str | None = None  # keys the thumbnail
    # VAN's attention over the 3x3 grid (row-major from the top-left), then the whole photo
    region_attention: list[float] = field(default_factory=list)
    source: str = "keywords"  # which candidate stage found it: "vector", "keywords" or both
    strong: bool = True  # above the line this query's own scores draw (search.strong)
    date: str = ""  # capture date, else file date (ISO): what a date sort orders by
    words: list[WordWeight] = field(default_factory=list)  # MTN's weights, word by word

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "score": round(self.score, 6),
            "modality_weights": {
                "visual": round(self.visual_weight, 6),
                "language": round(self.language_weight, 6),
            },
            "keywords": [
                {"keyword": k.keyword, "weight": round(k.weight, 6), "source": k.source}
                for k in self.keywords
            ],
            "regions": [round(a, 6) for a in self.region_attention],
            "word_weights": [
                {
                    "word": w.word,
                    "visual": round(w.visual, 6),
                    "language": round(1 - w.visual, 6),
                    "regions": [round(a, 6) for a in w.regions],
                }
                for w in self.words
            ],
            "strong": self.strong,
        }


@dataclass
class SearchResponse:
    """What one search answers: the results best first, or an error the user can act on."""

    query: str
    results: list[SearchResult] = field(default_factory=list)
    candidates: int = 0
    elapsed_ms: float = 0.0
    error: str | None = None

    @property
    def strong_count(self) -> int:
        """How many results are strong: they come first, the weaker ones after."""
        return sum(1 for r in self.results if r.strong)
