"""The next-message patterns that correct without saying "no", and their look-alikes.

Every example here was written for these tests; none is a line of the tuning set
(tests/data/nextmsg_cases.jsonl), so they check that the fitted weights generalise.
"""

from __future__ import annotations

import pytest

from app.signals.nextmsg import classify_next_message, extract_hint

CORRECTIONS = [
    # a re-query with the change inside
    ("how do I add numpy to my project", "```bash\npip install numpy\n```",
     "how do I add numpy with uv instead?", "with uv instead"),
    ("fetch the page", "```bash\nwget https://example.org\n```",
     "could you fetch it using curl instead?", "using curl instead"),
    # a preference stated as a fix
    ("look for 'main' in the code", "```bash\ngrep -rn main src\n```",
     "I prefer ripgrep, please always use rg for searching", None),
    # an error the reply caused
    ("show the json nicely", "```bash\njq . out.json\n```",
     "zsh: command not found: jq", None),
    # something the reply left out
    ("archive the logs folder", "```bash\nzip logs.zip logs\n```",
     "you forgot the -r, the folder is empty in the zip", None),
    # a library the user does not want
    ("read the excel sheet", "```python\nimport pandas as pd\npd.read_excel('a.xlsx')\n```",
     "without pandas please, just openpyxl", None),
    # a fact of the reply contradicted
    ("what's the UTC offset of India", "India is UTC+5.", "IST is +5:30", None),
    # "I told you", "wrong,", "nope —"
    ("how do I install fzf", "```bash\nsudo apt install fzf\n```",
     "I told you I'm on a mac, brew", "I'm on a mac, brew"),
    ("how many legs does a spider have", "A spider has 6 legs.", "wrong, 8", "8"),
    ("how do I quit nano", "Press Esc then type :q", "nope — it's Ctrl+X in nano",
     "it's Ctrl+X in nano"),
    # thanks, then an instruction
    ("show the branches", "```bash\ngit branch\n```", "thanks, but add -a next time",
     "add -a next time"),
    # more of each kind, which the classifier read as new topics before
    ("who painted the mona lisa", "The Mona Lisa was painted by Michelangelo.",
     "it was Leonardo da Vinci", None),
    ("make a modal dialog", "```bash\nnpm install react-modal\n```",
     "without extra dependencies, just the html dialog element", None),
    ("run it", "```bash\npython3 app.py\n```", "ModuleNotFoundError: No module named flask",
     None),
    ("open the file", "```bash\nnano notes.txt\n```", "I always use vim", None),
    ("format the code", "```bash\nblack .\n```", "I prefer ruff format from now on", None),
    ("how do I commit", "```bash\ngit commit -a\n```", "you left out the message, -m", None),
    # "no" that belongs to the instruction stays in the hint
    ("plot the data", "```python\nimport matplotlib.pyplot as plt\n```",
     "no matplotlib please, just print a text table",
     "no matplotlib please, just print a text table"),
]

LOOK_ALIKES = [
    # thanks, then a new request
    ("list the files here", "```bash\nls -l\n```",
     "thanks! now how do I count them?", "new_topic"),
    # a follow-up that builds on a good answer
    ("add numpy to my project", "```bash\nuv add numpy\n```",
     "how do I remove it again later?", "new_topic"),
    ("what's the UTC offset of India", "India is UTC+5:30 (IST).", "and Nepal?", "new_topic"),
    # a plain rephrasing
    ("how do I rename a file in linux", "Linux has many file systems.",
     "how can I rename a file on linux?", "requery"),
    # approval that names the tool the reply used
    ("look for 'main' in the code", "```bash\nrg main src\n```",
     "perfect, rg is my favourite", "acceptance"),
]


@pytest.mark.parametrize(("previous", "reply", "following", "hint"), CORRECTIONS)
def test_corrections_without_a_no_are_read_as_corrections(previous, reply, following, hint):
    verdict = classify_next_message(previous, reply, following)
    assert verdict.label == "correction", (verdict.probabilities, verdict.features)
    if hint is not None:
        assert verdict.hint == hint


@pytest.mark.parametrize(("previous", "reply", "following", "label"), LOOK_ALIKES)
def test_look_alikes_keep_their_label(previous, reply, following, label):
    verdict = classify_next_message(previous, reply, following)
    assert verdict.label == label, (verdict.probabilities, verdict.features)


@pytest.mark.parametrize(
    ("message", "hint"),
    [
        ("how would I do that in fish rather than bash?", "in fish rather than bash"),
        ("cheers, though use --depth 1 next time", "use --depth 1 next time"),
        ("as I said, I only have python3", "I only have python3"),
        ("ok thanks, but keep it shorter", "keep it shorter"),
    ],
)
def test_hint_is_the_instruction_part(message: str, hint: str) -> None:
    assert extract_hint(message) == hint


def test_a_hint_for_next_time_is_checked_on_what_it_asks_for() -> None:
    """"use rg next time": a reply follows it by using rg; "next time" is no word to hold."""
    from app.signals.hint_terms import hint_terms
    from app.signals.hints import follows

    hint = classify_next_message(
        "search the logs for errors", "```bash\ngrep -r ERROR /var/log\n```",
        "thanks, but use rg from now on",
    ).hint
    assert hint == "use rg from now on"
    terms = hint_terms(hint, "grep -r ERROR /var/log")
    assert follows("```bash\nrg ERROR /var/log\n```", terms)
    assert not follows("```bash\ngrep -r ERROR /var/log\n```", terms)
