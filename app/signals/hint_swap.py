"""A reply rewritten to follow "X, not Y" or a line marker: the rejected tool swapped for
the wanted one, each list line led by the marker the user wrote (``- [ ]``).

Words that say "I use uv, not pip" give a worked reply at once, the corrected reply with
pip swapped for uv, when that follows them (:func:`app.signals.hints.follows`); so do
words that say "every step as `- [ ] …`", the corrected reply's list lines with their
bullets or numbers turned into the marker. The trainer's teacher relabels its replies the
same way. Pure Python: the GUI process and the trainer both use it.
"""

from __future__ import annotations

import re

from app.signals.hint_terms import HintTerms
from app.signals.hint_words import CODE_REGION, NOT_CONTENT, SUBCOMMAND, words_of
from app.terminal.command_words import WRAPPERS


def command_form(
    text: str, tool: str, request: str = "", sub_commands: tuple[str, ...] = ()
) -> str | None:
    """How ``text`` runs ``tool`` with a sub-command, from its code: ``uv add`` in "use
    `uv add requests`", ``uv pip install`` in ``uv pip install numpy``: the bare words after
    the tool's name without those at the end that the ``request`` holds (its arguments:
    "requests" in a request about requests), one word at least, and never one of
    ``sub_commands`` (what the replaced tool ran: "install" in "How do I install numpy?"
    is no argument of ``uv pip install numpy``). ``None`` when its code never does."""
    asked = set(words_of(request)) - {w.lower() for w in sub_commands}
    pattern = rf"(?<![\w-]){re.escape(tool)}((?:[ \t]+{SUBCOMMAND})+)"
    for region in CODE_REGION.finditer(text):
        for match in re.finditer(pattern, region.group(0), re.IGNORECASE):
            subs = match.group(1).split()
            while len(subs) > 1 and subs[-1].lower() in asked:
                subs.pop()
            return " ".join([tool, *subs])
    return None


def _ran(match: re.Match[str]) -> bool:
    """Whether a tool's name followed by a word runs it with a sub-command ("pip install"),
    not prose about it ("pip is")."""
    return match.group(0).split()[-1].lower() not in NOT_CONTENT


def _swap_commands(
    text: str, old: str, new: str, form: str | None, placed: list[str]
) -> str | None:
    """``text`` with each command that runs ``old`` with a sub-command written in ``form``
    (held aside in ``placed``, marked by its index, so the name swap leaves it alone), or,
    with no form, left out as :func:`swap_terms` says; ``None`` when it cannot be."""
    invoked = re.compile(rf"(?<![\w-]){re.escape(old)}\d*[ \t]+{SUBCOMMAND}", re.I)

    def runs(piece: str) -> bool:
        return any(_ran(m) for m in invoked.finditer(piece))

    def written(match: re.Match[str]) -> str:
        if not _ran(match) or form is None:
            return match.group(0)
        placed.append(form)
        return f"\0{len(placed) - 1}\0"

    pieces, at = [], 0
    for region in [*CODE_REGION.finditer(text), None]:
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


# A list line outside code: its bullet or number (and a box already there), then its text.
_LIST_LINE = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d+[.)])[ \t]+(?:\[[ xX]?\][ \t]*)?(\S.*)$", re.M)
_FENCE = re.compile(r"(```.*?(?:\n```|$))", re.DOTALL)


def _mark_lines(reply: str, marker: str) -> str:
    """``reply`` with each list line outside its code blocks led by ``marker``."""
    parts = _FENCE.split(reply)  # odd parts are code blocks, left as written
    return "".join(part if index % 2 else _LIST_LINE.sub(lambda m: f"{marker} {m.group(1)}", part)
                   for index, part in enumerate(parts))


def swap_terms(reply: str, terms: HintTerms, forms: dict[str, str] | None = None) -> str | None:
    """``reply`` with each term the hint turns away from replaced by the one it names in its
    place ("I use uv, not pip": pip → uv), whole words only, and its list lines led by the
    hint's line marker; ``None`` when nothing changed or when it cannot be done without
    inventing a command.

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
    if terms.marker:
        out = _mark_lines(out, terms.marker)
    if out == reply:
        return None
    out = re.sub(r"\n{3,}", "\n\n", out).strip()
    return out or None
