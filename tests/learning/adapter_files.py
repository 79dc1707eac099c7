"""Small LoRA adapter GGUF files labelled with a base-model hash, for registry tests.

Importable from any test as ``tests.learning.adapter_files``.
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

from app.learning.registry import BASE_SHA_KEY


def write_adapter(
    path: Path, base_sha256: str | None, *, seed: int = 0, kind: str = "adapter"
) -> Path:
    """A real (tiny) LoRA adapter GGUF carrying the base-model hash the trainer writes.

    ``base_sha256=None`` leaves the hash out, like an adapter made by another tool; different
    seeds give different contents and hashes.
    """
    rng = np.random.default_rng(seed)
    writer = gguf.GGUFWriter(str(path), arch="llama")
    writer.add_type(kind)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, 8.0)
    if base_sha256 is not None:
        writer.add_string(BASE_SHA_KEY, base_sha256)
    writer.add_tensor("blk.0.attn_q.weight.lora_a", rng.normal(size=(4, 64)).astype(np.float32))
    writer.add_tensor("blk.0.attn_q.weight.lora_b", rng.normal(size=(64, 4)).astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
