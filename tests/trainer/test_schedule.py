"""The step budget and the learning-rate curve: functions of the config alone (resumable)."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from trainer.config import TrainConfig
from trainer.loop import budget, converged, learning_rate, schedule


@pytest.mark.parametrize(
    ("n_examples", "expected"), [(1, 30), (3, 30), (7, 30), (14, 56), (200, 80)]
)
def test_the_step_budget_grows_with_the_examples_between_its_bounds(n_examples, expected) -> None:
    config = TrainConfig(steps=30, passes=8, max_steps=80, batch_size=2)
    steps = schedule(n_examples, config)
    assert len(steps) == budget(n_examples, config) == expected
    assert all(len(batch) == 2 for batch in steps)
    seen = Counter(i for batch in steps for i in batch)
    assert set(seen) <= set(range(n_examples))
    if n_examples <= 80:  # repeated in whole shuffled passes: no example is favoured
        assert set(seen) == set(range(n_examples))
        assert max(seen.values()) - min(seen.values()) <= 1
        assert min(seen.values()) >= min(8, 160 // n_examples)
    assert schedule(n_examples, config) == steps  # the seed alone decides (resume)


def test_learning_rate_warms_up_then_decays_to_a_tenth() -> None:
    config = TrainConfig(lr=1e-3, warmup_steps=3)
    curve = [learning_rate(step, 30, config) for step in range(30)]
    assert curve[0] < curve[1] < curve[2] == pytest.approx(1e-3)
    assert all(a >= b for a, b in pairwise(curve[2:]))
    assert curve[-1] == pytest.approx(1e-4)
    assert learning_rate(0, 1, config) == pytest.approx(1e-3)


def test_a_run_stops_early_only_when_every_item_is_learned_by_likelihood() -> None:
    config = TrainConfig(stop_loss=0.15)
    low = {0: 0.1, 1: 0.12}
    assert converged(low, 2, config)
    assert not converged({0: 0.1}, 2, config)  # an item not trained on yet
    assert not converged({0: 0.1, 1: 0.3}, 2, config)  # the mean is still above
    assert not converged({0: 0.1, 1: None}, 2, config)  # a thumbs or preference item
    assert not converged(low, 2, TrainConfig(stop_loss=0))  # switched off
