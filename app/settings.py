"""The app's own settings as a typed object, saved with QSettings (passed in, never global)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings

THUMBNAIL_MIN = 64
THUMBNAIL_MAX = 256  # the size of the cached thumbnails: larger would only blur
THUMBNAIL_DEFAULT = 160
SORT_ORDERS = ("score", "newest", "oldest")  # results best first, or by date


@dataclass(slots=True)
class AppSettings:
    thumbnail_size: int = THUMBNAIL_DEFAULT
    last_query: str = ""
    record_clicks: bool = True
    show_heatmap: bool = True
    sort_order: str = "score"  # a browse is always by date: "score" shows it newest first
    geometry: bytes = b""
    window_state: bytes = b""


class SettingsStore:
    """Reads and writes AppSettings through one QSettings (a temporary .ini file in tests)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings if qsettings is not None else QSettings()

    def load(self) -> AppSettings:
        default = AppSettings()
        size = _int(self._q.value("gallery/thumbnail_size"), default.thumbnail_size)
        return AppSettings(
            thumbnail_size=min(THUMBNAIL_MAX, max(THUMBNAIL_MIN, size)),
            last_query=str(self._q.value("search/last_query", "") or ""),
            record_clicks=_bool(self._q.value("learning/record_clicks"), default.record_clicks),
            show_heatmap=_bool(self._q.value("inspector/show_heatmap"), default.show_heatmap),
            sort_order=_choice(self._q.value("gallery/sort_order"), SORT_ORDERS),
            geometry=_bytes(self._q.value("window/geometry")),
            window_state=_bytes(self._q.value("window/state")),
        )

    def save(self, settings: AppSettings) -> None:
        self._q.setValue("gallery/thumbnail_size", settings.thumbnail_size)
        self._q.setValue("search/last_query", settings.last_query)
        self._q.setValue("learning/record_clicks", settings.record_clicks)
        self._q.setValue("inspector/show_heatmap", settings.show_heatmap)
        self._q.setValue("gallery/sort_order", settings.sort_order)
        self._q.setValue("window/geometry", QByteArray(settings.geometry))
        self._q.setValue("window/state", QByteArray(settings.window_state))
        self._q.sync()


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _choice(value: object, choices: tuple[str, ...]) -> str:
    text = str(value or "")
    return text if text in choices else choices[0]


def _bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _bytes(value: object) -> bytes:
    if isinstance(value, QByteArray):
        return bytes(value.data())
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return b""
