"""Base weights for training, taken from the very GGUF file the app serves.

Training on the served file (rather than on a separately downloaded checkpoint) means the
LoRA learns a correction to exactly the weights it will be applied to, up to quantization,
and needs no network. transformers can read a GGUF, but only by dequantizing every tensor to
float32, which takes tens of seconds; the result is cached once as safetensors + config under
``<user dir>/cache/base/<gguf sha256>/`` (keyed by content, so a changed model file never
reuses stale weights), and later runs load the cache in about a second.

A GGUF-loaded model refuses ``save_pretrained``, so the state dict is written directly; tied
embeddings are stored once and re-tied on load.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_model
from transformers import AutoModelForCausalLM, PreTrainedModel
from transformers.utils import logging as hf_logging

from app import paths
from app.model.catalog import file_sha256

log = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
_TMP_PREFIX = ".tmp-"
_STALE_TMP_S = 3600


def cache_dir(base_sha256: str) -> Path:
    return paths.user_dir() / "cache" / "base" / base_sha256


def is_cached(base_sha256: str) -> bool:
    folder = cache_dir(base_sha256)
    return (folder / WEIGHTS_FILE).is_file() and (folder / CONFIG_FILE).is_file()


def _load_cached(folder: Path) -> PreTrainedModel:
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)


def _dequantize(gguf_path: Path) -> PreTrainedModel:
    return AutoModelForCausalLM.from_pretrained(
        gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
    )


def _write_cache(model: PreTrainedModel, folder: Path) -> None:
    """Write weights and config into a temp folder, then rename it into place.

    A trainer stopped half-way leaves only a hidden temp folder, removed by a later run.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    for leftover in folder.parent.glob(f"{_TMP_PREFIX}*"):
        if time.time() - leftover.stat().st_mtime > _STALE_TMP_S:
            shutil.rmtree(leftover, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=folder.parent))
    try:
        save_model(model, str(tmp / WEIGHTS_FILE))
        config = model.config.to_dict()
        config.pop("quantization_config", None)  # the cache holds plain float32 weights
        (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_base(gguf_path: Path, base_sha256: str | None = None) -> tuple[PreTrainedModel, dict]:
    """The served model as a float32 transformers model, and how it was obtained.

    Returns ``(model, info)`` where ``info`` has ``source`` ("cache" or "gguf") and
    ``seconds``. A damaged cache is rebuilt from the GGUF rather than failing the run.
    """
    hf_logging.disable_progress_bar()
    sha = base_sha256 or file_sha256(gguf_path)
    folder = cache_dir(sha)
    started = time.perf_counter()
    if is_cached(sha):
        try:
            model = _load_cached(folder)
            return model, {"source": "cache", "seconds": time.perf_counter() - started}
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("base weight cache %s is unusable (%s); rebuilding it", folder, exc)
    model = _dequantize(gguf_path)
    _write_cache(model, folder)
    return model, {"source": "gguf", "seconds": time.perf_counter() - started}
