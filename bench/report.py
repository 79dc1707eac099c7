"""The benchmark report: each bench's figures beside their goals, as Markdown.

``python -m bench`` collects every bench's JSON object; this module turns that collection
into ``bench/REPORT.md``. The benches print their figures in their own shapes, so the table
below says, per bench, which figure is judged against which goal and how. Goal values are
read from the bench's own output (the learning bench prints the goals it judged under
``goals``), never copied here, so a goal changed in a bench shows up in the next report as
it is.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OPS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    ">=": ("≥", operator.ge),
    "<=": ("≤", operator.le),
    "<": ("<", operator.lt),
}


@dataclass(frozen=True)
class Row:
    """One line of a bench's table: ``figure`` and ``goal`` are dotted paths in its JSON
    (``goal`` may also be a number); a row without ``op`` is shown for context only."""

    label: str
    figure: str
    goal: str | float | None = None
    op: str = ""


@dataclass(frozen=True)
class Line:
    """A rendered row: the figure, the goal as text, and whether it is met (None: no goal
    or no figure)."""

    label: str
    figure: Any
    goal: str
    met: bool | None


ROWS: dict[str, list[Row]] = {
    "startup": [
        Row(
            "time to the window shown, median (s)",
            "window_shown_s.median",
            "goals.window_shown_s_median",
            "<",
        ),
        Row(
            "GUI process memory with the model and the embedder loaded, max (MB)",
            "rss_mb.max",
            "goals.rss_mb_max",
            "<",
        ),
        Row("time to the first token possible, median (s)", "model_ready_s.median"),
        Row("time to the embedder loaded, median (s)", "embedder_ready_s.median"),
        Row("CPU time used when the window is shown, median (s)", "window_shown_cpu_s.median"),
    ],
    "runtime": [
        Row("decode speed, app / plain llama-cpp-python", "ratio", "goals.ratio_min", ">="),
        Row(
            "follow-up time to first token, KV kept / empty cache",
            "followup_ratio",
            "goals.followup_ratio_max",
            "<=",
        ),
        Row("adapter hot swap (ms)", "adapter_swap_ms", "goals.adapter_swap_ms_max", "<="),
        Row(
            "decode speed with one core busy, default / best thread count",
            "busy_ratio_default_to_best",
            "goals.busy_ratio_default_to_best_min",
            ">=",
        ),
        Row("decode speed through the app (tokens/s)", "decode_tok_s_app"),
        Row("decode speed with one core busy, default settings (tokens/s)",
            "decode_tok_s_default_busy"),
        Row("follow-up time to first token (s)", "followup_ttft_s"),
    ],
    "loops": [
        Row(
            "looping replies, app's repetition penalty / none (test prompts)",
            "loop_ratio_default_to_none",
            "goals.loop_ratio_max",
            "<=",
        ),
    ],
    "ui": [
        Row(
            "event-loop stall p99, streaming and database burst (ms)", "p99_ms", "goals.p99_ms", "<"
        ),
        Row("longest stall, streaming and database burst (ms)", "max_ms", "goals.max_ms", "<"),
        Row("longest stall while the model loads (ms)", "phases.model_load.max_ms"),
    ],
    "signals": [
        Row("next-message classifier accuracy", "accuracy", "goal_accuracy", ">="),
        Row("latency per decision, p95 (ms)", "latency_ms_p95", "goal_latency_ms", "<="),
    ],
    "skills": [
        Row(
            "held-out set: retrieval precision@3, 10,000 skills",
            "precision_at_3",
            "goal_precision_at_3",
            ">=",
        ),
        Row(
            "retrieval latency p95, request embedding included (ms)",
            "latency_ms_p95",
            "goal_latency_ms_p95",
            "<=",
        ),
        Row("held-out set: recall@3, 10,000 skills", "recall_at_3", "goal_recall_at_3", ">="),
        Row("false injection rate", "false_injection_rate"),
        Row("tuning set: precision@3", "tune.precision_at_3"),
        Row("tuning set: recall@3", "tune.recall_at_3"),
    ],
    "policy": [
        Row("dangerous commands missed", "missed_dangerous", "goal_missed", "<="),
        Row(
            "false alarm rate on harmless commands",
            "false_alarm_rate",
            "goal_false_alarm_rate",
            "<=",
        ),
    ],
    "community": [
        Row("member B's adoption, imported skills only (mean)", "b_adoption_skills", 0.6, ">="),
        Row("member B's adoption, skills and adapter (mean)", "b_adoption_both", 0.8, ">="),
        Row("member B's over-application on control prompts (mean)", "b_over_application",
            0.1, "<="),
        Row("sensitive strings found at the hub or at B", "leaked", 0, "<="),
        Row("rogue skills that reached B's prompts or training", "rogue_reached_b", 0, "<="),
        Row("member B's adoption before receiving", "b_adoption_before"),
        Row("member B's adoption, adapter only", "b_adoption_lora"),
        Row("rogue skills the hub accepted (of those sent)", "rogue_accepted_by_hub"),
    ],
    "anonymize": [
        Row("recall of sensitive strings", "recall", "goal_recall", ">="),
        Row("lowest recall of a category", "min_category_recall", "goal_recall", ">="),
        Row("recall of names from a source the detector does not use",
            "names_other_source.recall", "goal_recall", ">="),
        Row("... of those, after a cue word", "names_other_source.recall_after_a_cue"),
        Row("... of those, without a cue", "names_other_source.recall_without_a_cue"),
        Row("recall of names from a second source the detector does not use (mimesis)",
            "names_second_source.recall", "goal_recall", ">="),
        Row("... of those, after a cue word", "names_second_source.recall_after_a_cue"),
        Row("... of those, without a cue", "names_second_source.recall_without_a_cue"),
        Row("words removed from the tune scenarios (text naming nobody)",
            "clean_text.scenarios.replaced_words"),
        Row("words removed as names from the docs", "clean_text.docs.name_words"),
        Row("kept text ratio", "kept_ratio", "goal_kept_ratio", ">="),
        Row("secrets leaked", "leaked_secrets", "goal_leaked_secrets", "<="),
        Row("throughput (KB/s)", "throughput_kb_s"),
    ],
}


def pick(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` in nested dicts, or None when any step is missing."""
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def judge(label: str, figure: Any, goal: Any, op: str) -> Line:
    """A line comparing ``figure`` with ``goal`` by ``op`` (no op: context, no verdict)."""
    if not op:
        return Line(label, figure, "", None)
    symbol, compare = OPS[op]
    goal_text = f"{symbol} {fmt(goal)}" if goal is not None else "(goal missing)"
    if not isinstance(figure, int | float) or not isinstance(goal, int | float):
        return Line(label, figure, goal_text, None)
    return Line(label, figure, goal_text, bool(compare(figure, goal)))


def learning_lines(result: dict[str, Any]) -> list[Line]:
    """A learning run's table, judged against the goals the run printed (``goals``).

    First what every layer shares, per scenario: adoption before teaching, the signals the
    app recorded from the teaching, and for a trained run the training time, the canary
    rise (the bench's own measure) and the gate's decision. Then each layer's figures over
    the whole run (mean and lowest adoption, over-application, replies that parrot the user,
    retention at the end of a sequence) and per scenario; with ``--layers all``, ``both``
    against the better single layer per scenario."""
    goals = result.get("goals") or {}
    lines: list[Line] = []
    for run in result.get("runs") or []:
        name = run.get("name", "?")
        lines.append(
            _goal(
                f"{name}: adoption before teaching",
                run.get("adoption_before"),
                goals.get("adoption_before_max"),
                "<=",
            )
        )
        lines.append(Line(f"{name}: signals the app recorded", _kinds(run), "", None))
        training = run.get("training")
        if training:
            lines += [
                _goal(
                    f"{name}: training and gate time (s)",
                    training.get("train_seconds"),
                    goals.get("train_seconds_max"),
                    "<=",
                ),
                _goal(
                    f"{name}: canary perplexity rise, measured by the bench",
                    training.get("canary_rise"),
                    goals.get("canary_rise_max"),
                    "<=",
                ),
                Line(f"{name}: adapter promoted by the gate", training.get("promoted"), "", None),
            ]
    for failure in result.get("failed") or []:
        label = f"{failure.get('name', '?')}: could not be taught"
        lines.append(Line(label, failure.get("error"), "", False))
    for layer, sub in (result.get("by_layer") or {}).items():
        lines += layer_lines(layer, sub, goals)
    for name, met in (result.get("both_at_least_best") or {}).items():
        lines.append(
            Line(f"both: {name}: at least as good as the better single layer", met, "", met)
        )
    return lines


def layer_lines(layer: str, sub: dict[str, Any], goals: dict[str, Any]) -> list[Line]:
    """One layer's lines: its figures over the run, then each scenario's."""
    each = (goals.get("adoption_after_min") or {}).get(layer)
    kept = (goals.get("retention_min") or {}).get(layer)
    mean_goal = (goals.get("adoption_after_mean") or {}).get(layer)
    taught, last = "adoption after teaching", "adoption after the last lesson"
    lines = [
        _goal(f"{layer}: {taught}, mean", sub.get("adoption_after_mean"), mean_goal, ">="),
        _goal(f"{layer}: {taught}, lowest", sub.get("adoption_after_min"), each, ">="),
    ]
    if sub.get("control_prompts"):
        label = f"{layer}: over-application on {sub['control_prompts']} control prompts"
        limit = goals.get("over_application_max")
        lines.append(_goal(label, sub.get("over_application"), limit, "<="))
    if "echoes" in sub:
        label = f"{layer}: held-out replies that parrot the user"
        lines.append(_goal(label, sub["echoes"], goals.get("echoes_max"), "<="))
    if "retention_min" in sub:
        lines.append(_goal(f"{layer}: {last}, lowest", sub["retention_min"], kept, ">="))
    after_all = sub.get("adoption_after_all") or {}
    for run in sub.get("runs") or []:
        name = run.get("name", "?")
        lines.append(_goal(f"{layer}: {name}: {taught}", run.get("adoption_after"), each, ">="))
        if name in after_all:
            lines.append(_goal(f"{layer}: {name}: {last}", after_all[name], kept, ">="))
        if run.get("over_application") is not None:
            label = f"{layer}: {name}: over-application"
            lines.append(Line(label, run["over_application"], "", None))
    return lines


def _goal(label: str, figure: Any, goal: Any, op: str) -> Line:
    """A judged line when the run has a goal for it, else a line for context only."""
    return judge(label, figure, goal, op if goal is not None else "")


def _kinds(run: dict[str, Any]) -> str:
    """The signals a scenario's teaching recorded, by kind: "verbal_correction 6, requery 2"."""
    kinds = run.get("signals_by_kind") or {}
    return ", ".join(f"{kind} {count}" for kind, count in kinds.items()) or "none"


def lines_for(kind: str, result: dict[str, Any]) -> list[Line]:
    """The table of one bench (``kind`` is its module name) from its JSON object."""
    if kind == "learning":
        return learning_lines(result)
    return [
        judge(
            row.label,
            pick(result, row.figure),
            pick(result, row.goal) if isinstance(row.goal, str) else row.goal,
            row.op,
        )
        for row in ROWS.get(kind, [])
    ]


def own_verdict(result: dict[str, Any]) -> bool | None:
    """The bench's own overall verdict, in whichever field it reports one."""
    for key in ("goals_met", "pass", "meets_goals"):
        value = result.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, dict) and value:
            return all(bool(v) for v in value.values())
    return None


def fmt(value: Any) -> str:
    """A figure for a table cell: short floats, yes/no, "–" for a missing one."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
        return f"{value:.4f}".rstrip("0").rstrip(".") or "0"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _met(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[met]


def _bench_summary(bench: dict[str, Any]) -> tuple[list[Line], str]:
    lines = lines_for(bench["kind"], bench["result"]) if bench.get("result") else []
    judged = [line for line in lines if line.met is not None]
    goals = f"{sum(line.met for line in judged)}/{len(judged)}" if judged else "–"
    return lines, goals


def all_goals_met(collected: dict[str, Any]) -> bool:
    """Every bench ran to the end and met every goal of its table and its own verdict."""
    for bench in collected["benches"]:
        result = bench.get("result")
        if bench["status"] not in ("ok", "goals-missed") or result is None:
            return False
        lines, _ = _bench_summary(bench)
        if any(line.met is False for line in lines) or own_verdict(result) is False:
            return False
    return True


def render_bench(bench: dict[str, Any]) -> list[str]:
    """The section of one bench: command, status, then its figures and goals."""
    out = [f"## {bench['name']}", ""]
    if bench.get("note"):
        out += [bench["note"], ""]
    out += [
        f"`{bench['command']}`: {status_text(bench)}, "
        f"{seconds(bench['duration_s'])} s (load average {fmt(bench.get('load_average_1m'))} "
        "at its start).",
    ]
    result = bench.get("result")
    if result is not None:
        verdict = own_verdict(result)
        if verdict is not None:
            out[-1] += f" The bench's own verdict: goals {'met' if verdict else 'missed'}."
        lines, _ = _bench_summary(bench)
        if lines:
            out += ["", "| metric | figure | goal | met? |", "|---|---:|---|---|"]
            out += [
                f"| {ln.label} | {fmt(ln.figure)} | {ln.goal} | {_met(ln.met)} |" for ln in lines
            ]
    if bench.get("error"):
        out += ["", "```", bench["error"].rstrip(), "```"]
    return [*out, ""]


def status_text(bench: dict[str, Any]) -> str:
    status = bench["status"]
    if status == "timeout":
        return "**timed out**"
    if status == "crashed":
        return f"**crashed** (exit code {bench.get('exit_code')})"
    if status == "no-json":
        return f"**printed no JSON** (exit code {bench.get('exit_code')})"
    return "goals missed" if status == "goals-missed" else "ran"


def render(report: dict[str, Any]) -> str:
    """The whole REPORT.md: provenance, machine, summary, then one section per bench."""
    machine = report["machine"]
    packages = ", ".join(
        f"{name} {version}" for name, version in machine["packages"].items() if version
    )
    commit = report["commit"]
    out = [
        "# Flywheel benchmark report",
        "",
        "Generated by `python -m bench`; do not edit by hand, run it again instead.",
        "",
        "| | |",
        "|---|---|",
        f"| date | {report['started']} ({report['duration_s'] / 60:.1f} min) |",
        f"| commit | {commit['sha']}{' with uncommitted changes' if commit['dirty'] else ''} |",
        f"| CPU | {machine['cpu']} |",
        f"| cores | {machine['cores_logical']} logical, {machine['cores_physical']} physical |",
        f"| memory | {machine['ram_gb']} GB |",
        f"| OS | {machine['os']} |",
        f"| Python | {machine['python']} |",
        f"| packages | {packages} |",
        f"| load average (1 min) | {fmt(report['load_average_1m']['before'])} before, "
        f"{fmt(report['load_average_1m']['after'])} after |",
        "",
        "## Summary",
        "",
        "| bench | status | goals met | time (s) |",
        "|---|---|---|---:|",
    ]
    for bench in report["benches"]:
        _, goals = _bench_summary(bench)
        out.append(
            f"| {bench['name']} | {status_text(bench)} | {goals} | {seconds(bench['duration_s'])} |"
        )
    if report.get("skipped"):
        out += ["", f"Not run this time: {', '.join(report['skipped'])}."]
    out.append("")
    for bench in report["benches"]:
        out += render_bench(bench)
    return "\n".join(out)
