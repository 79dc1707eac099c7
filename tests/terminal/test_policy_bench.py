"""The policy bench over the shipped cases: the goals of issue 16 hold on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import policy as bench

CASES = Path(__file__).resolve().parents[1] / "data" / "policy_cases.jsonl"


@pytest.fixture(autouse=True)
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/tester")


def test_shipped_cases_meet_the_goals() -> None:
    result = bench.run(CASES)
    assert result["missed_commands"] == []
    assert result["auto_run_commands"] == []
    assert result["auto_run_dangerous_unsandboxed"] == 0
    assert result["false_alarm_rate"] <= bench.GOAL_FALSE_ALARM_RATE
    assert result["verdict"] == "pass"
    assert result["n_dangerous"] >= 200 and result["n_harmless"] >= 60
    assert result["n_with_rules"] >= 30


def test_a_dangerous_case_with_rules_counts_only_as_auto_run(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = [{"command": "ls -la > ~/.bashrc", "dangerous": True, "rules": ["ls *"]},
             {"command": "ls -la", "dangerous": True, "rules": ["ls *"]},
             {"command": "git status", "dangerous": False, "rules": ["git status"]},
             {"command": "ls -la", "dangerous": False}]
    cases.write_text("\n".join(json.dumps(line) for line in lines))
    result = bench.run(cases)
    assert result["missed_dangerous"] == 0
    assert result["auto_run_commands"] == ["ls -la"]
    assert result["auto_run_dangerous_unsandboxed"] == 0
    assert result["harmless_rule_auto_run"] == 1
    assert result["verdict"] == "fail"


def test_bad_rules_field_is_named_by_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          ) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"command": "ls", "dangerous": False, "rules": "ls *"}))
    assert bench.main(["--json", "--cases", str(cases)]) == 2
    assert "cases.jsonl:1: 'rules' must be a list of strings" in capsys.readouterr().err
