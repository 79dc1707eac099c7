"""The words and code of a hint or a reply, as the hint check reads them.

Shared by reading a hint's terms (:mod:`app.signals.hint_terms`), checking a reply against
them (:mod:`app.signals.hints`) and swapping a rejected tool out of a reply
(:mod:`app.signals.hint_swap`): lowercased words, the content words among them, whole-word
matching, format labels, line markers (``- [ ]``), code spans and regions, and the
sub-commands code runs a tool with. Pure Python: the GUI process and the trainer both use it.
"""

from __future__ import annotations

import re

CODE_SPAN = re.compile(r"`([^`\n]+)`")
CODE_REGION = re.compile(r"```[^\n]*\n.*?(?:\n```|$)|`[^`\n]+`", re.DOTALL)
SUBCOMMAND = r"[a-z][a-z-]*(?=[\s`]|$)"  # "install", "add": a bare word, no flag or path
# "Summary:", and labels with punctuation inside ("TL;DR:", "P.S.:"), whole
LABEL = re.compile(r"(?<![\w;.&/-])([A-Z](?:[\w-]|[;.&/](?=\w))*\.?:)(?=\s|$)")
# A line marker written out: a box (`[ ]`, `[x]`, `( )`), led by a bullet or not (`- [ ]`),
# or one symbol that starts a line (a bullet, an arrow, a ballot box, a dingbat).
MARKER = re.compile(
    r"(?<![^\s`])((?:[-*+>] ?)?[\[(] ?[xX\u2713]? ?[\])]|[\u2022\u25aa-\u25ff\u2190-\u21ff"
    r"\u2610-\u2612\u2700-\u27bf])(?![^\s`])"
)
# a word keeps its apostrophe ("don't", "it's"): split, "don" and "t" counted as wishes
WORD = re.compile(r"[\w][\w.+#/'-]*\w|\w")
# Function words, and words that say how the user phrases a wish rather than what they want.
NOT_CONTENT = frozenset(
    """
    a an the to of in on at by for from with into onto about as than and or but so if then
    is are was were be been being am do does did done doing have has had having will would
    can could should shall may might must i me my mine you your yours we our us it its it's
    this that these those there here what which who whom whose when where why how
    no not nope nah yes yeah ok okay please pls just also again instead rather actually
    use used using uses prefer prefers preferred like likes want wants wanted need needs
    always never every each any all some more less only don't dont do not stop start
    answer answers reply replies response responses write say tell give make
    giving gave given show showing shown stuff
    one thing things way something meant mean said told thanks thank sorry
    it's that's i'm i've i'd you're you've isn't aren't doesn't didn't can't won't
    wasn't shouldn't there's what's let's wrong incorrect forgot forget remember
    """.split()  # noqa: SIM905 (a word list reads best as prose)
)


def norm(text: str) -> str:
    return " ".join(text.lower().replace("`", "").split())


def words_of(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text.replace("`", " ").replace("’", "'"))]


def content_words(text: str) -> list[str]:
    """The words of ``text`` that say what the user wants, lowercased, each once: no function
    words and none of how a wish is phrased ("no", "wrong", "remember", "use")."""
    return [w for w in dict.fromkeys(words_of(text)) if w not in NOT_CONTENT and not w.isdigit()]


def contains(text_norm: str, term: str) -> bool:
    """``term`` in ``text_norm`` as whole words; a word also matches its plural/-ing forms
    and a versioned name (pip → pip3)."""
    term = norm(term)
    if not term:
        return False
    if not term[-1].isalnum():
        return term in text_norm
    stem = term[:-1] if len(term) > 4 and term.endswith("s") else term
    pattern = rf"(?<![\w-]){re.escape(stem)}(?:s|es|ing|ed|\d+)?(?![\w-])"
    return re.search(pattern, text_norm) is not None


def sub_commands(text: str, tool: str) -> tuple[str, ...]:
    """The sub-commands ``text``'s code runs ``tool`` with ("install" in ``pip install x``)."""
    pattern = rf"(?<![\w-]){re.escape(tool)}\d*[ \t]+({SUBCOMMAND})"
    return tuple(
        m.group(1) for r in CODE_REGION.finditer(text) for m in re.finditer(pattern, r.group(0))
    )
