"""A float32 copy of a quantized GGUF, so llama.cpp runs on exactly transformers' weights.

The trainer trains on the float32 dequantization of the served GGUF (``trainer.base``).
llama.cpp on the quantized file differs from that by quantization noise (4-bit weights,
8-bit activations in its dot products): logits drift by about one unit, enough to flip
greedy near-ties. On this float copy the two runtimes compute the same function, so any
disagreement left is the adapter export's fault, which is what the parity test measures.
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

_WRITTEN_BY_WRITER = (gguf.Keys.General.ARCHITECTURE, gguf.Keys.General.FILE_TYPE)


def write_float_copy(source: Path, target: Path) -> Path:
    """Write ``source`` with every tensor dequantized to float32; return ``target``."""
    reader = gguf.GGUFReader(source)
    arch = reader.fields[gguf.Keys.General.ARCHITECTURE].contents()
    writer = gguf.GGUFWriter(target, arch)
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name in _WRITTEN_BY_WRITER:
            continue
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), value_type, sub_type=sub_type)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    for tensor in reader.tensors:
        values = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        writer.add_tensor(tensor.name, np.ascontiguousarray(values, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return target
