"""What of a teacher's try may teach: the answer to the request, not the owning up to the
correction the student never sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.model.prompt import render_chat
from app.signals.owning_up import answer_only
from trainer import teacher
from trainer.config import TrainConfig
from trainer.data import Encoder, Example
from trainer.teacher import complete_part, degenerate


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        (
            "You're right, I'm using the fish shell. Run `fish_add_path ~/bin`.",
            "Run `fish_add_path ~/bin`.",
        ),
        ("Sorry! You are right. Use `uv add httpx`.", "Use `uv add httpx`."),
        ("My apologies for the confusion.\n\nRun `rg TODO`.", "Run `rg TODO`."),
        ("You're right", ""),
        ("Sure, use `uv add x`.", "Sure, use `uv add x`."),  # an answer, not an apology
        ("Right-click the file and choose Rename.", "Right-click the file and choose Rename."),
        # the answer in the apology's own sentence stays: only the owning up goes
        ("You're right, use `rg foo` instead.", "Use `rg foo` instead."),
        (
            "Sorry about that: `rg -n foo src/` searches recursively",
            "`rg -n foo src/` searches recursively",
        ),
        ("You're right, sorry. Run `uv sync`.", "Run `uv sync`."),
    ],
)
def test_a_try_keeps_the_answer_without_owning_up_to_the_correction(reply: str, kept: str) -> None:
    assert answer_only(reply) == kept


@pytest.mark.parametrize(
    ("cut", "kept"),
    [
        (
            "Recursion is a function calling itself. It is used in",
            "Recursion is a function calling itself.",
        ),
        # the label line the hint wants at the end must not land inside this code block
        (
            "A comprehension is short.\n\nExample:\n\n```python\nsquares = [x**2 for x in",
            "A comprehension is short.",
        ),
        ("Use this:\n```bash\nrg foo\n```\nThen it", "Use this:\n```bash\nrg foo\n```"),
        ("Steps:\n1. Open the file.\n2.", "Steps:\n1. Open the file."),
        ("To install it:\n\n```bash\npip install sc", ""),
        ("no sentence has ended yet and", ""),
        # a fence opened mid-line ("Using X: ```bash") opens a code block all the same
        ("Using trash-put: ```bash\ntrash-put *.lo", ""),
        ("Using fd: ```bash\nfd -e log\n```\n\nThis will", "Using fd: ```bash\nfd -e log\n```"),
    ],
)
def test_a_generation_cut_by_the_token_limit_keeps_only_what_was_finished(
    cut: str, kept: str
) -> None:
    assert complete_part(cut) == kept


def test_a_try_that_runs_into_a_loop_is_no_reply_to_teach() -> None:
    assert degenerate("You can install it using `uv install httpx-dev-pip-pip-pip-pip-pip-pip`")
    assert degenerate("a far-off land, " * 5)
    assert not degenerate("Run `uv add httpx`.\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert not degenerate("Summary:\n\n----------\n\n0000000000 is ten zeros.")
    assert not degenerate("| uv | yes |\n|---|---|\n| yes | yes | yes | yes | yes |")


def test_a_reply_cached_by_an_older_check_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # a hit skips answer_only/degenerate/follows: a changed check must not serve old replies
    example = Example(kind="hinted", prompt="p", reply="r", hint="use uv", id=1, dedup_key="k")
    config = TrainConfig()
    before = teacher._cache_key(example, None, config, {})
    monkeypatch.setattr(teacher, "TEACHER_VERSION", "a check changed since", raising=False)
    assert teacher._cache_key(example, None, config, {}) != before


def test_what_a_run_persists_of_the_teacher_holds_no_user_text() -> None:
    # the metrics go into training_runs and the adapter's metrics.json; deleting the example
    # would not remove a secret typed in a hint from there
    secret = "my token is hunter2-ABCDEF"
    example = Example(kind="hinted", prompt="p", reply="r", hint=secret, id=7, dedup_key="k")
    report = teacher.TeacherReport()
    report.log(example, secret, f"Use {secret}", "greedy", ["x", f"Use {secret}"])
    persisted = json.dumps(report.as_dict())
    assert "hunter2" not in persisted
    assert report.as_dict()["examples"] == [
        {"id": 7, "followed": True, "how": "greedy", "tries": 2, "hint_chars": 26}
        | {"reply_chars": 30}
    ]
    assert report.as_event()["examples"][0]["hint"] == secret  # the live event still shows it


def test_a_run_reads_how_the_user_runs_the_wanted_tool_from_their_own_words(
    model_path: Path,
) -> None:
    """The relabelling writes the wanted tool's command only in a form the user showed
    (in a hint's code or a correction), never one it made up (``uv install``)."""
    encoder = Encoder(model_path, 256)

    def asked(request: str) -> str:
        return render_chat([{"role": "user", "content": request}])

    said = Example(
        kind="hinted",
        prompt=asked("How do I install requests?"),
        reply="Run `pip install requests`.",
        hint="no, I use uv, not pip",
        id=1,
        dedup_key="a",
    )
    shown = Example(
        kind="hinted",
        prompt=asked("How do I add numpy?"),
        reply="`pip install numpy`",
        hint="no, use `uv add numpy`, not pip",
        id=2,
        dedup_key="b",
    )
    fixed = Example(
        kind="sft",
        prompt=asked("How do I get flask?"),
        target="```bash\nuv pip install flask\n```",
        id=3,
        dedup_key="c",
    )
    assert teacher.command_forms([said], encoder) == {}
    assert teacher.command_forms([said, shown], encoder) == {"uv": "uv add"}
    assert teacher.command_forms([said, fixed], encoder) == {"uv": "uv pip install"}


def test_a_tool_the_hint_s_command_runs_instead_gives_the_relabelling_its_form(
    model_path: Path,
) -> None:
    """A hint saying "here it's `buildah bud -t shop .`" after a reply that ran
    ``docker bud``: the run relabels docker to buildah, run the way the user's code runs it."""
    encoder = Encoder(model_path, 256)
    said = Example(
        kind="hinted",
        prompt=render_chat([{"role": "user", "content": "How do I build the image?"}]),
        reply="Run `docker bud -t shop .` in the folder.",
        hint="same tool as before. here it's `buildah bud -t shop .`",
        id=1,
        dedup_key="a",
    )
    assert teacher.command_forms([said], encoder) == {"buildah": "buildah bud"}


def test_each_spoken_correction_gets_only_its_own_habit_s_swaps(model_path: Path) -> None:
    # Two habits in one run: doas for sudo and uv for pip. Given both, "I use uv, not pip"
    # had to name doas too, and no reply of the teacher could be checked.
    encoder = Encoder(model_path, 256)
    said = [("How do I restart nginx?", "Run `sudo systemctl restart nginx`.",
             "no, I use doas, not sudo"),
            ("How do I reboot?", "Run `sudo reboot`.", "doas, not sudo!"),
            ("How do I edit hosts?", "Run `sudo nano /etc/hosts`.", "again: doas, not sudo"),
            ("How do I get requests?", "Run `pip install requests`.", "no, I use uv, not pip"),
            ("How do I get numpy?", "Run `pip install numpy`.", "uv, not pip"),
            ("How do I get flask?", "Run `pip install flask`.", "I said uv, not pip")]
    examples = [Example(kind="hinted", prompt=render_chat([{"role": "user", "content": q}]),
                        reply=r, hint=h, id=i, dedup_key=f"k{i}")
                for i, (q, r, h) in enumerate(said)]
    swaps = teacher.run_swaps(examples, encoder)
    assert {swaps[f"k{i}"] for i in range(3)} == {(("sudo", "doas"),)}
    assert {swaps[f"k{i}"] for i in range(3, 6)} == {(("pip", "uv"),)}
