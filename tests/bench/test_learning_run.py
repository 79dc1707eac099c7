"""``bench.learning.run``: the verdict over every scenario, controls, goals and sequences.

The model, the trainer and the app are replaced by a scripted ``Replay`` here (they are
exercised for real in ``test_learning_replay.py`` and by the bench itself): these tests are
about what the bench concludes from the figures it measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bench import learning
from bench.verdict import GOALS


class ScriptedReplay:
    """Adoption and leaks as scripted per scenario and layer; records what was done."""

    script: ClassVar[dict[str, dict[str, Any]]] = {}
    opened: ClassVar[list[ScriptedReplay]] = []

    def __init__(self, layers: str, max_tokens: int) -> None:
        self.teaching = layers
        self.layer = layers
        self.taught: list[str] = []
        self.closed = False
        ScriptedReplay.opened.append(self)

    def close(self) -> None:
        self.closed = True

    def use_layer(self, layer: str) -> None:
        self.layer = layer

    def _phase(self, name: str) -> str:
        if name not in self.taught:
            return "before"
        return "after" if name == self.taught[-1] else "retained"

    def _value(self, name: str, key: str, default: Any) -> Any:
        value = self.script[name].get(key, default)
        return value.get(self.layer, default) if isinstance(value, dict) else value

    def adoption(self, scenario: dict[str, Any]) -> tuple[float, list[dict[str, Any]]]:
        name = scenario["name"]
        share = self._value(name, self._phase(name), 0.0)
        echo = self._phase(name) != "before" and self._value(name, "echo", False)
        return share, [{"prompt": "p", "hit": share > 0, "reply": "r", "echo": echo}]

    def over_application(self, scenario: dict[str, Any]) -> tuple[float | None, list[dict]]:
        controls = scenario.get("control") or []
        leaks = self._phase(scenario["name"]) != "before" and self._value(
            scenario["name"], "leaks", False
        )
        replies = [{"prompt": c["prompt"], "hit": leaks, "reply": "r"} for c in controls]
        return (sum(r["hit"] for r in replies) / len(replies) if replies else None), replies

    def teach(self, scenario: dict[str, Any]) -> list[dict[str, Any]]:
        if self.script[scenario["name"]].get("crash"):
            raise RuntimeError("the model thread died")
        self.taught.append(scenario["name"])
        return [{"prompt": "p", "kind": "say", "signals": ["verbal_correction"]}]

    def train(self, config: Path | None) -> dict[str, Any]:
        name = self.taught[-1]
        rise = self.script[name].get("canary_rise", 0.01)
        return {
            "promoted": True,
            "train_seconds": self.script[name].get("train_seconds", 60.0),
            "canary_ppl_before": 10.0,
            "canary_ppl_after": None if rise is None else 10.0 * (1 + rise),
            "canary_rise": rise,
        }


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """Replace the model by the script; every throw-away home made is listed."""
    homes: list[Path] = []

    def home() -> Path:
        homes.append(tmp_path / f"home{len(homes)}")
        return homes[-1]

    ScriptedReplay.opened = []
    monkeypatch.setattr(learning, "Replay", ScriptedReplay)
    monkeypatch.setattr(learning, "use_throwaway_home", home)
    return homes


def _scenarios(tmp_path: Path, script: dict[str, dict[str, Any]], controls: int = 0) -> list[Path]:
    ScriptedReplay.script = script
    paths = []
    for index, name in enumerate(script):
        data = {
            "name": name,
            "teach": [{"prompt": "Q?", "say": "No, use rg."}],
            "heldout": [{"prompt": "H?", "expect": "rg"}],
            "control": [{"prompt": f"C{i}?", "reject": "rg"} for i in range(controls)],
        }
        paths.append(tmp_path / f"{index}-{name}.json")
        paths[-1].write_text(json.dumps(data), encoding="utf-8")
    return paths


def test_the_verdict_covers_every_scenario_not_only_the_last(
    scripted: list[Path], tmp_path: Path
) -> None:
    paths = _scenarios(tmp_path, {"fish": {"after": 0.2}, "pirate": {"after": 1.0}})

    report = learning.run(paths, "lora", None, 16)

    assert report["goals_met"] is False, "the first lesson was not learned"
    lora = report["by_layer"]["lora"]
    assert lora["adoption_after_mean"] == 0.6 and lora["adoption_after_min"] == 0.2
    assert lora["checks"] == {"adoption_after_min": False}
    assert report["goals"] == GOALS["default"].as_dict(), "the goals in force are printed"


def test_each_scenario_is_taught_on_a_fresh_model_unless_in_sequence(
    scripted: list[Path], tmp_path: Path
) -> None:
    paths = _scenarios(tmp_path, {"fish": {"after": 1.0}, "pirate": {"after": 1.0}})

    report = learning.run(paths, "lora", None, 16)

    assert len(scripted) == 2 and len(ScriptedReplay.opened) == 2
    assert all(replay.closed and len(replay.taught) == 1 for replay in ScriptedReplay.opened)
    assert report["homes"] == [str(home) for home in scripted]
    assert "adoption_after_all" not in report["by_layer"]["lora"], "no retention without sequence"
    assert report["goals_met"] is True


def test_a_sequence_teaches_on_one_home_and_judges_retention_per_layer(
    scripted: list[Path], tmp_path: Path
) -> None:
    script = {
        "fish": {"after": 1.0, "retained": {"both": 0.6, "lora": 1.0, "skills": 1.0}},
        "pirate": {"after": 1.0},
    }
    paths = _scenarios(tmp_path, script)

    report = learning.run(paths, "all", None, 16, GOALS["test"], sequence=True)

    assert len(scripted) == 1 and ScriptedReplay.opened[0].taught == ["fish", "pirate"]
    both = report["by_layer"]["both"]
    assert both["adoption_after_all"] == {"fish": 0.6, "pirate": 1.0}
    assert both["retention_min"] == 0.6 and both["checks"]["retention_min"] is False
    assert "retention_min" not in report["by_layer"]["lora"]["checks"], "no goal for lora"
    assert report["by_layer"]["lora"]["adoption_after_all"]["fish"] == 1.0
    assert report["goals_met"] is False and report["mode"] == "sequence"


def test_a_folder_is_read_generically(scripted: list[Path], tmp_path: Path) -> None:
    _scenarios(tmp_path, {"fish": {"after": 1.0}, "pirate": {"after": 1.0}})

    report = learning.run([tmp_path], "skills", None, 16)

    assert report["scenarios"] == ["fish", "pirate"]
    assert report["runs"][0]["training"] is None and "train_seconds_max" not in report


def test_over_application_is_the_share_of_control_replies_that_match_per_layer(
    scripted: list[Path], tmp_path: Path
) -> None:
    script = {
        "fish": {"after": 1.0, "leaks": {"lora": True, "both": True}},
        "pirate": {"after": 1.0},
    }
    paths = _scenarios(tmp_path, script, controls=2)

    report = learning.run(paths, "all", None, 16, GOALS["test"])

    lora, skills = report["by_layer"]["lora"], report["by_layer"]["skills"]
    assert lora["control_prompts"] == 4 and lora["over_application"] == 0.5
    assert lora["checks"]["over_application"] is False
    assert skills["over_application"] == 0.0 and skills["checks"]["over_application"] is True
    assert report["over_application_before"] == 0.0
    assert lora["runs"][0]["over_application"] == 1.0
    assert report["goals_met"] is False


def test_without_controls_over_application_is_not_judged(
    scripted: list[Path], tmp_path: Path
) -> None:
    paths = _scenarios(tmp_path, {"fish": {"after": 1.0}})

    lora = learning.run(paths, "lora", None, 16)["by_layer"]["lora"]

    assert lora["over_application"] is None and "over_application" not in lora["checks"]


def test_the_acceptance_goals_judge_means_lowest_training_time_and_canary(
    scripted: list[Path], tmp_path: Path
) -> None:
    script = {
        "a": {"after": {"lora": 1.0, "skills": 0.9, "both": 1.0}, "train_seconds": 130.0},
        "b": {"after": {"lora": 0.7, "skills": 0.4, "both": 0.9}, "canary_rise": 0.06},
    }
    paths = _scenarios(tmp_path, script)

    report = learning.run(paths, "all", None, 16, GOALS["test"])

    assert report["checks"] == {
        "train_seconds_max": False,
        "canary_rise_max": False,
        "every_scenario_taught": True,
    }
    assert report["train_seconds_max"] == 130.0 and report["canary_rise_max"] == 0.06
    by = report["by_layer"]
    assert by["lora"]["checks"] == {
        "adoption_after_mean": False,
        "adoption_after_min": True,
        "echoes": True,
    }
    assert by["skills"]["checks"] == {
        "adoption_after_mean": False,
        "adoption_after_min": False,
        "echoes": True,
    }
    assert by["both"]["checks"] == {"adoption_after_mean": True, "echoes": True}
    assert "both_at_least_best" not in report["checks"], "not an acceptance goal"
    assert report["both_at_least_best"] == {"a": True, "b": True}


def test_held_out_replies_that_parrot_the_user_are_counted_and_judged(
    scripted: list[Path], tmp_path: Path
) -> None:
    script = {"a": {"after": 1.0, "echo": {"skills": True}}, "b": {"after": 1.0}}
    paths = _scenarios(tmp_path, script)

    report = learning.run(paths, "all", None, 16, GOALS["test"])

    by = report["by_layer"]
    assert (by["skills"]["echoes"], by["lora"]["echoes"]) == (1, 0)
    assert by["skills"]["checks"]["echoes"] is False and by["lora"]["checks"]["echoes"] is True
    default = learning.run(paths, "all", None, 16)["by_layer"]["skills"]
    assert default["echoes"] == 1 and "echoes" not in default["checks"], "not a default goal"


def test_an_unmeasured_canary_does_not_meet_its_goal(scripted: list[Path], tmp_path: Path) -> None:
    paths = _scenarios(tmp_path, {"a": {"after": 1.0, "canary_rise": None}})

    report = learning.run(paths, "lora", None, 16)

    assert report["canary_rise_max"] is None and report["checks"]["canary_rise_max"] is False


def test_main_prints_the_goals_and_exits_1_when_one_is_missed(
    scripted: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _scenarios(tmp_path, {"a": {"after": 0.7}})

    status = learning.main([str(p) for p in paths] + ["--goals", "test", "--json"])

    printed = json.loads(capsys.readouterr().out)
    assert status == 1 and printed["goals"]["name"] == "test"
    assert printed["by_layer"]["lora"]["checks"] == {
        "adoption_after_mean": False,
        "adoption_after_min": True,
        "echoes": True,
    }


def test_main_reports_a_bad_scenario_before_any_model_work(
    scripted: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "teach": [{"prompt": "Q?"}], "heldout": []}))

    status = learning.main([str(bad), "--json"])

    assert status == 2 and "says nothing about the reply" in json.loads(capsys.readouterr().out)[
        "error"
    ]
    assert not ScriptedReplay.opened and not scripted


def test_a_lesson_that_crashes_is_reported_and_the_others_still_measured(
    scripted: list[Path], tmp_path: Path
) -> None:
    script = {"a": {"after": 1.0}, "b": {"after": 1.0, "crash": True}, "c": {"after": 1.0}}
    paths = _scenarios(tmp_path, script)

    report = learning.run(paths, "lora", None, 16, sequence=True)

    assert report["failed"] == [
        {"name": "b", "file": str(paths[1]), "error": "RuntimeError: the model thread died"}
    ]
    assert [run["name"] for run in report["runs"]] == ["a", "c"]
    assert report["by_layer"]["lora"]["adoption_after_all"] == {"a": 0.0, "c": 1.0}
    assert report["checks"]["every_scenario_taught"] is False and report["goals_met"] is False


def test_when_no_lesson_could_be_taught_the_bench_says_so(
    scripted: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _scenarios(tmp_path, {"a": {"crash": True}})

    status = learning.main([str(paths[0]), "--json"])

    printed = json.loads(capsys.readouterr().out)
    assert status == 2 and printed["error"] == "no scenario could be taught"
    assert printed["failed"][0]["error"] == "RuntimeError: the model thread died"
