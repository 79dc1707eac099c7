"""The step budget and the learning-rate curve: functions of the config alone (resumable)."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from trainer.config import TrainConfig
from trainer.loop import learning_rate, schedule


@pytest.mark.parametrize("n_examples", [1, 3, 7, 200])
def test_every_run_takes_the_budgeted_steps_whatever_the_number_of_examples(n_examples) -> None:
    config = TrainConfig(steps=30, batch_size=2)
    steps = schedule(n_examples, config)
    assert len(steps) == 30 and all(len(batch) == 2 for batch in steps)
    seen = Counter(i for batch in steps for i in batch)
    assert set(seen) <= set(range(n_examples))
    if n_examples <= 60:  # repeated in whole shuffled passes: no example is favoured
        assert set(seen) == set(range(n_examples))
        assert max(seen.values()) - min(seen.values()) <= 1
    assert schedule(n_examples, config) == steps  # the seed alone decides (resume)


def test_learning_rate_warms_up_then_decays_to_a_tenth() -> None:
    config = TrainConfig(lr=1e-3, steps=30, warmup_steps=3)
    curve = [learning_rate(step, config) for step in range(30)]
    assert curve[0] < curve[1] < curve[2] == pytest.approx(1e-3)
    assert all(a >= b for a, b in pairwise(curve[2:]))
    assert curve[-1] == pytest.approx(1e-4)
    assert learning_rate(0, TrainConfig(lr=1e-3, steps=1)) == pytest.approx(1e-3)
