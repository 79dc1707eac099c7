"""Habits: where a lesson taught across several requests applies, and how it is found.

One correction teaches one reply; the third "Arr, matey! …", "… Summary: …" or distance in
km teaches a habit (:mod:`app.skills.lesson_diff` finds which edit recurs). A per-reply
skill cannot carry it: its lesson is a diff of one answer and its description names one
request, so the next, unrelated request never retrieves it. A habit skill instead holds the
lesson in words and the user's latest examples, the closest of which the prompt shows as
worked turns (a 135M model copies a demonstrated habit far more reliably than it follows a
described one).

Where the habit applies follows from the requests it was taught on: when they share no
topic (a cup of tea, the capital of France, a git commit), it is a standing preference — a
tone, a format, a fact about the user — and ``applies: always``; when they share one
(searching files, again and again), it stays a topical skill whose description gathers the
words of all those requests, so paraphrases of them find it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import sqlite_utils

from app.model.embedder import shared_embedder
from app.skills import lesson_diff, lesson_words
from app.skills.directive import Directive, clip, directive_from_signal
from app.skills.library import SkillLibrary
from app.skills.retrieve import query_terms, stem
from app.skills.skill import (
    APPLIES_ALWAYS,
    APPLIES_RELEVANT,
    CATEGORY_HABIT,
    Skill,
    compose_body,
    compose_examples,
    now_iso,
)
from app.store.signals import negative_signal_ids

# Every correction of a typical lesson (eight to ten): the prompt shows the few closest to
# each request, and a topical habit keeping only its newest six lost the example closest to
# a paraphrase (measured on the fd tuning scenario: "list every Python file" was dropped,
# and "list all JavaScript files" was answered with `ls`).
MAX_EXAMPLES = 10
MIN_STANDING_REQUESTS = 3
# A habit shows in the user's latest corrections: three of the last twelve. A wider window
# finds more coincidences (a word three unrelated rewrites happen to add) than slow habits.
RECENT_CORRECTIONS = 12
CATEGORY = CATEGORY_HABIT
UNRELATED_SIMILARITY = 0.094
UNRELATED_SPREAD = 0.119


def unrelated_in_meaning(vectors: Sequence[Sequence[float]]) -> bool:
    """Whether requests (unit-length sentence embeddings) spread as unrelated requests do.

    Their mean pairwise cosine is compared with that of arbitrary requests: all-MiniLM-L6-v2
    puts two unrelated requests at :data:`UNRELATED_SIMILARITY` on average, with a spread of
    :data:`UNRELATED_SPREAD` (measured on the twenty varied control prompts of the tuning
    scenarios). Requests closer than 95 % of random sets of their size share a meaning.
    """
    n = len(vectors)
    pairs = [(a, b) for i, a in enumerate(vectors) for b in vectors[i + 1 :]]
    if n < 2:
        return False
    mean = sum(sum(x * y for x, y in zip(a, b, strict=True)) for a, b in pairs) / len(pairs)
    return mean <= UNRELATED_SIMILARITY + 1.645 * UNRELATED_SPREAD / math.sqrt(len(pairs))


def applies(requests: list[str], vectors: Sequence[Sequence[float]] | None = None) -> str:
    """``always`` when at least three requests share no topic, else ``relevant``.

    Meaning decides when the embedder runs (``vectors``, see :func:`unrelated_in_meaning`):
    a lesson taught on disk space, processes and IP addresses is about the shell, though no
    word says so. A word most of the requests share still keeps a habit topical (two of eight
    explanations both mentioning Python is no topic): eight varied shell questions spread in
    meaning as unrelated requests do (0.128 against 0.131 on the "Command:" tuning scenario),
    and a label taught on them must not open an answer about goldfish. Without an embedder,
    words alone decide.
    """
    if len(requests) < MIN_STANDING_REQUESTS:
        return APPLIES_RELEVANT
    counts = Counter(t for r in requests for t in {stem(w) for w in query_terms(r)})
    most = max(counts.values(), default=0)
    if most > max(1, len(requests) // 4):
        return APPLIES_RELEVANT
    if vectors is not None and not unrelated_in_meaning(vectors):
        return APPLIES_RELEVANT
    return APPLIES_ALWAYS


def description(summary: str, requests: list[str], limit: int) -> str:
    """What the habit is and the words of every request it was taught on, for retrieval."""
    text = f"{summary} Applies to requests like: {' '.join(requests[0].split())}"
    seen = set(query_terms(text, limit=64))
    extra = [t for r in requests[1:] for t in query_terms(r) if not (t in seen or seen.add(t))]
    if extra:
        text += "; also " + ", ".join(extra)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"


def _recent_corrections(db: sqlite_utils.Database) -> list[Directive]:
    """The user's latest click-corrections, oldest first: where a recurring edit shows."""
    found = (directive_from_signal(db, signal_id)
             for signal_id in negative_signal_ids(db, "correction", RECENT_CORRECTIONS))
    return [d for d in found if d is not None and d.kind == "correction"][::-1]


def _origins(db: sqlite_utils.Database, skill: Skill) -> list[Directive]:
    found = (directive_from_signal(db, signal_id) for signal_id in skill.origin_signals)
    return [d for d in found if d is not None and d.kind == "correction" and d.corrected]


def lesson_of(db: sqlite_utils.Database, skill: Skill) -> lesson_diff.Lesson | None:
    """The lesson a habit skill (read from its file) was found from, else ``None``.

    A habit skill written before lessons were kept in the file gets it back from its own
    corrections, when they still recur in one edit.
    """
    if skill.habit:
        return lesson_diff.Lesson.from_dict(skill.habit)
    if len(skill.origin_signals) < lesson_diff.MIN_SUPPORT:
        return None
    found = lesson_diff.find_lesson([(d.original, d.corrected) for d in _origins(db, skill)])
    return found[0] if found else None


def find(
    library: SkillLibrary, directive: Directive
) -> tuple[Skill | None, lesson_diff.Lesson, list[Directive]] | None:
    """The habit a correction belongs to: (its skill, or ``None`` for a new one; the lesson;
    the corrections that teach it). First a habit skill whose lesson the correction follows
    (the lesson may already have been in the reply: the skill was shown, and the user
    corrected something else), then a lesson its edit starts with the user's latest
    corrections (:func:`lesson_diff.find_lesson`)."""
    if directive.kind != "correction" or not directive.request or not directive.corrected:
        return None
    db = library.db
    habits: list[tuple[Skill, lesson_diff.Lesson]] = []
    for candidate in library.list_skills():
        if candidate.retired or len(candidate.origin_signals) < lesson_diff.MIN_SUPPORT:
            continue
        skill = library.get(candidate.name)
        lesson = lesson_of(db, skill)
        if lesson is not None and lesson.shown_by(directive.original, directive.corrected):
            return skill, lesson, [*_origins(db, skill), directive]
        if lesson is not None:
            habits.append((skill, lesson))
    mine = set(directive.signal_ids)
    pool = [d for d in _recent_corrections(db) if not set(d.signal_ids) & mine] + [directive]
    pair = (directive.original, directive.corrected)
    found = lesson_diff.find_lesson([(d.original, d.corrected) for d in pool], pair)
    if found is None:
        return None
    lesson, shown = found
    supporters = [pool[i] for i in shown]
    for skill, known in habits:  # the same edit said anew (another word it replaces): one habit
        if (known.kind, known.key) == (lesson.kind, lesson.key):
            return skill, lesson, [*_origins(db, skill), *supporters]
    return None, lesson, supporters


def compose(
    skill: Skill | None,
    lesson: lesson_diff.Lesson,
    directives: list[Directive],
    description_chars: int,
    example_chars: int,
    word: Callable[[str], str] | None = None,
) -> Skill:
    """The habit as one skill (unnamed when new): the lesson in words, the requests it was
    taught on (which also decide where it applies), and the newest corrections that show it
    as its examples.

    ``word`` (a capable model) may word a new habit's lesson; its sentence is kept with the
    lesson when the examples bear it out (:mod:`app.skills.lesson_words`), else the rule's.
    """
    directives = list({d.signal_ids: d for d in directives}.values())
    shown = [d for d in directives if d.request and lesson.shown_by(d.original, d.corrected)]
    requests = list(dict.fromkeys(d.request for d in shown))
    examples = [(clip(d.request, 200), clip(d.corrected, example_chars)) for d in shown]
    examples = examples[-MAX_EXAMPLES:]
    if skill is None:
        skill = Skill(name="", description="", body="", created=now_iso())
    wording = str(skill.habit.get("wording") or "")
    if not wording and word is not None:
        wording = lesson_words.worded(lesson, examples, word) or ""
    skill.category = CATEGORY
    skill.habit = lesson.to_dict() | ({"wording": wording} if wording else {})
    line = f"- {wording}" if wording else _with_command(lesson, examples)
    skill.body = compose_body(line, lesson.anti_pattern, compose_examples(examples))
    skill.description = description(wording or lesson.summary, requests, description_chars)
    skill.applies = applies(requests, meanings(requests))
    signals = {s for d in directives for s in d.signal_ids}
    skill.origin_signals = sorted(set(skill.origin_signals) | signals)
    return skill


def _with_command(lesson: lesson_diff.Lesson, examples: list[tuple[str, str]]) -> str:
    """The Lesson section, a command lesson ending with the shortest command of the examples
    that uses it: a small model copies a whole command it sees, not a program's name."""
    if not lesson.code:
        return lesson.lesson
    spans = [s for _, answer in examples for s in re.findall(r"`([^`\n]+)`", answer)]
    uses = [s for s in spans if lesson.text in s.split()]
    if not uses:
        return lesson.lesson
    first, *rest = lesson.lesson.split("\n")
    return "\n".join([f"{first.removesuffix('.')}: `{min(uses, key=len)}`.", *rest])


def meanings(requests: list[str]) -> Sequence[Sequence[float]] | None:
    """The requests' sentence embeddings, or ``None`` when the embedder cannot run."""
    embedder = shared_embedder()
    return None if embedder is None or not requests else embedder.embed(requests)


def absorb(library: SkillLibrary, habit_skill: Skill) -> None:
    """Remove the one-reply skills a new habit was found in: its examples now say the same,
    and each alone would keep teaching one reply's whole rewrite."""
    taught = set(habit_skill.origin_signals)
    for other in library.list_skills():
        if (
            other.category != CATEGORY
            and other.origin_signals
            and set(other.origin_signals) <= taught
            and other.community_origin is None
        ):
            library.delete(other.name)
