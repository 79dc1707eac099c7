"""What a small pipeline of text tools prints, worked out without running it.

Why: a payload is often spelled so that no word of it reads as a command until a harmless
tool rebuilds it — `rev <<< '~ fr- mr' | sh`, `tr a-z n-za-m <<< 'ez -es ~' | bash`,
`$(printf '%s' c u r l)`, `rm -rf $(echo Lwo= | base64 -d)`, `$(getent passwd $USER | cut
-d: -f6)`. These tools are pure functions of their input, so the deny list computes their
output and judges that text. Anything else returns None: the caller then treats the text as
unknown (see `deny_list`).
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re

from app.terminal import risky_paths as paths
from app.terminal.command_words import Resolved, is_decoder, printed_text, resolve
from app.terminal.escapes import decode_escapes
from app.terminal.shell_syntax import Command, ShellSyntaxError, parse

MAX_TEXT = 4096
_SELF = frozenset({"$USER", "${USER}", "$LOGNAME", "$(whoami)", "$(id -un)"})
_FORMAT_RE = re.compile(r"%(?:%|[-+ #0]*\d*(?:\.\d+)?([sbdiqc]))")
_RANGE_RE = re.compile(r"(.)-(.)", re.S)
# `awk 'BEGIN{printf "%c%c", 114, 109}'`: awk printing only its own literals.
_AWK_BEGIN = re.compile(r'\s*BEGIN\s*\{\s*(?:printf|(?P<newline>print))\s*\(?\s*'
                        r'"(?P<format>(?:[^"\\]|\\.)*)"'
                        r'\s*(?P<values>(?:,\s*(?:"(?:[^"\\]|\\.)*"|[\d.]+)\s*)*)\)?\s*;?\s*\}\s*')


def printf_output(args: list[str], numeric_chars: bool = False) -> str | None:
    """`printf FORMAT ARGS…` as bash prints it: the format is reused until the args run out.

    `numeric_chars` reads `%c` as awk does: a number is the character with that code."""
    args = args[1:] if args[:1] == ["--"] else args
    if not args:
        return None
    form, values = decode_escapes(args[0]), args[1:]
    if not _FORMAT_RE.search(form.replace("%%", "")):
        return form.replace("%%", "%")
    out, index = [], 0
    while True:
        def one(match: re.Match[str]) -> str:
            nonlocal index
            if match.group(0) == "%%":
                return "%"
            value = values[index] if index < len(values) else ""
            index += 1
            if match.group(1) == "b":  # `%b` also takes `\0nnn` for an octal byte
                return decode_escapes(re.sub(r"\\0([0-7]{1,3})", r"\\\1", value))
            if match.group(1) == "c" and numeric_chars:
                return chr(int(value)) if value.isdigit() and 0 < int(value) < 0x110000 else ""
            return value
        out.append(_FORMAT_RE.sub(one, form))
        if index >= len(values) or len(out) > 64:
            return "".join(out)


def _tr_set(spec: str) -> str:
    spec = decode_escapes(spec)
    return _RANGE_RE.sub(lambda m: "".join(chr(c) for c in range(ord(m.group(1)),
                                                                  ord(m.group(2)) + 1)), spec)


def _filter(resolved: Resolved, text: str) -> str | None:
    """One text filter applied to `text`, or None when it is not a known pure filter."""
    name, args = resolved.name, resolved.args
    if name == "rev":
        return "\n".join(line[::-1] for line in text.split("\n"))
    if name == "tr" and len(args) == 2 and not args[0].startswith("-"):
        source, target = _tr_set(args[0]), _tr_set(args[1])
        if not target:
            return None
        target += target[-1] * max(0, len(source) - len(target))
        return text.translate(str.maketrans(source, target[:len(source)]))
    if is_decoder(resolved) and name in ("base64", "base32"):
        return _decoded(name, text)
    if name == "xxd" and _PLAIN_HEX_REVERSE.fullmatch(" ".join(args)):
        return _decoded("hex", text)
    if name == "cut":
        return _cut(args, text)
    if name in ("cat", "tee") and not [a for a in args if a != "-"]:
        return text
    return None


# A character a shell drops or acts on unseen: any control but tab, newline and return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# `xxd -r -p` (`-rp`, `-p -r`, `-r -ps`): plain hex turned back into bytes.
_PLAIN_HEX_REVERSE = re.compile(r"-(?:r\s+-ps?|ps?\s+-r|rp|pr)")


def _decoded(encoding: str, text: str) -> str | None:
    """Text decoded as exactly as the shell's decoder would, or None when it would not be:
    any character outside the alphabet (GNU `base64 -d` stops there, Python's lenient
    decoder skips it and reads on) or bytes that are not text make the result unknown. So
    does a control character: bash and dash drop a NUL from piped input and from `$(…)`,
    so `r\0m -rf ~` runs `rm -rf ~` while its text names a program `r\0m`."""
    data = re.sub(r"\s", "", text)
    try:
        if encoding == "hex":
            raw = bytes.fromhex(data)
        elif encoding == "base64":
            raw = base64.b64decode(data, validate=True)
        else:
            raw = base64.b32decode(data)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return None if _CONTROL.search(decoded) else decoded


def _cut(args: list[str], text: str) -> str | None:
    joined = " ".join(args)
    delimiter = re.search(r"-d\s*(\S)|--delimiter=(\S)", joined)
    field = re.search(r"-f\s*(\d+)$|-f\s*(\d+)\s|--fields=(\d+)", joined)
    if not (delimiter and field):
        return None
    sep = next(g for g in delimiter.groups() if g)
    number = int(next(g for g in field.groups() if g))
    return "\n".join((line.split(sep)[number - 1:number] or [""])[0]
                     for line in text.split("\n"))


def _produced(resolved: Resolved) -> str | None:
    """Output of a first command that makes text from its arguments alone."""
    name, args = resolved.name, resolved.args
    if name == "printf":
        return printf_output(args)
    if name in ("awk", "gawk", "mawk", "nawk") and len(args) == 1 and (
            begin := _AWK_BEGIN.fullmatch(args[0])):
        values = re.findall(r'"((?:[^"\\]|\\.)*)"|([\d.]+)', begin.group("values") or "")
        printed = printf_output([begin.group("format"), *(t or n for t, n in values)],
                                numeric_chars=True)
        return None if printed is None else printed + ("\n" if begin.group("newline") else "")
    if name in (":", "true") and not args:
        return ""
    if (printed := printed_text(resolved)) is not None:
        return printed + "\n"
    if name in ("realpath", "readlink") and args and (name == "realpath" or set(
            "".join(a for a in args if a.startswith("-"))) & set("fem")):
        targets = [a for a in args if not a.startswith("-")]
        path = paths.expand(targets[0]) if len(targets) == 1 else None
        return None if path is None or "$" in path else path + "\n"
    if name == "printenv" and args == ["HOME"]:
        return paths.home() + "\n"
    if name == "cat" and args == ["/dev/null"]:
        return ""
    if name in ("dirname", "basename") and len(args) == 1:
        path = paths.expand(args[0])
        if path is None or "$" in path:
            return None
        return (posixpath.dirname(path) if name == "dirname" else posixpath.basename(path)) + "\n"
    if name == "getent" and args[:1] == ["passwd"] and len(args) == 2:
        user = args[1]
        home = paths.home() if user in _SELF else paths.expand(f"~{user}")
        return f"{user}:x:1000:1000::{home}:/bin/sh\n" if home else None
    return None


def pipeline_output(pipeline: list[Command]) -> str | None:
    """What the last command of `pipeline` (commands in pipe order) prints, or None."""
    text: str | None = None
    for index, command in enumerate(pipeline):
        if any(word.substitutions for word in command.words):
            return None
        resolved = resolve([word.text for word in command.words])
        if index == 0 and command.stdin_text is None:
            text = _produced(resolved)
        else:
            source = command.stdin_text if command.stdin_text is not None else text
            text = _filter(resolved, source) if source is not None else None
        if text is None or len(text) > MAX_TEXT:
            return None
    return text


def static_output(inner: str) -> str | None:
    """Output of a substitution made only of known text tools (`$(echo rm)` is `rm`), with
    trailing newlines dropped as `$( )` drops them."""
    try:
        commands = parse(inner)
    except ShellSyntaxError:
        return None
    if not commands or commands[-1].upstream != commands[:-1]:
        return None
    output = pipeline_output(commands)
    return None if output is None else output.rstrip("\n")


def quoted_literals(args: list[str]) -> list[str]:
    """The string literals inside a program's arguments (`jq '"rm -rf ~"'`, `awk 'BEGIN{print
    "reboot"}'`, `python3 -c 'print("…")'`): the text it may print when its output cannot be
    computed, for a shell reading that output to be judged on."""
    return [match.group(2) for arg in args
            for match in re.finditer(r"(['\"])((?:\\.|(?!\1).)+)\1", arg)]
