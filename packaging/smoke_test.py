"""Smoke-test a packaged Flywheel (``dist/flywheel``) the way a user and the app run it.

``python packaging/smoke_test.py [APP_DIR] [--no-train]``, run with the project's venv (it uses
the source tree only to seed a database for the training check). Each check runs the frozen
executable in its own temporary data folder (``FLYWHEEL_HOME``), offscreen:

1. ``flywheel smoke-test``: the real window sends one message and waits for the reply; its
   JSON line (reply length, timings) is printed.
2. ``flywheel train``: starts the frozen trainer exactly as the app does
   (``trainer_command()``, i.e. ``flywheel trainer run --json``); on an empty database the
   trainer loads torch and peft, reads the model and skips cleanly.
3. (skipped with ``--no-train``) a few corrections are recorded through the app's own
   signal capture, then ``flywheel train --max-steps 2`` runs a real LoRA training in the
   frozen trainer (transformers' GGUF loader, peft, GGUF export, the llama.cpp gate) and must
   finish; when the gate promotes the adapter, the window must answer with it (llama.cpp
   LoRA loading).
   Check 2 only proves the trainer imports; transformers and peft load much of their code
   lazily (the GGUF loader, the llama model, LoRA layers), which only this check reaches.

Exit status 0 only when every check passed; the first failure is printed with its output.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_APP = ROOT / "dist" / "flywheel"
SMOKE_TIMEOUT_S = 600
TRAIN_TIMEOUT_S = 1800
CORRECTIONS = (
    ("What is my cat called?", "I don't know.", "Your cat is called Pixel."),
    ("Tell me my cat's name.", "Cats have many names.", "Your cat is called Pixel."),
    ("My cat's name?", "I am not sure.", "Your cat is called Pixel."),
    ("Remind me what my cat is called.", "Sorry, I cannot.", "Your cat is called Pixel."),
    ("Which name did I give my cat?", "No idea.", "Your cat is called Pixel."),
)


class CheckFailed(Exception):
    """A check did not pass; the message carries what the app printed."""


def run_app(app: Path, args: list[str], home: Path, timeout: float) -> tuple[str, float]:
    """Run the frozen executable; return its stdout and the wall time, or raise CheckFailed."""
    env = {**os.environ, "FLYWHEEL_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    try:
        done = subprocess.run([str(app / "flywheel"), *args], env=env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise CheckFailed(f"`flywheel {' '.join(args)}` ran over {timeout:g} s") from exc
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise CheckFailed(
            f"`flywheel {' '.join(args)}` exited {done.returncode}\n"
            f"--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
        )
    return done.stdout, elapsed


def check_window(app: Path, home: Path) -> dict:
    out, elapsed = run_app(app, ["smoke-test"], home, SMOKE_TIMEOUT_S)
    report = json.loads(out.strip().splitlines()[-1])
    if not report.get("ok") or report.get("reply_chars", 0) <= 0:
        raise CheckFailed(f"smoke-test reported {report}")
    return {**report, "process_s": round(elapsed, 1)}


def check_trainer_starts(app: Path, home: Path) -> dict:
    out, elapsed = run_app(app, ["train"], home, SMOKE_TIMEOUT_S)
    if "skipped" not in out:
        raise CheckFailed(f"the trainer did not skip an empty database:\n{out}")
    return {"result": out.strip().splitlines()[-1], "process_s": round(elapsed, 1)}


def seed_corrections(home: Path) -> int:
    """Record corrected replies through the app's signal capture, as the Correct button does."""
    os.environ["FLYWHEEL_HOME"] = str(home)
    sys.path.insert(0, str(ROOT))
    from app.model.prompt import render_chat
    from app.signals.capture import record_correction
    from app.store import conversations as conv
    from app.store.db import open_db
    from app.store.examples import count as count_examples

    db = open_db()
    for question, reply, corrected in CORRECTIONS:
        conversation = conv.create_conversation(db, question)
        conv.add_message(db, conversation, "user", question)
        prompt = render_chat([{"role": "user", "content": question}])  # what the model saw
        reply_id = conv.add_message(db, conversation, "assistant", reply, prompt=prompt)
        record_correction(db, reply_id, corrected)
    examples = count_examples(db)
    db.conn.close()
    return examples


def check_training(app: Path, home: Path) -> dict:
    examples = seed_corrections(home)
    if examples < len(CORRECTIONS):
        raise CheckFailed(f"seeding the corrections gave {examples} training examples")
    out, elapsed = run_app(app, ["train", "--max-steps", "2"], home, TRAIN_TIMEOUT_S)
    final = out.strip().splitlines()[-1]
    if not final.startswith(("promoted", "rejected")):
        raise CheckFailed(f"the frozen trainer did not finish a run:\n{out}")
    report = {"examples": examples, "result": final, "process_s": round(elapsed, 1)}
    if final.startswith("rejected"):
        return report  # the gate decided; nothing new to serve
    served = check_window(app, home)
    if not served["adapter"]:
        raise CheckFailed(f"the window did not serve the promoted adapter: {served}")
    return {**report, "served_by_adapter": served["adapter"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("app", nargs="?", type=Path, default=DEFAULT_APP,
                        help=f"the one-folder app (default {DEFAULT_APP})")
    parser.add_argument("--no-train", dest="train", action="store_false",
                        help="skip the real 2-step training in the frozen trainer (~70 s)")
    args = parser.parse_args()
    checks = [("window", check_window), ("trainer", check_trainer_starts)]
    if args.train:
        checks.append(("training", check_training))
    for name, check in checks:
        with tempfile.TemporaryDirectory(prefix=f"flywheel-smoke-{name}-") as home:
            try:
                report = check(args.app.resolve(), Path(home))
            except CheckFailed as exc:
                print(f"smoke {name}: FAILED\n{exc}", file=sys.stderr)
                return 1
        print(json.dumps({"check": name, **report}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
