"""A benchmark stopped with SIGTERM leaves none of its child processes running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import subprocess, sys, time
from bench.stopping import end_children_on_sigterm
end_children_on_sigterm()
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
try:  # the pid inside: a SIGTERM that comes right after it must still reach finally
    print(child.pid, flush=True)
    time.sleep(120)
finally:
    print("cleaned", flush=True)
"""


def test_sigterm_ends_the_children_and_runs_finally() -> None:
    bench = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], cwd=REPO, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert bench.stdout is not None
    child = psutil.Process(int(bench.stdout.readline()))
    bench.send_signal(signal.SIGTERM)
    rest = bench.stdout.read()
    assert bench.wait(30) == 128 + signal.SIGTERM
    assert "cleaned" in rest
    deadline = time.monotonic() + 10
    while child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the bench's child is still running"
        time.sleep(0.1)
