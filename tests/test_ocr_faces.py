"""OCR (text keywords) and detected faces (people keywords) on rendered text and real photos."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from amc_core.describe.faces import Face, detect_faces, keywords_for_faces, people_keywords
from amc_core.describe.ocr import (
    DET_FILE,
    DICT_FILE,
    REC_FILE,
    TextLine,
    TextReader,
    ctc_greedy,
    model_dir,
    words_to_keywords,
)
from amc_core.runtime import SessionFactory
from amc_core.words.keyword import Keyword
from photo_factory import photo_like

PHOTOS = Path(__file__).parent / "data" / "photos"
NO_FACE_PHOTOS = ("coffee", "chelsea_cat", "dog_bicycle_truck", "rocket")
BIRTHDAY = {"happy", "birthday", "2024"}


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader(SessionFactory(prefer_gpu=False))


def load_photo(name: str) -> np.ndarray:
    with Image.open(PHOTOS / f"{name}.jpg") as img:
        return np.asarray(img.convert("RGB"))  # (H, W, 3) uint8, longest side 400


def text_on_plain(text: str, size: int) -> np.ndarray:
    img = Image.new("RGB", (512, 256), (250, 245, 235))
    font = ImageFont.load_default(size=size)
    ImageDraw.Draw(img).text((20, 100), text, font=font, fill=(20, 20, 60))
    return np.asarray(img)


def text_on_photo(text: str, size: int, seed: int, angle: float = 0.0) -> np.ndarray:
    """Light outlined letters (like a caption or a sign) over a photo-like background."""
    photo = photo_like(512, 384, seed)
    layer = Image.new("RGBA", photo.size, (0, 0, 0, 0))
    font = ImageFont.load_default(size=size)
    ImageDraw.Draw(layer).text(
        (40, 170),
        text,
        font=font,
        fill=(255, 255, 240, 255),
        stroke_width=2,
        stroke_fill=(20, 20, 20, 255),
    )
    layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC)
    photo.paste(layer, (0, 0), layer)
    return np.asarray(photo)


def words(keywords: list[Keyword]) -> set[str]:
    return {k.text for k in keywords}


# --- OCR ---------------------------------------------------------------------------------------


def test_model_files_are_committed_small_and_licensed() -> None:
    folder = model_dir()
    for name in (DET_FILE, REC_FILE, DICT_FILE):
        size = (folder / name).stat().st_size
        assert 0 < size < 15_000_000, name  # committed to git: well under 20 MB each
    notice = (folder / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in notice and "rapidocr_onnxruntime-1.4.4" in notice


def test_reads_birthday_text_on_plain_background(reader: TextReader) -> None:
    keywords = reader.read(text_on_plain("HAPPY BIRTHDAY 2024", 40))
    assert words(keywords) >= BIRTHDAY
    for k in keywords:
        assert k.source == "text" and k.text == k.text.lower() and len(k.text) >= 2
        assert 0.6 <= k.confidence <= 1.0


@pytest.mark.parametrize("seed", [1, 2])
def test_reads_birthday_text_on_a_photo(reader: TextReader, seed: int) -> None:
    found = words(reader.read(text_on_photo("HAPPY BIRTHDAY 2024", 36, seed)))
    assert found == BIRTHDAY  # all three, and no words invented from the background


def test_reads_smaller_tilted_mixed_case_text(reader: TextReader) -> None:
    found = words(reader.read(text_on_photo("Welcome to Paris", 24, seed=3, angle=15)))
    assert {"welcome", "paris"} <= found


def test_gate_says_yes_for_text_and_no_for_photos_without_text(reader: TextReader) -> None:
    assert reader.likely_has_text(text_on_plain("HAPPY BIRTHDAY 2024", 40))
    assert reader.likely_has_text(text_on_photo("HAPPY BIRTHDAY 2024", 36, seed=4))
    assert reader.likely_has_text(text_on_photo("Welcome to Paris", 16, seed=5))
    for seed in (6, 7, 8):
        assert not reader.likely_has_text(np.asarray(photo_like(512, 384, seed))), seed
    for name in ("coffee", "chelsea_cat", "astronaut"):
        assert not reader.likely_has_text(load_photo(name)), name


def test_no_words_invented_in_photos_without_text(reader: TextReader) -> None:
    assert reader.read(np.asarray(photo_like(512, 384, 9))) == []
    for name in ("coffee", "chelsea_cat"):
        assert reader.read(load_photo(name)) == [], name


def test_one_reader_serves_threads(reader: TextReader) -> None:
    image = text_on_plain("HAPPY BIRTHDAY 2024", 40)
    results: list[set[str]] = []

    def work() -> None:
        results.append(words(reader.read(image)))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [BIRTHDAY, BIRTHDAY]


def test_ctc_greedy_merges_repeats_drops_blanks_and_finds_word_gaps() -> None:
    charset = ["", "a", "b", " "]  # blank, two letters, space (PaddleOCR's order)

    def step(cls: int, space: float = 0.0) -> list[float]:
        probs = [0.0, 0.0, 0.0, space]
        probs[cls] = 1.0 - space
        return probs

    # a a _ b | _ _(space 0.2) _ | a : "ab a"; a weak space probability inside "ab" is ignored
    rows = [step(1), step(1), step(0, 0.001), step(2), step(0), step(0, 0.2), step(0), step(1)]
    line = ctc_greedy(np.array(rows, dtype=np.float32), charset)
    assert line.text == "ab a"
    assert len(line.char_probs) == len(line.text)


def test_words_to_keywords_keeps_confident_latin_words_and_numbers() -> None:
    lines = [
        TextLine("Happy Birthday!", (0.99,) * 15),
        TextLine("HAPPY 2024 x 汉字", (0.9,) * 5 + (0.95,) * 5 + (0.99,) * 5),
        TextLine("blur", (0.3, 0.4, 0.3, 0.2)),
    ]
    keywords = words_to_keywords(lines)
    assert [k.text for k in keywords] == ["happy", "birthday", "2024"]
    assert keywords[0].confidence == pytest.approx(0.99)  # best of its two readings
    assert all(k.source == "text" for k in keywords)


# --- faces -------------------------------------------------------------------------------------


def test_astronaut_portrait_is_a_person_with_a_face() -> None:
    rgb = load_photo("astronaut")
    faces = detect_faces(rgb)
    assert len(faces) == 1
    x, y, w, h = faces[0].box
    assert 100 < x + w / 2 < 260 and 40 < y + h / 2 < 160  # her face, upper middle
    keywords = {k.text: k for k in people_keywords(rgb)}
    assert {"person", "face"} <= keywords.keys()
    assert "people" not in keywords and "group" not in keywords
    assert all(k.source == "people" and 0.5 <= k.confidence <= 1.0 for k in keywords.values())


@pytest.mark.parametrize("name", NO_FACE_PHOTOS)
def test_no_people_in_photos_without_faces(name: str) -> None:
    assert people_keywords(load_photo(name)) == []


def test_no_people_in_generated_images() -> None:
    for seed in (10, 11):
        assert detect_faces(np.asarray(photo_like(512, 384, seed))) == []
    assert detect_faces(text_on_photo("HAPPY BIRTHDAY 2024", 36, seed=12)) == []


def _face(x: int, size: int, confidence: float = 0.8) -> Face:
    return Face((x, 10, size, size), confidence)


def test_people_group_and_portrait_keywords() -> None:
    shape = (400, 600, 3)
    one_small = keywords_for_faces([_face(0, 30)], shape)
    assert [k.text for k in one_small] == ["person", "face"]

    two = {k.text for k in keywords_for_faces([_face(0, 30), _face(100, 30)], shape)}
    assert two == {"person", "face", "people"}

    crowd = [_face(60 * i, 30, 0.9 - 0.05 * i) for i in range(5)]
    group = {k.text: k.confidence for k in keywords_for_faces(crowd, shape)}
    assert {"people", "group"} <= group.keys() and "portrait" not in group
    assert group["group"] == pytest.approx(0.75)  # the 4th best face justifies "group"

    portrait = {k.text: k.confidence for k in keywords_for_faces([_face(200, 120)], shape)}
    assert portrait["portrait"] == pytest.approx(0.8)  # face side 0.3 x short side: full
    assert keywords_for_faces([], shape) == []
