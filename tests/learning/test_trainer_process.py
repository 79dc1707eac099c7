"""The trainer's command line: a source checkout runs ``-m trainer``, a frozen app itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.learning.trainer_process import trainer_command

REPO = Path(__file__).resolve().parents[2]


def test_a_source_checkout_runs_the_trainer_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert trainer_command("--max-steps", "2") == [
        sys.executable, "-m", "trainer", "run", "--json", "--max-steps", "2",
    ]


def test_a_frozen_app_runs_its_own_executable_as_the_trainer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    executable = tmp_path / "flywheel" / "flywheel"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))
    assert trainer_command("--threads", "1") == [
        str(executable), "trainer", "run", "--json", "--threads", "1",
    ]


def test_the_trainer_subcommand_is_the_trainer_process(flywheel_home: Path) -> None:
    """What a frozen app runs, run from source: the entry point hands argv to the trainer
    (no Qt), which does a real run on an empty database and skips it cleanly."""
    code = (
        "import sys\n"
        "from app.__main__ import main\n"
        "main(sys.argv[1:])\n"
        "raise SystemExit('the trainer sub-command returned instead of exiting')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "trainer", "run", "--json", "--nice", "0"],
        cwd=REPO,
        env={**os.environ, "FLYWHEEL_HOME": str(flywheel_home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert events[-1]["event"] == "done" and events[-1]["status"] == "skipped"
