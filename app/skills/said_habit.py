"""A lesson the user keeps saying in words: one habit skill, not one skill per reply.

"no, I use doas, not sudo", "i told you i don't have sudo installed, use doas", "remember my
root escalation tool is doas": said after eight unrelated requests, these made eight one-reply
skills, each described by its own request and none with a worked reply, so a new request
("delete a file owned by root") found at most one, whose words the 135M model did not follow
(measured on ``say_doas`` with the skills layer: 0 of 6 held-out replies said doas). A word
the user's spoken corrections keep saying (in :data:`MIN_SUPPORT` of the latest
:data:`RECENT`) marks one lesson, as a recurring edit marks a click-correction habit
(:mod:`app.skills.habit`), and its skill is built the same way: the user's words as the
lesson, the words of every request it was said on (which decide where it applies), and
worked replies as examples.

A worked reply is never the user's words shown as an answer. It is a reply the model wrote
with the words in its context (:func:`app.skills.synthesize.attach_checked_reply`), or,
when the words say "X, not Y" ("I use doas, not sudo"), the corrected reply with Y swapped
for X (:func:`app.signals.hint_swap.swap_terms`, the trainer's teacher does the same), kept
only when it follows the words (:func:`app.signals.hints.follows`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

import sqlite_utils

from app.signals.hint_swap import swap_terms
from app.signals.hint_terms import HintTerms, hint_terms
from app.signals.hint_words import content_words
from app.signals.hints import follows, is_echo
from app.signals.owning_up import answer_only
from app.skills import habit
from app.skills.directive import Directive, clip, directive_from_signal, flatten, sentence
from app.skills.library import SkillLibrary
from app.skills.retrieve import stem
from app.skills.skill import (
    CATEGORY_HABIT,
    NO_WORKED_REPLY,
    Skill,
    compose_body,
    compose_examples,
    now_iso,
)
from app.store.signals import hinted_negative_signal_ids

MIN_SUPPORT = 3
RECENT = 12  # as many spoken corrections as click-corrections a habit is looked for in
LESSON_LINES = 3  # the user's newest words; the prompt states each line
LINE_CHARS = 200  # a thumb's reason has no limit: a paste is no lesson line
SPOKEN_KINDS = ("verbal_correction", "thumb")
# How the user opens a correction says nothing about what to do ("no, …", "I told you …").
# "no" opens only when punctuation ends it: "no apt here" says something.
_OPENER = re.compile(
    r"^\W*(?:(?:(?:no+|nope|wrong|ugh)\s*[,.:;!-]|(?:again|remember|please|sorry|come on|"
    r"i told you|as i said|like i said)\b)[\s,.:;!-]*)+",
    re.IGNORECASE,
)


def terms(text: str) -> set[str]:
    """The stems of the content words of ``text``, a word of code split at its dots and
    slashes (`git log trunk..HEAD`, `origin/trunk` say trunk)."""
    return {stem(p) for p in _parts(text)}


def _parts(text: str) -> list[str]:
    return [p for word in content_words(text) for p in re.split(r"[\W_]+", word) if len(p) > 1]


def said(directive: Directive) -> set[str]:
    """What a spoken correction adds: the terms of its words the reply it corrected did not
    hold. "git" is in every git answer and in most corrections of one; a habit keyed on it
    gathered "our default branch is trunk" and "stop saying master" into a second habit
    beside the trunk one. "trunk", which the replies never said, is the lesson."""
    return terms(_OPENER.sub("", directive.hint)) - terms(directive.original)


def _spoken(db: sqlite_utils.Database, signal_ids: Iterable[int]) -> list[Directive]:
    """The spoken corrections with a request among ``signal_ids``, in their order."""
    found = (directive_from_signal(db, i) for i in signal_ids)
    return [d for d in found if d is not None and d.kind == "verbal_correction" and d.request]


def _recent(db: sqlite_utils.Database) -> list[Directive]:
    """The user's latest spoken corrections with a request, newest first (thumbs-down
    without a reason take no place among them)."""
    return _spoken(db, hinted_negative_signal_ids(db, SPOKEN_KINDS, RECENT))


def key(directives: list[Directive]) -> set[str]:
    """The terms at least :data:`MIN_SUPPORT` of ``directives`` say: the lesson they share."""
    counts = Counter(t for d in directives for t in said(d))
    return {t for t, n in counts.items() if n >= MIN_SUPPORT}


def spoken_habits(library: SkillLibrary) -> list[tuple[Skill, list[Directive]]]:
    """Every spoken habit (retired and switched-off ones too) with the corrections it was
    said in. A click-correction habit keeps its lesson in ``habit`` and has no spoken
    origins; a hub's skill is never one."""
    found = []
    for candidate in library.list_skills():
        if candidate.category != CATEGORY_HABIT or candidate.community_origin:
            continue
        skill = library.get(candidate.name)
        origins = [] if skill.habit else _spoken(library.db, skill.origin_signals)
        if origins:
            found.append((skill, origins))
    return found


def contradicted_by(origins: list[Directive], directive: Directive) -> bool:
    """Whether a correction of a reply that used a spoken habit goes against the habit: its
    words turn away from what the habit says ("sudo, not doas"), or its rewrite takes out
    what the reply said of it. Any other correction is about something else; counted
    against the habit, five unrelated ones retired a standing "doas, not sudo"."""
    shared = key(origins)
    if directive.kind == "verbal_correction":
        turned = hint_terms(directive.hint, directive.original).rejected
        return bool({t for r in turned for t in terms(r)} & shared)
    if directive.kind == "correction":
        return bool(terms(directive.original) & shared - terms(directive.corrected))
    return False


def find(
    library: SkillLibrary, directive: Directive
) -> tuple[Skill | None, list[Directive]] | None:
    """The spoken habit ``directive`` belongs to: (its skill, or ``None`` for a new one; the
    corrections that say it), or ``None`` when its words recur in too few of the latest."""
    if directive.kind != "verbal_correction" or not directive.request:
        return None
    mine = set(directive.signal_ids)
    pool = [d for d in _recent(library.db) if not set(d.signal_ids) & mine]
    added = said(directive)
    if not added:
        return None
    for skill, origins in spoken_habits(library):
        if key(origins) & added:
            if skill.retired or not skill.enabled:
                return None  # the user switched it off, or it kept failing: not again
            return skill, [*origins, directive]
    recurring = key([*pool, directive]) & added
    if not recurring:
        return None
    supporters = [d for d in pool if said(d) & recurring][::-1]
    return None, [*supporters, directive]


def habit_swaps(directives: list[Directive], shared: set[str]) -> tuple[tuple[str, str], ...]:
    """The "X, not Y" the corrections state whose X they keep saying (``shared``, their
    :func:`key`): "doas, not sudo" said once holds for every reply the habit corrected, but
    not "means OBS, not a PPA", a phrase the words never repeat."""
    stated = (s for d in directives for s in hint_terms(d.hint, d.original).swaps)
    return tuple(dict.fromkeys(
        (old, new) for old, new in stated if terms(new) and terms(new) <= shared
    ))


def wish(directive: Directive, swaps: tuple[tuple[str, str], ...] = ()) -> HintTerms:
    """What a reply following ``directive`` must hold: its own words' terms, with the
    habit's ``swaps`` (:func:`habit_swaps`) added: two thirds of the habit's X named, no Y
    of either left, and everything else its own words ask (the request's topic, a label,
    the code it shows). "use trash-put: `trash-put *.log`" states no "X, not Y", but the
    habit it belongs to says "trash-put, not rm" elsewhere."""
    own = hint_terms(directive.hint, directive.original)
    if not swaps:
        return own
    every = tuple(dict.fromkeys([*swaps, *own.swaps]))
    return replace(own, words=tuple(n for _, n in swaps),
                   rejected=tuple(dict.fromkeys([*(o for o, _ in every), *own.rejected])),
                   swaps=every, named=own.named or swaps[0][1])


def worked_reply(
    directive: Directive, swaps: tuple[tuple[str, str], ...] = ()
) -> str | None:
    """The reply ``directive`` corrected, with what the words turn away from swapped for
    what they name instead (``swaps``: the habit's, see :func:`wish`), when that follows
    them; else ``None``."""
    # the corrected reply swapped cannot hold the words' own code ("`trash-put *.log`"),
    # only the line marker it is given
    own = wish(directive, swaps)
    wanted = replace(own, literal=(own.marker,) if own.marker else ()) if swaps else own
    swapped = swap_terms(answer_only(directive.original), wanted)
    if swapped is None or is_echo(swapped, directive.hint) or not follows(swapped, wanted):
        return None
    return swapped


def _turned_away(swaps: tuple[tuple[str, str], ...]) -> set[str]:
    """The terms of every Y the habit's "X, not Y" turn away from."""
    return {t for old, _ in swaps for t in terms(old)}


def _bears(answer: str, shared: set[str], away: set[str]) -> bool:
    """Whether a reply a correction's own words passed shows the habit: it says one of the
    words the corrections share (``shared``) and none they turn away from (``away``). One
    correction's check can pass a reply the habit does not bear out ("use `sudo apt-get
    install update`" for "wrong distro, mine is Tumbleweed"), and as an example it would
    teach apt again."""
    shown = terms(answer)
    return bool(shown & (shared - away)) and not shown & away


def _shows_own_code(answer: str, directive: Directive | None, away: set[str]) -> bool:
    """Whether a checked reply holds the code its own correction showed, and nothing the
    habit turns away from (``away``). Words that describe a reply's shape ("long options",
    "spell the flags out") are not in the replies that follow them (`ls --all`): such a
    habit is shown by the code each correction gave, not by its words. A correction without
    code proves nothing this way ("wrong distro, mine is Tumbleweed" passed `sudo apt-get
    install`)."""
    if directive is None:
        return False
    own = hint_terms(directive.hint, directive.original)
    return bool(own.literal or own.wanted) and follows(answer, own) and not terms(answer) & away


def said_line(hint: str) -> str:
    """The user's words as a lesson line: without the opener, one sentence-like line."""
    return sentence(clip(" ".join(_OPENER.sub("", hint.strip()).split()), LINE_CHARS))


def compose(
    skill: Skill | None,
    directives: list[Directive],
    examples: list[tuple[str, str]],
    description_chars: int,
    example_chars: int,
) -> Skill:
    """The spoken habit as one skill (unnamed when new). ``examples``: the worked replies the
    corrections' skills already hold (checked teacher replies), kept before swapped ones."""
    directives = list({d.signal_ids: d for d in directives}.values())
    requests = list(dict.fromkeys(d.request for d in directives))
    lines = list(dict.fromkeys(filter(None, (said_line(d.hint) for d in directives[::-1]))))
    shared = key(directives)
    swaps = habit_swaps(directives, shared)
    own, away = {clip(d.request, 200): d for d in directives}, _turned_away(swaps)
    pairs = {q: a for q, a in examples
             if _bears(a, shared, away) or _shows_own_code(a, own.get(q), away)}
    for d in directives:
        reply = worked_reply(d, swaps)
        if reply is not None and clip(d.request, 200) not in pairs:
            pairs[clip(d.request, 200)] = clip(reply, example_chars)
    worked = list(pairs.items())[-habit.MAX_EXAMPLES :]
    if skill is None:
        skill = Skill(name="", description="", body="", created=now_iso())
    skill.category = CATEGORY_HABIT
    lesson = "\n".join(f"- {line}" for line in lines[:LESSON_LINES])
    newest = directives[-1]
    anti = f"Replying like this: {clip(flatten(newest.original), 160)}"
    skill.body = compose_body(lesson, anti, compose_examples(worked) if worked else NO_WORKED_REPLY)
    skill.description = habit.description(lines[0], requests, description_chars)
    skill.applies = habit.applies(requests, habit.meanings(requests))
    signals = {s for d in directives for s in d.signal_ids}
    skill.origin_signals = sorted(set(skill.origin_signals) | signals)
    return skill


def name_of(directives: list[Directive]) -> str:
    """A name from the words the corrections add most: ``said-doas``."""
    shared_terms = key(directives)
    counts = Counter(
        p for d in directives for p in dict.fromkeys(_parts(d.hint)) if stem(p) in shared_terms
    )
    shared = [w for w, _ in counts.most_common(3)]
    return "said-" + "-".join(shared or ["habit"])
