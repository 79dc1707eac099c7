"""One trainer per data folder, and no candidate adapter left behind by a killed one
(issue 15 item 8)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from filelock import FileLock
from pytestqt.qtbot import QtBot

from app import paths
from app import settings as settings_mod
from app.learning.idle import IdleCheck
from app.learning.supervisor import TrainingSupervisor
from app.store.db import open_db
from trainer.__main__ import EXIT_BUSY, EXIT_OK, LOCK_FILE, checkpoint_path

REPO = Path(__file__).resolve().parents[2]


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "FLYWHEEL_HOME": str(home), "PYTHONPATH": str(REPO)},
    )


def test_a_second_trainer_refuses_to_start_with_a_clear_message(flywheel_home: Path) -> None:
    held = FileLock(paths.user_dir() / LOCK_FILE)
    held.acquire(timeout=0)  # the first trainer
    try:
        second = _run(flywheel_home, "-m", "trainer", "run", "--json")
        by_hand = _run(flywheel_home, "-m", "app", "train")
    finally:
        held.release()
    assert second.returncode == EXIT_BUSY
    last = json.loads(second.stdout.strip().splitlines()[-1])
    assert last["event"] == "error" and "another trainer" in last["message"]
    assert by_hand.returncode == EXIT_BUSY
    assert "Traceback" not in by_hand.stderr
    assert "another trainer is already running" in by_hand.stderr
    after = _run(flywheel_home, "-m", "trainer", "run", "--json")
    assert after.returncode == EXIT_OK, after.stdout + after.stderr


def test_candidates_left_by_a_killed_trainer_are_removed_at_the_next_start(
    flywheel_home: Path,
) -> None:
    cache = checkpoint_path("").parent
    cache.mkdir(parents=True)
    stale = [cache / "candidate-run7.gguf", cache / ".candidate-run7.gguf.x1y2.tmp"]
    for path in stale:
        path.write_bytes(b"GGUF" + b"\0" * 1024)
    kept = cache / "other.ckpt"
    kept.write_bytes(b"checkpoint")
    result = _run(flywheel_home, "-m", "trainer", "run", "--json")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert not any(path.exists() for path in stale)
    assert kept.exists()


def test_the_supervisor_waits_when_another_trainer_runs(qtbot: QtBot) -> None:
    """``flywheel train`` running by hand: the window's idle run is not a failure, it waits."""
    db = open_db()
    settings = settings_mod.Settings()
    supervisor = TrainingSupervisor(
        settings,
        idle=IdleCheck(os_idle=lambda: None, ac_power=lambda: True, load=lambda: 0.0),
        db=db,
    )
    failures: list[str] = []
    supervisor.failed.connect(failures.append)
    held = FileLock(paths.user_dir() / LOCK_FILE)
    held.acquire(timeout=0)
    try:
        supervisor.train_now()
        qtbot.waitUntil(lambda: not supervisor.running, timeout=120_000)
    finally:
        held.release()
        supervisor.shutdown()
        db.conn.close()
    assert failures == []
    assert "another trainer is running" in supervisor.state
