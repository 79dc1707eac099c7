"""PowerShell's own ways of running code nobody has read: `Invoke-Expression` and
`-EncodedCommand`.

Why: PowerShell runs on Linux too, and its evaluator (`iex`, `Invoke-Expression`) runs
whatever text it gets — from its pipeline (`iwr URL | iex`), from a download in brackets
(`iex (irm URL)`), or from a variable — while `pwsh -enc …` hands over statements as base64
of UTF-16LE text, so the line shows nothing of what runs. The walker decodes those
statements and judges them as if written out; what cannot be decoded, or an evaluator given
anything but a plain string, cannot be read first, which alone needs typing.
"""

from __future__ import annotations

import base64
import binascii
import re

# PowerShell's evaluator, by its name and its alias (program names arrive lower-cased).
EVALUATORS = frozenset({"iex", "invoke-expression"})
UNREADABLE_ENCODED = "hands PowerShell encoded statements that cannot be decoded, so " \
    "nobody can read them first"
BUILT_EVALUATED = "the PowerShell code evaluates text it builds or fetches while it runs, " \
    "so nobody can read it first"
# The evaluator as a statement's first word: at the start, after a pipe, `;`, `&` or `(`.
# What it is given runs to the statement's end: a quoted `;` stays inside, so each evaluator
# of a line is read (`iex 'ls'; iex $env:X` has two).
_EVALUATOR = re.compile(r"(?i)(?:^|[|;&(]\s*)(?:iex|invoke-expression)\b(?![-\w.])"
                        r"(?P<rest>(?:'[^']*'|\"[^\"]*\"|[^;\n|'\"])*)")
# What may follow the evaluator and still be read: nothing (its input), or one plain string.
_PLAIN = re.compile(r"\s*(?:(?:-command\s+)?(?:'[^']*'|\"[^\"$`]*\")\s*)?(?:[;\n|].*)?", re.S)


def evaluates(text: str) -> bool:
    """Whether `text` hands text to PowerShell's evaluator as a statement."""
    return bool(_EVALUATOR.search(text))


def evaluates_built(text: str) -> bool:
    """Whether the evaluator is given something other than its input or a plain string:
    a variable, a call, a bracketed expression (`iex $x`, `IEX (New-Object Net.WebClient)…`).
    """
    return any(not _PLAIN.fullmatch(m.group("rest")) for m in _EVALUATOR.finditer(text))


def encoded_command(args: list[str]) -> str | None:
    """The base64 text `pwsh -EncodedCommand X` is given (`-e`, `-en`, `-enc` … any
    abbreviation, or `-ec`); None when there is none."""
    for index, arg in enumerate(args):
        flag = arg.lower()
        if flag == "-ec" or (len(flag) >= 2 and "-encodedcommand".startswith(flag)):
            return args[index + 1] if index + 1 < len(args) else ""
        if flag.startswith("-c") or flag in ("-f", "-file"):
            return None  # the statements or the script come first; the rest are theirs
    return None


def decoded_statements(encoded: str) -> str | None:
    """The statements base64 of UTF-16LE text stands for; None when it is not that."""
    try:
        raw = base64.b64decode(encoded, validate=True)
        return raw.decode("utf-16-le") if raw else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
