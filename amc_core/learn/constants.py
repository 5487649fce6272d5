"""What the app and the CLI need to know about learning without importing torch."""

from __future__ import annotations

from pathlib import Path

from amc_core.store.layout import LibraryPaths

MIN_CLICKED_QUERIES = 6  # different searches with clicks before fine-tuning can start
PARAMS_NAME = "amc_params.npz"


def user_params_path(library_dir: Path) -> Path:
    """The library's own fine-tuned parameters (beside its own head graph)."""
    return LibraryPaths(library_dir).models / PARAMS_NAME
