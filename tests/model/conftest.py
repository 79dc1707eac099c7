"""Shared fixtures for the model tests: the real embedded model, loaded once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.model.catalog import embedded_model_path
from app.model.runtime import ModelRuntime
from tests.model.lora_fixture import write_lora_adapter


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


@pytest.fixture(scope="session")
def lora_adapter(embedded_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random LoRA adapter that fits the embedded model."""
    return write_lora_adapter(
        tmp_path_factory.mktemp("adapters") / "random-lora.gguf", embedded_model
    )
