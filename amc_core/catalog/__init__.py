"""The catalog: one SQLite database per library, the single owner of photo records."""

from .catalog import Catalog, Folder, PhotoMove, PhotoRow, StoredPhoto, path_within
from .schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "Catalog",
    "Folder",
    "PhotoMove",
    "PhotoRow",
    "StoredPhoto",
    "path_within",
]
