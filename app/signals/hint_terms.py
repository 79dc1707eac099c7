"""What a hint asks of a reply: the terms it must and must not hold, read from the hint.

The check that a reply follows the hint (:func:`app.signals.hints.follows`) tests these.
The terms come from the hint's wording, not from a list of scenarios:

- *rejected*: what follows "not", "instead of", "rather than", "don't use", "stop using",
  "no more", and a command the hint says failed;
- *literal*: code spans, quoted text and a label such as ``Summary:`` — the reply must hold
  every one (a failure report's code spans are its failed command, so it has none);
- *marker*: a line marker the hint writes out ("every step as `- [ ] …`", "a [ ] list"),
  which starts the reply's list lines; it is a literal too, and a span or quote holding it
  stands for the marker, not for text to copy ("…" and "item" are placeholders);
- *wanted* (a code span, when the corrected reply is known): the lesson the command
  carries, not the command line — its program when the corrected reply did not run it
  (``hx`` in "it's `hx ~/.ssh/config` for me" after ``nano ~/.ssh/config``), else its
  words the corrected reply lacked (``hx`` in ``git config --global core.editor hx``); a
  tool the prose names is an alternative, since a reply that names it took the lesson.
  A capitalised word is no tool for being one ("Note: `…`", "that would be great"): a
  name counts after a verb of use ("I use Helix", "my editor is helix"), after "it's" only
  as a name followed by a code span that changes the original's command ("it's Kakoune:
  `…`"), or as the program of the span right after it; any other "Word:" is a label, and
  so is one in capitals or one the hint says to start or end with. A wanted term the
  reply calls wrong ("`hx x` is not the correct file") is not taken, nor one named by a
  reply whose code still runs what the command replaced (``core.editor nano``);
- *words* (only when there is no literal and no failed command: then the literal is the
  concrete thing, and an error message's words are no wish): the hint's other content
  words, minus function words and words that only say *how* the user speaks ("use",
  "prefer", "always" …), of which the reply must hold two thirds (both of two: "fish
  shell" is not taken by a reply that only says "shell"); words the original reply
  already had are dropped when others remain, since they do not tell a corrected reply
  from the old one;
- *topic*: the corrected reply's own content words; a reply that shares none of them
  talks about the hint instead of answering the request.

Pure Python: the GUI process and the trainer both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.signals.hint_words import (
    CODE_REGION,
    CODE_SPAN,
    LABEL,
    MARKER,
    NOT_CONTENT,
    WORD,
    contains,
    content_words,
    norm,
    sub_commands,
    words_of,
)
from app.terminal.command_words import WRAPPERS

_QUOTED = re.compile(r"\"([^\"\n]{1,60})\"|'([^'\n]{2,60})'|“([^”\n]{1,60})”")

_TERM = r"(`[^`\n]+`|[\w.+#/-]*\w)"
# A tool the prose names as the user's own: after a verb of use ("I use Helix", "my editor
# is helix"), or after "it's"/"that would be" ("it's Kakoune: `…`", checked in _prose_tool)
_PROSE_TOOL = re.compile(
    r"\b(?:(?P<use>i(?:'m| am)? us(?:e|ing)|we use|i prefer|i run|switched to|my [\w-]+ is)|"
    r"(?P<be>(?:it|that)(?:'s| is| would be|'d be)))\s+(?:the\s+)?(?P<name>[A-Za-z][\w.+-]*)",
    re.IGNORECASE,
)
# A code span right after a word ("Kakoune: `kak f`", "it's Kakoune, `kak f`")
_THEN_CODE = re.compile(r"\s*[:,]?\s*`([^`\n]+)`")
# A hint telling where a label goes ("end with a line starting with Summary:")
_PLACED = re.compile(r"\b(?:start|begin|end|finish|close|lead|open)\w*\b[^.!?\n`]*$", re.I)
_REJECTS = (
    re.compile(
        rf"\bnot\s+(?:(?:use|using|with|in|on|the|a|an|via|through|run|running)\s+)*{_TERM}",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?:instead of|rather than)\s+(?:(?:using|the|a|an)\s+)*{_TERM}", re.I),
    re.compile(
        rf"\b(?:don'?t|do not|never|stop|no more|quit)\s+"
        rf"(?:(?:use|using|suggest|suggesting|say|saying|write|writing|recommend|"
        rf"recommending|propose|proposing|give|giving|show|showing|me|the|a|an)\s+)+{_TERM}",
        re.IGNORECASE,
    ),
    # what is not there to use: "there is no apt here", "there's no sudo on this box"
    re.compile(rf"\bthere(?:'s| is| are)\s+no\s+{_TERM}", re.IGNORECASE),
)
_FAILED = re.compile(r"`([^`\n]+)` failed\b")
# When the wish applies ("use rg next time"): not something a reply could hold.
_WHEN = re.compile(
    r"\b(?:next time|from now on|in (?:the )?future|going forward|(?:every|each) time|"
    r"any ?more)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HintTerms:
    """What a reply following the hint must contain (``literal``: all; ``words``: half) and
    must not contain (``rejected``)."""

    hint: str
    literal: tuple[str, ...]
    words: tuple[str, ...]
    rejected: tuple[str, ...]
    wanted: tuple[tuple[str, ...], ...] = ()
    """The lessons of the hint's code spans: the reply must hold one term of each group."""
    named: str = ""
    """What the hint names as the user's own (the trailing content words before any "not
    Y": "I use the fish shell" → "fish shell"), when it names no literal."""
    swaps: tuple[tuple[str, str], ...] = ()
    """(rejected, wanted) pairs the hint states as "X, not Y" or "X instead of Y"."""
    topic: tuple[str, ...] = ()
    """Content words of the corrected reply that the hint does not touch: what the request
    was about. A reply sharing none of them (of two or more) talks about the hint, not
    the request."""
    marker: str = ""
    """The line marker the hint writes out (``- [ ]``), also among ``literal``."""
    stale: tuple[str, ...] = ()
    """The original's code where the hint's command changed it ("core.editor nano" for
    `… core.editor kak`, "docker bud" for `buildah bud …`): a reply whose code still runs
    it has not taken the lesson, whatever it names in prose ("Kakoune is great, but run
    `… core.editor nano`")."""

    @property
    def checkable(self) -> bool:
        """Whether the hint names anything a reply could be checked against."""
        return bool(self.literal or self.wanted or self.words or self.rejected)


def _named_before(text: str, rejected: str = "", original: str = "") -> str:
    """The words right before a "not Y" that name what the user wants instead: the trailing
    run of content words ("I use the fish shell, not …" → "fish shell"), at most three; or,
    from a command right before it, the word standing where Y stood in the corrected reply
    (``original``): "I'm on Arch. `sudo pacman -S git`, not apt" → "pacman" (Arch is only
    where the user is), "`doas reboot`, not sudo" → "doas" (a wrapper for a wrapper),
    "`npm ci`, not install" → "ci" (a sub-command for a sub-command)."""
    code = re.search(r"`([^`\n]+)`[\s,;:—-]*$", text)
    if code:
        words = code.group(1).split()
        wrappers = [w for w in words if w.lower() in WRAPPERS]
        rest = [w for w in words if w.lower() not in WRAPPERS]
        old = rejected.strip("`").lower()
        if old in WRAPPERS:
            pick = wrappers[0] if wrappers else ""
        elif len(rest) > 1 and old in {c.lower() for c in sub_commands(original, rest[0])}:
            pick = rest[1]
        else:
            pick = rest[0] if rest else ""
        if pick.lower() != old and re.fullmatch(r"[\w.+-]+", pick):
            return pick
    run: list[str] = []
    for word in reversed(WORD.findall(CODE_SPAN.sub(" ", text).replace("’", "'"))):
        if word.lower() in NOT_CONTENT or len(run) == 3:
            break
        run.insert(0, word)
    return " ".join(run)


def _spans(text: str) -> list[str]:
    """The code spans of ``text`` that hold a word: "` `" asks for nothing (and has no
    first word to read a program or a label from)."""
    return [m.group(1) for m in CODE_SPAN.finditer(text) if m.group(1).strip()]


def _labels(hint: str, tool: str) -> list[str]:
    """The format labels the hint asks to place: each word ending in a colon, except the
    user's ``tool`` (:func:`_prose_tool`) right before a code span ("For me that would be
    Helix: `…`") unless the hint tells a reply to start or end with it or writes it in
    capitals (a known format label: "start with Hx: `…`", ``NOTE:``); inside a code span
    only its first word can be one (`TL;DR: wc -l file`)."""
    masked = CODE_SPAN.sub(lambda m: "`" + " " * (len(m.group(0)) - 2) + "`", hint)
    labels = []
    for match in LABEL.finditer(masked):
        label = match.group(1)
        names_tool = tool.lower() == label.rstrip(":").lower() and hint[
            match.end() :
        ].lstrip().startswith("`")
        placed = _PLACED.search(hint[: match.start()]) is not None
        if label.isupper() or placed or not names_tool:
            labels.append(label)
    for span in _spans(hint):
        first = span.split()[0]
        if LABEL.fullmatch(first):
            labels.append(first)
    return labels


def _program(span: str) -> str:
    """The program a code span runs: its first word after any label."""
    tokens = span.split()
    if tokens and LABEL.fullmatch(tokens[0]):
        tokens = tokens[1:]
    return tokens[0] if tokens else ""


def _prose_tool(hint: str, original: str) -> str:
    """The tool the hint's prose names as the user's own, or "". A capitalised word is no
    tool for being one ("Note:", "Summary:", "that would be great"): a name counts after a
    verb of use ("I use Helix", "my editor is helix"), after "it's"/"that would be" only
    when written as a name and followed by a code span that changes the original's
    command ("it's Kakoune: `… core.editor kak`"), or when it is the program of the code
    span right after it ("Buildah: `buildah images`")."""
    masked = CODE_SPAN.sub(lambda m: "`" + " " * (len(m.group(0)) - 2) + "`", hint)
    for match in _PROSE_TOOL.finditer(masked.replace("’", "'")):
        name = match.group("name")
        if name.lower() in NOT_CONTENT:
            continue
        if match.group("use"):
            return name
        code = _THEN_CODE.match(hint, match.end())
        if name[0].isupper() and code and _lesson(code.group(1), original, "")[0]:
            return name
    for match in re.finditer(r"([A-Za-z][\w.+-]*)", masked):
        code = _THEN_CODE.match(hint, match.end())
        if code and match.group(1).lower() == _program(code.group(1)).lower():
            return match.group(1)
    return ""


def _lesson(
    span: str, original: str, tool: str
) -> tuple[list[tuple[str, ...]], str, str, list[str]]:
    """(the groups a reply must hold one term of each, the program the span runs when the
    original did not, what the original ran in its place, the original's code that the
    span changes: "core.editor nano", "docker bud") for a code span of the hint: its
    program when ``original`` did not run it, else its words ``original`` lacks; the
    prose's ``tool`` is an alternative in each group. No groups when the span adds nothing."""
    tokens = span.split()
    if tokens and LABEL.fullmatch(tokens[0]):
        tokens = tokens[1:]
    if not tokens:
        return [], "", "", []
    program, had = tokens[0], set(words_of(original))
    alternative = (tool,) if tool and tool.lower() != program.lower() else ()
    if program.lower() not in had and re.fullmatch(r"[\w.+-]+", program):
        replaced = ""
        if len(tokens) > 1:
            ran = re.compile(rf"(?<![\w-])([A-Za-z][\w.+-]*)[ \t]+{re.escape(tokens[1])}(?!\S)")
            for region in CODE_REGION.finditer(original):
                found = ran.search(region.group(0).strip("`"))
                if found and found.group(1).lower() not in NOT_CONTENT:
                    replaced = found.group(1)
                    break
        stale = [f"{replaced} {tokens[1]}"] if replaced else []
        return [(program, *alternative)], program, replaced, stale
    new = [t for t in dict.fromkeys(tokens[1:]) if re.fullmatch(r"[A-Za-z][\w.+-]*", t)]
    new = [t for t in new if t.lower() not in had]
    stale = []
    for term in new:
        before = tokens[tokens.index(term) - 1]
        was = re.compile(rf"(?<!\S){re.escape(before)}[ \t]+([^`\s]+)")
        for region in CODE_REGION.finditer(original):
            found = was.search(region.group(0).strip("`"))
            if found and found.group(1).lower() != term.lower():
                stale.append(f"{before} {found.group(1)}")
                break
    return [(t, *alternative) for t in new], "", "", stale


def hint_terms(hint: str, original: str = "") -> HintTerms:
    """The terms a reply following ``hint`` must and must not hold; ``original`` is the reply
    the hint corrected (words it already had are not evidence of a change)."""
    rejected: list[str] = []
    swaps: list[tuple[str, str]] = []
    wish = _WHEN.sub(" ", hint)
    first_rejection = wish
    for pattern in _REJECTS:
        for match in pattern.finditer(wish):
            term = match.group(1).strip("`").strip()
            if pattern is _REJECTS[3] and not contains(norm(original), term):
                continue  # "there is no such file": only what the reply used is not there
            if norm(term) and norm(term) not in NOT_CONTENT:
                rejected.append(term)
                if len(wish[: match.start()]) < len(first_rejection):
                    first_rejection = wish[: match.start()]
                named = _named_before(wish[: match.start()], term, original)
                if named and pattern is not _REJECTS[2]:  # "don't use Y" names no X
                    swaps.append((term, named))
    failed = [m.group(1).strip() for m in _FAILED.finditer(hint) if m.group(1).strip()]
    rejected += failed
    rejected_words = {w for term in rejected for w in words_of(term)}
    spans = [span for span in _spans(hint) if span.strip() not in rejected]
    literal = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(hint)]
    tool, wanted, program, stale = _prose_tool(hint, original), [], "", []
    literal += _labels(hint, tool)
    for span in spans if original.strip() and not failed else ():
        groups, ran, replaced, was = _lesson(span, original, tool)
        if groups:
            wanted += groups
            stale += was
            program = program or ran
            if replaced and replaced.lower() != ran.lower():
                swaps.append((replaced, ran))
        elif not LABEL.fullmatch(span.split()[0]):
            literal.append(span)  # the span adds nothing to the original: as written
    if not original.strip():
        literal = _spans(hint) + literal
    marker = next((m.group(1) for m in MARKER.finditer(hint)), "")
    literal = [t for t in dict.fromkeys(literal) if t not in rejected and norm(t)
               and not (marker and marker in t)] + ([marker] if marker else [])
    literal_words = {w for group in wanted for w in words_of(" ".join(group))}
    literal_words |= {w for term in literal + spans for w in words_of(term)}
    words = [
        w
        for w in content_words(CODE_SPAN.sub(" ", wish))
        if w not in rejected_words and w not in literal_words
    ]
    if literal or wanted or failed:
        words = []  # the literal is the concrete thing; an error's words are not a wish
    before = set(words_of(original))
    fresh = [w for w in words if w not in before]
    hint_words = set(words_of(hint))
    gone = hint_words | rejected_words | {w for old, _ in swaps for w in words_of(old)}
    topic = [w for w in content_words(original) if w not in gone and len(w) > 2]
    return HintTerms(
        hint=hint,
        literal=tuple(literal) if not failed else (),
        words=tuple(fresh or words),
        rejected=tuple(dict.fromkeys(rejected)),
        wanted=tuple(dict.fromkeys(wanted)) if not failed else (),
        swaps=tuple(dict.fromkeys(swaps)),
        named=(_named_before(first_rejection, next(iter(rejected), ""), original) or tool)
        if words
        else (tool or program) if wanted else "",
        topic=tuple(topic),
        marker=marker,
        stale=tuple(dict.fromkeys(stale)) if not failed else (),
    )
