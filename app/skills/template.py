"""The skill a directive teaches, written with no model: deterministic and always valid.

The name and description come from the words of the user's request (so the next similar
request finds the skill), the lesson from the diff between what was done and what should
have been, the anti-pattern from what the assistant did. A lesson said in words states the
words as its lesson; until a real reply that follows them is attached
(:func:`app.skills.synthesize.attach_checked_reply`), its example section says there is none.
"""

from __future__ import annotations

import difflib
import re
import shlex

from app.skills import said_habit
from app.skills.directive import Directive, clip, flatten, sentence
from app.skills.redaction import redact
from app.skills.retrieve import query_terms
from app.skills.skill import (
    NO_WORKED_REPLY,
    Skill,
    compose_body,
    compose_examples,
    now_iso,
    slugify,
)

MAX_DESCRIPTION_CHARS = 300
MAX_EXAMPLE_CHARS = 500
NAME_WORDS = 5

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
