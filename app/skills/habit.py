"""Habits: the same rewrite, made by the user again and again across different requests.

One correction teaches one reply; the third "Arr, matey! …" or "… Summary: …" teaches a
habit. A per-reply skill cannot carry it: its lesson is a diff of one answer and its
description names one request, so the next, unrelated request never retrieves it. A habit
skill instead holds the part every corrected answer shares — the same opening words
(``Use ripgrep:``, ``In your fish shell``) or the same closing line (``Summary: …``) — and
the user's latest examples, the closest of which the prompt shows as worked turns (a 135M model
copies a demonstrated habit far more reliably than it follows a described one).

Where the habit applies follows from the requests it was taught on: when they share no
topic (a cup of tea, the capital of France, a git commit), it is a standing preference — a
tone, a format, a fact about the user — and ``applies: always``; when they share one
(searching files, again and again), it stays a topical skill whose description gathers the
words of all those requests, so paraphrases of them find it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from app.skills.retrieve import STOP_WORDS, query_terms, stem
from app.skills.skill import APPLIES_ALWAYS, APPLIES_RELEVANT

MIN_OPENING_WORDS = 2
MAX_OPENING_WORDS = 8
MAX_EXAMPLES = 6
MIN_STANDING_REQUESTS = 3

_WORD = re.compile(r"\S+")
_LABEL = re.compile(r"^\W*([A-Za-z][\w ]{0,30}?):")


@dataclass(frozen=True)
class Habit:
    """``opening``: the words every answer starts with; ``closing``: the label of the line
    every answer ends with (``Summary:``)."""

    kind: str
    text: str

    def holds_for(self, answer: str) -> bool:
        if self.kind == "opening":
            return _key(_words(answer)[: len(_words(self.text))]) == _key(_words(self.text))
        label = _closing_label(answer)
        return label is not None and label.lower() == self.text.lower()

    @property
    def lesson(self) -> str:
        if self.kind == "opening":
            return f"- Start the reply with “{self.text}”, as in the examples."
        return f"- End the reply with one line that starts with “{self.text}”."

    @property
    def anti_pattern(self) -> str:
        if self.kind == "opening":
            return f"Answering without starting with “{self.text}”."
        return f"Ending the reply without the “{self.text}” line."

    @property
    def summary(self) -> str:
        return self.lesson.lstrip("- ").replace(", as in the examples.", ".")

    @property
    def name(self) -> str:
        verb = "start-with" if self.kind == "opening" else "end-with"
        return f"{verb}-{self.text}"


def _words(text: str) -> list[str]:
    return _WORD.findall(text.strip())


def _key(words: list[str]) -> list[str]:
    return [re.sub(r"[^\w]", "", w.lower()) for w in words]


def _closing_label(answer: str) -> str | None:
    lines = [ln.strip() for ln in answer.strip().splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    match = _LABEL.match(lines[-1])
    return f"{match.group(1).strip()}:" if match else None


def _opening(a: str, b: str) -> str | None:
    """The opening words ``a`` and ``b`` share, cut back to a clause end when there is one,
    with at least one word that is not a stop word ("You can" is no habit). Code ends an
    opening: the same command in two answers is the same lesson, a near-duplicate."""
    words_a, words_b = _words(a), _words(b)
    shared = 0
    for x, y in zip(_key(words_a), _key(words_b), strict=False):
        if x != y or not x or "`" in words_a[shared] or shared == MAX_OPENING_WORDS:
            break
        shared += 1
    if len(words_a) <= shared or len(words_b) <= shared:
        return None  # one answer is all opening: a repeated reply, not a habit
    ends = [
        i + 1
        for i in range(shared)
        if words_a[i][-1] in ":!,." and words_a[i][-1] == words_b[i][-1]
    ]
    cut = max(ends, default=shared)
    opening = words_a[:cut]
    if opening and opening[-1][-1] != words_b[cut - 1][-1]:
        opening[-1] = opening[-1].rstrip(":!,.;")
    meaningful = [w for w in _key(opening) if w and w not in STOP_WORDS]
    if len(opening) < MIN_OPENING_WORDS or not meaningful:
        return None
    return " ".join(opening).rstrip(",")


def shared_habit(a: str, b: str) -> Habit | None:
    """The habit two corrected answers share, if any (the opening first)."""
    opening = _opening(a, b)
    if opening:
        return Habit("opening", opening)
    label_a, label_b = _closing_label(a), _closing_label(b)
    if label_a and label_b and label_a.lower() == label_b.lower():
        return Habit("closing", label_a)
    return None


def of_examples(examples: list[tuple[str, str]]) -> Habit | None:
    """The habit every example answer of a skill shares: a habit skill's own habit."""
    if len(examples) < 2:
        return None
    found = shared_habit(examples[0][1], examples[1][1])
    return found if found and all(found.holds_for(a) for _, a in examples) else None


def applies(requests: list[str]) -> str:
    """``always`` when at least three requests share no topic, else ``relevant``.

    "No topic" allows a word in common between a few of many requests (two of eight
    explanations both mention Python) but not the one most of them are about.
    """
    if len(requests) < MIN_STANDING_REQUESTS:
        return APPLIES_RELEVANT
    counts = Counter(t for r in requests for t in {stem(w) for w in query_terms(r)})
    most = max(counts.values(), default=0)
    return APPLIES_ALWAYS if most <= max(1, len(requests) // 4) else APPLIES_RELEVANT


def description(habit: Habit, requests: list[str], limit: int) -> str:
    """What the habit is and the words of every request it was taught on, for retrieval."""
    text = f"{habit.summary} Applies to requests like: {' '.join(requests[0].split())}"
    seen = set(query_terms(text, limit=64))
    extra = [t for r in requests[1:] for t in query_terms(r) if not (t in seen or seen.add(t))]
    if extra:
        text += "; also " + ", ".join(extra)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"


def kept_examples(examples: list[tuple[str, str]], new: tuple[str, str]) -> list[tuple[str, str]]:
    """The newest examples, at most :data:`MAX_EXAMPLES`: recent corrections say best what
    the user wants now; the prompt shows the few closest to each request."""
    pairs = [pair for pair in examples if pair[0] != new[0]] + [new]
    return pairs[-MAX_EXAMPLES:]
