"""The pinyin index, built once for the whole run (a couple of seconds) and shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import keyboard
from kiosk.keyboard import build


@pytest.fixture(scope="session")
def index_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a freshly built index file."""
    folder = tmp_path_factory.mktemp("keyboard")
    build.build(build.cache_path(folder))
    return folder


@pytest.fixture(scope="session")
def index(index_folder: Path) -> keyboard.Index:
    """The index, loaded (apps in this process then share it)."""
    return keyboard.load(index_folder)
