"""GGUF files written without any training, for tests: LoRA adapters, and a model file
llama.cpp refuses.

``write_lora_adapter`` makes an adapter that llama.cpp really applies to a given base model:
shapes come from the base model's own tensor table, values are random but large enough to
change greedy output. ``write_fake_adapter`` makes a tiny file with a valid adapter header
for code that only stores, lists or hashes adapters (registry, trainer bookkeeping).
``write_unknown_architecture_model`` makes an intact GGUF model file (it passes Flywheel's
own header check) of an architecture llama.cpp does not know, so loading it fails there.

Importable from any test as ``tests.model.lora_fixture``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import gguf
import numpy as np

from app.model.catalog import read_gguf_header
from trainer.adapter_file import write_adapter

DEFAULT_TARGETS = (
    "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down",
)  # fmt: skip


def write_lora_adapter(
    path: Path,
    base_model: Path,
    *,
    rank: int = 8,
    alpha: float = 16.0,
    std: float = 0.1,
    seed: int = 0,
    targets: Sequence[str] = DEFAULT_TARGETS,
    blocks: Sequence[int] | None = None,
) -> Path:
    """Write a random LoRA adapter for ``base_model`` to ``path``.

    llama.cpp pairs ``<weight>.lora_a`` / ``.lora_b``; for a base weight with GGML shape
    (n_in, n_out) it expects lora_a with GGML shape (n_in, rank) and lora_b (rank, n_out),
    i.e. numpy arrays [rank, n_in] and [n_out, rank]. All dimensions come from the base file.
    """
    header = read_gguf_header(base_model)
    shapes = {t.name: t.shape for t in header.tensors}
    n_blocks = int(header.arch_value("block_count") or 0)
    rng = np.random.default_rng(seed)
    tensors: dict[str, np.ndarray] = {}
    for block in blocks if blocks is not None else range(n_blocks):
        for target in targets:
            name = f"blk.{block}.{target}.weight"
            n_in, n_out = shapes[name]
            tensors[f"{name}.lora_a"] = rng.normal(0, std, (rank, n_in)).astype(np.float32)
            tensors[f"{name}.lora_b"] = rng.normal(0, std, (n_out, rank)).astype(np.float32)
    return write_adapter(Path(path), header.architecture, alpha, tensors)


def write_mismatched_adapter(path: Path, base_model: Path, *, width: int = 100) -> Path:
    """An adapter for the right architecture whose tensor shapes do not fit ``base_model``."""
    header = read_gguf_header(base_model)
    rng = np.random.default_rng(1)
    tensors = {
        "blk.0.attn_q.weight.lora_a": rng.normal(0, 0.1, (4, width)).astype(np.float32),
        "blk.0.attn_q.weight.lora_b": rng.normal(0, 0.1, (width, 4)).astype(np.float32),
    }
    return write_adapter(Path(path), header.architecture, 8.0, tensors)


def write_fake_adapter(path: Path, *, architecture: str = "llama", seed: int = 0) -> Path:
    """A few-kilobyte file with a valid LoRA adapter header; not meant to be applied.

    Different seeds give different contents (and hashes) for registry tests.
    """
    rng = np.random.default_rng(seed)
    tensors = {
        "blk.0.attn_q.weight.lora_a": rng.normal(0, 0.1, (2, 8)).astype(np.float32),
        "blk.0.attn_q.weight.lora_b": rng.normal(0, 0.1, (8, 2)).astype(np.float32),
    }
    return write_adapter(Path(path), architecture, 4.0, tensors)


def write_unknown_architecture_model(path: Path) -> Path:
    """An intact GGUF model file whose architecture llama.cpp refuses to load."""
    writer = gguf.GGUFWriter(str(path), arch="flywheel-unknown")
    writer.add_name("Unknown architecture")
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
