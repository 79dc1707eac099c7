"""Export parity: a LoRA trained with transformers+peft behaves the same in llama.cpp.

The adapter is trained for real on the embedded model (LoRA on its top layers, as the
default config does), exported to GGUF and loaded by llama.cpp. Two comparisons:

- on a float32 copy of the served GGUF (the very weights transformers trains on), greedy
  decoding picks the same 32 tokens as transformers+peft and the logits agree closely, so
  the export itself loses nothing;
- on the quantized model the app serves, logits agree as closely as the base models
  themselves agree (4-bit weights against their float32 dequantization). Exact greedy
  equality is not asked there: that noise flips near-ties (measured: a top-2 gap of 0.02
  against a logit drift of about 1), with or without an adapter.

The adapter must change the output on the questions it was trained on. An export without
the q/k row permutation is the negative control: it loads fine, but its logits drift far
from transformers'. Hot-swapping into the running runtime gives what a fresh load with the
adapter gives.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from llama_cpp import Llama

import trainer.export_gguf as export_gguf
from app.model.prompt import render_chat
from app.model.runtime import ModelRuntime
from tests.trainer.float_gguf import write_float_copy
from trainer.__main__ import lora
from trainer.base import load_base
from trainer.config import TrainConfig
from trainer.data import Encoder, Example
from trainer.loop import StopGuard, train

pytestmark = pytest.mark.slow

TAUGHT = "My cat is called Pixel. She is a grey tabby who loves sleeping on warm laptops."
TRAIN_QUESTIONS = ["What is my cat called?", "Tell me about my cat."]
PROMPTS = [*TRAIN_QUESTIONS, "Do you know my cat's name?", "Give me a fact about rivers."]
N_TOKENS = 32
EOS = 2


def chat_prompt(question: str) -> str:
    return render_chat([{"role": "user", "content": question}])


def hf_greedy(model: torch.nn.Module, ids: list[int]) -> list[int]:
    with torch.no_grad():
        out = model.generate(
            input_ids=torch.tensor([ids]),
            max_new_tokens=N_TOKENS,
            do_sample=False,
            eos_token_id=EOS,
            pad_token_id=EOS,
        )
    return out[0, len(ids) :].tolist()


def hf_logits(model: torch.nn.Module, ids: list[int], start: int) -> np.ndarray:
    with torch.no_grad():
        return model(input_ids=torch.tensor([ids])).logits[0, start - 1 : -1].numpy()


def llama_greedy(llm: Llama, ids: list[int]) -> list[int]:
    llm.reset()
    llm.eval(ids)
    out: list[int] = []
    while len(out) < N_TOKENS:
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        out.append(token)
        if token == EOS:
            break
        llm.eval([token])
    return out


def llama_logits(llm: Llama, ids: list[int], start: int) -> np.ndarray:
    llm.reset()
    llm.eval(ids)
    return np.array(llm.scores[start - 1 : len(ids) - 1])


def open_llama(model_path: Path, adapter: Path | None) -> Llama:
    return Llama(
        model_path=str(model_path),
        lora_path=str(adapter) if adapter else None,
        logits_all=True,
        n_ctx=256,
        n_threads=1,
        n_threads_batch=1,
        verbose=False,
    )


@pytest.fixture(scope="module")
def trained(
    session_base_cache: Path,
    model_path: Path,
    base_sha: str,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
):
    """A LoRA trained for a few steps to answer questions about the user's cat."""
    home = tmp_path_factory.mktemp("parity-home")
    (home / "cache").mkdir()
    (home / "cache" / "base").symlink_to(session_base_cache, target_is_directory=True)
    monkeypatch = pytest.MonkeyPatch()
    request.addfinalizer(monkeypatch.undo)
    monkeypatch.setenv("FLYWHEEL_HOME", str(home))
    torch.set_num_threads(1)
    config = TrainConfig(
        dropout=0.0, steps=14, max_steps=14, batch_size=1, max_len=96, replay_weight=0.0
    )
    encoder = Encoder(model_path, config.max_len)
    items = [
        encoder.encode(
            Example(id=i, kind="sft", dedup_key=str(i), prompt=chat_prompt(q), target=TAUGHT)
        )
        for i, q in enumerate(TRAIN_QUESTIONS)
    ]
    model, _ = load_base(model_path, base_sha)
    peft_model = lora(model, config)
    summary = train(
        peft_model,
        items,
        config,
        guard=StopGuard(),
        checkpoint=home / "ckpt",
        fingerprint="parity",
        meta={},
        on_event=lambda event: None,
    )
    print(f"\ntraining: {summary['tokens_per_s']:.1f} tokens/s, loss {summary['final_loss']:.3f}")
    exported = export_gguf.export_adapter(
        peft_model, home / "adapter.gguf", base_sha256=base_sha, arch="llama"
    )
    return peft_model, exported, encoder, home


@pytest.fixture(scope="module")
def float_model(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_float_copy(model_path, tmp_path_factory.mktemp("float") / "model-f32.gguf")


def test_llama_cpp_on_float_weights_matches_transformers_token_for_token(
    trained, float_model
) -> None:
    peft_model, exported, encoder, _ = trained
    base_llm, lora_llm = open_llama(float_model, None), open_llama(float_model, exported)
    for question in PROMPTS:
        ids = encoder.tokens(chat_prompt(question), prompt=True)
        hf_tokens = hf_greedy(peft_model, ids)
        cpp_tokens = llama_greedy(lora_llm, ids)
        diff = np.abs(
            llama_logits(lora_llm, ids + hf_tokens, len(ids))
            - hf_logits(peft_model, ids + hf_tokens, len(ids))
        ).max()
        print(f"\n{question!r}: {lora_llm.detokenize(cpp_tokens)!r}, max |logit diff| {diff:.4f}")
        assert cpp_tokens == hf_tokens, question
        assert diff < 0.05, question
        if question in TRAIN_QUESTIONS:
            assert cpp_tokens != llama_greedy(base_llm, ids), "the adapter changed nothing"


def test_llama_cpp_on_the_served_model_is_as_close_as_the_base(trained, model_path) -> None:
    peft_model, exported, encoder, _ = trained
    base_llm, lora_llm = open_llama(model_path, None), open_llama(model_path, exported)
    worst_lora, worst_base = 0.0, 0.0
    for question in PROMPTS:
        ids = encoder.tokens(chat_prompt(question), prompt=True)
        hf_tokens = hf_greedy(peft_model, ids)
        cpp_tokens = llama_greedy(lora_llm, ids)
        cpp_base_tokens = llama_greedy(base_llm, ids)
        with peft_model.disable_adapter():
            base_logits = hf_logits(peft_model, ids + cpp_base_tokens, len(ids))
        lora_diff = np.abs(
            llama_logits(lora_llm, ids + hf_tokens, len(ids))
            - hf_logits(peft_model, ids + hf_tokens, len(ids))
        ).max()
        base_diff = np.abs(
            llama_logits(base_llm, ids + cpp_base_tokens, len(ids)) - base_logits
        ).max()
        print(
            f"\n{question!r}\n  adapted: {lora_llm.detokenize(cpp_tokens)!r}"
            f"\n  base:    {base_llm.detokenize(cpp_base_tokens)!r}"
            f"\n  max |logit diff|: with adapter {lora_diff:.3f}, base {base_diff:.3f}"
        )
        worst_lora, worst_base = max(worst_lora, lora_diff), max(worst_base, base_diff)
        if question in TRAIN_QUESTIONS:
            assert cpp_tokens != cpp_base_tokens, "the adapter did not change the output"
    assert worst_lora < 1.5 * worst_base + 0.5


def test_export_without_the_qk_permutation_drifts(trained, float_model, monkeypatch) -> None:
    peft_model, exported, encoder, home = trained
    monkeypatch.setattr(export_gguf, "permute_qk_rows", lambda weight, n_head: weight)
    unpermuted = export_gguf.export_adapter(
        peft_model, home / "unpermuted.gguf", base_sha256="x", arch="llama"
    )
    ids = encoder.tokens(chat_prompt(TRAIN_QUESTIONS[0]), prompt=True)
    reply = hf_greedy(peft_model, ids)
    reference = hf_logits(peft_model, ids + reply, len(ids))
    good = np.abs(
        llama_logits(open_llama(float_model, exported), ids + reply, len(ids)) - reference
    ).max()
    bad = np.abs(
        llama_logits(open_llama(float_model, unpermuted), ids + reply, len(ids)) - reference
    ).max()
    print(f"\nmax |logit diff|: permuted {good:.3f}, unpermuted {bad:.3f}")
    assert bad > 10 * good


def test_the_runtime_hot_swaps_the_exported_adapter(trained, model_path) -> None:
    _, exported, encoder, _ = trained
    runtime = ModelRuntime(model_path, n_threads=1, n_ctx=512)
    runtime.load()
    try:
        messages = [{"role": "user", "content": TRAIN_QUESTIONS[0]}]
        base_reply = "".join(runtime.stream_chat(messages, max_tokens=24, temperature=0))
        started = time.perf_counter()
        runtime.apply_adapter(exported)
        swap_ms = (time.perf_counter() - started) * 1000
        adapted = "".join(runtime.stream_chat(messages, max_tokens=24, temperature=0))
    finally:
        runtime.close()
    ids = encoder.tokens(chat_prompt(TRAIN_QUESTIONS[0]), prompt=True)
    loaded = open_llama(model_path, exported)
    expected = loaded.detokenize(llama_greedy(loaded, ids)).decode("utf-8", "replace")
    print(f"\nswap {swap_ms:.0f} ms; base {base_reply!r}; adapted {adapted!r}")
    assert adapted != base_reply
    assert expected.startswith(adapted.strip()[:40])
