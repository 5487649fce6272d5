"""Text in photos (signs, cakes, shirts, posters) as keywords with source ``"text"``.

Why: a user searching "birthday 2024" or "stop" expects photos that *show* those words; no
visual classifier knows them. The models are PaddleOCR's PP-OCRv4 detection (DB) and
recognition (SVTR + CTC) networks as ONNX, taken from the Apache-2.0 PyPI wheel
``rapidocr-onnxruntime==1.4.4`` (``resources/ocr/LICENSE``). That wheel is never installed (it
depends on the plain ``onnxruntime`` package, which clashes with ``onnxruntime-gpu``): all pre-
and post-processing is here, in numpy + OpenCV.

Pipeline for one RGB photo (longest side <= 512 px, as the indexer hands it over):

1. detection: the photo, resized to a multiple of 32, gives a text-probability map; threshold,
   contours, ``minAreaRect``, keep boxes whose mean probability is high, grow each box (DB
   "unclip") because the network predicts shrunken text kernels;
2. recognition: each box is warped upright to height 48, the crops are batched, and CTC greedy
   decoding against the model's character list gives text with per-character probabilities;
3. keywords: lower-cased Latin/digit words of length >= 2 with the mean probability of their
   characters (numbers such as years are kept).

:meth:`TextReader.likely_has_text` is the cheap gate: the same detector at a low resolution
(no recognition), so full OCR runs only on photos that show text.

The model files are committed; :mod:`amc_core.build.ocr_models` re-creates them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from amc_core.resources import resources_dir
from amc_core.runtime import SessionFactory
from amc_core.words.keyword import Keyword

DET_FILE = "ch_PP-OCRv4_det_infer.onnx"
REC_FILE = "ch_PP-OCRv4_rec_infer.onnx"
DICT_FILE = "ppocr_keys_v4.txt"  # the rec model's "character" metadata, one symbol a line

# Detection. The network needs sides that are multiples of 32. Why these sizes (measured on
# rendered words over photo-like backgrounds, 4 fonts): in a 512 px photo, words with capitals
# >= 8-9 px tall are read (94-99% of words), 5 px capitals 57-64%, 4 px almost never; feeding
# the detector 768 px instead of 512 gains a few points at 2x the time, and the real limit is
# the pixels themselves: the same 5 px words rendered into a 1024 px photo are read at 96-99%.
# The gate at 320 px found every text photo of the development set (17/17, down to 5 px
# capitals) and fired on none of 35 photos without text.
DET_SIDE = 512  # longest side fed to the detector by read()
GATE_SIDE = 320  # longest side fed to the detector by likely_has_text()
DB_THRESH = 0.3  # pixel is "text" above this probability
BOX_THRESH = 0.5  # a box is kept when its mean probability is above this
GATE_BOX_THRESH = 0.7  # the gate wants clearer evidence: a false "yes" costs a full OCR run
UNCLIP_RATIO = 1.6  # DB's shrink ratio: grow boxes by area * ratio / perimeter
MIN_BOX_SIDE = 3  # detector-map pixels
GATE_MIN_ASPECT = 1.5  # a text line is long: see _has_text_line
MAX_BOXES = 50  # a photo with more text regions than this is a document: read the largest

# Recognition.
REC_HEIGHT = 48
REC_MAX_WIDTH = 48 * 24  # a longer line is squeezed (rare at <= 512 px photos)
REC_BATCH = 8
MIN_WORD_CONF = 0.6  # below this a "word" is mostly texture read as letters
MIN_WORD_LEN = 2
SPACE_PROB = 0.03  # see ctc_greedy

_MEAN = np.float32(0.5)
_STD = np.float32(0.5)
# Words we keep: Latin letters (with accents) and digits; the model's Chinese vocabulary also
# turns foliage and brickwork into CJK look-alikes, and search works on Latin words.
_WORD = re.compile(r"[0-9a-zà-öø-ÿ]+")


@dataclass(frozen=True, slots=True)
class TextBox:
    """One detected text region: 4 corners (x, y) in photo pixels, clockwise from top-left."""

    corners: np.ndarray  # (4, 2) float32
    score: float  # mean detection probability inside the box


@dataclass(frozen=True, slots=True)
class TextLine:
    """What the recogniser read in one box: the text and one probability per character."""

    text: str
    char_probs: tuple[float, ...]


def model_dir() -> Path:
    return resources_dir() / "ocr"


class TextReader:
    """OCR keyword source. Thread-safe; the two ONNX sessions load on first use."""

    def __init__(self, factory: SessionFactory, folder: Path | None = None) -> None:
        self._factory = factory
        self._folder = folder or model_dir()
        self._lock = threading.Lock()
        self._det: ort.InferenceSession | None = None
        self._rec: ort.InferenceSession | None = None
        self._charset: list[str] = []

    # --- public -------------------------------------------------------------------------------

    def likely_has_text(self, rgb: np.ndarray) -> bool:
        """Cheap gate: does the low-resolution detector see at least one clear text region?"""
        prob = self._detect_map(rgb, GATE_SIDE)  # (h, w) float32
        return _has_text_line(prob)

    def read(self, rgb: np.ndarray) -> list[Keyword]:
        """Words shown in the photo, strongest first, each once with its best confidence."""
        lines = self.read_lines(rgb)
        return words_to_keywords(lines)

    def read_lines(self, rgb: np.ndarray) -> list[TextLine]:
        """Detected and recognised text lines (for debugging and for callers wanting phrases)."""
        boxes = self.detect(rgb)
        if not boxes:
            return []
        crops = [crop_box(rgb, box.corners) for box in boxes]
        return self._recognise(crops)

    def detect(self, rgb: np.ndarray, side: int = DET_SIDE) -> list[TextBox]:
        """Text boxes in photo pixels, at most MAX_BOXES, largest first."""
        prob = self._detect_map(rgb, side)
        scale_x = rgb.shape[1] / prob.shape[1]
        scale_y = rgb.shape[0] / prob.shape[0]
        boxes = boxes_from_map(prob, DB_THRESH, BOX_THRESH, UNCLIP_RATIO)
        out = []
        for box in boxes:
            corners = box.corners * np.array([scale_x, scale_y], dtype=np.float32)
            corners[:, 0] = np.clip(corners[:, 0], 0, rgb.shape[1] - 1)
            corners[:, 1] = np.clip(corners[:, 1], 0, rgb.shape[0] - 1)
            out.append(TextBox(corners, box.score))
        out.sort(key=lambda b: -float(np.prod(_box_size(b.corners))))
        return out[:MAX_BOXES]

    # --- models -------------------------------------------------------------------------------

    def _sessions(self) -> tuple[ort.InferenceSession, ort.InferenceSession]:
        """Open both models once (double-checked under the lock: the indexer has threads)."""
        if self._det is None or self._rec is None:
            with self._lock:
                if self._det is None or self._rec is None:
                    det = self._factory.create(self._folder / DET_FILE)
                    rec = self._factory.create(self._folder / REC_FILE)
                    self._charset = load_charset(self._folder / DICT_FILE, rec)
                    self._det, self._rec = det, rec
        return self._det, self._rec

    def _detect_map(self, rgb: np.ndarray, side: int) -> np.ndarray:
        det, _ = self._sessions()
        x = det_input(rgb, side)  # (1, 3, h, w) float32, h and w multiples of 32
        out = det.run(None, {det.get_inputs()[0].name: x})[0]  # (1, 1, h, w)
        return np.asarray(out[0, 0], dtype=np.float32)

    def _recognise(self, crops: list[np.ndarray]) -> list[TextLine]:
        _, rec = self._sessions()
        name = rec.get_inputs()[0].name
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        lines: list[TextLine | None] = [None] * len(crops)
        for start in range(0, len(order), REC_BATCH):
            chunk = order[start : start + REC_BATCH]
            x = rec_batch([crops[i] for i in chunk])  # (n, 3, 48, W) float32
            probs = rec.run(None, {name: x})[0]  # (n, T, 6625) softmax, T = W / stride
            for i, row in zip(chunk, probs, strict=True):
                lines[i] = ctc_greedy(row, self._charset)
        return [line for line in lines if line is not None]


# --- detection helpers -------------------------------------------------------------------------


def det_input(rgb: np.ndarray, side: int) -> np.ndarray:
    """Photo -> detector tensor (1, 3, h, w): longest side ~``side``, multiples of 32, BGR.

    PaddleOCR models were trained on OpenCV (BGR) images normalised to [-1, 1].
    """
    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    new_h = max(32, round(h * scale / 32) * 32)
    new_w = max(32, round(w * scale / 32) * 32)
    resized = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    bgr = resized[:, :, ::-1].astype(np.float32) / 255.0
    chw = ((bgr - _MEAN) / _STD).transpose(2, 0, 1)  # (3, h, w)
    return np.ascontiguousarray(chw[np.newaxis])


def _text_mask(prob: np.ndarray, thresh: float) -> np.ndarray:
    """Binary text map (uint8 0/1), dilated 2x2 as PaddleOCR does to join broken strokes."""
    mask = (prob > thresh).astype(np.uint8)
    return cv2.dilate(mask, np.ones((2, 2), np.uint8))


def _has_text_line(prob: np.ndarray) -> bool:
    """Is there one confident, line-shaped text region in a low-resolution detection map?

    Confident: the mean probability over the region's own pixels (not over its bounding box,
    which for small text at low resolution is mostly background). Line-shaped: long side >=
    GATE_MIN_ASPECT x short side, because the detector also lights up on large glyph-like
    blobs (a black horse silhouette, a clock face) that are not text.
    """
    mask = _text_mask(prob, DB_THRESH)
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    for label in range(1, count):
        ys, xs = np.nonzero(labels == label)
        if ys.size < MIN_BOX_SIDE * MIN_BOX_SIDE or prob[ys, xs].mean() < GATE_BOX_THRESH:
            continue
        _, (w, h), _ = cv2.minAreaRect(np.stack([xs, ys], axis=1).astype(np.float32))
        if min(w, h) >= MIN_BOX_SIDE - 1 and max(w, h) >= GATE_MIN_ASPECT * min(w, h):
            return True
    return False


def boxes_from_map(
    prob: np.ndarray, thresh: float, box_thresh: float, unclip_ratio: float
) -> list[TextBox]:
    """DB post-processing: probability map (h, w) -> grown rotated boxes in map pixels."""
    mask = _text_mask(prob, thresh)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if min(w, h) < MIN_BOX_SIDE:
            continue
        score = _mean_inside(prob, cv2.boxPoints(((cx, cy), (w, h), angle)))
        if score < box_thresh:
            continue
        # Unclip: DB predicts the text shrunk by d = A(1 - r^2)/L; grow back by A * ratio / L.
        grow = w * h * unclip_ratio / (2 * (w + h))
        corners = cv2.boxPoints(((cx, cy), (w + 2 * grow, h + 2 * grow), angle))
        if min(w, h) + 2 * grow < MIN_BOX_SIDE + 2:
            continue
        boxes.append(TextBox(order_corners(corners), score))
    return boxes


def _mean_inside(prob: np.ndarray, corners: np.ndarray) -> float:
    """Mean probability inside a polygon (DB's "fast" box score)."""
    h, w = prob.shape
    x0, y0 = np.clip(np.floor(corners.min(0)).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(np.ceil(corners.max(0)).astype(int), 0, [w - 1, h - 1])
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    pts = (corners - np.array([x0, y0], dtype=np.float32)).round().astype(np.int32)
    cv2.fillPoly(mask, [pts], 1)
    return float(cv2.mean(prob[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def order_corners(pts: np.ndarray) -> np.ndarray:
    """4 points -> (4, 2) float32 ordered top-left, top-right, bottom-right, bottom-left."""
    by_x = pts[np.argsort(pts[:, 0], kind="stable")]
    left = by_x[:2][np.argsort(by_x[:2, 1], kind="stable")]
    right = by_x[2:][np.argsort(by_x[2:, 1], kind="stable")]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def _box_size(corners: np.ndarray) -> tuple[float, float]:
    """(width, height) of an ordered box: top edge length, left edge length."""
    width = float(np.linalg.norm(corners[1] - corners[0]))
    height = float(np.linalg.norm(corners[3] - corners[0]))
    return width, height


# --- recognition helpers -----------------------------------------------------------------------


def crop_box(rgb: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Warp a (possibly rotated) box to an upright crop; tall crops are turned to lie flat."""
    width, height = _box_size(corners)
    w, h = max(1, round(width)), max(1, round(height))
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    crop = cv2.warpPerspective(
        rgb, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    if h >= 1.5 * w:  # vertical text, as PaddleOCR does: read it rotated
        crop = np.rot90(crop)
    return np.ascontiguousarray(crop)


def rec_batch(crops: Sequence[np.ndarray]) -> np.ndarray:
    """Crops -> recogniser tensor (n, 3, 48, W): same height, right-padded to one width."""
    widths = [
        min(REC_MAX_WIDTH, max(8, round(REC_HEIGHT * c.shape[1] / c.shape[0]))) for c in crops
    ]
    batch_w = max(320, *widths)  # PaddleOCR pads to at least 320 (its training width)
    batch = np.zeros((len(crops), 3, REC_HEIGHT, batch_w), np.float32)
    for i, (crop, w) in enumerate(zip(crops, widths, strict=True)):
        resized = cv2.resize(crop, (w, REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
        bgr = resized[:, :, ::-1].astype(np.float32) / 255.0
        batch[i, :, :, :w] = ((bgr - _MEAN) / _STD).transpose(2, 0, 1)
    return batch


def load_charset(path: Path, rec: ort.InferenceSession) -> list[str]:
    """CTC classes: index 0 is the blank, then the dictionary, then a space (PaddleOCR order).

    The dictionary file is the model's own ``character`` metadata written out by ``--fetch``;
    when it is missing the metadata itself is used.
    """
    if path.is_file():
        symbols = path.read_text(encoding="utf-8").split("\n")
        if symbols and symbols[-1] == "":
            symbols.pop()
    else:
        symbols = rec.get_modelmeta().custom_metadata_map["character"].splitlines()
    charset = ["", *symbols, " "]
    classes = rec.get_outputs()[0].shape[-1]
    if isinstance(classes, int) and classes != len(charset):
        raise ValueError(f"{path.name}: {len(charset)} classes, the model has {classes}")
    return charset


def ctc_greedy(
    probs: np.ndarray, charset: Sequence[str], space_prob: float = SPACE_PROB
) -> TextLine:
    """Greedy CTC: best class per time step (T, C), merge repeats, drop blanks (class 0).

    Word spaces: the Chinese+English model rarely makes the space class (the last one) the
    winner on English lines ("HAPPYBIRTHDAY2024"), but between two words its probability rises
    to 0.03-0.9 while inside a word it stays below 0.001. So a space goes between two
    characters when the space probability of any step between them exceeds ``space_prob``.
    """
    best = probs.argmax(axis=1)  # (T,)
    conf = probs.max(axis=1)  # (T,)
    space = probs[:, -1]  # (T,)
    keep = best != 0
    keep[1:] &= best[1:] != best[:-1]
    steps = np.nonzero(keep)[0]
    chars: list[str] = []
    char_probs: list[float] = []
    for k, step in enumerate(steps):
        between = space[steps[k - 1] + 1 : step] if k else space[:0]
        if between.size and between.max() > space_prob and chars[-1] != " ":
            chars.append(" ")
            char_probs.append(1.0)
        chars.append(charset[best[step]])
        char_probs.append(float(conf[step]))
    return TextLine("".join(chars), tuple(char_probs))


# --- keywords ----------------------------------------------------------------------------------


def line_words(line: TextLine) -> list[tuple[str, float]]:
    """Split a line into lower-case words with the mean probability of their characters."""
    text = line.text.lower()
    if len(text) != len(line.char_probs):  # lower() changed the length (rare ligatures)
        text = "".join(c.lower() if len(c.lower()) == 1 else c for c in line.text)
    words = []
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) < MIN_WORD_LEN:
            continue
        probs = line.char_probs[match.start() : match.end()]
        words.append((word, float(np.mean(probs))))
    return words


def words_to_keywords(lines: Sequence[TextLine]) -> list[Keyword]:
    """Each confident word once (best confidence), strongest first."""
    best: dict[str, float] = {}
    for line in lines:
        for word, conf in line_words(line):
            if conf >= MIN_WORD_CONF and conf > best.get(word, 0.0):
                best[word] = conf
    ranked = sorted(best.items(), key=lambda item: -item[1])
    return [Keyword(word, round(conf, 4), "text") for word, conf in ranked]
