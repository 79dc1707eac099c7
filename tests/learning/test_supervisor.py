"""The supervisor drives a real trainer process: idle start, preemption by the user, resume."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.learning.idle import IdleCheck
from app.learning.supervisor import KILL_AFTER_MS, TrainingSupervisor
from app.learning.trainer_process import trainer_command
from app.store.db import open_db
from tests.trainer import test_process as trainer_tests
from tests.trainer.conftest import base_sha, model_path, session_base_cache, shared_base

__all__ = ["base_sha", "model_path", "session_base_cache", "shared_base"]  # fixtures

PROCESS_TIMEOUT_MS = 240_000


def idle_machine() -> IdleCheck:
    """The OS probes as on an idle, plugged-in, quiet machine (the decision logic is real)."""
    return IdleCheck(os_idle=lambda: None, ac_power=lambda: True, load=lambda: 0.0)


@pytest.fixture
def supervisor(qtbot: QtBot, shared_base: Path, flywheel_home: Path) -> TrainingSupervisor:
    db = open_db()
    trainer_tests.seed_examples(db)
    config = flywheel_home / "train.json"
    config.write_text(
        json.dumps({**trainer_tests.CONFIG, "steps": 6, "max_steps": 6, "stop_loss": 0})
    )
    settings = settings_mod.Settings()
    settings.learning.idle_minutes = 1
    settings.learning.min_new_examples = 3
    sup = TrainingSupervisor(
        settings,
        idle=idle_machine(),
        command=lambda: trainer_command("--config", str(config), "--threads", "1"),
        db=db,
    )
    yield sup
    sup.shutdown()


def test_waits_while_the_user_is_active(supervisor: TrainingSupervisor) -> None:
    supervisor.on_activity()
    decision = supervisor.check()
    assert not decision.train
    assert not supervisor.running
    assert supervisor.state.startswith("waiting: you used the app")


def test_train_now_refused_when_learning_is_off(supervisor: TrainingSupervisor) -> None:
    supervisor.settings.learning.enabled = False
    messages: list[str] = []
    supervisor.failed.connect(messages.append)
    assert not supervisor.train_now().train
    assert not supervisor.running
    assert messages == ["learning is off"]


def test_preempted_by_activity_then_resumed(qtbot: QtBot, supervisor: TrainingSupervisor) -> None:
    supervisor.last_input = time.time() - 120
    events: list[tuple[int, int, float]] = []
    supervisor.progress.connect(lambda *args: events.append(args))
    with qtbot.waitSignal(supervisor.progress, timeout=PROCESS_TIMEOUT_MS):
        assert supervisor.check().train
    assert supervisor.running

    supervisor.on_activity()  # stops it: asked to end, killed after KILL_AFTER_MS at worst
    qtbot.waitUntil(lambda: not supervisor.running, timeout=KILL_AFTER_MS + 5000)
    assert supervisor.state.startswith("paused")
    db = supervisor.db
    assert db.execute("SELECT status FROM training_runs").fetchall() == [("interrupted",)]
    first_half = events[-1][0]

    states: list[str] = []
    supervisor.state_changed.connect(states.append)
    supervisor.last_input = time.time() - 120
    with qtbot.waitSignal(supervisor.finished, timeout=PROCESS_TIMEOUT_MS) as done:
        assert supervisor.check().train
    assert "resuming" in states
    final = done.args[0]
    assert final["status"] in ("promoted", "rejected")
    assert final["metrics"]["train"]["resumed_from"] == first_half
    assert not supervisor.running
    run = db.execute("SELECT id, status, metrics FROM training_runs").fetchall()
    assert len(run) == 1 and run[0][1] == final["status"]  # one run, resumed in its row
    losses = json.loads(run[0][2])["losses"]
    assert [step for step, _ in losses] == list(range(1, 7))  # both halves of the curve


def test_a_trainer_that_cannot_start_is_reported(
    qtbot: QtBot, supervisor: TrainingSupervisor
) -> None:
    supervisor.command = lambda: ["/nonexistent/flywheel-trainer", "run", "--json"]
    with qtbot.waitSignal(supervisor.failed, timeout=10_000) as failed:
        supervisor.train_now()
    assert "could not be started" in failed.args[0]
    assert not supervisor.running
