"""Shared fixtures: every test runs against its own empty Flywheel data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def flywheel_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the whole app at a temporary data folder so no test touches the user's data."""
    home = tmp_path / "flywheel-home"
    monkeypatch.setenv("FLYWHEEL_HOME", str(home))
    yield home
