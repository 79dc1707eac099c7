"""When may training start? Real database, real settings; OS probes injected as values."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.learning.idle import IdleCheck, _linux_on_ac, load_per_core, new_examples
from app.settings import LearningSettings
from app.store.db import open_db

NOW = 1_000_000.0
AWAY = NOW - 3600  # last input an hour ago


@pytest.fixture
def db():
    return open_db()


def add_examples(db, n: int, created: float) -> None:
    for i in range(n):
        db["examples"].insert(
            {"kind": "sft", "prompt": "p", "target": "t", "dedup_key": f"k{created}-{i}",
             "created": created}
        )


def check(os_idle=None, ac=True, load=0.0) -> IdleCheck:
    return IdleCheck(os_idle=lambda: os_idle, ac_power=lambda: ac, load=lambda: load)


def test_trains_when_every_condition_holds(db) -> None:
    add_examples(db, 8, NOW - 10)
    decision = check(os_idle=4000.0).decide(LearningSettings(), AWAY, db, now=NOW)
    assert decision.train
    assert "8 new examples" in decision.reason


@pytest.mark.parametrize(
    ("kwargs", "last_input", "reason"),
    [
        ({}, NOW - 120, "you used the app 2 min ago"),
        ({"os_idle": 30.0}, AWAY, "you used the computer 30 s ago"),
        ({"ac": False}, AWAY, "on battery"),
        ({"load": 0.9}, AWAY, "busy"),
    ],
)
def test_waits_and_says_why(db, kwargs, last_input, reason) -> None:
    add_examples(db, 8, NOW - 10)
    decision = check(**kwargs).decide(LearningSettings(), last_input, db, now=NOW)
    assert not decision.train
    assert reason in decision.reason


def test_unknown_os_idleness_falls_back_to_the_app(db) -> None:
    add_examples(db, 8, NOW - 10)
    assert check(os_idle=None).decide(LearningSettings(), AWAY, db, now=NOW).train


def test_battery_is_fine_when_the_user_allows_it(db) -> None:
    add_examples(db, 8, NOW - 10)
    settings = LearningSettings(ac_power_only=False)
    assert check(ac=False).decide(settings, AWAY, db, now=NOW).train


def test_counts_only_examples_newer_than_the_last_run(db) -> None:
    add_examples(db, 6, NOW - 500)
    db["training_runs"].insert(
        {"started": NOW - 400, "status": "promoted", "base_sha256": "x", "n_examples": 6}
    )
    add_examples(db, 3, NOW - 10)
    assert new_examples(db) == 3
    db["training_runs"].insert(
        {"started": NOW - 5, "status": "interrupted", "base_sha256": "x", "n_examples": 9}
    )
    assert new_examples(db) == 3  # an interrupted run has not learned them yet
    decision = check().decide(LearningSettings(), AWAY, db, now=NOW)
    assert not decision.train
    assert decision.reason == "waiting: 3 new examples of 8 needed"


def test_off_and_paused_win_even_over_train_now(db) -> None:
    add_examples(db, 8, NOW - 10)
    off = check().decide(LearningSettings(enabled=False), AWAY, db, now=NOW, forced=True)
    paused = check().decide(LearningSettings(paused=True), AWAY, db, now=NOW, forced=True)
    assert (off.train, off.reason) == (False, "off")
    assert (paused.train, paused.reason) == (False, "paused")


def test_train_now_skips_idleness_and_example_count(db) -> None:
    decision = check(os_idle=1.0, ac=False, load=5.0).decide(
        LearningSettings(), time.time(), db, forced=True
    )
    assert decision.train


def _supply(root: Path, name: str, kind: str, online: str | None = None) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "type").write_text(kind + "\n")
    if online is not None:
        (folder / "online").write_text(online + "\n")


def test_linux_power_supply(tmp_path: Path) -> None:
    desktop = tmp_path / "desktop"
    desktop.mkdir()
    assert _linux_on_ac(desktop) is True  # no battery at all
    laptop = tmp_path / "laptop"
    _supply(laptop, "BAT0", "Battery")
    _supply(laptop, "AC", "Mains", "0")
    assert _linux_on_ac(laptop) is False
    (laptop / "AC" / "online").write_text("1\n")
    assert _linux_on_ac(laptop) is True
    assert _linux_on_ac(tmp_path / "missing") is None


def test_load_is_a_non_negative_number() -> None:
    assert load_per_core() >= 0.0
