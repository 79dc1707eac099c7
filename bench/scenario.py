"""The learning scenario format: what a user teaches, and how adoption is judged.

A scenario is one JSON object (``docs/learning.md`` describes it for writers):

- ``name``: what the lesson is;
- ``teach``: the items a user goes through, each a ``prompt`` sent in a fresh conversation
  and then what the user does about the reply, in this order when several are given:
  ``regenerate: true`` (the window's Regenerate; the new reply stays), then either
  ``correction`` (the Correct button's text) or ``thumb`` (``"up"``/``"down"``, with an
  optional ``reason``), then ``say`` (the user's next message in the same conversation);
- ``heldout``: paraphrased prompts and the ``expect`` regex their reply must match;
- ``control`` (optional): unrelated prompts and the ``reject`` regex their reply must not
  match (the lesson leaking where it does not belong);
- ``sensitive`` (optional): private strings in the corrections that must never be shared.

Everything is checked when the file is read, so a typo fails before minutes of model work.
Folders are read generically (every ``*.json`` in name order), whatever their scenarios say.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# What the user does about a reply, in the order the bench does it.
ACTIONS = ("regenerate", "correction", "thumb", "say")
TEACH_KEYS = frozenset({"prompt", "reason", *ACTIONS})
THUMBS = ("up", "down")


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed, with the reason."""


def scenario_paths(paths: list[Path]) -> list[Path]:
    """The scenario files named: a file as given, a folder as its ``*.json`` in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                raise ScenarioError(f"{path}: no scenario (*.json) in this folder")
            files += found
        else:
            files.append(path)
    return files


def user_words(scenario: dict[str, Any]) -> list[str]:
    """What the user typed in words while teaching (next messages, thumb reasons): a reply
    that is only one of these echoes the user instead of answering."""
    return [item[key] for item in scenario["teach"] for key in ("say", "reason") if key in item]


# The labels the prompt puts around a hub skill's text and worked examples
# (app/skills/injection.py): a reply that carries one copied the prompt's framing.
FRAMING_LABEL = re.compile(r"reference only|community (?:example|note)s?\b", re.IGNORECASE)


def is_echo(reply: str, words: list[str]) -> bool:
    """Whether a reply parrots the user or the prompt's framing: it says "The user said",
    its whole text is one of the user's own messages (ignoring case, spaces, quotes and end
    punctuation), or it carries a label the prompt marks community material with, such as
    "(community example answer, reference only)" copied from a worked example."""

    def bare(text: str) -> str:
        return " ".join(text.lower().split()).strip(" \"'`.!")

    return (
        "the user said" in reply.lower()
        or FRAMING_LABEL.search(reply) is not None
        or bare(reply) in {bare(w) for w in words}
    )


def teach_kind(item: dict[str, Any]) -> str:
    """How an item teaches, in words: ``correction``, ``say``, ``regenerate+say``, …"""
    return "+".join(action for action in ACTIONS if action in item)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _regex(where: str, pattern: Any) -> None:
    if not _text(pattern):
        raise ScenarioError(f"{where}: needs a non-empty regular expression")
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ScenarioError(f"{where}: bad regex {pattern!r}: {exc}") from exc


def _check_teach(where: str, item: Any) -> None:
    if not isinstance(item, dict) or not _text(item.get("prompt")):
        raise ScenarioError(f"{where}: needs a non-empty 'prompt'")
    unknown = sorted(set(item) - TEACH_KEYS)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; a teach item has "
            f"'prompt' and one or more of {', '.join(map(repr, ACTIONS))}"
        )
    if not any(action in item for action in ACTIONS):
        raise ScenarioError(
            f"{where}: says nothing about the reply: give one of {', '.join(map(repr, ACTIONS))}"
        )
    if "correction" in item and "thumb" in item:
        raise ScenarioError(f"{where}: 'correction' and 'thumb' cannot both be given")
    for key in ("correction", "say"):
        if key in item and not _text(item[key]):
            raise ScenarioError(f"{where}: '{key}' must be a non-empty string")
    if "regenerate" in item and item["regenerate"] is not True:
        raise ScenarioError(f"{where}: 'regenerate' must be true (or left out)")
    if "thumb" in item and item["thumb"] not in THUMBS:
        raise ScenarioError(f'{where}: \'thumb\' must be "up" or "down", not {item["thumb"]!r}')
    if "reason" in item:
        if "thumb" not in item:
            raise ScenarioError(f"{where}: 'reason' goes with a 'thumb'")
        if not _text(item["reason"]):
            raise ScenarioError(f"{where}: 'reason' must be a non-empty string")


def _check_probes(path: Path, data: dict[str, Any], key: str, field: str, required: bool) -> None:
    """``heldout`` (``expect``) and ``control`` (``reject``): prompts with a regex each."""
    items = data.get(key)
    if items is None and not required:
        return
    if not isinstance(items, list) or (required and not items):
        kind = "a non-empty list" if required else "a list"
        raise ScenarioError(f"{path}: '{key}' must be {kind} of {{prompt, {field}}} objects")
    for index, item in enumerate(items):
        where = f"{path}: {key}[{index}]"
        if not isinstance(item, dict) or not _text(item.get("prompt")):
            raise ScenarioError(f"{where}: needs a non-empty 'prompt'")
        _regex(f"{where}: '{field}'", item.get(field))


def load_scenario(path: Path) -> dict[str, Any]:
    """Read and check a scenario; :class:`ScenarioError` names the file, item and fault."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not _text(data.get("name")):
        raise ScenarioError(f"{path}: expected an object with a non-empty 'name'")
    teach = data.get("teach")
    if not isinstance(teach, list) or not teach:
        raise ScenarioError(f"{path}: 'teach' must be a non-empty list")
    for index, item in enumerate(teach):
        _check_teach(f"{path}: teach[{index}]", item)
    _check_probes(path, data, "heldout", "expect", required=True)
    _check_probes(path, data, "control", "reject", required=False)
    sensitive = data.get("sensitive")
    if sensitive is not None and (
        not isinstance(sensitive, list) or not all(_text(s) for s in sensitive)
    ):
        raise ScenarioError(f"{path}: 'sensitive' must be a list of non-empty strings")
    return data
