"""Replies that repeat themselves are stopped, with a penalty that makes them rarer (item 3)."""

from __future__ import annotations

import pytest

from app.model.loops import is_looping
from app.model.runtime import ModelRuntime
from app.settings import Settings

# Tails of replies the embedded model wrote before this change, each until the limit.
LOOPS = [
    "Bonjour ! " + "elle-là, " * 9,
    "The sea, it is a canvas of gold,\n" * 3,
    "A programmer's every task, a never-ending quest,\n" * 3,
    "Sure:\n" + "```\n" * 20,
    "I like it. It is a beautiful word. Yes. It is a beautiful word. I know. "
    "It is a beautiful word. Really. It is a beautiful word. ",
]
NOT_LOOPS = [
    ", ".join(str(i) for i in range(1, 300)),
    "Title\n" + "-" * 200,
    "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 3,
    "Sure:\n```python\n" + 'print("hello world, again")\n' * 3,
    "The quick brown fox jumps over the lazy dog. " * 2 + "Then it slept.",
    "Happy birthday to you, happy birthday to you!\n" + "Dear friend, you are great.\n" * 2,
    "Yes. " * 10,
]


@pytest.mark.parametrize("text", LOOPS)
def test_a_repeating_reply_is_a_loop(text: str) -> None:
    assert is_looping(text)


@pytest.mark.parametrize("text", NOT_LOOPS)
def test_ordinary_repetition_is_not_a_loop(text: str) -> None:
    assert not is_looping(text)


def test_a_reply_that_loops_is_stopped(runtime: ModelRuntime) -> None:
    """Greedy, with no penalty, the embedded model repeats one line of this poem for ever."""
    poem = [{"role": "user", "content": "Write a limerick about a programmer"}]
    reply = "".join(
        runtime.stream_chat(poem, max_tokens=512, temperature=0.0, repeat_penalty=1.0)
    )
    assert runtime.last_stats is not None
    assert runtime.last_stats.finish_reason == "loop"
    assert runtime.last_stats.completion_tokens < 200
    assert is_looping(reply)


def test_the_default_penalty_keeps_the_reply_from_looping(runtime: ModelRuntime) -> None:
    poem = [{"role": "user", "content": "Write a limerick about a programmer"}]
    penalty = Settings().model.repeat_penalty
    assert penalty > 1.0
    "".join(runtime.stream_chat(poem, max_tokens=512, temperature=0.0, repeat_penalty=penalty))
    assert runtime.last_stats is not None
    assert runtime.last_stats.finish_reason == "stop"


@pytest.mark.parametrize("penalty", [0.0, -1.0, 2.5])
def test_a_bad_penalty_fails_at_the_call(runtime: ModelRuntime, penalty: float) -> None:
    with pytest.raises(ValueError, match="repeat_penalty"):
        runtime.stream_chat([{"role": "user", "content": "hi"}], repeat_penalty=penalty)
