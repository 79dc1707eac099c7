"""Turning a negative signal that says what should have happened into a skill.

Three kinds of directive feed it: a click-correction (the request, the original reply, the
user's corrected reply), a verbal correction or a thumbs-down with a reason (the user's own
words), and a failing command followed by its fix (the failing command, its error, the fixed
command). A lesson said in words states the words as its lesson; its worked example is a
real reply that follows them, never the user's words shown as the assistant's answer (a
small model copies an example answer, and copied "The user said: …" back to the user):
until there is one, the example section says so, and :func:`attach_checked_reply` adds one
— the model's own answer to the correction in the chat, or the trainer's checked teacher
reply — once it passes :func:`app.signals.hints.follows`; words that say "X, not Y" give
one at once, the corrected reply with Y swapped for X when that follows them. Words said
again and again go to one habit skill (:mod:`app.skills.said_habit`).

A skill is first written with no model (:mod:`app.skills.template`); a model may draft it
instead, the template standing whenever the draft fails its checks (:mod:`app.skills.draft`).

A correction whose edit recurs (the third reply corrected the same way) is not a skill of
its own: it goes to the habit skill of that lesson (:mod:`app.skills.habit`).

A lesson the library already holds is not added twice: a new skill similar enough to an
existing one strengthens it instead (:mod:`app.skills.merge`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from app.signals.hint_terms import hint_terms
from app.signals.hints import follows
from app.signals.owning_up import answer_only
from app.skills import habit, said_habit
from app.skills.directive import Directive, clip, directive_from_signal
from app.skills.draft import draft_prompt, validate_draft
from app.skills.library import SkillLibrary
from app.skills.merge import merge, most_similar
from app.skills.redaction import redact
from app.skills.skill import (
    SECTION_ANTI_PATTERN,
    SECTION_LESSON,
    Skill,
    SkillFormatError,
    compose_body,
    compose_examples,
    slugify,
)
from app.skills.template import MAX_DESCRIPTION_CHARS, MAX_EXAMPLE_CHARS, template_skill

MAX_WORKED_REPLIES = 3  # the newest: the prompt shows only the closest few anyway


@dataclass
class SynthesisResult:
    skill: Skill
    merged: bool
    drafted: bool
    draft_problem: str | None = field(default=None)


def _fold_into_habit(
    library: SkillLibrary, directive: Directive, word: Callable[[str], str] | None
) -> Skill | None:
    """Add a correction to the habit skill whose lesson it follows, or start the habit its
    edit recurs in with the user's latest corrections; ``None`` when it shows no lesson yet.
    The one-reply skills a new habit was found in are folded into it."""
    found = habit.find(library, directive)
    if found is None:
        return None
    existing, lesson, directives = found
    skill = habit.compose(
        existing, lesson, directives, MAX_DESCRIPTION_CHARS, MAX_EXAMPLE_CHARS, word
    )
    skill.body, skill.description = redact(skill.body), redact(skill.description)
    old_name = existing.name if existing is not None else ""
    wanted = slugify(lesson.name) or habit.CATEGORY
    if wanted != old_name:
        skill.name = _unique_name(library, wanted)
    if existing is not None:
        return library.rename(old_name, skill)
    saved = library.add(skill)
    habit.absorb(library, saved)
    return saved


def _fold_into_said(library: SkillLibrary, directive: Directive) -> Skill | None:
    """Add a spoken correction to the habit its words keep saying, or start that habit with
    the user's latest spoken corrections (:mod:`app.skills.said_habit`); ``None`` when its
    words recur too little. The one-reply skills it was said in are folded into it, their
    checked worked replies kept."""
    found = said_habit.find(library, directive)
    if found is None:
        return None
    existing, directives = found
    taught = {s for d in directives for s in d.signal_ids}
    kept = [pair for other in library.list_skills() if set(other.origin_signals) & taught
            and other.community_origin is None and not other.retired
            for pair in library.get(other.name).examples]
    skill = said_habit.compose(existing, directives, kept, MAX_DESCRIPTION_CHARS,
                               MAX_EXAMPLE_CHARS)
    if existing is None and not skill.examples:
        return None  # no reply shows it yet: "it still doesn't work" three times is no habit
    skill.body, skill.description = redact(skill.body), redact(skill.description)
    if existing is not None:
        saved = library.save(skill)
    else:
        skill.name = _unique_name(library, slugify(said_habit.name_of(directives)))
        saved = library.add(skill)
    habit.absorb(library, saved)  # a one-reply skill folded in later goes too
    return saved


def _unique_name(library: SkillLibrary, name: str) -> str:
    taken = {s.name for s in library.list_skills()}
    candidate, n = name, 2
    while candidate in taken or library.folder(candidate).exists():
        candidate = f"{name[:60]}-{n}"
        n += 1
    return candidate


def synthesize(
    db: sqlite_utils.Database,
    directive: Directive,
    *,
    library: SkillLibrary | None = None,
    draft: Callable[[str], str] | None = None,
    word: Callable[[str], str] | None = None,
) -> SynthesisResult:
    """Create (or strengthen) the skill a directive teaches and store it in the library.

    ``draft`` writes a one-reply skill's whole SKILL.md; ``word`` only a habit's lesson
    sentence (a capable model: see :mod:`app.skills.lesson_words`).
    """
    library = library or SkillLibrary(db)
    folded = _fold_into_habit(library, directive, word) or _fold_into_said(library, directive)
    if folded is not None:
        return SynthesisResult(folded, True, False)
    skill = template_skill(directive)
    drafted, problem = False, None
    if draft is not None:
        try:
            candidate = validate_draft(draft(draft_prompt(directive, skill)))
        except SkillFormatError as exc:
            problem = exc.problem
        except Exception as exc:  # the model runtime may fail any way; the template stands
            problem = f"drafting failed: {exc}"
        else:
            skill.description, skill.body, drafted = candidate.description, candidate.body, True
    similar = most_similar(library, skill)
    if similar is not None:
        return SynthesisResult(merge(library, similar[0], skill), True, drafted, problem)
    skill.name = _unique_name(library, skill.name)
    return SynthesisResult(library.add(skill), False, drafted, problem)


def synthesize_from_signal(
    db: sqlite_utils.Database,
    signal_id: int,
    *,
    library: SkillLibrary | None = None,
    draft: Callable[[str], str] | None = None,
) -> SynthesisResult | None:
    """Synthesize from a stored signal; ``None`` when it carries no directive."""
    directive = directive_from_signal(db, signal_id)
    if directive is None:
        return None
    return synthesize(db, directive, library=library, draft=draft)


def attach_checked_reply(
    db: sqlite_utils.Database,
    signal_id: int,
    reply: str,
    *,
    library: SkillLibrary | None = None,
) -> Skill | None:
    """Give the skills a verbal correction made a worked example: its request, answered by
    ``reply``, when ``reply`` follows the correction's hint (and is not an echo of it).

    ``reply`` must be a reply the model wrote with the hint in context: its answer to the
    correction in the chat, or the trainer's teacher reply. Returns the skill changed, or
    ``None`` when the reply does not follow the hint or no skill came from the signal.
    """
    directive = directive_from_signal(db, signal_id)
    if directive is None or directive.kind != "verbal_correction" or not directive.request:
        return None
    reply = answer_only(reply)  # the next request comes with no correction to agree with
    if not follows(reply, hint_terms(directive.hint, directive.original)):
        return None
    library = library or SkillLibrary(db)
    for skill in library.list_skills():
        if signal_id not in skill.origin_signals or skill.retired:
            continue
        skill = library.get(skill.name)
        pair = (clip(directive.request, 200), clip(redact(reply), MAX_EXAMPLE_CHARS))
        kept = [example for example in skill.examples if example[0] != pair[0]]
        room = habit.MAX_EXAMPLES if skill.category == habit.CATEGORY else MAX_WORKED_REPLIES
        examples = [*kept, pair][-room:]
        skill.body = compose_body(
            skill.section(SECTION_LESSON) or skill.body,
            skill.section(SECTION_ANTI_PATTERN) or "(not recorded)",
            compose_examples(examples),
        )
        saved = library.save(skill)
        if saved.category == habit.CATEGORY:
            return saved
        # Words said again and again wait for a reply that shows them before they make a
        # habit: a fact about the machine ("I'm on Arch, pacman") swaps nothing in replies
        # that ran pip, so the first such reply may come only now, from the teacher.
        return _fold_into_said(library, directive) or saved
    return None
