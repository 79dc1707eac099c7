"""End-to-end learning benchmark: does what a user teaches change what the model does next?

Run ``python -m bench.learning PATH [PATH ...] --json [--layers lora|skills|both|all]
[--sequence] [--goals default|test]``; a PATH is a scenario file or a folder of them
(``*.json``, format: :mod:`bench.scenario`, ``docs/learning.md``). It prints one JSON object.

Everything goes through the real pipeline, in a throw-away Flywheel home:

1. each held-out prompt is asked in a fresh conversation (greedy decoding) →
   ``adoption_before``, the share of replies matching the item's case-insensitive
   ``expect`` regex; each control prompt likewise → ``over_application_before``, the share
   matching its ``reject`` regex;
2. each teaching prompt is sent as a user turn (:class:`app.assistant.Turn`, answered by the
   model), then handled as the window handles what the user does next: Regenerate (a
   ``Turn`` with ``regenerate_of``, as the window's button starts it), the Correct button
   (:func:`app.ui.feedback.save_correction`), a thumb with its reason
   (:func:`app.ui.feedback.save_thumb`), and a next message typed in the same conversation
   (another ``Turn``: the app's next-message capture alone decides what it teaches);
3. unless ``--layers skills``, the bench measures the canary perplexity of the adapter being
   served (:mod:`bench.canary`), the trainer runs as the idle scheduler starts it
   (``trainer run --json`` in a child process), its gate decides, a promoted adapter is
   hot-swapped into the running runtime (``swap_ms``), and the canary is measured again;
4. the held-out and control prompts are asked again → ``adoption_after``,
   ``over_application``.

``--layers lora`` turns skill retrieval off for every turn, ``skills`` never trains (the
adapter stays off), ``both`` uses both. ``all`` teaches and trains once with both layers on,
then asks the held-out and control prompts under each layer (the adapter switched off for
``skills``, skill retrieval off for ``lora``): the same lesson measured three ways, in a
third of the time of three runs; it also reports, per scenario, whether ``both`` did at least
as well as the better single layer.

Each scenario is taught on a fresh model in its own home. ``--sequence`` teaches them one
after another on one home instead, training after each, and at the end asks every lesson's
held-out prompts again (``adoption_after_all``, retention: did a later lesson erase it?).
The verdict (``goals_met``) covers every scenario of the run against the goals printed under
``goals`` (:mod:`bench.verdict`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from bench.canary import canary_perplexity
from bench.scenario import (
    ScenarioError,
    is_echo,
    load_scenario,
    scenario_paths,
    teach_kind,
    user_words,
)
from bench.stopping import end_children_on_sigterm
from bench.verdict import GOALS, Goals, both_at_least_best, canary_rise, layer_figures, run_checks

__all__ = ["Replay", "ScenarioError", "load_scenario", "main", "run", "use_throwaway_home"]

LAYERS = ("lora", "skills", "both", "all")
MEASURED = {
    "lora": ("lora",),
    "skills": ("skills",),
    "both": ("both",),
    "all": ("lora", "skills", "both"),
}
BASE_CACHE = Path(tempfile.gettempdir()) / "flywheel-bench-base-cache"
# The base model's greedy replies to the anchor and leak-probe requests (``trainer.anchors``)
# are made once per base model and kept in the trainer's cache; a user's first run pays for
# them (about 40 + 25 s on the loaded 2-core machine), every later run reads them. Kept here
# between throw-away homes, the bench times the runs a user has after the first, as it
# already does for the dequantized base weights; ``base_replies_cached`` says which it was.
# The base model's canary perplexity, which the gate keeps likewise, is kept with them.
BASE_REPLIES_CACHE = Path(tempfile.gettempdir()) / "flywheel-bench-base-replies"
BASE_REPLIES = ("base-replies-*.json", "canary-ppl.json")  # trainer.evaluate.CANARY_CACHE


def _children_cpu_seconds() -> float:
    """User and system CPU seconds of the child processes waited for so far (0 on Windows,
    which does not count them)."""
    times = os.times()
    return times.children_user + times.children_system


def share_base_replies(source: Path, target: Path) -> int:
    """Copy the trainer's cached base replies from ``source`` to ``target``; how many files."""
    target.mkdir(parents=True, exist_ok=True)
    files = sorted(p for g in BASE_REPLIES for p in source.glob(g)) if source.is_dir() else []
    for path in files:
        shutil.copyfile(path, target / path.name)
    return len(files)


def use_throwaway_home() -> Path:
    """A fresh Flywheel home whose dequantized base weights survive between bench runs."""
    home = Path(tempfile.mkdtemp(prefix="flywheel-bench-"))
    os.environ["FLYWHEEL_HOME"] = str(home)
    (home / "cache").mkdir()
    BASE_CACHE.mkdir(exist_ok=True)
    (home / "cache" / "base").symlink_to(BASE_CACHE, target_is_directory=True)
    return home


class Replay:
    """The app's pieces, wired as the window wires them, driven by a scenario.

    ``layers`` is the layer the lessons are taught with (``lora``, ``skills`` or ``both``).
    """

    def __init__(self, layers: str, max_tokens: int) -> None:
        from app.assistant import runtime_from_settings
        from app.model.catalog import file_sha256
        from app.settings import Settings
        from app.store.db import open_db

        self.settings = Settings()
        self.settings.model.temperature = 0.0
        # The decoding of the earlier reports (no penalty), so adoption figures stay comparable.
        self.settings.model.repeat_penalty = 1.0
        self.settings.model.max_reply_tokens = max_tokens
        self.teaching = layers
        self.use_skills = layers != "lora"
        self.adapter: Path | None = None
        self.db = open_db()
        self.runtime = runtime_from_settings(self.settings)
        self.runtime.load()
        self.base_sha = file_sha256(self.runtime.path)

    def close(self) -> None:
        """Free the model and the database connection (the next scenario opens its own)."""
        self.runtime.close()
        self.db.conn.close()

    def use_layer(self, layer: str) -> None:
        """Answer the next turns with ``layer`` only: skills, the promoted adapter, or both."""
        self.use_skills = layer != "lora"
        wanted = None if layer == "skills" else self.adapter
        if wanted == self.runtime.active_adapter:
            return
        if wanted is None:
            self.runtime.remove_adapter()
        else:
            self.runtime.apply_adapter(wanted)

    def _turn(self, conversation: int, **kind: Any) -> tuple[int, str]:
        """One turn as the window's model worker runs it; (assistant message id, reply)."""
        from app.assistant import Turn

        turn = Turn(
            self.db, self.runtime, self.settings, conversation, use_skills=self.use_skills, **kind
        )
        for _ in turn:
            pass
        assert turn.result is not None
        return turn.result.assistant_message_id, turn.result.text

    def ask_in(self, prompt: str) -> tuple[int, int, str]:
        """One user turn in a fresh conversation; (conversation id, reply id, reply)."""
        from app.store.conversations import create_conversation

        conversation = create_conversation(self.db, prompt[:60])
        message_id, text = self._turn(conversation, user_text=prompt)
        print(f"asked: {prompt[:50]!r} -> {text[:60]!r}", file=sys.stderr)
        return conversation, message_id, text

    def ask(self, prompt: str) -> tuple[int, str]:
        """One user turn in a fresh conversation; (assistant message id, reply)."""
        _, message_id, text = self.ask_in(prompt)
        return message_id, text

    def probe(
        self, items: list[dict[str, Any]], field: str, words: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """Ask each prompt afresh; whether its reply matches the item's ``field`` regex
        (and, given the user's ``words``, whether it only echoes them)."""
        replies = []
        for item in items:
            _, text = self.ask(item["prompt"])
            reply = {
                "prompt": item["prompt"],
                "hit": re.search(item[field], text, re.IGNORECASE) is not None,
                "reply": text[:300],
            }
            if words is not None:
                reply["echo"] = is_echo(text, words)
            replies.append(reply)
        return replies

    def adoption(self, scenario: dict[str, Any]) -> tuple[float, list[dict[str, Any]]]:
        """The share of held-out replies matching their ``expect``, and the replies (each
        marked ``echo`` when it parrots what the user said while teaching)."""
        replies = self.probe(scenario["heldout"], "expect", user_words(scenario))
        return sum(r["hit"] for r in replies) / len(replies), replies

    def over_application(self, scenario: dict[str, Any]) -> tuple[float | None, list[dict]]:
        """The share of control replies matching their ``reject`` (None: no controls), and
        the replies (each marked ``echo`` as :meth:`adoption` marks them)."""
        replies = self.probe(scenario.get("control") or [], "reject", user_words(scenario))
        return (sum(r["hit"] for r in replies) / len(replies) if replies else None), replies

    def teach_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """Ask the prompt, then do what the item says about the reply, in the window's way;
        what the app recorded from it (the kinds of signal, by the app's own reading)."""
        from app.store.signals import conversation_signal_ids, get_signal
        from app.ui.feedback import save_correction, save_thumb

        conversation, message_id, _ = self.ask_in(item["prompt"])
        if item.get("regenerate"):
            message_id, text = self._turn(conversation, regenerate_of=message_id)
            print(f"regenerated -> {text[:60]!r}", file=sys.stderr)
        if "correction" in item:
            save_correction(self.db, message_id, item["correction"], self.settings)
        if "thumb" in item:
            up = item["thumb"] == "up"
            save_thumb(self.db, message_id, up, item.get("reason", ""), self.settings)
        if "say" in item:
            _, text = self._turn(conversation, user_text=item["say"])
            print(f"said: {item['say'][:50]!r} -> {text[:60]!r}", file=sys.stderr)
        kinds = [
            signal["kind"]
            for signal_id in conversation_signal_ids(self.db, conversation)
            if (signal := get_signal(self.db, signal_id)) is not None
        ]
        return {"prompt": item["prompt"], "kind": teach_kind(item), "signals": kinds}

    def teach(self, scenario: dict[str, Any]) -> list[dict[str, Any]]:
        """Go through every teaching item as a user would; what each one recorded."""
        self.use_layer(self.teaching)
        return [self.teach_item(item) for item in scenario["teach"]]

    def train(self, config: Path | None) -> dict[str, Any]:
        """One trainer run as the supervisor starts it, then the hot-swap of its result;
        the canary perplexity of the served adapter before and after, by the bench."""
        from app.learning.registry import AdapterRegistry
        from app.learning.trainer_process import parse_event, trainer_command
        from app.paths import user_dir

        self.use_layer(self.teaching)
        canary_before = canary_perplexity(self.runtime)
        trainer_cache = user_dir() / "cache" / "trainer"
        base_replies_cached = share_base_replies(BASE_REPLIES_CACHE, trainer_cache) > 0
        extra = ["--config", str(config)] if config else []
        started = time.perf_counter()
        cpu_before = _children_cpu_seconds()
        proc = subprocess.Popen(
            trainer_command(*extra), stdout=subprocess.PIPE, text=True, bufsize=1
        )
        final: dict[str, Any] = {"event": "error", "message": "no result line"}
        steps = 0
        assert proc.stdout is not None
        for line in proc.stdout:
            event = parse_event(line)
            if event is None:
                continue
            if event["event"] == "progress":
                steps = event["step"]
                print(f"step {steps}/{event['total']} loss {event['loss']}", file=sys.stderr)
            if event["event"] in ("done", "preempted", "error"):
                final = event
        proc.wait()
        train_s = time.perf_counter() - started
        cpu_s = _children_cpu_seconds() - cpu_before
        share_base_replies(trainer_cache, BASE_REPLIES_CACHE)
        metrics = final.get("metrics") or {}
        out: dict[str, Any] = {
            "status": final.get("status", final["event"]),
            "reason": final.get("reason") or final.get("message"),
            "steps": steps,
            "exit_code": proc.returncode,
            "promoted": final.get("status") == "promoted",
            "train_seconds": round(train_s, 1),
            # where they went, per phase of the trainer; "other": process start-up, loading
            # the examples and the tokenizer, encoding, registering
            "phase_seconds": phase_seconds(metrics.get("seconds"), train_s),
            "base_replies_cached": base_replies_cached,
            # the trainer's own CPU time: on a machine shared with other benchmarks the wall
            # time above is mostly waiting for a core
            "train_cpu_seconds": round(cpu_s, 1),
            "swap_ms": None,
            # The gate's own figures, for comparison only: the verdict uses the bench's.
            "gate_canary_ppl_current": (metrics.get("current") or {}).get("canary_ppl"),
            "gate_canary_ppl_candidate": (metrics.get("candidate") or {}).get("canary_ppl"),
            # per hinted example: the hint, the teacher's reply, whether it followed the hint
            "teacher": final.get("teacher") or metrics.get("teacher"),
        }
        if out["promoted"]:
            path = AdapterRegistry(self.db).active_path(self.base_sha)
            began = time.perf_counter()
            self.runtime.apply_adapter(path)
            out["swap_ms"] = round((time.perf_counter() - began) * 1000, 1)
            self.adapter = self.runtime.active_adapter
        canary_after = canary_perplexity(self.runtime)
        out["canary_ppl_before"] = round(canary_before, 4)
        out["canary_ppl_after"] = round(canary_after, 4)
        out["canary_rise"] = canary_rise(canary_before, canary_after)
        return out


def phase_seconds(phases: dict[str, float] | None, total: float) -> dict[str, float] | None:
    """The trainer's own seconds per phase, and the rest of ``total`` as ``other``."""
    if not phases:
        return None
    return {**phases, "other": round(total - sum(phases.values()), 1)}


def lesson(
    replay: Replay, scenario: dict[str, Any], layers: str, config: Path | None
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Teach one scenario (and train, unless skills only); its figures before and during,
    and each measured layer's figures after."""
    replay.use_layer(replay.teaching)
    before, replies_before = replay.adoption(scenario)
    over_before, controls_before = replay.over_application(scenario)
    taught = replay.teach(scenario)
    signals = Counter(kind for item in taught for kind in item["signals"])
    entry: dict[str, Any] = {
        "name": scenario["name"],
        "file": scenario["file"],
        "adoption_before": before,
        "over_application_before": over_before,
        "signals": sum(signals.values()),
        "signals_by_kind": dict(sorted(signals.items())),
        "taught": taught,
        "training": replay.train(config) if layers != "skills" else None,
        "replies_before": replies_before,
        "control_replies_before": controls_before,
    }
    after: dict[str, dict[str, Any]] = {}
    for layer in MEASURED[layers]:
        replay.use_layer(layer)
        adoption, replies = replay.adoption(scenario)
        over, controls = replay.over_application(scenario)
        after[layer] = {
            "name": scenario["name"],
            "adoption_after": adoption,
            "over_application": over,
            "replies_after": replies,
            "control_replies": controls,
        }
    return entry, after


def run(
    paths: list[Path],
    layers: str,
    config: Path | None,
    max_tokens: int,
    goals: Goals | None = None,
    sequence: bool = False,
) -> dict[str, Any]:
    """Teach every scenario of ``paths`` (each on a fresh home, or as one ``sequence``)."""
    goals = goals or GOALS["default"]
    files = scenario_paths(paths)
    scenarios = [{**load_scenario(path), "file": str(path)} for path in files]  # all, first
    teaching = "both" if layers == "all" else layers
    runs: list[dict[str, Any]] = []
    after: dict[str, list[dict[str, Any]]] = {layer: [] for layer in MEASURED[layers]}
    retention: dict[str, dict[str, float]] | None = None
    homes: list[str] = []
    failed: list[dict[str, str]] = []
    taught: list[dict[str, Any]] = []
    replay: Replay | None = None
    for scenario in scenarios:
        if replay is None or not sequence:
            if replay is not None:
                replay.close()
            homes.append(str(use_throwaway_home()))
            replay = Replay(teaching, max_tokens)
        try:
            entry, measured = lesson(replay, scenario, layers, config)
        except Exception as exc:  # one broken lesson must not lose the others' figures
            traceback.print_exc(file=sys.stderr)
            error = f"{type(exc).__name__}: {exc}"
            failed.append({"name": scenario["name"], "file": scenario["file"], "error": error})
            continue
        runs.append(entry)
        taught.append(scenario)
        for layer, figures in measured.items():
            after[layer].append(figures)
    assert replay is not None  # argparse and scenario_paths refuse an empty list
    if sequence and taught:
        retention = {}
        for layer in MEASURED[layers]:  # every lesson again, after the last one
            replay.use_layer(layer)
            retention[layer] = {s["name"]: replay.adoption(s)[0] for s in taught[:-1]}
            retention[layer][taught[-1]["name"]] = after[layer][-1]["adoption_after"]
    replay.close()
    if not runs:
        return {"bench": "learning", "error": "no scenario could be taught", "failed": failed}
    by_layer = {
        layer: layer_figures(layer, after[layer], retention and retention[layer], goals)
        for layer in MEASURED[layers]
    }
    report: dict[str, Any] = {
        "bench": "learning",
        "layers": layers,
        "mode": "sequence" if sequence else "each on a fresh model",
        "scenarios": [s["name"] for s in scenarios],
        "files": [s["file"] for s in scenarios],
        "goals": goals.as_dict(),
        **run_checks(runs, goals, trained=layers != "skills"),
        "by_layer": by_layer,
    }
    report["failed"] = failed  # scenarios that crashed: the verdict cannot be met
    report["checks"]["every_scenario_taught"] = not failed
    if layers == "all":
        report["both_at_least_best"] = both_at_least_best(by_layer)
        if goals.both_at_least_best:
            report["checks"]["both_at_least_best"] = all(report["both_at_least_best"].values())
    report["goals_met"] = all(report["checks"].values()) and all(
        all(sub["checks"].values()) for sub in by_layer.values()
    )
    report["runs"] = runs
    report["homes"] = homes
    report["load_average_1m"] = os.getloadavg()[0]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.learning",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "scenarios", nargs="+", type=Path, help="scenario JSON file(s) or folder(s) of them"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--layers", choices=LAYERS, default="lora")
    parser.add_argument(
        "--sequence",
        action="store_true",
        help="teach the scenarios one after another on one home, then measure retention",
    )
    parser.add_argument(
        "--goals",
        choices=sorted(GOALS),
        default="default",
        help="the goals judged: default, or test (issue 19's acceptance)",
    )
    parser.add_argument("--config", type=Path, help="trainer config JSON (TrainConfig fields)")
    parser.add_argument("--max-tokens", type=int, default=160, help="longest reply (tokens)")
    args = parser.parse_args(argv)
    end_children_on_sigterm()
    try:
        report = run(
            args.scenarios,
            args.layers,
            args.config,
            args.max_tokens,
            GOALS[args.goals],
            args.sequence,
        )
    except ScenarioError as exc:
        print(json.dumps({"bench": "learning", "error": str(exc)}))
        return 2
    if "error" in report:
        print(json.dumps(report))
        return 2
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            if key not in ("runs", "by_layer"):
                print(f"{key}: {value}")
    return 0 if report["goals_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
