"""``python -m bench``: each bench in its own process, failures recorded, the report written."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import psutil
import pytest

from bench import __main__ as runner
from bench.__main__ import Bench


def _python(name: str, code: str, timeout_s: float = 60) -> Bench:
    return Bench(name, "signals", ("-c", code), timeout_s)


def test_a_bench_that_misses_a_goal_still_reports_its_figures() -> None:
    entry = runner.run_bench(
        _python(
            "fake",
            "import sys; print('progress', file=sys.stderr);"
            "print('{\"accuracy\": 0.5}'); sys.exit(1)",
        )
    )

    assert entry["status"] == "goals-missed" and entry["result"] == {"accuracy": 0.5}
    assert "error" not in entry and entry["duration_s"] >= 0


def test_a_crash_is_recorded_with_the_end_of_its_error_output() -> None:
    entry = runner.run_bench(_python("fake", "raise RuntimeError('no model here')"))

    assert entry["status"] == "crashed" and entry["exit_code"] == 1 and entry["result"] is None
    assert "RuntimeError: no model here" in entry["error"]


def test_an_error_the_bench_reports_in_its_json_is_kept() -> None:
    entry = runner.run_bench(
        _python("fake", 'import sys; print(\'{"error": "bad scenario"}\'); sys.exit(2)')
    )

    assert entry["status"] == "crashed" and entry["error"] == "bad scenario"


def test_a_bench_past_its_time_limit_is_stopped_with_what_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    started = time.perf_counter()
    entry = runner.run_bench(_python("slow", code, timeout_s=3))

    assert entry["status"] == "timeout" and time.perf_counter() - started < 30
    child = int(pid_file.read_text())
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"


def test_json_is_found_after_other_output() -> None:
    assert runner.parse_json('loading\n{"a": 1}\n') == {"a": 1}
    assert runner.parse_json('{\n  "a": 2\n}\n') == {"a": 2}
    assert runner.parse_json("no figures\n") is None


def test_benches_are_picked_by_name_or_group() -> None:
    names = [b.name for b in runner.selected(runner.BENCHES, ["learning", "ui"], [])]
    assert names == [
        "ui",
        "learning-tune",
        "learning-tune-sequence",
        "learning-test",
        "learning-test-sequence",
    ]
    names = [b.name for b in runner.selected(runner.BENCHES, ["learning-test"], [])]
    assert names == ["learning-test", "learning-test-sequence"], "a half is a group too"
    names = [b.name for b in runner.selected(runner.BENCHES, [], ["learning", "runtime"])]
    assert "runtime" not in names and not any(n.startswith("learning") for n in names)
    assert "startup" in names


def test_learning_runs_measure_the_tune_and_test_halves_apart() -> None:
    learning = {b.name: b for b in runner.BENCHES if b.kind == "learning"}

    assert sorted(learning) == [
        "learning-test",
        "learning-test-sequence",
        "learning-tune",
        "learning-tune-sequence",
    ]
    for name, bench in learning.items():
        half = "test" if name.startswith("learning-test") else "tune"
        assert f"bench/scenarios/{half}/" in bench.args, "a whole folder, never single files"
        goals = "test" if half == "test" else "default"
        assert bench.args[bench.args.index("--goals") + 1] == goals
        assert ("--sequence" in bench.args) == name.endswith("-sequence")
        assert bench.args[bench.args.index("--layers") + 1] == "all"
        assert bench.note.startswith("Test half" if half == "test" else "Tuning half")
    assert (runner.SCENARIOS / "tune").is_dir()


def test_a_learning_run_gets_time_for_each_scenario_of_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    (folder / "tune").mkdir(parents=True)
    for name in ("a.json", "b.json", "c.json", "notes.md"):
        (folder / "tune" / name).write_text("{}", encoding="utf-8")
    run = {"name": "tune", "half": "tune", "goals": "default", "sequence": False}

    original = runner.SCENARIOS
    try:
        runner.SCENARIOS = folder
        bench = runner._learning(run)
    finally:
        runner.SCENARIOS = original

    assert bench.timeout_s == 3 * runner.SCENARIO_TIMEOUT_S


def test_the_runner_writes_the_report_and_prints_everything_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "REPORT.md"
    status = runner.main(["--only", "signals", "policy", "--json", "--report", str(report)])

    collected = json.loads(capsys.readouterr().out)
    assert [b["name"] for b in collected["benches"]] == ["signals", "policy"]
    assert all(b["status"] == "ok" and b["result"] for b in collected["benches"])
    text = report.read_text(encoding="utf-8")
    assert "| next-message classifier accuracy |" in text
    assert "| dangerous commands missed |" in text
    assert status == 0, "both benches met their goals"
    assert collected["machine"]["python"] == ".".join(map(str, sys.version_info[:3]))
