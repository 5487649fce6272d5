"""The viewer's photo: fit to the window or zoomed about a point, dragged to pan.

The scale is screen pixels per pixel of the whole photo, whatever the shown pixmap's own size
(the 256 px thumbnail, a screen-size decode or the full decode): zooming never jumps when a
sharper pixmap replaces a coarser one.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from amc_app.widgets import describe

ZOOM_STEP = 1.25
MAX_SCALE = 16.0
BACKGROUND = QColor(24, 24, 26)
MESSAGE = QColor(225, 225, 225)


class PhotoCanvas(QWidget):
    zoom_changed = Signal(float)  # the scale: 1.0 is 100%
    wants_detail = Signal()  # zoomed past what the shown pixmap holds: decode the whole photo

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        describe(self, "Photo", "Drag to move around; Ctrl+wheel or + and - to zoom")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        self._pixmap = QPixmap()
        self._full = QSize()
        self._scale = 1.0
        self._fit = True
        self._centre = QPointF()  # the photo's point (full-size pixels) at the widget's centre
        self._drag: QPointF | None = None
        self.message = ""

    # -- what is shown ---------------------------------------------------------------------

    def set_photo(self, pixmap: QPixmap, full: QSize, keep_view: bool = False) -> None:
        """Show `pixmap` standing for a photo of `full` size; keep_view keeps zoom and place
        (a sharper decode of the same photo), else the photo fits the window."""
        self._pixmap = pixmap
        self._full = QSize(full) if full.isValid() and not full.isEmpty() else pixmap.size()
        self.message = ""
        if keep_view and not self._fit:
            self._clamp()
        else:
            self.fit()
        self.update()

    def show_message(self, text: str) -> None:
        self._pixmap = QPixmap()
        self.message = text
        self.update()

    def pixmap(self) -> QPixmap:
        return self._pixmap

    def full_size(self) -> QSize:
        return QSize(self._full)

    def scale(self) -> float:
        return self._scale

    def is_fit(self) -> bool:
        return self._fit

    def fit_scale(self) -> float:
        if self._full.isEmpty():
            return 1.0
        return min(self.width() / self._full.width(), self.height() / self._full.height(), 1.0)

    def image_rect(self) -> QRectF:
        """Where the photo lies on the widget."""
        w, h = self._full.width() * self._scale, self._full.height() * self._scale
        left = self.width() / 2 - self._centre.x() * self._scale
        top = self.height() / 2 - self._centre.y() * self._scale
        return QRectF(left, top, w, h)

    # -- zoom and pan -------------------------------------------------------------------------

    def fit(self) -> None:
        self._fit = True
        self._set_scale(self.fit_scale(), None)

    def actual_size(self) -> None:
        self._fit = False
        self._set_scale(1.0, None)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        low = min(self.fit_scale(), 1.0) / 2
        scale = max(low, min(MAX_SCALE, self._scale * factor))
        self._fit = False
        self._set_scale(scale, anchor)

    def pan_by(self, dx: float, dy: float) -> None:
        self._centre -= QPointF(dx, dy) / self._scale
        self._clamp()
        self.update()

    def _set_scale(self, scale: float, anchor: QPointF | None) -> None:
        if anchor is None:
            anchor = QPointF(self.width() / 2, self.height() / 2)
        centre = QPointF(self.width() / 2, self.height() / 2)
        photo_point = self._centre + (anchor - centre) / self._scale
        self._scale = scale
        self._centre = photo_point - (anchor - centre) / scale
        self._clamp()
        self.update()
        self.zoom_changed.emit(scale)
        if not self._pixmap.isNull() and self._full.width() * scale > self._pixmap.width() * 1.05:
            self.wants_detail.emit()

    def _clamp(self) -> None:
        """A photo smaller than the window stays centred; a larger one cannot leave it."""
        x = _clamped(self._centre.x(), self._full.width(), self.width() / 2 / self._scale)
        y = _clamped(self._centre.y(), self._full.height(), self.height() / 2 / self._scale)
        self._centre = QPointF(x, y)

    # -- Qt events --------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._pixmap.isNull():
            if self.message:
                painter.setPen(MESSAGE)
                box = self.rect().adjusted(24, 24, -24, -24)
                flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
                painter.drawText(box, int(flags), self.message)
            return
        target = self.image_rect()
        visible = target.intersected(QRectF(self.rect()))
        if visible.isEmpty():
            return
        # only the part on screen is scaled: zooming into a 12 MP photo costs a screenful
        sx = self._pixmap.width() / target.width()
        sy = self._pixmap.height() / target.height()
        source = QRectF(
            (visible.left() - target.left()) * sx,
            (visible.top() - target.top()) * sy,
            visible.width() * sx,
            visible.height() * sy,
        )
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._scale < 2.0)
        painter.drawPixmap(visible, self._pixmap, source)

    def resizeEvent(self, _event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        if self._fit:
            self._scale = self.fit_scale()
            self._centre = QPointF(self._full.width() / 2, self._full.height() / 2)
        self._clamp()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(ZOOM_STEP**steps, event.position())
        else:
            self.pan_by(event.angleDelta().x() / 2, event.angleDelta().y() / 2)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._drag is not None:
            delta = event.position() - self._drag
            self._drag = event.position()
            self.pan_by(delta.x(), delta.y())

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self._drag = None
        self.unsetCursor()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """Double-click: 100% about the clicked point, or back to fit."""
        if self._fit:
            self._fit = False
            self._set_scale(1.0, event.position())
        else:
            self.fit()


def _clamped(centre: float, length: int, half_view: float) -> float:
    if length <= 2 * half_view:
        return length / 2
    return max(half_view, min(length - half_view, centre))
