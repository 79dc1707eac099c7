"""A llama.cpp LoRA adapter GGUF written from named arrays, atomically and without torch.

The format is what llama.cpp's ``llama_adapter_lora_init`` reads: ``general.type=adapter``,
``adapter.type=lora``, ``adapter.lora.alpha`` and the ``.lora_a`` / ``.lora_b`` tensors.
The exporter of trained weights and the tests' random adapters both write it through here,
so a test adapter is exactly what the app will be handed; keeping torch out of this module
lets tests write adapters without loading it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from gguf import GGUFWriter
from gguf.constants import GGUFType, Keys


def write_adapter(
    path: Path,
    arch: str,
    alpha: float,
    tensors: Mapping[str, np.ndarray],
    *,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write the adapter to ``path`` (temp file, fsync, rename) and return ``path``.

    ``arch`` must be the base model's ``general.architecture`` (llama.cpp refuses any other);
    ``metadata`` adds string keys such as the base model's hash.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer = GGUFWriter(tmp, arch=arch)
        writer.add_type(GGUFType.ADAPTER)
        writer.add_string(Keys.Adapter.TYPE, "lora")
        writer.add_float32(Keys.Adapter.LORA_ALPHA, alpha)
        for key, value in (metadata or {}).items():
            writer.add_string(key, value)
        for name, array in tensors.items():
            writer.add_tensor(name, array)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
