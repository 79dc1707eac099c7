"""A trained peft LoRA → a llama.cpp LoRA adapter GGUF that the app can hot-swap in.

The format is what llama.cpp's ``llama_adapter_lora_init`` reads: ``general.type=adapter``,
``adapter.type=lora``, ``adapter.lora.alpha`` and, per adapted weight, two tensors
``blk.N.<gguf name>.weight.lora_a`` (r × in) and ``.lora_b`` (out × r). llama.cpp applies
``W x + (alpha / r) · B A x``, the same scaling as peft without rsLoRA.

One subtlety decides whether the adapter works at all. For the ``llama`` architecture, the
HF→GGUF conversion reorders the rows of the q and k projections (interleaved rotary halves
per head), and transformers undoes that reordering when it loads a GGUF for training. The LoRA
was therefore learned in HF row order, and the output rows of ``B`` for q and k must get the
same reordering as the base weights have inside the GGUF; ``A`` acts on the input side,
which is not reordered. A missing or wrong permutation still loads but scrambles attention.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from peft import PeftModel
from peft.utils import get_peft_model_state_dict

from app.learning.registry import BASE_SHA_KEY
from trainer.adapter_file import write_adapter

HF_TO_GGUF = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}
_LORA_NAME = re.compile(r"layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$")


class ExportError(ValueError):
    """A LoRA that cannot be written as a llama.cpp adapter."""


def permute_qk_rows(weight: np.ndarray, n_head: int) -> np.ndarray:
    """Reorder output rows from HF's rotary layout to the GGUF llama layout.

    Per head, HF keeps the two rotary halves as contiguous blocks [x0..x(d/2-1), y0..];
    GGUF interleaves them [x0, y0, x1, y1, ...]. For k, ``n_head`` is the KV head count.
    """
    rows = weight.shape[0]
    if rows % (2 * n_head):
        raise ExportError(f"{rows} rows cannot be split into {n_head} rotary heads")
    half = rows // n_head // 2
    return weight.reshape(n_head, 2, half, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def lora_tensors(model: PeftModel, permute_qk: bool) -> dict[str, np.ndarray]:
    """GGUF tensor name → float32 array for every LoRA matrix of the model."""
    config = model.peft_config[model.active_adapter]
    if getattr(config, "use_rslora", False) or getattr(config, "use_dora", False):
        raise ExportError("rsLoRA and DoRA adapters have no llama.cpp equivalent")
    n_head = int(model.config.num_attention_heads)
    n_head_kv = int(getattr(model.config, "num_key_value_heads", None) or n_head)
    tensors: dict[str, np.ndarray] = {}
    for name, value in get_peft_model_state_dict(model).items():
        match = _LORA_NAME.search(name)
        if match is None or match.group(2) not in HF_TO_GGUF:
            raise ExportError(f"no llama.cpp name for LoRA tensor {name}")
        layer, module, side = match.groups()
        array = value.detach().to(torch.float32).cpu().numpy()
        if side == "B" and permute_qk and module in ("q_proj", "k_proj"):
            array = permute_qk_rows(array, n_head if module == "q_proj" else n_head_kv)
        suffix = "lora_a" if side == "A" else "lora_b"
        tensors[f"blk.{layer}.{HF_TO_GGUF[module]}.weight.{suffix}"] = np.ascontiguousarray(array)
    if not tensors:
        raise ExportError("the model has no LoRA weights to export")
    return tensors


def export_adapter(model: PeftModel, path: Path, *, base_sha256: str, arch: str) -> Path:
    """Write the model's LoRA to ``path`` atomically (temp file + rename) and return it.

    ``arch`` is the served GGUF's ``general.architecture``: llama.cpp refuses an adapter whose
    architecture differs, and ``llama`` is the architecture whose q/k rows were permuted.
    """
    config = model.peft_config[model.active_adapter]
    tensors = lora_tensors(model, permute_qk=arch == "llama")
    return write_adapter(
        path, arch, float(config.lora_alpha), tensors, metadata={BASE_SHA_KEY: base_sha256}
    )
