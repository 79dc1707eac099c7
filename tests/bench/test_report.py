"""The benchmark report: every goal beside its figure, failures named, nothing made up."""

from __future__ import annotations

import copy
from typing import Any

from bench import learning, report
from bench.__main__ import BENCHES

MACHINE = {
    "cpu": "Test CPU 3000",
    "cores_logical": 2,
    "cores_physical": 2,
    "ram_gb": 23.5,
    "os": "Debian GNU/Linux 12 (bookworm), Linux-6",
    "python": "3.11.7",
    "packages": {"torch": "2.13.0+cpu", "llama-cpp-python": "0.3.36", "peft": None},
}


def _bench(name: str, kind: str, result: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    entry = {
        "name": name,
        "kind": kind,
        "command": f"python -m bench.{kind} --json",
        "status": "ok",
        "exit_code": 0,
        "duration_s": 12.3,
        "load_average_1m": 0.5,
        "result": result,
    }
    return entry | extra


STARTUP = {
    "window_shown_s": {"median": 0.9, "max": 1.1},
    "model_ready_s": {"median": 2.0, "max": 2.2},
    "window_shown_cpu_s": {"median": 0.8, "max": 0.9},
    "rss_mb": {"median": 640.0, "max": 650.5},
    "goals": {"window_shown_s_median": 1.5, "rss_mb_max": 600.0},
    "goals_met": {"window_shown_s": True, "rss_mb": False},
}
LEARNING = {
    "layers": "lora",
    "adoption_after_all": {"fish": 0.4, "pirate": 1.0},
    "goals_met": True,
    "runs": [
        {
            "name": "fish",
            "adoption_before": 0.0,
            "adoption_after": 1.0,
            "train_seconds": 200.0,
            "canary_ppl_before": 10.0,
            "canary_ppl_after": 10.2,
            "promoted": True,
        },
        {
            "name": "pirate",
            "adoption_before": 0.4,
            "adoption_after": 1.0,
            "train_seconds": 400.0,
            "canary_ppl_before": 10.2,
            "canary_ppl_after": None,
            "promoted": False,
        },
    ],
}


def _collected(*benches: dict[str, Any]) -> dict[str, Any]:
    return {
        "started": "2026-01-02 03:04 UTC",
        "duration_s": 600.0,
        "commit": {"sha": "abc123def456", "dirty": True},
        "machine": MACHINE,
        "load_average_1m": {"before": 0.25, "after": 1.75},
        "benches": list(benches),
        "skipped": ["ui"],
    }


def _row(text: str, label: str) -> list[str]:
    """The cells of the table row whose metric is ``label``."""
    rows = [line for line in text.splitlines() if line.startswith(f"| {label} |")]
    assert len(rows) == 1, f"{label!r}: {rows}"
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def test_each_goal_is_shown_beside_its_figure_with_a_verdict() -> None:
    text = report.render(_collected(_bench("startup", "startup", STARTUP)))

    assert _row(text, "time to the window shown, median (s)") == [
        "time to the window shown, median (s)",
        "0.9",
        "< 1.5",
        "yes",
    ]
    assert _row(text, "GUI process memory with the model loaded, max (MB)")[1:] == [
        "650.5",
        "< 600",
        "**no**",
    ]
    context = _row(text, "time to the first token possible, median (s)")
    assert context[1:] == ["2", "", ""], "a figure without a goal gets no verdict"
    assert "goals missed" in text.split("## startup")[1], "the bench's own verdict is shown"
    assert _row(text, "startup")[1:] == ["ran", "1/2", "12"]


def test_the_machine_and_provenance_head_the_report() -> None:
    text = report.render(_collected())

    for expected in (
        "Test CPU 3000",
        "2 logical, 2 physical",
        "23.5 GB",
        "Debian GNU/Linux 12",
        "3.11.7",
        "torch 2.13.0+cpu",
        "llama-cpp-python 0.3.36",
        "0.25 before, 1.75 after",
        "2026-01-02 03:04 UTC",
        "abc123def456 with uncommitted changes",
        "Not run this time: ui.",
    ):
        assert expected in text, expected
    assert "peft" not in text, "a package that is not installed is left out"
    assert "do not edit by hand" in text


def test_crashed_and_timed_out_benches_are_reported_not_hidden() -> None:
    crashed = _bench(
        "runtime",
        "runtime",
        None,
        status="crashed",
        exit_code=3,
        error="Traceback ...\nRuntimeError: no model",
    )
    timed_out = _bench(
        "ui", "ui", None, status="timeout", exit_code=-15, duration_s=900.0, error=""
    )
    text = report.render(_collected(crashed, timed_out))

    assert _row(text, "runtime")[1:3] == ["**crashed** (exit code 3)", "–"]
    assert _row(text, "ui")[1:] == ["**timed out**", "–", "900"]
    assert "RuntimeError: no model" in text.split("## runtime")[1]
    assert not report.all_goals_met(_collected(crashed))


def test_a_missing_figure_is_shown_as_missing_without_a_verdict() -> None:
    result = copy.deepcopy(STARTUP)
    del result["window_shown_s"]
    lines = report.lines_for("startup", result)

    assert lines[0].figure is None and lines[0].met is None and lines[0].goal == "< 1.5"


def test_learning_rows_per_scenario_use_the_learning_bench_goals() -> None:
    lines = {line.label: line for line in report.lines_for("learning", LEARNING)}

    assert lines["fish: adoption after teaching"].goal == f"≥ {learning.GOAL_ADOPTION_LORA}"
    assert lines["fish: adoption after teaching"].met is True
    assert lines["fish: adoption after the last lesson"].met is False, "forgetting shows"
    assert "pirate: adoption after the last lesson" not in lines, "same as after teaching"
    assert lines["pirate: adoption before teaching"].met is False
    assert lines["fish: canary perplexity rise"].figure == 0.02
    assert lines["pirate: canary perplexity rise"].met is None, "no candidate perplexity"
    assert lines["pirate: training time (s)"].met is False
    assert lines["pirate: adapter promoted by the gate"].figure is False


def test_skills_only_learning_has_no_training_rows_and_its_own_adoption_goal() -> None:
    result = {
        "layers": "skills",
        "runs": [{"name": "fish", "adoption_before": 0.0, "adoption_after": 0.6}],
        "goals_met": True,
    }
    lines = report.lines_for("learning", result)

    assert [line.label for line in lines] == [
        "fish: adoption before teaching",
        "fish: adoption after teaching",
    ]
    assert lines[1].goal == f"≥ {learning.GOAL_ADOPTION_SKILLS}"


def test_all_layers_show_each_layer_and_both_against_the_better_single_layer() -> None:
    lora = copy.deepcopy(LEARNING)
    skills = {
        "layers": "skills",
        "runs": [
            {"name": "fish", "adoption_before": 0.0, "adoption_after": 0.6},
            {"name": "pirate", "adoption_before": 0.4, "adoption_after": 1.0},
        ],
    }
    both = copy.deepcopy(LEARNING) | {"layers": "both"}
    both["runs"][1]["adoption_after"] = 0.8
    result = {"layers": "all", "by_layer": {"lora": lora, "skills": skills, "both": both}}
    lines = {line.label: line for line in report.lines_for("learning", result)}

    assert lines["lora: fish: training time (s)"].met is True
    assert "both: fish: training time (s)" not in lines, "both shares lora's training"
    assert lines["skills: fish: adoption after teaching"].goal == (
        f"≥ {learning.GOAL_ADOPTION_SKILLS}"
    )
    assert lines["both: fish: adoption after teaching"].goal == f"≥ {learning.GOAL_ADOPTION_LORA}"
    against = "adoption after teaching, against the better single layer"
    assert lines[f"both: fish: {against}"].met is True
    assert lines[f"both: pirate: {against}"].met is False
    assert lines[f"both: pirate: {against}"].goal == "≥ 1"


def test_every_bench_the_runner_starts_has_a_goal_table() -> None:
    for bench in BENCHES:
        assert bench.kind == "learning" or any(row.op for row in report.ROWS[bench.kind]), bench


def test_all_goals_met_needs_every_row_and_every_own_verdict() -> None:
    met = copy.deepcopy(STARTUP)
    met["rss_mb"]["max"] = 500.0
    met["goals_met"]["rss_mb"] = True
    assert report.all_goals_met(_collected(_bench("startup", "startup", met)))
    assert not report.all_goals_met(_collected(_bench("startup", "startup", STARTUP)))
    met["goals_met"]["rss_mb"] = False
    assert not report.all_goals_met(_collected(_bench("startup", "startup", met)))


def test_numbers_are_short_and_readable() -> None:
    assert report.fmt(0.97449999) == "0.9745"
    assert report.fmt(1234.56) == "1,234.6"
    assert report.fmt(10_000) == "10,000"
    assert report.fmt(0.0) == "0"
    assert report.fmt(None) == "–"
    assert report.fmt(True) == "yes"
