"""Fixtures for the model tests (the loaded model itself is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.lora_fixture import write_lora_adapter


@pytest.fixture(scope="session")
def lora_adapter(embedded_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random LoRA adapter that fits the embedded model."""
    return write_lora_adapter(
        tmp_path_factory.mktemp("adapters") / "random-lora.gguf", embedded_model
    )
