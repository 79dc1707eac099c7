"""Does a reply follow what the user said to change? A check derived from the hint alone.

A directive signal carries the user's words about what was wrong ("I use uv, not pip",
"always end with a Summary: line", "`pip install x` failed with exit code 1: …"). Before a
reply written with that hint in context (the teacher's, see ``trainer/teacher.py``, or the
model's own answer to the correction in the chat) may teach anything, it must show that it
took the hint: it must contain what the hint introduces and nothing the hint turns away
from, and it must not just hand the user's words back.

The terms come from the hint's wording, not from a list of scenarios:

- *rejected*: what follows "not", "instead of", "rather than", "don't use", "stop using",
  "no more", and a command the hint says failed;
- *literal*: code spans, quoted text and a label such as ``Summary:`` — the reply must hold
  every one (a failure report's code spans are its failed command, so it has none);
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

from app.terminal.command_words import WRAPPERS

_CODE = re.compile(r"`([^`\n]+)`")
_QUOTED = re.compile(r"\"([^\"\n]{1,60})\"|'([^'\n]{2,60})'|“([^”\n]{1,60})”")
# "Summary:", and labels with punctuation inside ("TL;DR:", "P.S.:"), whole
_LABEL = re.compile(r"(?<![\w;.&/-])([A-Z](?:[\w-]|[;.&/](?=\w))*\.?:)(?=\s|$)")
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
# Said next to a wanted term, a reply calls it wrong rather than following it
_NEGATION_BEFORE = (
    r"\b(?:not|never|avoid|instead of|rather than|don'?t use|do not use)\s+"
    r"(?:use\s+|using\s+|the\s+|a\s+)*"
)
_NEGATION_AFTER = (
    r"(?:\s+\S+){0,3}?\s+(?:is not|isn't|is wrong|is incorrect|won't work|doesn't work|"
    r"does not work|is not the correct|was wrong)\b"
)
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
# The language of a code fence (```bash) says how to colour the code, not which tool it uses.
_FENCE_LANGUAGE = re.compile(r"```[\w+-]+")
_FAILED = re.compile(r"`([^`\n]+)` failed\b")
# When the wish applies ("use rg next time"): not something a reply could hold.
_WHEN = re.compile(
    r"\b(?:next time|from now on|in (?:the )?future|going forward|(?:every|each) time|"
    r"any ?more)\b",
    re.IGNORECASE,
)
# a word keeps its apostrophe ("don't", "it's"): split, "don" and "t" counted as wishes
_WORD = re.compile(r"[\w][\w.+#/'-]*\w|\w")
# Function words, and words that say how the user phrases a wish rather than what they want.
_NOT_CONTENT = frozenset(
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
_ECHO_MARKERS = ("the user said", "you said:", "user said:")
ECHO_SHARE = 0.8  # a reply made of this share of the hint's own words is an echo


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
    stale: tuple[str, ...] = ()
    """The original's code where the hint's command changed it ("core.editor nano" for
    `… core.editor kak`, "docker bud" for `buildah bud …`): a reply whose code still runs
    it has not taken the lesson, whatever it names in prose ("Kakoune is great, but run
    `… core.editor nano`")."""

    @property
    def checkable(self) -> bool:
        """Whether the hint names anything a reply could be checked against."""
        return bool(self.literal or self.wanted or self.words or self.rejected)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("`", "").split())


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text.replace("`", " ").replace("’", "'"))]


def _content(words: list[str]) -> list[str]:
    return [w for w in dict.fromkeys(words) if w not in _NOT_CONTENT and not w.isdigit()]


def content_words(text: str) -> list[str]:
    """The words of ``text`` that say what the user wants, lowercased, each once: no function
    words and none of how a wish is phrased ("no", "wrong", "remember", "use")."""
    return _content(_words(text))


def _contains(text_norm: str, term: str) -> bool:
    """``term`` in ``text_norm`` as whole words; a word also matches its plural/-ing forms
    and a versioned name (pip → pip3)."""
    term = _norm(term)
    if not term:
        return False
    if not term[-1].isalnum():
        return term in text_norm
    stem = term[:-1] if len(term) > 4 and term.endswith("s") else term
    pattern = rf"(?<![\w-]){re.escape(stem)}(?:s|es|ing|ed|\d+)?(?![\w-])"
    return re.search(pattern, text_norm) is not None


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
    for word in reversed(_WORD.findall(_CODE.sub(" ", text).replace("’", "'"))):
        if word.lower() in _NOT_CONTENT or len(run) == 3:
            break
        run.insert(0, word)
    return " ".join(run)


def _has_literal(reply: str, literal: str) -> bool:
    """Code and quoted text as written (case counts in code); a label (``Summary:``) only
    where a label is, at the start of a line: "end with a summary: …" in prose is no
    Summary line."""
    if literal.endswith(":") and _LABEL.fullmatch(literal):
        return re.search(rf"(?m)^[\s*_#>-]*{re.escape(literal)}[*_ \t]*\S", reply) is not None
    return " ".join(literal.split()) in " ".join(reply.replace("`", "").split())


def _spans(text: str) -> list[str]:
    """The code spans of ``text`` that hold a word: "` `" asks for nothing (and has no
    first word to read a program or a label from)."""
    return [m.group(1) for m in _CODE.finditer(text) if m.group(1).strip()]


def _labels(hint: str, tool: str) -> list[str]:
    """The format labels the hint asks to place: each word ending in a colon, except the
    user's ``tool`` (:func:`_prose_tool`) right before a code span ("For me that would be
    Helix: `…`") unless the hint tells a reply to start or end with it or writes it in
    capitals (a known format label: "start with Hx: `…`", ``NOTE:``); inside a code span
    only its first word can be one (`TL;DR: wc -l file`)."""
    masked = _CODE.sub(lambda m: "`" + " " * (len(m.group(0)) - 2) + "`", hint)
    labels = []
    for match in _LABEL.finditer(masked):
        label = match.group(1)
        names_tool = tool.lower() == label.rstrip(":").lower() and hint[
            match.end() :
        ].lstrip().startswith("`")
        placed = _PLACED.search(hint[: match.start()]) is not None
        if label.isupper() or placed or not names_tool:
            labels.append(label)
    for span in _spans(hint):
        first = span.split()[0]
        if _LABEL.fullmatch(first):
            labels.append(first)
    return labels


def _program(span: str) -> str:
    """The program a code span runs: its first word after any label."""
    tokens = span.split()
    if tokens and _LABEL.fullmatch(tokens[0]):
        tokens = tokens[1:]
    return tokens[0] if tokens else ""


def _prose_tool(hint: str, original: str) -> str:
    """The tool the hint's prose names as the user's own, or "". A capitalised word is no
    tool for being one ("Note:", "Summary:", "that would be great"): a name counts after a
    verb of use ("I use Helix", "my editor is helix"), after "it's"/"that would be" only
    when written as a name and followed by a code span that changes the original's
    command ("it's Kakoune: `… core.editor kak`"), or when it is the program of the code
    span right after it ("Buildah: `buildah images`")."""
    masked = _CODE.sub(lambda m: "`" + " " * (len(m.group(0)) - 2) + "`", hint)
    for match in _PROSE_TOOL.finditer(masked.replace("’", "'")):
        name = match.group("name")
        if name.lower() in _NOT_CONTENT:
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
    if tokens and _LABEL.fullmatch(tokens[0]):
        tokens = tokens[1:]
    if not tokens:
        return [], "", "", []
    program, had = tokens[0], set(_words(original))
    alternative = (tool,) if tool and tool.lower() != program.lower() else ()
    if program.lower() not in had and re.fullmatch(r"[\w.+-]+", program):
        replaced = ""
        if len(tokens) > 1:
            ran = re.compile(rf"(?<![\w-])([A-Za-z][\w.+-]*)[ \t]+{re.escape(tokens[1])}(?!\S)")
            for region in _CODE_REGION.finditer(original):
                found = ran.search(region.group(0).strip("`"))
                if found and found.group(1).lower() not in _NOT_CONTENT:
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
        for region in _CODE_REGION.finditer(original):
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
            if pattern is _REJECTS[3] and not _contains(_norm(original), term):
                continue  # "there is no such file": only what the reply used is not there
            if _norm(term) and _norm(term) not in _NOT_CONTENT:
                rejected.append(term)
                if len(wish[: match.start()]) < len(first_rejection):
                    first_rejection = wish[: match.start()]
                named = _named_before(wish[: match.start()], term, original)
                if named and pattern is not _REJECTS[2]:  # "don't use Y" names no X
                    swaps.append((term, named))
    failed = [m.group(1).strip() for m in _FAILED.finditer(hint) if m.group(1).strip()]
    rejected += failed
    rejected_words = {w for term in rejected for w in _words(term)}
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
        elif not _LABEL.fullmatch(span.split()[0]):
            literal.append(span)  # the span adds nothing to the original: as written
    if not original.strip():
        literal = _spans(hint) + literal
    literal = [t for t in dict.fromkeys(literal) if t not in rejected and _norm(t)]
    literal_words = {w for group in wanted for w in _words(" ".join(group))}
    literal_words |= {w for term in literal + spans for w in _words(term)}
    words = [
        w
        for w in _content(_words(_CODE.sub(" ", wish)))
        if w not in rejected_words and w not in literal_words
    ]
    if literal or wanted or failed:
        words = []  # the literal is the concrete thing; an error's words are not a wish
    before = set(_words(original))
    fresh = [w for w in words if w not in before]
    hint_words = set(_words(hint))
    gone = hint_words | rejected_words | {w for old, _ in swaps for w in _words(old)}
    topic = [w for w in _content(_words(original)) if w not in gone and len(w) > 2]
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
        stale=tuple(dict.fromkeys(stale)) if not failed else (),
    )


_CODE_REGION = re.compile(r"```[^\n]*\n.*?(?:\n```|$)|`[^`\n]+`", re.DOTALL)
_SUBCOMMAND = r"[a-z][a-z-]*(?=[\s`]|$)"  # "install", "add": a bare word, no flag or path


def command_form(
    text: str, tool: str, request: str = "", sub_commands: tuple[str, ...] = ()
) -> str | None:
    """How ``text`` runs ``tool`` with a sub-command, from its code: ``uv add`` in "use
    `uv add requests`", ``uv pip install`` in ``uv pip install numpy``: the bare words after
    the tool's name without those at the end that the ``request`` holds (its arguments:
    "requests" in a request about requests), one word at least, and never one of
    ``sub_commands`` (what the replaced tool ran: "install" in "How do I install numpy?"
    is no argument of ``uv pip install numpy``). ``None`` when its code never does."""
    asked = set(_words(request)) - {w.lower() for w in sub_commands}
    pattern = rf"(?<![\w-]){re.escape(tool)}((?:[ \t]+{_SUBCOMMAND})+)"
    for region in _CODE_REGION.finditer(text):
        for match in re.finditer(pattern, region.group(0), re.IGNORECASE):
            subs = match.group(1).split()
            while len(subs) > 1 and subs[-1].lower() in asked:
                subs.pop()
            return " ".join([tool, *subs])
    return None


def sub_commands(text: str, tool: str) -> tuple[str, ...]:
    """The sub-commands ``text``'s code runs ``tool`` with ("install" in ``pip install x``)."""
    pattern = rf"(?<![\w-]){re.escape(tool)}\d*[ \t]+({_SUBCOMMAND})"
    return tuple(
        m.group(1) for r in _CODE_REGION.finditer(text) for m in re.finditer(pattern, r.group(0))
    )


def _ran(match: re.Match[str]) -> bool:
    """Whether a tool's name followed by a word runs it with a sub-command ("pip install"),
    not prose about it ("pip is")."""
    return match.group(0).split()[-1].lower() not in _NOT_CONTENT


def _swap_commands(
    text: str, old: str, new: str, form: str | None, placed: list[str]
) -> str | None:
    """``text`` with each command that runs ``old`` with a sub-command written in ``form``
    (held aside in ``placed``, marked by its index, so the name swap leaves it alone), or,
    with no form, left out as :func:`swap_terms` says; ``None`` when it cannot be."""
    invoked = re.compile(rf"(?<![\w-]){re.escape(old)}\d*[ \t]+{_SUBCOMMAND}", re.I)

    def runs(piece: str) -> bool:
        return any(_ran(m) for m in invoked.finditer(piece))

    def written(match: re.Match[str]) -> str:
        if not _ran(match) or form is None:
            return match.group(0)
        placed.append(form)
        return f"\0{len(placed) - 1}\0"

    pieces, at = [], 0
    for region in [*_CODE_REGION.finditer(text), None]:
        end = region.start() if region else len(text)
        before, code = text[at:end], region.group(0) if region else ""
        after = text[end + len(code) :].lstrip(" ")
        if form:
            before, code = invoked.sub(written, before), invoked.sub(written, code)
        elif runs(before):
            return None  # "the command pip install x" in prose: nothing to write instead
        elif runs(code) and code.startswith("```"):  # the line that introduced it ends here
            end_mark = "" if after[:1] in (".", "!", "?") else "."
            before, code = re.sub(r":\s*$", end_mark, before.rstrip()), ""
        elif runs(code):  # "use `pip install x`": "use uv to install x", as words
            words = code.strip("`").split()
            said = " ".join(words[1:]) if invoked.match(" ".join(words)) else ""
            code = f"{new} to {said}" if said else new
            if before.rstrip().endswith(":"):  # "using pip: `pip install x`": "… to install x"
                before, code = before.rstrip()[:-1], f" to {said}" if said else ""
        pieces += [before, code]
        at = region.end() if region else len(text)
    return "".join(pieces)


def swap_terms(reply: str, terms: HintTerms, forms: dict[str, str] | None = None) -> str | None:
    """``reply`` with each term the hint turns away from replaced by the one it names in its
    place ("I use uv, not pip": pip → uv), whole words only; ``None`` when nothing changed
    or when it cannot be done without inventing a command.

    A name is swapped, not a command line: ``pip install x`` is no ``uv install x`` (uv has
    no such sub-command; the relabelled teacher replies taught it on ``say_uv``). Where the
    rejected tool runs a sub-command in the reply's code, the wanted tool's own form takes
    its place when the user's words showed one (``forms``: tool → ``uv add``, see
    :func:`command_form`); with none known, a code block running it is left out (the prose
    before it still names the wanted tool: "Install it using uv."), inline code running it
    is said in words ("use `pip install x`": "use uv to install x"), and a reply that runs
    it in prose ("the command pip install x") is no candidate."""
    out, placed = reply, []
    for old, new in terms.swaps:
        # A wrapper runs the command after it ("sudo systemctl …"): no sub-command to rewrite.
        swapped = out if old.lower() in WRAPPERS else _swap_commands(
            out, old, new, (forms or {}).get(new.lower()), placed
        )
        if swapped is None:
            return None
        # pip3 is pip too; a code fence's language (```bash) is no claim about the tool
        pattern = rf"(?<![\w-])(?<!```){re.escape(old)}\d*(?![\w-])"
        out = re.sub(pattern, new, swapped, flags=re.IGNORECASE)
    out = re.sub("\0(\\d+)\0", lambda m: placed[int(m.group(1))], out)
    if out == reply:
        return None
    out = re.sub(r"\n{3,}", "\n\n", out).strip()
    return out or None


def is_echo(reply: str, hint: str) -> bool:
    """Whether ``reply`` hands the user's words back instead of answering: it quotes "the
    user said", is the hint, or nearly all of its words besides the hint's code are the
    hint's prose."""
    text = _norm(reply)
    if any(marker in text for marker in _ECHO_MARKERS):
        return True
    hint_norm = _norm(hint)
    if hint_norm and (text == hint_norm or text.strip(" .!") == hint_norm.strip(" .!")):
        return True
    if not _words(reply):
        return True
    # the user's command run in the reply is the answer, not their words handed back: the
    # words of the hint's code count for neither side
    code = {w for span in _CODE.findall(hint) for w in _words(span)}
    reply_words = [w for w in _words(reply) if w not in code]
    if not reply_words:
        return False
    hint_words = set(_words(_CODE.sub(" ", hint)))
    return sum(w in hint_words for w in reply_words) / len(reply_words) >= ECHO_SHARE


def _without_wanted_prefix(text_norm: str, terms: HintTerms) -> str:
    """``text_norm`` without each rejected term that comes right after the term the hint
    wants in its place: "I use uv, not pip" is followed by ``uv pip install x``, the wanted
    tool's own sub-command, not a return to the rejected one."""
    for old, new in terms.swaps:
        pattern = rf"(?<![\w-]){re.escape(_norm(new))}\s+{re.escape(_norm(old))}\d*(?![\w-])"
        text_norm = re.sub(pattern, _norm(new), text_norm)
    return text_norm


def _negated(text_norm: str, term: str) -> bool:
    """Whether ``text_norm`` calls ``term`` wrong where it names it ("not hx", "`hx x` is
    not the correct file"): a reply that turns the user's lesson down has not taken it."""
    word = rf"(?<![\w-]){re.escape(_norm(term))}(?![\w-])"
    return re.search(_NEGATION_BEFORE + word, text_norm) is not None or (
        re.search(word + _NEGATION_AFTER, text_norm) is not None
    )


def _holds(text_norm: str, group: tuple[str, ...]) -> bool:
    """Whether ``text_norm`` names one term of ``group`` and calls none of them wrong."""
    return any(_contains(text_norm, t) for t in group) and not any(
        _negated(text_norm, t) for t in group
    )


def _runs_stale(reply: str, old: str) -> bool:
    """Whether ``reply``'s code holds ``old`` (the original's words the hint's command
    changed), word for word."""
    pattern = r"(?<!\S)" + r"\s+".join(map(re.escape, old.split())) + r"(?!\S)"
    return any(
        re.search(pattern, region.group(0).strip("`"), re.IGNORECASE)
        for region in _CODE_REGION.finditer(reply)
    )


def follows(reply: str, terms: HintTerms) -> bool:
    """Whether ``reply`` takes the hint: every literal, a term of each wanted group (none
    called wrong) and none of the original's code the hint's command changed, two thirds
    of the words (one at least, when there are any), no rejected term, one word of the
    topic (when known), and not an echo of the hint."""
    if not terms.checkable or not reply.strip() or is_echo(reply, terms.hint):
        return False
    text = _norm(_FENCE_LANGUAGE.sub("```", reply))
    if any(_contains(_without_wanted_prefix(text, terms), term) for term in terms.rejected):
        return False
    if not all(_has_literal(reply, term) for term in terms.literal):
        return False
    if not all(_holds(text, group) for group in terms.wanted):
        return False
    if any(_runs_stale(reply, old) for old in terms.stale):
        return False
    if len(terms.topic) >= 2 and not any(_contains(text, w) for w in terms.topic):
        return False
    if terms.words:
        found = sum(_contains(text, w) for w in terms.words)
        if found < max(1, -(-2 * len(terms.words) // 3)):
            return False
    return True
