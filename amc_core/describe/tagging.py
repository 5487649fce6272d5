"""The auto-tagging keyword generator: the indexer's analysis stage.

For each batch of decoded photos: the visual encoder (one ONNX call per batch)
gives region features and posteriors; every keyword source adds its words
(visual classes and their parents, people, text, date, place, camera, shape,
folder and file names, colours, scenes and materials); they are normalised and merged into at most
~100 keywords per photo, each with its confidence and source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from amc_core.describe.analysis import FEATURE_MODEL, Analysis
from amc_core.describe.encoder import VisualEncoder
from amc_core.describe.keywords.camera import camera_keywords
from amc_core.describe.keywords.dates import date_keywords
from amc_core.describe.keywords.places import place_keywords
from amc_core.describe.scenes import default_scene_classes
from amc_core.ingest.decode import DecodedPhoto
from amc_core.runtime import SessionFactory
from amc_core.store.features import VisualFeatures, compact
from amc_core.store.records import path_within
from amc_core.words.keyword import Keyword
from amc_core.words.normalise import merge_keywords
from amc_core.words.path_words import path_keywords
from amc_core.words.visual_terms import VisualVocabulary

MAX_KEYWORDS = 100


@dataclass(frozen=True, slots=True)
class TaggerOptions:
    ocr: bool = True
    faces: bool = True


class PhotoTagger:
    """Encoder + keyword sources; one instance per process, models loaded once."""

    def __init__(self, sessions: SessionFactory, options: TaggerOptions | None = None) -> None:
        self.options = options or TaggerOptions()
        self.encoder = VisualEncoder(sessions)
        self.vocabulary = VisualVocabulary()
        self.scenes = default_scene_classes()

    @property
    def feature_model(self) -> str:
        """The analysis this tagger makes (indexing reads photos analysed by another again)."""
        return FEATURE_MODEL

    @property
    def pixel_sources(self) -> tuple[str, ...]:
        """The per-photo sources the decode workers run for this tagger (pixel_keywords.py)."""
        wanted = {
            "colour": True, "people": self.options.faces, "text": self.options.ocr, "scene": True,
        }  # fmt: skip
        return tuple(name for name, on in wanted.items() if on)

    def analyze(self, photos: Sequence[DecodedPhoto], roots: Sequence[str]) -> list[Analysis]:
        if not photos:
            return []
        features = self.encode(photos)
        visual = self.vocabulary.keywords(features.global_probs, features.region_probs)
        scene = self.scenes.region_evidence(features.regions)  # (B, R, S) or None
        scenes = self.scenes.keywords(
            [p.scene_stats for p in photos], features.global_probs, features.region_probs, scene
        )
        return [
            Analysis(
                keywords=self.keywords(photo, visual[i] + scenes[i], _root_of(photo.path, roots)),
                features=compact(features, i, scene=None if scene is None else scene[i]),
                feature_model=FEATURE_MODEL,
            )
            for i, photo in enumerate(photos)
        ]

    def encode(self, photos: Sequence[DecodedPhoto]) -> VisualFeatures:
        """The encoder input, squashed in the decode worker (IndexSettings.model_input)."""
        pixels = [p.model_rgb for p in photos]
        if any(p is None for p in pixels):
            raise ValueError("photos decoded without the encoder's input (model_input=False)")
        return self.encoder.encode(pixels)  # type: ignore[arg-type]

    def keywords(
        self, photo: DecodedPhoto, visual: list[Keyword], root: str | None
    ) -> list[Keyword]:
        exif = photo.exif
        groups: list[list[Keyword]] = [visual, list(photo.pixel_keywords)]
        groups.append(date_keywords(exif.taken_at, exif.gps_lat))
        if exif.gps_lat is not None and exif.gps_lon is not None:
            groups.append(place_keywords(exif.gps_lat, exif.gps_lon))
        groups.append(
            camera_keywords(
                exif.camera_make, exif.camera_model, photo.width, photo.height,
                software=exif.software, format=photo.format,
            )
        )  # fmt: skip
        groups.append(path_keywords(photo.path, root))
        return merge_keywords(groups, limit=MAX_KEYWORDS)


def default_tagger(ocr: bool = True, faces: bool = False) -> PhotoTagger:
    """The tagger the CLI and the app index with (models from resources/, provider chosen once).
    `faces`: detect faces here too. Off for indexing: the faces pass that follows the main pass
    detects them (at a larger size) and writes their words, so a second detector here cost
    16 ms of every photo's 80 for words that were replaced (benchmarks/index_profile.py)."""
    return PhotoTagger(SessionFactory(), TaggerOptions(ocr=ocr, faces=faces))


def _root_of(path: str, roots: Sequence[str]) -> str | None:
    """The innermost library folder that holds path."""
    inside = [root for root in roots if path_within(path, root)]
    return max(inside, key=len, default=None)
