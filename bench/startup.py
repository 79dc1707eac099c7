"""Cold start: how soon the window is on screen, how soon a reply could start, at what memory.

Run ``python -m bench.startup --json [--runs N]``; prints one JSON object. Each run launches
the real app (``python -m app``) offscreen on a fresh temporary data folder with
``FLYWHEEL_STARTUP_PROBE=exit``: the app prints a JSON line when its window has been painted
for the first time, another when the model has loaded in the background (the first token
is possible from then on), and a third when the sentence embedder that ranks skills by
meaning has loaded after it (converted to GGUF on the first launch of a data folder), with
its resident memory at that moment, then quits. Times are
measured from just before the process is launched, so they include the interpreter's own
start.

The app's bytecode is cached in a folder of its own (``PYCACHE``), as an installed app's is;
one warm-up launch fills it and warms the disk cache, and is reported apart
(``first_run``) and left out of the figures.

Goals: median time to the window < 1.5 s; resident memory of the GUI process with the default
model and the embedder loaded < 600 MB (the largest of the runs; ``rss_model_mb`` is the
memory with the model alone). ``window_shown_cpu_s`` is the CPU time the
app had used when its window appeared: it stays comparable when other jobs share the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL_WINDOW_S = 1.5
GOAL_RSS_MB = 600.0
RUN_TIMEOUT_S = 180.0
REPO = Path(__file__).resolve().parent.parent
PYCACHE = Path(tempfile.gettempdir()) / "flywheel-bench-pycache"


def app_environment(home: Path) -> dict[str, str]:
    """The child's environment: offscreen, its own data folder, the probe, cached bytecode."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env |= {
        "QT_QPA_PLATFORM": "offscreen",
        "FLYWHEEL_HOME": str(home),
        "FLYWHEEL_STARTUP_PROBE": "exit",
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
    }
    return env


def launch_once(timeout_s: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """One launch of the app until it quits by itself; the probe's figures, in seconds and MB."""
    with tempfile.TemporaryDirectory(prefix="flywheel-bench-startup-") as home:
        started = time.time()
        proc = subprocess.run(
            [sys.executable, "-m", "app"],
            cwd=REPO,
            env=app_environment(Path(home)),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    events = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            events[event["event"]] = event
    if not {"window_shown", "model_ready", "embedder_ready"} <= events.keys():
        failure = events.get("model_failed", {}).get("message") or proc.stderr[-2000:]
        raise RuntimeError(f"the app exited with {proc.returncode} before all events: {failure}")
    shown, ready, embedder = events["window_shown"], events["model_ready"], events["embedder_ready"]
    return {
        "window_shown_s": round(shown["t"] - started, 3),
        "window_shown_cpu_s": round(shown["cpu_s"], 3),
        "model_ready_s": round(ready["t"] - started, 3),
        "embedder_ready_s": round(embedder["t"] - started, 3),
        "embedder_loaded": embedder["loaded"],
        "rss_model_mb": round(ready["rss_bytes"] / 2**20, 1),
        "rss_mb": round(embedder["rss_bytes"] / 2**20, 1),
        "exit_code": proc.returncode,
    }


def _summary(values: list[float]) -> dict[str, Any]:
    return {"median": round(statistics.median(values), 3), "max": max(values), "runs": values}


def run(runs: int) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    first = launch_once()
    measured = [launch_once() for _ in range(runs)]
    window = _summary([m["window_shown_s"] for m in measured])
    rss = _summary([m["rss_mb"] for m in measured])
    return {
        "benchmark": "startup",
        "window_shown_s": window,
        "window_shown_cpu_s": _summary([m["window_shown_cpu_s"] for m in measured]),
        "model_ready_s": _summary([m["model_ready_s"] for m in measured]),
        "embedder_ready_s": _summary([m["embedder_ready_s"] for m in measured]),
        "embedder_loaded": all(m["embedder_loaded"] for m in measured),
        "rss_model_mb": _summary([m["rss_model_mb"] for m in measured]),
        "rss_mb": rss,
        "first_run": first,
        "runs": runs,
        "goals": {"window_shown_s_median": GOAL_WINDOW_S, "rss_mb_max": GOAL_RSS_MB},
        "goals_met": {
            "window_shown_s": window["median"] < GOAL_WINDOW_S,
            "rss_mb": rss["max"] < GOAL_RSS_MB,
        },
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "cpu_count": os.cpu_count(),
        "bytecode_cache": str(PYCACHE),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object (default)")
    parser.add_argument("--runs", type=int, default=5, help="measured launches (after a warm-up)")
    args = parser.parse_args(argv)
    result = run(max(1, args.runs))
    print(json.dumps(result))
    return 0 if all(result["goals_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
