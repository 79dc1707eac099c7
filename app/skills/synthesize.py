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

The TEMPLATE path needs no model: the name and description come from the words of
the user's request (so the next similar request finds the skill), the lesson from the diff
between what was done and what should have been, the anti-pattern from what the assistant
did. A model may draft the skill instead (``draft``: the app passes the LLM when the user
enabled it); its output is validated and the template is used whenever it fails.

A correction whose edit recurs (the third reply corrected the same way) is not a skill of
its own: it goes to the habit skill of that lesson (:mod:`app.skills.habit`).

A lesson the library already holds is not added twice: a new skill similar enough to an
existing one (same category, overlapping description and lesson wording, word order
included) strengthens it instead: more origin signals, the better of the two examples.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from app.signals.hints import follows, hint_terms
from app.signals.owning_up import answer_only
from app.skills import habit, said_habit
from app.skills.directive import Directive, clip, directive_from_signal, flatten, sentence
from app.skills.library import SkillLibrary
from app.skills.retrieve import STOP_WORDS, query_terms, stem
from app.skills.skill import (
    NO_WORKED_REPLY,
    REQUIRED_SECTIONS,
    SECTION_ANTI_PATTERN,
    SECTION_EXAMPLE,
    SECTION_LESSON,
    Skill,
    SkillFormatError,
    body_sections,
    compose_body,
    compose_examples,
    now_iso,
    parse_skill,
    slugify,
)

MAX_DESCRIPTION_CHARS = 300
MAX_BODY_CHARS = 2500
MAX_EXAMPLE_CHARS = 500
MERGE_SIMILARITY = 0.5
MAX_WORKED_REPLIES = 3  # the newest: the prompt shows only the closest few anyway
NAME_WORDS = 5

_SECRETS = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"
    r"|\bsk-[A-Za-z0-9_-]{20,}"
    r"|\bxox[abpr]-[A-Za-z0-9-]{10,}"
    r"|(?i:\b(?:password|passwd|secret|api[_-]?key|token)\b\s*[:=]\s*\S{6,})"
    r"|\b(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{32,}"
)
_PROGRAM_CATEGORIES = {
    "git": "git",
    "docker": "docker",
    "kubectl": "kubernetes",
    "python": "python",
    "python3": "python",
    "pip": "python",
    "pip3": "python",
    "pipx": "python",
    "pytest": "python",
    "uv": "python",
    "npm": "javascript",
    "pnpm": "javascript",
    "yarn": "javascript",
    "node": "javascript",
    "psql": "sql",
    "sqlite3": "sql",
}
_WORDS = re.compile(r"`[^`\n]*`|\S+")
_GREETING = re.compile(
    r"^\W*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))(?: there)?\b[\s!,.]*)?"
    r"(?:(?:could|can|would) you(?: please)?|please)?\s*",
    re.IGNORECASE,
)
_REQUEST_LINE = re.compile(r"^Request: .*$", re.MULTILINE)
_CODE_FENCE = re.compile(r"^```[\w-]*\n(.*?)\n```\s*$", re.DOTALL)


@dataclass
class SynthesisResult:
    skill: Skill
    merged: bool
    drafted: bool
    draft_problem: str | None = field(default=None)


def find_secrets(text: str) -> list[str]:
    """Substrings that look like credentials (keys, tokens, passwords, private keys)."""
    return [match.group(0) for match in _SECRETS.finditer(text)]


def redact(text: str) -> str:
    return _SECRETS.sub("<redacted>", text)


def _first_sentence(text: str, limit: int = 160) -> str:
    flat = flatten(text)
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return clip(match.group(1) if match else flat, limit)


def _command_words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _category(directive: Directive, terms: list[str]) -> str:
    if directive.kind == "command_fix":
        words = _command_words(directive.corrected or directive.original)
        program = words[0].rsplit("/", 1)[-1] if words else ""
        return _PROGRAM_CATEGORIES.get(program, "shell")
    for term in terms:
        if term in _PROGRAM_CATEGORIES:
            return _PROGRAM_CATEGORIES[term]
    return "writing" if "`" not in directive.corrected + directive.original else "general"


def _words(text: str) -> list[str]:
    """Words, with each `inline code` span kept whole (a command is one unit of meaning)."""
    return _WORDS.findall(text)


def _word_diff(before: str, after: str) -> tuple[float, list[str], list[str]]:
    """Similarity of two texts and the phrases added and removed (word level)."""
    old, new = _words(before), _words(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    added, removed = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "delete") and i2 > i1:
            removed.append(" ".join(old[i1:i2]))
        if op in ("replace", "insert") and j2 > j1:
            added.append(" ".join(new[j1:j2]))
    return matcher.ratio(), added, removed


def _quote(phrase: str, limit: int) -> str:
    phrase = clip(phrase.strip().rstrip(".,;:"), limit)
    return phrase if phrase.startswith("`") and phrase.endswith("`") else f'"{phrase}"'


def _correction_lesson(d: Directive) -> tuple[str, str]:
    ratio, added, removed = _word_diff(d.original, d.corrected)
    lines: list[str] = []
    if ratio >= 0.4 and (added or removed):
        for old, new in list(zip(removed, added, strict=False))[:3]:
            lines.append(f"- Say {_quote(new, 100)} instead of {_quote(old, 100)}.")
        for new in added[len(removed) : len(removed) + 2]:
            lines.append(f"- Include {_quote(new, 120)}.")
        for old in removed[len(added) : len(added) + 2]:
            lines.append(f"- Leave out {_quote(old, 120)}.")
        anti = f"Replying with {_quote(removed[0], 160)}." if removed else ""
    else:
        lines.append(f"- Answer the way the user rewrote it: {_first_sentence(d.corrected, 240)}")
        anti = ""
    words_before, words_after = len(d.original.split()), len(d.corrected.split())
    if words_after and words_after < 0.6 * words_before:
        lines.append(f"- Keep it short: about {words_after} words, not {words_before}.")
    if "```" in d.corrected and "```" not in d.original:
        lines.append("- Include the exact command or code in a code block.")
    anti = anti or f"Replying like this: {_first_sentence(d.original)}"
    return "\n".join(lines), anti


def _command_lesson(d: Directive) -> tuple[str, str]:
    old, new = _command_words(d.original), _command_words(d.corrected)
    gained = [w for w in new[1:] if w not in old]
    lost = [w for w in old[1:] if w not in new]
    error_line = next((ln.strip() for ln in reversed(d.error.splitlines()) if ln.strip()), "")
    lines = [f"- Run `{d.corrected.strip()}` instead of `{d.original.strip()}`."]
    if gained:
        lines.append(f"- It needs {' '.join(f'`{w}`' for w in gained[:4])}.")
    if lost:
        lines.append(f"- Drop {' '.join(f'`{w}`' for w in lost[:4])}.")
    if error_line:
        lines.append(f"- The failing form stops with: {clip(error_line, 160)}")
    anti = f"Proposing `{d.original.strip()}`" + (
        f", which fails with: {clip(error_line, 160)}" if error_line else "."
    )
    return "\n".join(lines), anti


def _example(d: Directive) -> str:
    request = f"Request: {clip(d.request, 200)}\n\n" if d.request else ""
    if d.kind == "command_fix":
        return f"{request}```bash\n{clip(d.corrected, 300)}\n```"
    if d.kind == "verbal_correction":
        reply = said_habit.worked_reply(d) if d.request else None
        if reply is None:
            return NO_WORKED_REPLY
        return compose_examples([(clip(d.request, 200), clip(reply, MAX_EXAMPLE_CHARS))])
    return f"{request}Answer: {clip(d.corrected, MAX_EXAMPLE_CHARS - len(request))}"


def template_skill(d: Directive) -> Skill:
    """A skill from the directive alone, with no model: deterministic and always valid."""
    if d.kind == "command_fix":
        lesson, anti = _command_lesson(d)
        topic_source = d.request or d.corrected
    elif d.kind == "verbal_correction":
        lesson = sentence(d.hint)
        anti = f"Replying like this: {_first_sentence(d.original)}" if d.original else ""
        topic_source = d.request or d.hint
    else:
        lesson, anti = _correction_lesson(d)
        topic_source = d.request or d.corrected
    terms = query_terms(topic_source)
    name = slugify("-".join(terms[:NAME_WORDS])) or slugify(d.kind)
    topic = clip(_GREETING.sub("", " ".join(topic_source.split()), count=1), 140)
    summary = _first_sentence(lesson.lstrip("- "), 120)
    description = f"{summary} Applies to requests like: {topic}"
    body = compose_body(lesson, anti or "(not recorded)", _example(d))
    return Skill(
        name=name,
        description=redact(clip(description, MAX_DESCRIPTION_CHARS)),
        body=redact(body),
        category=_category(d, terms),
        created=now_iso(),
        origin_signals=sorted(set(d.signal_ids)),
    )


def draft_prompt(d: Directive, template: Skill) -> str:
    """What the model is asked: the facts, the required shape, and the template to improve."""
    facts = {
        "kind": d.kind,
        "request": clip(d.request, 600),
        "assistant_did": clip(d.original, 800),
        "should_have": clip(d.corrected or d.hint, 800),
        "error": clip(d.error, 300),
    }
    return (
        "Write a SKILL.md that teaches an assistant the lesson below, so it does not repeat "
        "the mistake. Output only the file: YAML front matter with `name` and `description` "
        "(one sentence saying what to do and when it applies), then the sections "
        f"'## {SECTION_LESSON}', '## {SECTION_ANTI_PATTERN}' and '## {SECTION_EXAMPLE}'. "
        f"At most {MAX_BODY_CHARS} characters. No secrets, names or personal data.\n\n"
        f"What happened (JSON):\n{json.dumps(facts, ensure_ascii=False, indent=1)}\n\n"
        f"A plain draft to improve:\n---\nname: {template.name}\n"
        f"description: {template.description}\n---\n\n{template.body}"
    )


def validate_draft(text: str) -> Skill:
    """Parse and check a model's draft; raises :class:`SkillFormatError` saying what is wrong."""
    text = text.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    skill = parse_skill(text, "<model draft>")
    sections = body_sections(skill.body)
    missing = [s for s in REQUIRED_SECTIONS if not sections.get(s.lower())]
    if missing:
        raise SkillFormatError("<model draft>", f"missing sections: {', '.join(missing)}")
    if not 10 <= len(skill.description) <= MAX_DESCRIPTION_CHARS:
        raise SkillFormatError("<model draft>", "description must be 10-300 characters")
    if len(skill.body) > MAX_BODY_CHARS:
        raise SkillFormatError("<model draft>", f"body is over {MAX_BODY_CHARS} characters")
    if find_secrets(skill.description + skill.body):
        raise SkillFormatError("<model draft>", "contains something that looks like a secret")
    return skill


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


def _most_similar(library: SkillLibrary, skill: Skill) -> tuple[Skill, float] | None:
    terms = query_terms(f"{skill.description} {skill.section(SECTION_LESSON)}", limit=24)
    best: tuple[Skill, float] | None = None
    for candidate in library.find(terms):
        if candidate.category != skill.category:
            continue
        score = similarity(skill, candidate)
        if score >= MERGE_SIMILARITY and (best is None or score > best[1]):
            best = (candidate, score)
    return best


def _merge(library: SkillLibrary, existing: Skill, new: Skill) -> Skill:
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
    similar = _most_similar(library, skill)
    if similar is not None:
        return SynthesisResult(_merge(library, similar[0], skill), True, drafted, problem)
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
