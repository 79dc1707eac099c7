"""A new skill that says what one in the library already says strengthens it instead.

Similar enough means the same category and overlapping description and lesson wording,
word order included; the existing skill gains the new one's origin signals and keeps the
better of the two examples.
"""

from __future__ import annotations

import itertools
import re

from app.skills.library import SkillLibrary
from app.skills.retrieve import STOP_WORDS, query_terms, stem
from app.skills.skill import (
    NO_WORKED_REPLY,
    SECTION_ANTI_PATTERN,
    SECTION_EXAMPLE,
    SECTION_LESSON,
    Skill,
    compose_body,
)

MERGE_SIMILARITY = 0.5

_REQUEST_LINE = re.compile(r"^Request: .*$", re.MULTILINE)


def _shingles(text: str) -> set[str]:
    """Stemmed words plus ordered word pairs: "merge, not rebase" and "rebase, not merge"
    share every word but not the pairs, and they are opposite lessons."""
    words = [stem(w) for w in re.findall(r"[^\W_]+", text.lower()) if w not in STOP_WORDS]
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


def _code(text: str) -> set[str]:
    """Inline code spans and fenced code lines, normalised: the concrete thing a skill says."""
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    for block in re.findall(r"```[\w-]*\n(.*?)```", text, flags=re.DOTALL):
        spans.extend(line for line in block.splitlines() if line.strip())
    return {" ".join(span.lower().split()) for span in spans}


def similarity(a: Skill, b: Skill) -> float:
    """How much two skills say the same thing (0-1).

    Words of what they teach (lesson and example answer) and of when they apply
    (description); and, when both examples hold code, whether it is the same code, since
    `ls -lhS` and `ls -lt` are different lessons however alike the sentences around them.
    """

    def jaccard(x: set[str], y: set[str]) -> float:
        return len(x & y) / len(x | y) if x | y else 0.0

    def example(skill: Skill) -> str:
        text = _REQUEST_LINE.sub("", skill.section(SECTION_EXAMPLE))
        return "" if text.strip() == NO_WORKED_REPLY else text  # the same words in every one

    def taught(skill: Skill) -> set[str]:
        return _shingles(f"{skill.section(SECTION_LESSON)} {example(skill)}")

    words = 0.75 * jaccard(taught(a), taught(b)) + 0.25 * jaccard(
        _shingles(a.description), _shingles(b.description)
    )
    code_a, code_b = _code(example(a)), _code(example(b))
    if code_a and code_b:
        return 0.5 * jaccard(code_a, code_b) + 0.5 * words
    return words


def _example_quality(example: str) -> float:
    """Prefer an example with a concrete command or code, and one of moderate length."""
    has_code = "`" in example
    return has_code + (1.0 - min(abs(len(example) - 200), 400) / 400)


def most_similar(library: SkillLibrary, skill: Skill) -> tuple[Skill, float] | None:
    terms = query_terms(f"{skill.description} {skill.section(SECTION_LESSON)}", limit=24)
    best: tuple[Skill, float] | None = None
    for candidate in library.find(terms):
        if candidate.category != skill.category:
            continue
        score = similarity(skill, candidate)
        if score >= MERGE_SIMILARITY and (best is None or score > best[1]):
            best = (candidate, score)
    return best


def merge(library: SkillLibrary, existing: Skill, new: Skill) -> Skill:
    skill = library.get(existing.name)
    skill.origin_signals = sorted(set(skill.origin_signals) | set(new.origin_signals))
    old_example, new_example = skill.section(SECTION_EXAMPLE), new.section(SECTION_EXAMPLE)
    if new_example and _example_quality(new_example) > _example_quality(old_example):
        skill.body = compose_body(
            skill.section(SECTION_LESSON) or skill.body,
            skill.section(SECTION_ANTI_PATTERN) or new.section(SECTION_ANTI_PATTERN),
            new_example,
        )
    return library.save(skill)
