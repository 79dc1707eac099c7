"""Fixtures for trainer tests: the embedded model, and its float32 weights dequantized once.

Dequantizing the GGUF takes tens of seconds, so it happens once per session in a shared
folder; each test's own (temporary) Flywheel home gets a link to it, which is exactly the
cache layout ``trainer.base`` looks for.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.model.catalog import embedded_model_path, file_sha256


@pytest.fixture(scope="session")
def model_path() -> Path:
    return embedded_model_path()


@pytest.fixture(scope="session")
def base_sha(model_path: Path) -> str:
    return file_sha256(model_path)


@pytest.fixture(scope="session")
def session_base_cache(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Path:
    """``<home>/cache/base`` of a session-wide home, filled by one real dequantization."""
    from trainer.base import load_base

    home = tmp_path_factory.mktemp("shared-home")
    previous = os.environ.get("FLYWHEEL_HOME")
    os.environ["FLYWHEEL_HOME"] = str(home)
    try:
        started = time.perf_counter()
        model, info = load_base(model_path)
        print(f"\ndequantized the base model in {time.perf_counter() - started:.1f} s")
        del model
    finally:
        if previous is None:
            os.environ.pop("FLYWHEEL_HOME", None)
        else:
            os.environ["FLYWHEEL_HOME"] = previous
    assert info["source"] == "gguf"
    return home / "cache" / "base"


@pytest.fixture
def shared_base(session_base_cache: Path, flywheel_home: Path) -> Path:
    """Make this test's Flywheel home see the session's cached base weights."""
    link = flywheel_home / "cache" / "base"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(session_base_cache, target_is_directory=True)
    return link
