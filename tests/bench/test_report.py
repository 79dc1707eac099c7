"""The benchmark report: every goal beside its figure, failures named, nothing made up."""

from __future__ import annotations

import copy
from typing import Any

from bench import report
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
    "layers": "all",
    "goals": {
        "name": "test",
        "adoption_after_mean": {"lora": 0.9, "skills": 0.8, "both": 0.9},
        "adoption_after_min": {"lora": 0.6, "skills": 0.5},
        "retention_min": {"both": 0.7},
        "adoption_before_max": None,
        "over_application_max": 0.1,
        "echoes_max": 0,
        "train_seconds_max": 120.0,
        "canary_rise_max": 0.05,
        "both_at_least_best": False,
    },
    "checks": {"train_seconds_max": False, "canary_rise_max": True},
    "goals_met": False,
    "runs": [
        {
            "name": "fish",
            "adoption_before": 0.0,
            "signals_by_kind": {"requery": 1, "verbal_correction": 6},
            "training": {"train_seconds": 100.0, "canary_rise": 0.02, "promoted": True},
        },
        {
            "name": "pirate",
            "adoption_before": 0.4,
            "signals_by_kind": {},
            "training": {"train_seconds": 130.0, "canary_rise": None, "promoted": False},
        },
    ],
    "by_layer": {
        "lora": {
            "adoption_after_mean": 0.8,
            "adoption_after_min": 0.6,
            "over_application": 0.25,
            "control_prompts": 4,
            "echoes": 1,
            "runs": [
                {"name": "fish", "adoption_after": 1.0, "over_application": 0.5},
                {"name": "pirate", "adoption_after": 0.6, "over_application": 0.0},
            ],
        },
        "skills": {
            "adoption_after_mean": 0.5,
            "adoption_after_min": 0.4,
            "over_application": 0.0,
            "control_prompts": 4,
            "runs": [
                {"name": "fish", "adoption_after": 0.6, "over_application": 0.0},
                {"name": "pirate", "adoption_after": 0.4, "over_application": 0.0},
            ],
        },
        "both": {
            "adoption_after_mean": 0.9,
            "adoption_after_min": 0.8,
            "over_application": 0.0,
            "control_prompts": 4,
            "retention_min": 0.6,
            "adoption_after_all": {"fish": 0.6, "pirate": 0.8},
            "runs": [
                {"name": "fish", "adoption_after": 1.0, "over_application": 0.0},
                {"name": "pirate", "adoption_after": 0.8, "over_application": 0.0},
            ],
        },
    },
    "both_at_least_best": {"fish": True, "pirate": True},
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
    label = "GUI process memory with the model and the embedder loaded, max (MB)"
    assert _row(text, label)[1:] == [
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


def test_learning_rows_are_judged_against_the_goals_the_run_printed() -> None:
    lines = {line.label: line for line in report.lines_for("learning", LEARNING)}

    assert lines["lora: adoption after teaching, mean"].goal == "≥ 0.9"
    assert lines["lora: adoption after teaching, mean"].met is False
    assert lines["lora: adoption after teaching, lowest"].met is True
    assert lines["skills: adoption after teaching, lowest"].goal == "≥ 0.5"
    assert lines["skills: pirate: adoption after teaching"].met is False, "every scenario shows"
    assert lines["lora: over-application on 4 control prompts"].met is False
    assert lines["lora: fish: over-application"].figure == 0.5
    assert lines["lora: held-out replies that parrot the user"].met is False
    assert lines["lora: held-out replies that parrot the user"].goal == "≤ 0"
    assert lines["both: adoption after the last lesson, lowest"].met is False
    assert lines["both: fish: adoption after the last lesson"].goal == "≥ 0.7"
    assert lines["both: fish: adoption after teaching"].met is None, "no goal for each: context"
    assert "lora: fish: adoption after the last lesson" not in lines, "not a sequence there"


def test_learning_rows_show_training_and_the_bench_canary_per_scenario() -> None:
    lines = {line.label: line for line in report.lines_for("learning", LEARNING)}

    assert lines["fish: canary perplexity rise, measured by the bench"].figure == 0.02
    assert lines["fish: canary perplexity rise, measured by the bench"].met is True
    missing = lines["pirate: canary perplexity rise, measured by the bench"]
    assert missing.figure is None and missing.met is None, "shown as missing"
    assert lines["pirate: training and gate time (s)"].met is False
    assert lines["pirate: adapter promoted by the gate"].figure is False
    assert lines["fish: adoption before teaching"].met is None, "no goal in the test goals"
    assert lines["fish: signals the app recorded"].figure == "requery 1, verbal_correction 6"
    assert lines["pirate: signals the app recorded"].figure == "none"


def test_a_skills_only_run_has_no_training_rows() -> None:
    result = {
        "layers": "skills",
        "goals": {"adoption_after_min": {"skills": 0.6}, "adoption_before_max": 0.2},
        "runs": [{"name": "fish", "adoption_before": 0.0, "training": None}],
        "by_layer": {
            "skills": {
                "adoption_after_mean": 0.6,
                "adoption_after_min": 0.6,
                "runs": [{"name": "fish", "adoption_after": 0.6, "over_application": None}],
            }
        },
    }
    lines = report.lines_for("learning", result)

    assert [line.label for line in lines] == [
        "fish: adoption before teaching",
        "fish: signals the app recorded",
        "skills: adoption after teaching, mean",
        "skills: adoption after teaching, lowest",
        "skills: fish: adoption after teaching",
    ]
    assert lines[0].met is True and lines[3].goal == "≥ 0.6" and lines[3].met is True


def test_both_against_the_better_single_layer_is_shown_per_scenario() -> None:
    result = copy.deepcopy(LEARNING)
    result["both_at_least_best"]["pirate"] = False
    lines = {line.label: line for line in report.lines_for("learning", result)}

    assert lines["both: pirate: at least as good as the better single layer"].met is False
    assert lines["both: fish: at least as good as the better single layer"].met is True


def test_a_lesson_that_could_not_be_taught_is_a_missed_goal() -> None:
    result = copy.deepcopy(LEARNING)
    result["failed"] = [{"name": "tea", "file": "t.json", "error": "RuntimeError: died"}]
    lines = {line.label: line for line in report.lines_for("learning", result)}

    assert lines["tea: could not be taught"].figure == "RuntimeError: died"
    assert lines["tea: could not be taught"].met is False


def test_a_learning_bench_note_says_which_half_it_measured() -> None:
    bench = _bench("learning-test", "learning", LEARNING, note="Test half: never tuned on.")
    text = report.render(_collected(bench))

    section = text.split("## learning-test")[1]
    assert section.lstrip().startswith("Test half: never tuned on.")
    assert "goals missed" in section


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
