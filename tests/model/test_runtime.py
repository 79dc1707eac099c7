"""The model runtime on the real embedded model (loaded once per session, see conftest)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.model.catalog import ModelFileError
from app.model.runtime import TRUNCATION_MARKER, AdapterError, ModelRuntime
from tests.model.lora_fixture import (
    write_fake_adapter,
    write_mismatched_adapter,
    write_unknown_architecture_model,
)

ASK = [{"role": "user", "content": "Name three colours of the rainbow."}]


@pytest.fixture(scope="module")
def small_runtime(embedded_model: Path) -> Iterator[ModelRuntime]:
    """A 256-token context, so overflow tests only prefill a couple of hundred tokens."""
    rt = ModelRuntime(embedded_model, n_threads=1, n_ctx=256, n_gpu_layers=0)
    rt.load()
    yield rt
    rt.close()


def greedy(rt: ModelRuntime, messages: list[dict[str, str]], max_tokens: int = 24) -> str:
    return "".join(rt.stream_chat(messages, max_tokens=max_tokens, temperature=0.0))


def test_stream_matches_llama_cpps_own_completion(runtime: ModelRuntime) -> None:
    messages = [{"role": "user", "content": "Write the word café, then a smiley emoji."}]
    pieces = list(runtime.stream_chat(messages, max_tokens=32, temperature=0.0))
    stats = runtime.last_stats
    assert stats is not None
    assert len(pieces) > 1
    reference = runtime.llama.create_completion(
        runtime.prompt_text(messages, max_tokens=32),
        max_tokens=stats.completion_tokens,
        temperature=0.0,
    )["choices"][0]["text"]
    assert "".join(pieces) == reference
    assert "\ufffd" not in "".join(pieces)
    assert stats.finish_reason in {"stop", "length"}
    assert 0 < stats.completion_tokens <= 32
    assert stats.ttft_s is not None and stats.ttft_s > 0
    prompt_tokens = runtime.llama.tokenize(
        runtime.prompt_text(messages, max_tokens=32).encode(), add_bos=True, special=True
    )
    assert stats.prompt_tokens == len(prompt_tokens)


def test_length_limit_and_seeded_sampling(runtime: ModelRuntime) -> None:
    story = [{"role": "user", "content": "Tell me a long story about a lighthouse keeper."}]
    first = "".join(runtime.stream_chat(story, max_tokens=6, temperature=0.9, seed=7))
    assert runtime.last_stats is not None
    assert runtime.last_stats.finish_reason == "length"
    assert runtime.last_stats.completion_tokens == 6
    again = "".join(runtime.stream_chat(story, max_tokens=6, temperature=0.9, seed=7))
    assert first == again


def test_cancel_stops_early(runtime: ModelRuntime) -> None:
    cancel = threading.Event()
    story = [{"role": "user", "content": "Tell me a long story about a lighthouse keeper."}]
    received = []
    for piece in runtime.stream_chat(story, max_tokens=200, temperature=0.0, cancel=cancel):
        received.append(piece)
        cancel.set()
    assert runtime.last_stats is not None
    assert runtime.last_stats.finish_reason == "cancelled"
    assert runtime.last_stats.completion_tokens == 1
    assert len(received) <= 1


def test_cancel_before_start_yields_nothing(runtime: ModelRuntime) -> None:
    cancel = threading.Event()
    cancel.set()
    assert list(runtime.stream_chat(ASK, max_tokens=20, cancel=cancel)) == []
    assert runtime.last_stats is not None
    assert runtime.last_stats.finish_reason == "cancelled"


def test_follow_up_turn_reuses_the_cached_prefix(runtime: ModelRuntime) -> None:
    first_turn = [
        {"role": "system", "content": "You are a patient tutor. " * 20},
        {"role": "user", "content": "What is a prime number?"},
    ]
    reply = greedy(runtime, first_turn, max_tokens=20)
    first = runtime.last_stats
    assert first is not None
    follow_up = [
        *first_turn,
        {"role": "assistant", "content": reply},
        {"role": "user", "content": "Give one example."},
    ]
    greedy(runtime, follow_up, max_tokens=4)
    stats = runtime.last_stats
    assert stats is not None
    assert stats.reused_prefix_tokens >= first.prompt_tokens
    assert stats.prompt_tokens - stats.reused_prefix_tokens < 40


def test_overflowing_history_drops_oldest_turns(small_runtime: ModelRuntime) -> None:
    runtime = small_runtime
    messages = [{"role": "system", "content": "Keep this system prompt."}]
    for turn in range(10):
        messages.append({"role": "user", "content": f"Question {turn}: " + "words " * 40})
        messages.append({"role": "assistant", "content": f"Answer {turn}: " + "more " * 40})
    messages.append({"role": "user", "content": "The latest question survives."})
    greedy(runtime, messages, max_tokens=8)
    stats = runtime.last_stats
    assert stats is not None
    assert stats.trimmed_turns > 0 and stats.trimmed_turns % 2 == 0
    assert stats.prompt_tokens + 8 <= runtime.n_ctx
    prompt = runtime.prompt_text(messages, max_tokens=8)
    assert "Keep this system prompt." in prompt
    assert "The latest question survives." in prompt
    assert "Question 0:" not in prompt
    assert "Answer 9:" in prompt


def test_a_single_huge_message_is_cut_in_the_middle(small_runtime: ModelRuntime) -> None:
    runtime = small_runtime
    huge = "START " + "filler text " * 1000 + " END"
    messages = [{"role": "user", "content": huge}]
    greedy(runtime, messages, max_tokens=8)
    assert runtime.last_stats is not None
    assert runtime.last_stats.prompt_tokens + 8 <= runtime.n_ctx
    prompt = runtime.prompt_text(messages, max_tokens=8)
    assert TRUNCATION_MARKER in prompt
    assert "START" in prompt and "END" in prompt


def test_the_cut_and_the_reading_progress_are_reported(small_runtime: ModelRuntime) -> None:
    runtime = small_runtime
    runtime.reset_cache()
    huge = "START " + "filler text " * 1000 + " END"
    whole = len(runtime.llama.tokenize(huge.encode(), add_bos=False))
    seen: list[tuple[int, int]] = []
    reply = runtime.stream_chat(
        [{"role": "user", "content": huge}],
        max_tokens=8,
        temperature=0.0,
        progress=lambda done, total: seen.append((done, total)),
    )
    next(reply)
    stats = runtime.last_stats
    assert stats is not None and stats.n_ctx == 256
    # what was left out: the message's tokens that are not in the prompt any more
    assert whole - 256 < stats.cut_tokens < whole
    assert stats.trimmed_turns == 0
    totals = {total for _, total in seen}
    assert totals == {stats.prompt_tokens - 1}  # the last token is read by generate()
    done = [d for d, _ in seen]
    assert done[0] == 0 and done[-1] == stats.prompt_tokens - 1 and done == sorted(done)
    assert len(done) >= 3
    reply.close()


@pytest.mark.parametrize(
    "kwargs", [{"max_tokens": 0}, {"max_tokens": 1025}, {"temperature": -1}, {"top_p": 0}]
)
def test_bad_arguments_fail_at_the_call(runtime: ModelRuntime, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        runtime.stream_chat(ASK, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["text", "truncated", "unknown-arch", "adapter"])
def test_bad_model_files_raise_model_file_error(
    embedded_model: Path, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.gguf"
    if kind == "text":
        path.write_text("I am not a model")
    elif kind == "truncated":
        with embedded_model.open("rb") as src:
            path.write_bytes(src.read(20_000_000))
    elif kind == "unknown-arch":
        write_unknown_architecture_model(path)
    else:
        write_fake_adapter(path)
    rt = ModelRuntime(path, n_threads=1, n_ctx=256, n_gpu_layers=0)
    with pytest.raises(ModelFileError, match=f"{kind}.gguf"):
        rt.load()
    assert not rt.loaded


def test_adapter_changes_output_and_removal_restores_it_without_reload(
    runtime: ModelRuntime, lora_adapter: Path
) -> None:
    llama_before, model_ptr = runtime.llama, runtime.llama.model
    base = greedy(runtime, ASK)
    runtime.apply_adapter(lora_adapter)
    try:
        assert runtime.active_adapter == lora_adapter
        adapted = greedy(runtime, ASK)
    finally:
        runtime.remove_adapter()
    assert runtime.active_adapter is None
    restored = greedy(runtime, ASK)
    assert adapted != base
    assert restored == base
    assert runtime.llama is llama_before
    assert runtime.llama.model == model_ptr


def test_rejected_adapters_keep_the_previous_state(
    runtime: ModelRuntime, lora_adapter: Path, embedded_model: Path, tmp_path: Path
) -> None:
    runtime.apply_adapter(lora_adapter)
    try:
        adapted = greedy(runtime, ASK)
        mismatched = write_mismatched_adapter(tmp_path / "mismatch.gguf", embedded_model)
        with pytest.raises(AdapterError, match=r"mismatch\.gguf: cannot be applied"):
            runtime.apply_adapter(mismatched)
        with pytest.raises(AdapterError, match="not a LoRA adapter"):
            runtime.apply_adapter(embedded_model)
        corrupt = tmp_path / "corrupt.gguf"
        corrupt.write_bytes(write_fake_adapter(tmp_path / "ok.gguf").read_bytes()[:200])
        with pytest.raises(ModelFileError, match=r"corrupt\.gguf"):
            runtime.apply_adapter(corrupt)
        assert runtime.active_adapter == lora_adapter
        assert greedy(runtime, ASK) == adapted
    finally:
        runtime.remove_adapter()


def test_adapter_swap_waits_for_the_running_generation(
    runtime: ModelRuntime, lora_adapter: Path
) -> None:
    stream = runtime.stream_chat(ASK, max_tokens=50, temperature=0.0)
    next(stream)  # the generation now holds the lock
    swapper = threading.Thread(target=runtime.apply_adapter, args=(lora_adapter,))
    swapper.start()
    swapper.join(timeout=0.3)
    try:
        assert swapper.is_alive()
        assert runtime.active_adapter is None
        stream.close()
        swapper.join(timeout=30)
        assert not swapper.is_alive()
        assert runtime.active_adapter == lora_adapter
    finally:
        stream.close()
        swapper.join(timeout=30)
        runtime.remove_adapter()


def test_info_describes_the_setup(runtime: ModelRuntime, embedded_model: Path) -> None:
    info = runtime.info()
    assert info["model_path"] == str(embedded_model)
    assert len(str(info["sha256"])) == 64
    assert info["n_ctx"] == 2048
    assert info["llama_cpp_python"]
    assert "CPU" in str(info["system_info"])
