"""The learning scenario format: every teach kind, controls, and a clear error for a typo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import SCENARIOS
from bench.scenario import (
    ScenarioError,
    is_echo,
    load_scenario,
    scenario_paths,
    teach_kind,
    user_words,
)

HELDOUT = [{"prompt": "What finds text in files?", "expect": r"\brg\b"}]


def _write(tmp_path: Path, data: Any, name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _scenario(teach: list[Any], **extra: Any) -> dict[str, Any]:
    return {"name": "ripgrep", "teach": teach, "heldout": HELDOUT, **extra}


def test_every_teach_kind_and_the_optional_lists_are_read(tmp_path: Path) -> None:
    teach = [
        {"prompt": "Search files?", "correction": "Use `rg word`."},
        {"prompt": "Find TODO?", "say": "No, I use ripgrep."},
        {"prompt": "Grep logs?", "regenerate": True},
        {"prompt": "Grep logs?", "regenerate": True, "say": "Thanks, that works."},
        {"prompt": "Count matches?", "thumb": "down", "reason": "Use rg -c."},
        {"prompt": "Count lines?", "thumb": "up"},
    ]
    data = _scenario(
        teach,
        control=[{"prompt": "List my files.", "reject": r"\brg\b"}],
        sensitive=["alice@example.org"],
    )
    loaded = load_scenario(_write(tmp_path, data))

    assert loaded == data
    assert [teach_kind(item) for item in teach] == [
        "correction",
        "say",
        "regenerate",
        "regenerate+say",
        "thumb",
        "thumb",
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"prompt": "Q?"}, "says nothing about the reply"),
        ({"prompt": "Q?", "corection": "typo"}, "unknown key(s) 'corection'"),
        ({"prompt": " ", "say": "No."}, "teach[0]: needs a non-empty 'prompt'"),
        ({"prompt": "Q?", "say": ""}, "'say' must be a non-empty string"),
        ({"prompt": "Q?", "say": 3}, "'say' must be a non-empty string"),
        ({"prompt": "Q?", "regenerate": False}, "'regenerate' must be true"),
        ({"prompt": "Q?", "regenerate": "yes"}, "'regenerate' must be true"),
        ({"prompt": "Q?", "thumb": "sideways"}, "'thumb' must be \"up\" or \"down\""),
        ({"prompt": "Q?", "thumb": "down", "reason": ""}, "'reason' must be a non-empty"),
        ({"prompt": "Q?", "say": "No.", "reason": "why"}, "'reason' goes with a 'thumb'"),
        ({"prompt": "Q?", "correction": "A.", "thumb": "down"}, "cannot both be given"),
        ("just a string", "needs a non-empty 'prompt'"),
    ],
)
def test_a_bad_teach_item_is_refused_with_its_place_and_fault(
    tmp_path: Path, item: Any, message: str
) -> None:
    path = _write(tmp_path, _scenario([item]))

    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)

    assert str(path) in str(caught.value) and "teach[0]" in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"control": [{"prompt": "List.", "reject": "("}]}, "control[0]: 'reject': bad regex"),
        ({"control": [{"prompt": "List files."}]}, "control[0]: 'reject': needs a non-empty"),
        ({"control": {"prompt": "List files."}}, "'control' must be a list"),
        ({"heldout": []}, "'heldout' must be a non-empty list"),
        ({"heldout": [{"prompt": "Q?", "expect": "[a-"}]}, "heldout[0]: 'expect': bad regex"),
        ({"sensitive": ["ok", ""]}, "'sensitive' must be a list of non-empty strings"),
        ({"teach": []}, "'teach' must be a non-empty list"),
        ({"name": ""}, "expected an object with a non-empty 'name'"),
    ],
)
def test_bad_lists_are_refused_clearly(tmp_path: Path, extra: dict[str, Any], message: str) -> None:
    data = _scenario([{"prompt": "Q?", "correction": "A."}]) | extra

    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, data))

    assert message in str(caught.value)


def test_an_empty_control_list_is_allowed(tmp_path: Path) -> None:
    data = _scenario([{"prompt": "Q?", "correction": "A."}], control=[])

    assert load_scenario(_write(tmp_path, data))["control"] == []


def test_broken_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")

    with pytest.raises(ScenarioError, match=r"broken\.json"):
        load_scenario(path)


def test_a_folder_stands_for_its_json_files_in_name_order(tmp_path: Path) -> None:
    folder, empty = tmp_path / "scenarios", tmp_path / "empty"
    folder.mkdir()
    empty.mkdir()
    for name in ("b.json", "a.json", "notes.md"):
        (folder / name).write_text("{}", encoding="utf-8")
    single = tmp_path / "single.json"

    assert scenario_paths([folder, single]) == [folder / "a.json", folder / "b.json", single]
    with pytest.raises(ScenarioError, match="no scenario"):
        scenario_paths([empty])


def test_the_tuning_scenarios_live_in_their_folder_and_load() -> None:
    tune = scenario_paths([SCENARIOS / "tune"])

    assert {"fish_shell.json", "pirate_tone.json", "ripgrep.json", "summary_line.json"} <= {
        p.name for p in tune
    }
    assert all(load_scenario(path)["heldout"] for path in tune)
    assert not list(SCENARIOS.glob("*.json")), "every scenario is in tune/ or test/"


def test_a_reply_echoes_the_user_when_it_says_the_user_said_or_only_their_words() -> None:
    scenario = _scenario(
        [
            {"prompt": "Q?", "say": "No, I use ripgrep."},
            {"prompt": "Q?", "thumb": "down", "reason": "Use rg -c."},
            {"prompt": "Q?", "correction": "Use `rg`."},
        ]
    )
    words = user_words(scenario)

    assert words == ["No, I use ripgrep.", "Use rg -c."]
    assert is_echo("Show the field.The user said: use jq", words)
    assert is_echo('  "no, I use  ripgrep"  ', words)
    assert is_echo("use rg -c", words)
    assert not is_echo("Use ripgrep: `rg -c TODO` counts the matching lines.", words)
    assert not is_echo("Use `rg`.", words), "a correction is a reply, not the user's words"
    # a reply that copies the label the prompt marks a community worked example with
    assert is_echo("(community example answer, reference only)\nUse fd: `fd -e pdf`.", [])
    assert is_echo("Use fd (Community example) to list them.", [])
    assert not is_echo("Use fd: `fd -e pdf` lists the community's shared files.", [])
