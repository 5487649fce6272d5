"""The photo with VAN's region attention drawn over it as a 3x3 heat-map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from amc_app.widgets import describe

GRID = 3
_MAX_ALPHA = 170
# The heat-map is the one place with fixed colours: it must read the same in any theme.
_COLD = QColor(255, 220, 40)
_HOT = QColor(230, 30, 20)
_LABEL_TEXT = QColor(255, 255, 255)
_LABEL_SHADOW = QColor(0, 0, 0, 170)
_FACE_LINE = QColor(255, 255, 255)
_NAME_BACK = QColor(0, 0, 0, 160)


@dataclass(frozen=True, slots=True)
class FaceBox:
    box: tuple[float, float, float, float]  # x, y, w, h as fractions of the upright photo
    name: str | None  # None: a face of nobody named (drawn dashed, without a label)


class HeatmapView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(
            self,
            "Photo with attention heat-map",
            "The photo; warmer cells are the regions the search attended to most",
        )
        self._pixmap: QPixmap | None = None
        self._cells: list[float] = []
        self._overlay = True
        self._faces: list[FaceBox] = []
        self.setMinimumSize(160, 120)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        self._pixmap = pixmap if pixmap is not None and not pixmap.isNull() else None
        self.updateGeometry()
        self.update()

    def set_attention(self, attention: Sequence[float]) -> None:
        """The first 9 values are the 3x3 grid, row-major from the top-left."""
        cells = [max(0.0, float(a)) for a in attention[: GRID * GRID]]
        self._cells = cells if len(cells) == GRID * GRID else []
        self.update()

    def attention(self) -> list[float]:
        """The 3x3 grid shown (row-major; empty: none), for tests and screen readers."""
        return list(self._cells)

    def set_faces(self, faces: Sequence[FaceBox]) -> None:
        """Face boxes drawn over the photo, each named person's name beneath their face."""
        self._faces = list(faces)
        self.update()

    def face_boxes(self) -> list[FaceBox]:
        return list(self._faces)

    def set_overlay_visible(self, visible: bool) -> None:
        self._overlay = visible
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(320, self.heightForWidth(320))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        if self._pixmap is None or self._pixmap.width() == 0:
            return width * 3 // 4
        return min(width, width * self._pixmap.height() // self._pixmap.width())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self._pixmap is None:
            painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Mid))
            return
        target = self._image_rect()
        painter.drawPixmap(target, self._pixmap)
        if self._overlay and self._cells:
            self._paint_cells(painter, QRectF(target))
        if self._faces:
            self._paint_faces(painter, QRectF(target))

    def _image_rect(self) -> QRect:
        assert self._pixmap is not None
        size = self._pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - size.width()) // 2
        y = (self.height() - size.height()) // 2
        return QRect(x, y, size.width(), size.height())

    def _paint_cells(self, painter: QPainter, area: QRectF) -> None:
        top = max(self._cells) or 1.0
        w, h = area.width() / GRID, area.height() / GRID
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        for i, value in enumerate(self._cells):
            cell = QRectF(area.x() + (i % GRID) * w, area.y() + (i // GRID) * h, w, h)
            share = value / top
            painter.fillRect(cell, heat_colour(share))
            painter.setPen(_LABEL_SHADOW)
            painter.drawRect(cell)
            text = f"{value:.2f}"
            painter.drawText(cell.translated(1, 1), Qt.AlignmentFlag.AlignCenter, text)
            painter.setPen(_LABEL_TEXT)
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_faces(self, painter: QPainter, area: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        for face in self._faces:
            x, y, w, h = face.box
            rect = QRectF(area.x() + x * area.width(), area.y() + y * area.height(),
                          w * area.width(), h * area.height())  # fmt: skip
            for colour, width in ((_LABEL_SHADOW, 3.5), (_FACE_LINE, 1.5)):
                pen = QPen(colour, width)
                if face.name is None:
                    pen.setStyle(Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect, 3, 3)
            if not face.name:
                continue
            text = metrics.elidedText(face.name, Qt.TextElideMode.ElideRight, 160)
            label = QRectF(0, 0, metrics.horizontalAdvance(text) + 10, metrics.height() + 4)
            label.moveCenter(rect.center())
            label.moveTop(rect.bottom() + 3)
            if label.bottom() > area.bottom():  # no room beneath: above the face
                label.moveBottom(rect.top() - 3)
            label.moveLeft(min(max(label.left(), area.left()), area.right() - label.width()))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_NAME_BACK)
            painter.drawRoundedRect(label, 4, 4)
            painter.setPen(_LABEL_TEXT)
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)


def heat_colour(share: float) -> QColor:
    """Yellow (little attention) to red (the most), more opaque as attention grows."""
    share = min(1.0, max(0.0, share))
    colour = QColor(
        round(_COLD.red() + (_HOT.red() - _COLD.red()) * share),
        round(_COLD.green() + (_HOT.green() - _COLD.green()) * share),
        round(_COLD.blue() + (_HOT.blue() - _COLD.blue()) * share),
    )
    colour.setAlpha(round(25 + (_MAX_ALPHA - 25) * share))
    return colour
