"""The decoder's head start for a retrieved lesson's terms (app.model.nudge)."""

from __future__ import annotations

import numpy as np

from app.model.nudge import FINISH_BIAS, START_BIAS, Nudge
from app.model.runtime import ModelRuntime

# A toy vocabulary: token id -> bytes, and how it spells the texts the processor asks for.
PIECES = {0: b"Use", 1: b" pip", 2: b"x", 3: b" micro", 4: b"micro", 5: b"`", 6: b" nano",
          7: b".", 8: b"x", 10: b" m", 11: b"lr", 12: b"ml", 13: b"r", 14: b"pip"}
SPELL = {"x": [8], "`": [5], "x micro": [8, 3], "`micro": [5, 4], "x pipx": [8, 1, 2],
         "`pipx": [5, 14, 2], "x mlr": [8, 10, 11], "`mlr": [5, 12, 13]}


def nudge(terms: list[str]) -> Nudge:
    return Nudge(terms, SPELL.__getitem__, PIECES.__getitem__, prompt_tokens=2)


def scores_after(processor: Nudge, reply: list[int]) -> np.ndarray:
    return processor(np.array([7, 7, *reply], dtype=np.intc), np.zeros(16, dtype=np.single))


def test_a_program_not_yet_named_gets_a_head_start_after_a_space_or_an_opener() -> None:
    after_word = scores_after(nudge(["micro"]), [0])
    assert after_word[3] == START_BIAS  # " micro" after "Use"
    assert after_word[4] == 0  # "micro" glued to a word would make a new word
    assert scores_after(nudge(["micro"]), [0, 5])[4] == START_BIAS  # "`micro"
    assert scores_after(nudge(["micro"]), [])[4] == START_BIAS  # at the start of the reply


def test_a_split_program_once_begun_at_a_word_start_is_finished() -> None:
    begun = scores_after(nudge(["pipx"]), [0, 1])  # "Use pip"
    assert begun[2] == FINISH_BIAS
    assert begun[1] == 0  # no second start while one is under way
    assert scores_after(nudge(["mlr"]), [0, 5, 12])[13] == FINISH_BIAS  # "Use `ml" -> r


def test_a_part_begun_inside_another_word_is_left_alone() -> None:
    inside = scores_after(nudge(["mlr"]), [0, 12])  # "Useml": not the start of a word
    assert inside[13] == 0


def test_a_one_letter_first_piece_after_a_space_is_never_pushed() -> None:
    after_word = scores_after(nudge(["mlr"]), [0])  # " m" would land in every reply
    assert not after_word.any()
    assert scores_after(nudge(["mlr"]), [0, 5])[12] == START_BIAS  # "`ml" may start it


def test_a_named_program_is_left_alone() -> None:
    processor = nudge(["micro"])
    assert not scores_after(processor, [0, 3, 7]).any()  # "Use micro." already names it
    assert not scores_after(nudge([]), [0]).any()


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
