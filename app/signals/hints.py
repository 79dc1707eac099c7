"""Does a reply follow what the user said to change? A check derived from the hint alone.

A directive signal carries the user's words about what was wrong ("I use uv, not pip",
"always end with a Summary: line", "`pip install x` failed with exit code 1: …"). Before a
reply written with that hint in context (the teacher's, see ``trainer/teacher.py``, or the
model's own answer to the correction in the chat) may teach anything, it must show that it
took the hint: it must contain what the hint introduces and nothing the hint turns away
from, and it must not just hand the user's words back. What the hint introduces and turns
away from is read from its wording (:mod:`app.signals.hint_terms`).

Pure Python: the GUI process and the trainer both use it.
"""

from __future__ import annotations

import re

from app.signals.hint_terms import HintTerms
from app.signals.hint_words import (
    CODE_REGION,
    CODE_SPAN,
    LABEL,
    MARKER,
    contains,
    norm,
    words_of,
)

__all__ = ["ECHO_SHARE", "follows", "is_echo"]

# Said next to a wanted term, a reply calls it wrong rather than following it
_NEGATION_BEFORE = (
    r"\b(?:not|never|avoid|instead of|rather than|don'?t use|do not use)\s+"
    r"(?:use\s+|using\s+|the\s+|a\s+)*"
)
_NEGATION_AFTER = (
    r"(?:\s+\S+){0,3}?\s+(?:is not|isn't|is wrong|is incorrect|won't work|doesn't work|"
    r"does not work|is not the correct|was wrong)\b"
)

# The language of a code fence (```bash) says how to colour the code, not which tool it uses.
_FENCE_LANGUAGE = re.compile(r"```[\w+-]+")

_ECHO_MARKERS = ("the user said", "you said:", "user said:")
ECHO_SHARE = 0.8  # a reply made of this share of the hint's own words is an echo


def _has_literal(reply: str, literal: str) -> bool:
    """Code and quoted text as written (case counts in code); a label (``Summary:``) only
    where a label is, at the start of a line: "end with a summary: …" in prose is no
    Summary line; a line marker (``- [ ]``) only where it marks lines."""
    if literal.endswith(":") and LABEL.fullmatch(literal):
        return re.search(rf"(?m)^[\s*_#>-]*{re.escape(literal)}[*_ \t]*\S", reply) is not None
    if MARKER.fullmatch(literal):  # a line marker: at the start of two lines (a list) or more
        lead = r"(?m)^[ \t]*(?:[-*+]|\d+[.)])?[ \t]*"
        return len(re.findall(rf"{lead}{re.escape(literal)}[ \t]*\S", reply)) >= 2
    return " ".join(literal.split()) in " ".join(reply.replace("`", "").split())


def is_echo(reply: str, hint: str) -> bool:
    """Whether ``reply`` hands the user's words back instead of answering: it quotes "the
    user said", is the hint, or nearly all of its words besides the hint's code are the
    hint's prose."""
    text = norm(reply)
    if any(marker in text for marker in _ECHO_MARKERS):
        return True
    hint_norm = norm(hint)
    if hint_norm and (text == hint_norm or text.strip(" .!") == hint_norm.strip(" .!")):
        return True
    if not words_of(reply):
        return True
    # the user's command run in the reply is the answer, not their words handed back: the
    # words of the hint's code count for neither side
    code = {w for span in CODE_SPAN.findall(hint) for w in words_of(span)}
    reply_words = [w for w in words_of(reply) if w not in code]
    if not reply_words:
        return False
    hint_words = set(words_of(CODE_SPAN.sub(" ", hint)))
    return sum(w in hint_words for w in reply_words) / len(reply_words) >= ECHO_SHARE


def _without_wanted_prefix(text_norm: str, terms: HintTerms) -> str:
    """``text_norm`` without each rejected term that comes right after the term the hint
    wants in its place: "I use uv, not pip" is followed by ``uv pip install x``, the wanted
    tool's own sub-command, not a return to the rejected one."""
    for old, new in terms.swaps:
        pattern = rf"(?<![\w-]){re.escape(norm(new))}\s+{re.escape(norm(old))}\d*(?![\w-])"
        text_norm = re.sub(pattern, norm(new), text_norm)
    return text_norm


def _negated(text_norm: str, term: str) -> bool:
    """Whether ``text_norm`` calls ``term`` wrong where it names it ("not hx", "`hx x` is
    not the correct file"): a reply that turns the user's lesson down has not taken it."""
    word = rf"(?<![\w-]){re.escape(norm(term))}(?![\w-])"
    return re.search(_NEGATION_BEFORE + word, text_norm) is not None or (
        re.search(word + _NEGATION_AFTER, text_norm) is not None
    )


def _holds(text_norm: str, group: tuple[str, ...]) -> bool:
    """Whether ``text_norm`` names one term of ``group`` and calls none of them wrong."""
    return any(contains(text_norm, t) for t in group) and not any(
        _negated(text_norm, t) for t in group
    )


def _runs_stale(reply: str, old: str) -> bool:
    """Whether ``reply``'s code holds ``old`` (the original's words the hint's command
    changed), word for word."""
    pattern = r"(?<!\S)" + r"\s+".join(map(re.escape, old.split())) + r"(?!\S)"
    return any(
        re.search(pattern, region.group(0).strip("`"), re.IGNORECASE)
        for region in CODE_REGION.finditer(reply)
    )


def follows(reply: str, terms: HintTerms) -> bool:
    """Whether ``reply`` takes the hint: every literal, a term of each wanted group (none
    called wrong) and none of the original's code the hint's command changed, two thirds
    of the words (one at least, when there are any), no rejected term, one word of the
    topic (when known), and not an echo of the hint."""
    if not terms.checkable or not reply.strip() or is_echo(reply, terms.hint):
        return False
    text = norm(_FENCE_LANGUAGE.sub("```", reply))
    if any(contains(_without_wanted_prefix(text, terms), term) for term in terms.rejected):
        return False
    if not all(_has_literal(reply, term) for term in terms.literal):
        return False
    if not all(_holds(text, group) for group in terms.wanted):
        return False
    if any(_runs_stale(reply, old) for old in terms.stale):
        return False
    if len(terms.topic) >= 2 and not any(contains(text, w) for w in terms.topic):
        return False
    if terms.words:
        found = sum(contains(text, w) for w in terms.words)
        if found < max(1, -(-2 * len(terms.words) // 3)):
            return False
    return True
