"""Shared fixtures: every test runs against its own empty Flywheel data folder and an
in-memory keyring, so no test reads or writes the user's data or secrets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from app.model.catalog import embedded_model_path
from app.model.runtime import ModelRuntime
from bench.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def flywheel_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the whole app at a temporary data folder so no test touches the user's data."""
    home = tmp_path / "flywheel-home"
    monkeypatch.setenv("FLYWHEEL_HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def embedded_model() -> Path:
    return embedded_model_path()


@pytest.fixture(scope="session")
def runtime(embedded_model: Path) -> Iterator[ModelRuntime]:
    """One loaded model for all tests; tests that attach an adapter must remove it.

    One thread: llama.cpp's spinning thread barrier collapses when other test runs share
    the cores, and a single thread keeps these tests quick and good neighbours.
    """
    rt = ModelRuntime(embedded_model, n_threads=1, n_ctx=2048, n_gpu_layers=0)
    rt.load()
    yield rt
    rt.close()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
