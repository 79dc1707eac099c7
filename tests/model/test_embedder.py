"""The sentence embedder: the packaged model converted to GGUF once, run by llama.cpp,
faithful to the PyTorch model, and never importing torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.model import embedder as embedder_mod
from app.model.embedder import DIMENSIONS, Embedder, gguf_path, load_embedder

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLYWHEEL_HOME", str(home))
        loaded = load_embedder()
        assert gguf_path().is_file(), "the converted model is cached in the data folder"
    return loaded


def test_tokens_and_vectors_match_the_pytorch_model(embedder: Embedder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    vectors = embedder.embed([item["text"] for item in reference])
    assert vectors.shape == (len(reference), DIMENSIONS)
    for item, vector in zip(reference, vectors, strict=True):
        tokens = embedder._llm.tokenize(item["text"].encode("utf-8"), add_bos=True)
        assert tokens == item["token_ids"]
        assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-4)
        # Q8_0 layer matrices (app.model.embedder_gguf): within 5e-4 of PyTorch's cosine.
        assert float(vector @ np.asarray(item["vector"])) > 0.999


def test_layer_matrices_are_q8_0_and_embedding_tables_float16(embedder: Embedder) -> None:
    """Q8_0 layers take 5-20 % less CPU a request than float16 on the test machine: the
    embedding is most of retrieval's latency."""
    import gguf

    reader = gguf.GGUFReader(embedder.path)
    types = {t.name: t.tensor_type for t in reader.tensors}
    layers = {n: t for n, t in types.items() if n.startswith("blk.") and n.endswith(".weight")}
    matrices = {n: t for n, t in layers.items() if "norm" not in n}
    assert len(matrices) == 6 * 6
    assert set(matrices.values()) == {gguf.GGMLQuantizationType.Q8_0}
    assert types["token_embd.weight"] == gguf.GGMLQuantizationType.F16


def test_meaning_is_closer_than_words(embedder: Embedder) -> None:
    request, near, far = embedder.embed(
        [
            "where do I start reading a repository I just cloned?",
            "codebase navigation: explore an unfamiliar project before changing it",
            "task decomposition: break a large goal into small ordered steps",
        ]
    )
    assert request @ near > request @ far + 0.1


def test_empty_and_overlong_texts_are_embedded(embedder: Embedder) -> None:
    vectors = embedder.embed(["", "   ", "word " * 2000])
    assert np.all(np.isfinite(vectors)) and vectors.shape == (3, DIMENSIONS)
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_a_damaged_cached_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLYWHEEL_HOME", str(tmp_path))
    gguf_path().parent.mkdir(parents=True)
    gguf_path().write_bytes(b"GGUF not really")
    with pytest.raises(embedder_mod.EmbedderUnavailableError, match="could not load"):
        load_embedder()


def test_the_embedder_does_not_import_torch(tmp_path: Path) -> None:
    code = (
        "import sys; from app.model.embedder import load_embedder; "
        "v = load_embedder().embed(['hello world']); "
        "print(v.shape, [m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "FLYWHEEL_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == f"(1, {DIMENSIONS}) []"
