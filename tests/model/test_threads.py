"""Threads chosen per turn from the cores other programs leave free (issue 15, item 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import llama_cpp
import pytest

from app import cpu
from app.assistant import runtime_from_settings
from app.model.runtime import ModelRuntime, default_threads
from app.settings import Settings

ASK = [{"role": "user", "content": "Say hi."}]


@pytest.mark.parametrize(
    ("cores", "busy", "threads"),
    [
        (2, 0.0, 2),
        (2, 0.2, 2),  # background noise leaves both cores free
        (2, 0.4, 1),  # a core busy part of the time would stall the thread sharing it
        (2, 1.0, 1),
        (2, 2.0, 1),  # a fully loaded machine still answers, on one thread
        (4, 1.0, 3),
        (4, 2.6, 1),
        (8, 0.1, 8),
    ],
)
def test_threads_leave_busy_cores_alone(cores: int, busy: float, threads: int) -> None:
    assert cpu.threads_for(cores, busy) == threads


def test_free_threads_samples_for_the_given_interval() -> None:
    asked: list[float] = []

    def sampler(interval: float) -> float:
        asked.append(interval)
        return 1.0

    assert cpu.free_threads(4, 0.25, sampler) == 3
    assert asked == [0.25]


def test_auto_is_the_default_setting() -> None:
    settings = Settings()
    assert settings.model.threads == 0
    assert runtime_from_settings(settings).threads is None


class FakeLoad:
    """Cores other programs use, as the runtime's sampler reports them."""

    def __init__(self) -> None:
        self.busy = 0.0
        self.samples = 0

    def __call__(self, _interval: float) -> float:
        self.samples += 1
        return self.busy


@pytest.fixture(scope="module")
def load() -> FakeLoad:
    return FakeLoad()


@pytest.fixture(scope="module")
def auto_runtime(embedded_model: Path, load: FakeLoad) -> Iterator[ModelRuntime]:
    rt = ModelRuntime(embedded_model, n_threads=None, n_ctx=512, busy_sampler=load)
    rt.load()
    yield rt
    rt.close()


def _turn(rt: ModelRuntime) -> int:
    "".join(rt.stream_chat(ASK, max_tokens=2, temperature=0.0))
    assert rt.last_stats is not None
    return rt.last_stats.n_threads


def test_each_turn_uses_the_cores_free_at_its_start(
    auto_runtime: ModelRuntime, load: FakeLoad
) -> None:
    cores = default_threads()
    load.busy = float(cores)  # every core taken: one thread
    assert _turn(auto_runtime) == 1
    assert llama_cpp.llama_n_threads(auto_runtime.llama.ctx) == 1
    assert llama_cpp.llama_n_threads_batch(auto_runtime.llama.ctx) == 1
    load.busy = 0.0  # the load went away: the next turn takes every core, without a reload
    assert _turn(auto_runtime) == cores
    assert llama_cpp.llama_n_threads(auto_runtime.llama.ctx) == cores
    assert auto_runtime.info()["n_threads"] == f"auto (last turn: {cores})"


def test_a_fixed_thread_count_never_samples(embedded_model: Path) -> None:
    load = FakeLoad()
    rt = ModelRuntime(embedded_model, n_threads=1, n_ctx=512, busy_sampler=load)
    rt.load()
    try:
        assert _turn(rt) == 1
        assert load.samples == 0
        assert llama_cpp.llama_n_threads(rt.llama.ctx) == 1
    finally:
        rt.close()
