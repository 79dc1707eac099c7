"""Export parity: a LoRA trained with transformers+peft behaves the same in llama.cpp.

The adapter is trained for real on the embedded model, exported to GGUF and loaded by
llama.cpp on the quantized model the app serves. Greedy decoding must pick the same tokens
as transformers+peft, logits must agree as closely as the base models themselves agree
(llama.cpp runs on 4-bit weights, transformers on their float32 dequantization), and the
adapter must actually change the output. An export without the q/k row permutation is the
negative control: it loads fine, but its logits drift far from transformers'.
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
    config = TrainConfig(lr=1e-3, dropout=0.0, max_steps=10, epochs=10, batch_size=1, max_len=96)
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


def test_llama_cpp_matches_transformers_with_the_exported_adapter(trained, model_path) -> None:
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
        print(
            f"\n{question!r}\n  adapted: {lora_llm.detokenize(cpp_tokens)!r}"
            f"\n  base:    {base_llm.detokenize(cpp_base_tokens)!r}"
        )
        assert cpp_tokens == hf_tokens, question
        lora_diff = np.abs(
            llama_logits(lora_llm, ids + hf_tokens, len(ids))
            - hf_logits(peft_model, ids + hf_tokens, len(ids))
        ).max()
        base_diff = np.abs(
            llama_logits(base_llm, ids + cpp_base_tokens, len(ids)) - base_logits
        ).max()
        print(f"  max |logit diff|: with adapter {lora_diff:.3f}, base {base_diff:.3f}")
        worst_lora, worst_base = max(worst_lora, lora_diff), max(worst_base, base_diff)
        if question in TRAIN_QUESTIONS:
            assert cpp_tokens != cpp_base_tokens, "the adapter did not change the output"
    assert worst_lora < 1.5 * worst_base + 0.5


def test_export_without_the_qk_permutation_drifts(trained, model_path, monkeypatch) -> None:
    peft_model, exported, encoder, home = trained
    monkeypatch.setattr(export_gguf, "permute_qk_rows", lambda weight, n_head: weight)
    unpermuted = export_gguf.export_adapter(
        peft_model, home / "unpermuted.gguf", base_sha256="x", arch="llama"
    )
    ids = encoder.tokens(chat_prompt(TRAIN_QUESTIONS[0]), prompt=True)
    reply = hf_greedy(peft_model, ids)
    reference = hf_logits(peft_model, ids + reply, len(ids))
    good = np.abs(
        llama_logits(open_llama(model_path, exported), ids + reply, len(ids)) - reference
    ).max()
    bad = np.abs(
        llama_logits(open_llama(model_path, unpermuted), ids + reply, len(ids)) - reference
    ).max()
    print(f"\nmax |logit diff|: permuted {good:.3f}, unpermuted {bad:.3f}")
    assert bad > 2 * good


def test_the_runtime_hot_swaps_the_exported_adapter(trained, model_path, base_sha) -> None:
    peft_model, exported, encoder, _ = trained
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
    vocab = Llama(model_path=str(model_path), vocab_only=True, verbose=False)
    expected = vocab.detokenize(hf_greedy(peft_model, ids)).decode("utf-8", "replace")
    print(f"\nswap {swap_ms:.0f} ms; base {base_reply!r}; adapted {adapted!r}")
    assert adapted != base_reply
    assert expected.startswith(adapted.strip()[:40])
