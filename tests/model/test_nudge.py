"""The decoder's head start for a retrieved lesson's terms (app.model.nudge)."""

from __future__ import annotations

import numpy as np

from app.model.nudge import FINISH_BIAS, START_BIAS, Nudge
from app.model.runtime import ModelRuntime

# A toy vocabulary: token id -> bytes.
PIECES = {0: b"Use", 1: b" pip", 2: b"x", 3: b" micro", 4: b"micro", 5: b"`", 6: b" nano", 7: b"."}
SPELL = {" pipx": [1, 2], "pipx": [9, 2], " micro": [3], "micro": [4]}


def nudge(terms: list[str]) -> Nudge:
    return Nudge(terms, lambda text: SPELL[text], PIECES.__getitem__, prompt_tokens=2)


def scores_after(processor: Nudge, reply: list[int]) -> np.ndarray:
    return processor(np.array([7, 7, *reply], dtype=np.intc), np.zeros(10, dtype=np.single))


def test_a_term_not_yet_named_gets_a_head_start_after_a_space_or_an_opener() -> None:
    processor = nudge(["micro"])
    after_word = scores_after(processor, [0])
    assert after_word[3] == START_BIAS  # " micro" after "Use"
    assert after_word[4] == 0  # "micro" glued to a word would make a new word
    assert scores_after(processor, [0, 5])[4] == START_BIAS  # "`micro" after a backtick
    assert scores_after(processor, [])[4] == START_BIAS  # at the start of the reply


def test_a_split_term_once_begun_is_finished_not_left_as_the_word_it_replaces() -> None:
    processor = nudge(["pipx"])
    begun = scores_after(processor, [0, 1])  # "Use pip"
    assert begun[2] == FINISH_BIAS
    assert begun[1] == 0  # no second start while one is under way


def test_a_named_term_is_left_alone() -> None:
    processor = nudge(["micro"])
    assert not scores_after(processor, [0, 3, 7]).any()  # "Use micro." already names it
    assert not nudge([]).__call__(np.array([7, 7], dtype=np.intc), np.zeros(10)).any()


def test_the_real_model_names_a_nudged_term_more_often(runtime: ModelRuntime) -> None:
    """The model copies "sudo nano" from habit over a worked example's `micro`; nudged, it
    names the lesson's editor in more replies, and never in a run of repeats."""
    shown = [
        {"role": "user", "content": "How do I edit /etc/hosts?"},
        {"role": "assistant", "content": "Run `sudo micro /etc/hosts`."},
        {"role": "user", "content": "How do I edit my crontab?"},
        {"role": "assistant", "content": "Run `EDITOR=micro crontab -e`."},
    ]
    asks = ["How do I edit the ssh config?", "How do I edit a file in the terminal?",
            "How do I open my .gitconfig to change it?"]

    def replies(nudge: list[str]) -> list[str]:
        return [
            "".join(runtime.stream_chat([*shown, {"role": "user", "content": ask}],
                                        max_tokens=40, temperature=0.0, nudge=nudge)).lower()
            for ask in asks
        ]

    plain, nudged = replies([]), replies(["micro"])
    assert sum("micro" in r for r in nudged) > sum("micro" in r for r in plain)
    assert all(r.count("micro") < 4 for r in nudged)
