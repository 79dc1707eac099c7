"""Rewrites one-liner code into the few shapes `code_checks` reads, whatever the language.

Why: the checks look for a shell call with a string (`system("rm -rf ~")`), a delete call
with a path, and `"~"` for the home folder. The same intent is spelled many ways: string
literals hidden behind escapes (`'\\x72m -rf ~'`, `"\\162m"`), built from character codes
(`chr(114)+chr(109)`, `String.fromCharCode(114,109)`) or hex (`pack("H*","726d…")`,
`bytes.fromhex(…)`); Tcl (`exec rm -rf ~`, `file delete -force $env(HOME)`), Emacs Lisp
(`(getenv "HOME")`), R (`Sys.getenv("HOME")`), Julia (`homedir()`) and Deno
(`Deno.env.get("HOME")`). Decoding these first means every language is judged by the
same rules, instead of one pattern per spelling.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|([0-7]{3}))")
_HEX_CALL = re.compile(
    r"""(?:pack\s*\(\s*(['"])H\*\1\s*,\s*|(?:bytes\.fromhex|unhexlify|hex2bin|hex_decode)\s*\("""
    r"""\s*[rbuf]?|Buffer\.from\s*\(\s*)(['"])((?:[0-9A-Fa-f]{2})+)\2"""
    r"""(?:\s*,\s*['"]hex['"])?\s*\)(?:\s*\.\s*(?:decode|toString)\s*\([^()]*\))?""")
_CHR_CALL = re.compile(r"\b(?:chr|char|Chr|utf8ToInt)\s*\(\s*(\d{1,3})\s*\)")
_FROM_CHAR_CODE = re.compile(r"String\.fromCharCode\s*\(\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\)")
_HOME_CALLS = re.compile(
    r"""\(\s*getenv\s+(['"])HOME\1\s*\)|\b(?:Sys\.getenv|Deno\.env\.get|ENV\.get)\s*\(\s*"""
    r"""(['"])HOME\2\s*\)|\bpath\.expand\s*\(\s*(['"])~\3\s*\)|(?<![.\w])homedir\s*\(\s*\)""")
_JVM_LISP_GO_HOME = re.compile(
    r"""System\.getProperty\(\s*(['"])user\.home\1\s*\)|\(user-homedir-pathname\)|"""
    r"""\bos\.(?:Getenv\(\s*"HOME"\s*\)|UserHomeDir\(\))"""
    r"""|(?:std::)?env::var(?:_os)?\(\s*"HOME"\s*\)(?:\.unwrap\(\)|\?)?"""
    r"""|(?:dirs::|std::env::|env::)?home_dir\(\)(?:\.unwrap\(\))?""")
_BUILD_HOME = re.compile(r"\$\{user\.home\}")
_BUILD_DELETE = re.compile(r"""<delete\s+(?:dir|file)\s*=\s*"([^"]*)"|"""
                           r"""\bfile\s*\(\s*REMOVE(?:_RECURSE)?\s+("[^"]*"|[^\s)]+)""")
# A path under home expanded by a library call: `os.path.expanduser('~/Documents')`,
# `File.expand_path("~/x")`, `path.expand("~/x")` is the path itself.
_EXPANDED_PATH = re.compile(r"""(?:(?:os\.path\.)?expanduser|(?:File\.)?expand_path|path\.expand"""
                            r"""|normalizePath)\(\s*[rbuf]?(['"])(~/[^'"]*)\1\s*\)""")
_TCL_HOME = re.compile(r"\$\{?(?:::)?env\(HOME\)\}?|\[\s*file\s+normalize\s+~\s*\]")
_TCL_DELETE = re.compile(r"\bfile\s+delete\s+(?:-force\s+)?(?:--\s+)?([^\s;\]]+)")
_TCL_EXEC = re.compile(r"(?:^|(?<=[;\[{\n]))\s*exec\s+(?![(\"'\[{=]|-c\b)([^;\]\n}]+)")


def _safe_char(code: int) -> str | None:
    """A decoded character, unless it would change how the surrounding literal reads."""
    char = chr(code)
    return None if char in "'\"\\`\n\r" or not char.isprintable() else char


def _unescape(match: re.Match[str]) -> str:
    hex_, unicode, octal = match.groups()
    code = int(hex_ or unicode, 16) if (hex_ or unicode) else int(octal, 8)
    return _safe_char(code) or match.group(0)


def _unhex(match: re.Match[str]) -> str:
    try:
        text = bytes.fromhex(match.group(3)).decode("utf-8")
    except ValueError:
        return match.group(0)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quoted_chars(codes: list[int]) -> str:
    chars = [_safe_char(code) for code in codes]
    return '"' + "".join(chars) + '"' if all(chars) else ""


def decode_literals(code: str) -> str:
    """String literals spelled with escapes, character codes or hex, written out plainly."""
    if "\\" in code:
        code = _ESCAPE.sub(_unescape, code)
    code = _HEX_CALL.sub(_unhex, code)
    code = _CHR_CALL.sub(lambda m: _quoted_chars([int(m.group(1))]) or m.group(0), code)
    return _FROM_CHAR_CODE.sub(
        lambda m: _quoted_chars([int(n) for n in m.group(1).split(",")]) or m.group(0), code)


def common_forms(code: str) -> str:
    """Language-specific spellings of the home folder, of Tcl's `exec` and `file delete`,
    rewritten as `"~"`, `system("…")` and `rmtree("…")`."""
    code = _EXPANDED_PATH.sub(lambda m: f'"{m.group(2)}"', code)
    code = _JVM_LISP_GO_HOME.sub('"~"', _HOME_CALLS.sub('"~"', code))
    code = _BUILD_DELETE.sub(lambda m: f'rmtree("{(m.group(1) or m.group(2)).strip(chr(34))}")',
                             _BUILD_HOME.sub("~", code))
    if "env(" in code or "file" in code:
        code = _TCL_HOME.sub("~", code)
    code = _TCL_DELETE.sub(lambda m: f'rmtree("{m.group(1)}")', code)
    return _TCL_EXEC.sub(lambda m: f'system("{m.group(1).strip()}")', code)
