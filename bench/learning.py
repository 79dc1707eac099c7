"""End-to-end learning benchmark: does a correction change what the model does next time?

Run ``python -m bench.learning SCENARIO.json [MORE.json ...] --json [--layers lora|skills|both]``;
it prints one JSON object. Scenario format: see ``docs/learning.md``.

Everything goes through the real pipeline, in a throw-away Flywheel home:

1. each held-out prompt is asked in a fresh conversation (greedy decoding) → ``adoption_before``,
   the share of replies matching the item's case-insensitive ``expect`` regex;
2. each teaching prompt is sent as a user turn (:class:`app.assistant.Turn`, answered by the
   model), then corrected exactly as the Correct button does
   (:func:`app.ui.feedback.save_correction`: the signal, its examples and skill synthesis);
3. for the ``lora`` and ``both`` layers, the trainer runs as the idle scheduler starts it
   (``trainer run --json`` in a child process); its gate decides, and a promoted adapter is
   hot-swapped into the running runtime (``swap_ms``);
4. the held-out prompts are asked again → ``adoption_after``.

``--layers lora`` turns skill retrieval off for every turn, ``skills`` never trains (the
adapter stays off), ``both`` uses both. ``all`` teaches and trains once with both layers on,
then asks the held-out prompts three times, under each layer (the adapter switched off for
``skills``, skill retrieval off for ``lora``): the same lesson, measured three ways, in a
third of the time of three runs; it reports each layer's figures under ``by_layer`` and,
per scenario, whether ``both`` did at least as well as the better single layer. Its
``adoption_before`` is measured with both layers on.

With several scenarios, each is taught and trained in turn, and every scenario taught so
far is re-measured after the last one, to show whether a later lesson erased an earlier one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL_ADOPTION_LORA = 0.8
GOAL_ADOPTION_SKILLS = 0.6
GOAL_ADOPTION_BEFORE = 0.2
GOAL_CANARY_RISE = 0.05
GOAL_TRAIN_S = 300.0
LAYERS = ("lora", "skills", "both", "all")
MEASURED = {
    "lora": ("lora",),
    "skills": ("skills",),
    "both": ("both",),
    "all": ("lora", "skills", "both"),
}
BASE_CACHE = Path(tempfile.gettempdir()) / "flywheel-bench-base-cache"


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed, with the reason."""


def load_scenario(path: Path) -> dict[str, Any]:
    """Read and check a scenario, so a typo fails before minutes of model work."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ScenarioError(f"{path}: expected an object with a 'name'")
    for key, fields in (("teach", ("prompt", "correction")), ("heldout", ("prompt", "expect"))):
        items = data.get(key)
        if not isinstance(items, list) or not items:
            raise ScenarioError(f"{path}: '{key}' must be a non-empty list")
        for item in items:
            if not isinstance(item, dict) or not all(
                isinstance(item.get(f), str) and item[f].strip() for f in fields
            ):
                raise ScenarioError(f"{path}: every '{key}' item needs {' and '.join(fields)}")
    for item in data["heldout"]:
        try:
            re.compile(item["expect"], re.IGNORECASE)
        except re.error as exc:
            raise ScenarioError(f"{path}: bad regex {item['expect']!r}: {exc}") from exc
    return data


def use_throwaway_home() -> Path:
    """A fresh Flywheel home whose dequantized base weights survive between bench runs."""
    home = Path(tempfile.mkdtemp(prefix="flywheel-bench-"))
    os.environ["FLYWHEEL_HOME"] = str(home)
    (home / "cache").mkdir()
    BASE_CACHE.mkdir(exist_ok=True)
    (home / "cache" / "base").symlink_to(BASE_CACHE, target_is_directory=True)
    return home


class Replay:
    """The app's pieces, wired as the window wires them, driven by a scenario."""

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
        self.use_skills = layers != "lora"
        self.adapter: Path | None = None
        self.db = open_db()
        self.runtime = runtime_from_settings(self.settings)
        self.runtime.load()
        self.base_sha = file_sha256(self.runtime.path)

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

    def ask(self, prompt: str) -> tuple[int, str]:
        """One user turn in a fresh conversation; (assistant message id, reply)."""
        from app.assistant import Turn
        from app.store.conversations import create_conversation

        conversation = create_conversation(self.db, prompt[:60])
        turn = Turn(
            self.db,
            self.runtime,
            self.settings,
            conversation,
            user_text=prompt,
            use_skills=self.use_skills,
        )
        for _ in turn:
            pass
        assert turn.result is not None
        print(f"asked: {prompt[:50]!r} -> {turn.result.text[:60]!r}", file=sys.stderr)
        return turn.result.assistant_message_id, turn.result.text

    def adoption(self, scenario: dict[str, Any]) -> tuple[float, list[dict[str, Any]]]:
        replies = []
        for item in scenario["heldout"]:
            _, text = self.ask(item["prompt"])
            hit = re.search(item["expect"], text, re.IGNORECASE) is not None
            replies.append({"prompt": item["prompt"], "hit": hit, "reply": text[:300]})
        return sum(r["hit"] for r in replies) / len(replies), replies

    def teach(self, scenario: dict[str, Any]) -> int:
        """Ask and correct each teaching item as a user would; the number of signals."""
        from app.ui.feedback import save_correction

        signals = 0
        for item in scenario["teach"]:
            message_id, _ = self.ask(item["prompt"])
            signals += len(save_correction(self.db, message_id, item["correction"], self.settings))
        return signals

    def train(self, config: Path | None) -> dict[str, Any]:
        """One trainer run as the supervisor starts it, then the hot-swap of its result."""
        from app.learning.registry import AdapterRegistry
        from app.learning.trainer_process import parse_event, trainer_command

        extra = ["--config", str(config)] if config else []
        started = time.perf_counter()
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
        out: dict[str, Any] = {
            "status": final.get("status", final["event"]),
            "reason": final.get("reason") or final.get("message"),
            "steps": steps,
            "exit_code": proc.returncode,
        }
        metrics = final.get("metrics") or {}
        out["canary_ppl_before"] = (metrics.get("current") or {}).get("canary_ppl")
        out["canary_ppl_after"] = (metrics.get("candidate") or {}).get("canary_ppl")
        out["promoted"] = final.get("status") == "promoted"
        swap_ms = None
        if out["promoted"]:
            path = AdapterRegistry(self.db).active_path(self.base_sha)
            began = time.perf_counter()
            self.runtime.apply_adapter(path)
            swap_ms = (time.perf_counter() - began) * 1000
            self.adapter = self.runtime.active_adapter
        out["train_seconds"] = round(train_s, 1)
        out["swap_ms"] = round(swap_ms, 1) if swap_ms is not None else None
        return out


def run(paths: list[Path], layers: str, config: Path | None, max_tokens: int) -> dict[str, Any]:
    scenarios = [load_scenario(p) for p in paths]
    home = use_throwaway_home()
    teaching = "both" if layers == "all" else layers
    replay = Replay(teaching, max_tokens)
    shared: list[dict[str, Any]] = []
    after: dict[str, list[dict[str, Any]]] = {layer: [] for layer in MEASURED[layers]}
    for scenario in scenarios:
        replay.use_layer(teaching)
        before, before_replies = replay.adoption(scenario)
        entry: dict[str, Any] = {"name": scenario["name"], "adoption_before": before}
        entry["signals"] = replay.teach(scenario)
        if layers != "skills":
            entry.update(replay.train(config))
        entry["replies_before"] = before_replies
        shared.append(entry)
        for layer in MEASURED[layers]:
            replay.use_layer(layer)
            adoption, replies = replay.adoption(scenario)
            after[layer].append({"adoption_after": adoption, "replies_after": replies})
    final: dict[str, dict[str, float]] = {}
    for layer in MEASURED[layers]:  # earlier lessons, re-measured after the last one
        replay.use_layer(layer)
        final[layer] = {s["name"]: replay.adoption(s)[0] for s in scenarios[:-1]}
    by_layer = {
        layer: layer_report(layer, shared, after[layer], final[layer]) for layer in MEASURED[layers]
    }
    context = {"home": str(home), "load_average_1m": os.getloadavg()[0]}
    if layers != "all":
        return {"bench": "learning", **by_layer[layers], **context}
    both_at_least_best = {
        entry["name"]: by_layer["both"]["runs"][i]["adoption_after"]
        >= max(by_layer[layer]["runs"][i]["adoption_after"] for layer in ("lora", "skills"))
        for i, entry in enumerate(shared)
    }
    return {
        "bench": "learning",
        "layers": "all",
        "scenarios": [s["name"] for s in scenarios],
        "by_layer": by_layer,
        "both_at_least_best": both_at_least_best,
        "goals_met": all(r["goals_met"] for r in by_layer.values())
        and all(both_at_least_best.values()),
        **context,
    }


def layer_report(
    layer: str,
    shared: list[dict[str, Any]],
    after: list[dict[str, Any]],
    final: dict[str, float],
) -> dict[str, Any]:
    """One layer's figures: each scenario's teaching and training, its adoption after."""
    results = [{**entry, **measured} for entry, measured in zip(shared, after, strict=True)]
    last = results[-1]
    report: dict[str, Any] = {
        "layers": layer,
        "scenarios": [r["name"] for r in results],
        "adoption_before": last["adoption_before"],
        "adoption_after": last["adoption_after"],
        "canary_ppl_before": last.get("canary_ppl_before"),
        "canary_ppl_after": last.get("canary_ppl_after"),
        "promoted": last.get("promoted", False),
        "train_seconds": last.get("train_seconds"),
        "swap_ms": last.get("swap_ms"),
        "adoption_after_all": {**final, last["name"]: last["adoption_after"]},
        "runs": results,
    }
    goal = GOAL_ADOPTION_SKILLS if layer == "skills" else GOAL_ADOPTION_LORA
    checks = [last["adoption_after"] >= goal, last["adoption_before"] <= GOAL_ADOPTION_BEFORE]
    if layer != "skills":
        before_ppl, after_ppl = report["canary_ppl_before"], report["canary_ppl_after"]
        checks.append(
            before_ppl is not None
            and after_ppl is not None
            and after_ppl <= before_ppl * (1 + GOAL_CANARY_RISE)
        )
        checks.append((last.get("train_seconds") or 1e9) <= GOAL_TRAIN_S)
    report["goals_met"] = all(checks)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learning", description=__doc__)
    parser.add_argument("scenarios", nargs="+", type=Path, help="scenario JSON file(s)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--layers", choices=LAYERS, default="lora")
    parser.add_argument("--config", type=Path, help="trainer config JSON (TrainConfig fields)")
    parser.add_argument("--max-tokens", type=int, default=160, help="longest reply (tokens)")
    args = parser.parse_args(argv)
    try:
        report = run(args.scenarios, args.layers, args.config, args.max_tokens)
    except ScenarioError as exc:
        print(json.dumps({"bench": "learning", "error": str(exc)}))
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
