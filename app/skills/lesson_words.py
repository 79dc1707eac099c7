"""A capable model's wording of a habit's lesson, kept only when the examples bear it out.

The rules of :mod:`app.skills.lesson_diff` name a lesson in a fixed sentence ("Use `rg`
instead of `grep`"); a capable model can say it better ("Search with ripgrep (`rg`), not
grep"). The embedded 135M model cannot: its sentences drift from the lesson, so the wording
is asked only when the user says the served model is capable (the
``learning.model_words_skills`` setting, off by default). Whatever the model writes is
checked against the examples before it is kept: it must name what the lesson adds (or takes
out), and every command or quoted phrase in it must occur in the examples, so a draft that
invents a lesson the user never taught is refused and the rule's sentence stays.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from app.skills.lesson_diff import Lesson

log = logging.getLogger(__name__)

MIN_CHARS = 10
MAX_CHARS = 240

_QUOTED = re.compile(r"`([^`\n]+)`|“([^”\n]+)”|\"([^\"\n]+)\"")


def prompt(lesson: Lesson, examples: list[tuple[str, str]]) -> str:
    """What the model is asked: the rule's sentence, the examples, one sentence back."""
    shown = "\n\n".join(
        f"Request: {request}\nAnswer the user wanted: {answer}" for request, answer in examples
    )
    return (
        "A user corrected an assistant's replies; every corrected answer below follows one "
        f"lesson, which a rule states as: {lesson.summary}\n\n{shown}\n\n"
        "Write that lesson as one imperative sentence for the assistant, saying what to do "
        "and, if it is about a topic, when. Quote commands in backticks. Output only the "
        "sentence."
    )


def check(wording: str, lesson: Lesson, examples: list[tuple[str, str]]) -> str:
    """``wording`` cleaned up, or :class:`ValueError` saying why the examples do not bear it out."""
    text = " ".join(wording.strip().strip('"').split())
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        raise ValueError(f"the wording must be {MIN_CHARS}-{MAX_CHARS} characters")
    named = lesson.named
    if named.lower() not in text.lower():
        raise ValueError(f"the wording does not name {named!r}")
    answers = " ".join(answer for _, answer in examples).lower()
    allowed = {lesson.text.lower(), lesson.old.lower()}
    for match in _QUOTED.finditer(text):
        quoted = next(group for group in match.groups() if group is not None).lower()
        if quoted not in answers and quoted not in allowed:
            raise ValueError(f"the wording quotes {quoted!r}, which no example has")
    return text if text[-1] in ".!" else text + "."


def worded(
    lesson: Lesson, examples: list[tuple[str, str]], draft: Callable[[str], str]
) -> str | None:
    """The model's wording of ``lesson`` when the examples bear it out, else ``None``."""
    try:
        return check(draft(prompt(lesson, examples)), lesson, examples)
    except Exception as exc:  # a refused draft or a failing runtime: the rule's sentence stays
        log.info("the model's wording of %s was not kept: %s", lesson.name, exc)
        return None
