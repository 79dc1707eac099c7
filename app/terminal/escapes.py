"""Backslash escapes as bash decodes them in `$'…'`, `printf` and `echo -e`.

Why a module of its own: the shell reader, `printf` and `echo -e` all turn `\\x72\\x6d` into
`rm`, and must agree exactly, or a payload spelled with escapes reads differently to each.
"""

from __future__ import annotations

import re

_ANSI_C_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_ANSI_C_RE = re.compile(
    r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|.)", re.S
)


def decode_escapes(body: str) -> str:
    """Decodes backslash escapes as `$'…'`, `printf` and `echo -e` do (`\\x72\\x6d` is `rm`)."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xuU":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _ANSI_C_ESCAPES.get(code, "\\" + code)

    return _ANSI_C_RE.sub(one, body)
