"""``python -m trainer run`` as the app's supervisor drives it: JSON lines, exit codes, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.learning.registry import AdapterRegistry
from app.model.prompt import render_chat
from app.store.db import open_db
from tests.learning.adapter_files import write_adapter
from trainer.__main__ import EXIT_OK, EXIT_PREEMPTED, checkpoint_path

REPO = Path(__file__).resolve().parents[2]
CONFIG = {"max_len": 96, "batch_size": 1, "steps": 4, "max_steps": 4, "checkpoint_every": 100}


def seed_examples(db) -> None:
    def prompt(question: str) -> str:
        return render_chat([{"role": "user", "content": question}])

    target = "Your cat is called Pixel."
    rows = [
        {"kind": "sft", "prompt": prompt(q), "target": target}
        for q in (
            "What is my cat called?",
            "Tell me my cat's name.",
            "My cat's name?",
            "Which name has my cat?",
            "Remind me of my cat's name.",
        )
    ]
    rows.append(
        {
            "kind": "pair",
            "prompt": prompt("How do I list files?"),
            "chosen": "Run `ls -la`.",
            "rejected": "You cannot.",
        }
    )
    for i, row in enumerate(rows):
        db["examples"].insert({**row, "dedup_key": f"k{i}", "created": time.time()})


class Trainer:
    """One trainer process, read line by line like the app's supervisor reads it."""

    def __init__(
        self, home: Path, *extra: str, steps: int = CONFIG["steps"], **fields: object
    ) -> None:
        home.mkdir(parents=True, exist_ok=True)
        config = home / "train.json"
        config.write_text(json.dumps({**CONFIG, "steps": steps, "max_steps": steps, **fields}))
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "trainer",
                "run",
                "--json",
                "--config",
                str(config),
                "--threads",
                "1",
                "--nice",
                "0",
                *extra,
            ],
            cwd=REPO,
            env={**os.environ, "FLYWHEEL_HOME": str(home)},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.events: list[dict] = []

    def until(self, predicate) -> dict:
        for line in self.proc.stdout:
            event = json.loads(line)  # stdout must carry nothing but JSON lines
            self.events.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"trainer ended without the expected event: {self.events}")

    def finish(self, timeout: float = 600) -> int:
        for line in self.proc.stdout:
            self.events.append(json.loads(line))
        return self.proc.wait(timeout)


@pytest.mark.slow
def test_sigterm_stops_within_5_s_and_the_next_run_resumes(
    shared_base, flywheel_home, base_sha
) -> None:
    db = open_db()
    seed_examples(db)
    # the whole budget (no early stop): still training when the signal arrives
    first = Trainer(flywheel_home, steps=20, stop_loss=0)
    first.until(lambda e: e["event"] == "progress")
    sent = time.monotonic()
    first.proc.send_signal(signal.SIGTERM)
    code = first.proc.wait(timeout=30)
    took = time.monotonic() - sent
    first.finish()
    print(f"\nexit {took:.2f} s after SIGTERM")
    assert code == EXIT_PREEMPTED and took < 5.0
    assert [e["event"] for e in first.events[-2:]] == ["checkpoint", "preempted"]
    stopped_at = first.events[-2]["step"]
    assert stopped_at >= 1 and checkpoint_path(base_sha).exists()
    run = db.execute("SELECT id, status FROM training_runs").fetchall()
    assert run == [(first.events[0]["run_id"], "interrupted")]

    second = Trainer(flywheel_home, steps=20, stop_loss=0)
    assert second.finish() == EXIT_OK
    kinds = [e["event"] for e in second.events]
    assert second.events[0]["resuming"] is True
    resumed = next(e for e in second.events if e["event"] == "resumed")
    assert resumed["step"] == stopped_at
    steps = [e["step"] for e in second.events if e["event"] == "progress"]
    assert steps == list(range(stopped_at + 1, resumed["total"] + 1))
    done = second.events[-1]
    assert kinds[-1] == "done" and done["status"] in ("promoted", "rejected")
    print(f"gate: {done['reason']}; {done['metrics']['train']['tokens_per_s']:.1f} tokens/s")
    assert db.execute("SELECT id, status FROM training_runs").fetchall() == [
        (first.events[0]["run_id"], done["status"])
    ]
    versions = AdapterRegistry(db).list_versions(base_sha)
    assert [(v.version, v.status) for v in versions] == [
        (1, "active" if done["status"] == "promoted" else "rejected")
    ]
    assert versions[0].metrics["candidate"]["canary_ppl"] > 1
    assert not checkpoint_path(base_sha).exists()


@pytest.mark.slow
def test_a_killed_trainer_leaves_the_active_adapter_and_database_intact(
    shared_base, flywheel_home, base_sha, tmp_path
) -> None:
    db = open_db()
    seed_examples(db)
    registry = AdapterRegistry(db)
    active = registry.register(base_sha, write_adapter(tmp_path / "a.gguf", base_sha), "{}")
    registry.promote(base_sha, active.version)
    trainer = Trainer(flywheel_home)
    trainer.until(lambda e: e["event"] == "progress")
    trainer.proc.send_signal(signal.SIGKILL)
    assert trainer.proc.wait(timeout=30) == -signal.SIGKILL

    db = open_db()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    registry = AdapterRegistry(db)
    assert registry.active_path(base_sha) == active.path  # verified: hash, header, base
    assert [r.version for r in registry.list_versions(base_sha)] == [active.version]
    assert db.execute("SELECT status FROM training_runs").fetchall() == [("running",)]


def test_too_few_examples_is_a_clean_skip(flywheel_home) -> None:
    trainer = Trainer(flywheel_home)
    assert trainer.finish() == EXIT_OK
    assert trainer.events[-1]["event"] == "done" and trainer.events[-1]["status"] == "skipped"


def test_a_bad_config_is_reported_as_a_usage_error(flywheel_home) -> None:
    bad = flywheel_home.parent / "bad.json"
    bad.write_text('{"r": 0}')
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "run", "--json", "--config", str(bad)],
        cwd=REPO,
        env={**os.environ, "FLYWHEEL_HOME": str(flywheel_home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 2
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "event": "error",
        "message": "invalid training setting(s): r",
    }
