"""The trainer takes the cores other programs leave free, sampled when it starts."""

from __future__ import annotations

import multiprocessing
import time

from app.model.runtime import default_threads
from trainer.__main__ import training_threads


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_an_explicit_thread_count_wins() -> None:
    assert training_threads(3) == 3


def test_a_busy_core_is_left_to_its_program() -> None:
    cores = default_threads()
    idle = training_threads(None)
    busy_workers = [multiprocessing.Process(target=spin, args=(3.0,)) for _ in range(cores)]
    for worker in busy_workers:
        worker.start()
    try:
        time.sleep(0.3)
        busy = training_threads(None)
    finally:
        for worker in busy_workers:
            worker.join()
    assert 1 <= busy <= idle <= cores
    assert busy == 1
