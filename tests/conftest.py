from __future__ import annotations

import os

# Before Qt loads: without a display and without this, pytest-qt aborts the interpreter.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("AMC_PROVIDER", "cpu")

from pathlib import Path

import pytest

from amc_core.settings import IndexSettings


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def photos_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    return folder


@pytest.fixture
def settings() -> IndexSettings:
    # one worker keeps unit tests light; the pool is exercised by dedicated tests
    return IndexSettings(workers=1, batch_size=4)
