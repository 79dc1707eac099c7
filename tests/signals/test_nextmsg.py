"""Behaviour of the next-user-message classifier and its labelled set."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from app.signals.nextmsg import (
    LABELS,
    SCORES,
    NextMessageVerdict,
    classify_next_message,
    extract_features,
    extract_hint,
)

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "data" / "nextmsg_cases.jsonl"

# Examples written for these tests, not taken from the labelled set.
CLEAR = [
    ("how do I list hidden files", "Files can be listed with many tools.",
     "how can I show hidden files?", "requery"),
    ("whats the capital of mongolia", "Mongolia is a landlocked country in East Asia.",
     "what's the capital of Mongolia", "requery"),
    ("how do I chnage my default shell", "Shells interpret the commands you type.",
     "how do I change my default shell", "requery"),
    ("how do I undo a commit", "Commits are snapshots of your project.",
     "how do I undo a commit again please", "requery"),
    ("reverse a string", "```python\ns[::-1]\n```", "no, I meant in bash", "correction"),
    ("back up my home folder", "```bash\ncp -r ~ /backup\n```", "use rsync instead",
     "correction"),
    ("when did the first iphone come out", "The first iPhone was released in 2009.",
     "that's wrong, it came out in 2007", "correction"),
    ("print a list in python", "```javascript\nconsole.log(list)\n```",
     "not javascript, python", "correction"),
    ("install nginx on ubuntu", "```bash\nsudo apt install nginx\n```",
     "and how do I start it on boot?", "new_topic"),
    ("how do I list docker images", "```bash\ndocker images\n```", "what about with podman?",
     "new_topic"),
    ("what is the capital of kenya", "Nairobi.", "write me a haiku about rain", "new_topic"),
    ("how do I list docker images", "```bash\ndocker images\n```", "thanks, that worked!",
     "acceptance"),
    ("what is the capital of kenya", "Nairobi.", "perfect 👍", "acceptance"),
    ("regex for a hex colour", "```regex\n^#[0-9a-fA-F]{6}$\n```",
     "great, exactly what I needed", "acceptance"),
]


def _load_cases() -> list[dict[str, str]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line]


def _assert_well_formed(verdict: NextMessageVerdict) -> None:
    assert verdict.label in LABELS
    assert 0.0 <= verdict.confidence <= 1.0
    assert verdict.score == SCORES[verdict.label]
    assert verdict.hint is None or verdict.label == "correction"
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in verdict.features.values())


@pytest.mark.parametrize(("previous", "reply", "following", "label"), CLEAR)
def test_clear_examples_get_their_label(previous, reply, following, label) -> None:
    verdict = classify_next_message(previous, reply, following)
    _assert_well_formed(verdict)
    assert verdict.label == label, verdict.features
    assert verdict.confidence > 0.5


def test_scores_follow_the_signal_contract() -> None:
    assert SCORES == {"requery": -1.0, "correction": -1.0, "new_topic": 0.0, "acceptance": 0.3}


def test_follow_up_that_builds_on_the_reply_is_not_a_requery() -> None:
    verdict = classify_next_message(
        "how do I stage all my changes in git", "```bash\ngit add -A\n```",
        "and how do I unstage them again?",
    )
    assert verdict.label == "new_topic"
    assert verdict.score == 0.0


def test_negated_success_is_not_acceptance() -> None:
    verdict = classify_next_message(
        "how do I exit vim", "Press `Ctrl+C`.", "that doesn't work, you have to type :q"
    )
    assert verdict.label == "correction"


@pytest.mark.parametrize(
    ("message", "hint"),
    [
        ("no, I meant in bash", "I meant in bash"),
        ("Nope. Use rsync instead", "Use rsync instead"),
        ("that's wrong, it ended in 1945", "it ended in 1945"),
        ("actually it's Ottawa", "it's Ottawa"),
        ("thanks but that's wrong, it should be ls -la", "it should be ls -la"),
        ("I'm on ubuntu, not a mac", "I'm on ubuntu, not a mac"),
        ("nope.", None),
        ("that's not what I asked", None),
    ],
)
def test_hint_is_the_corrective_part(message: str, hint: str | None) -> None:
    assert extract_hint(message) == hint


def test_correction_verdict_carries_the_hint() -> None:
    verdict = classify_next_message("reverse a string", "```python\ns[::-1]\n```",
                                    "No, I meant in bash")
    assert verdict.label == "correction"
    assert verdict.hint == "I meant in bash"


def test_hint_of_a_huge_correction_is_bounded() -> None:
    assert len(extract_hint("no, " + "use rsync " * 100_000) or "") <= 500


@pytest.mark.parametrize(
    ("previous", "reply", "following"),
    [
        ("", "", ""),
        ("how do I list files", "```bash\nls\n```", ""),
        ("", "", "   \n\t "),
        ("x" * 1_000_000, "y" * 1_000_000, "z" * 1_000_000),
        ("list files", "ls", "word " * 200_000),
        ("list files", "ls", "no, " + "你好世界 " * 250_000),
        ("¿cómo listo archivos?", "Usa `ls`.", "¡gracias, funcionó! ñandú"),
        ("как удалить файл", "`rm файл`", "нет, я имел в виду папку"),
        ("how do I list files", "ls", "🙏🙏🙏"),
        ("how do I list files", "ls", "👎"),
        ("how do I list files", "ls", "🤖" * 300_000),
        ("broken \ud800 surrogate", "reply \udfff", "next \ud83d"),
        (None, None, None),
    ],
)
def test_odd_input_never_raises(previous, reply, following) -> None:
    _assert_well_formed(classify_next_message(previous, reply, following))


def test_empty_next_message_carries_no_evaluation() -> None:
    verdict = classify_next_message("how do I list files", "ls", "")
    assert verdict.label == "new_topic"
    assert verdict.score == 0.0


def test_emoji_only_reactions() -> None:
    assert classify_next_message("how do I list files", "ls", "🙏").label == "acceptance"
    assert classify_next_message("how do I list files", "ls", "👎").score < 0


def test_non_string_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="next_user must be a string, not int"):
        classify_next_message("a", "b", 3)  # type: ignore[arg-type]


def test_every_weighted_feature_is_computed() -> None:
    from app.signals.nextmsg import _WEIGHTS

    computed = set(extract_features("a", "b", "c"))
    for label in LABELS:
        assert set(_WEIGHTS[label]) <= computed


def test_labelled_set_is_large_and_covers_every_label() -> None:
    cases = _load_cases()
    counts = Counter(case["label"] for case in cases)
    assert len(cases) >= 150
    assert set(counts) == set(LABELS)
    assert min(counts.values()) >= len(cases) // 6, counts
    assert len({case["next_user"] for case in cases}) > 0.95 * len(cases)


def test_accuracy_on_the_shipped_set() -> None:
    cases = _load_cases()
    hits = sum(
        classify_next_message(c["previous_user"], c["assistant"], c["next_user"]).label
        == c["label"]
        for c in cases
    )
    assert hits / len(cases) >= 0.90


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.signals", "--json", *args],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )


def test_benchmark_prints_one_json_object() -> None:
    run = _bench()
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["n"] == len(_load_cases())
    assert result["accuracy"] >= 0.90
    assert set(result["per_class"]) == set(LABELS)
    assert result["goal_accuracy"] == 0.9
    assert result["goal_latency_ms"] == 5


def test_benchmark_names_the_bad_line(tmp_path: Path) -> None:
    good = json.dumps({"previous_user": "a", "assistant": "b", "next_user": "thanks",
                       "label": "acceptance"})
    cases = tmp_path / "cases.jsonl"
    cases.write_text(f"{good}\n{good}\n{{not json\n", encoding="utf-8")
    run = _bench("--cases", str(cases))
    assert run.returncode == 2
    assert run.stdout == ""
    assert f"{cases}:3:" in run.stderr

    cases.write_text(f"{good}\n" + good.replace("acceptance", "meh") + "\n", encoding="utf-8")
    run = _bench("--cases", str(cases))
    assert run.returncode == 2
    assert f"{cases}:2: unknown label 'meh'" in run.stderr
