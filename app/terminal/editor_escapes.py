"""Shell commands run from inside an editor or a debugger given commands on its command line.

Why apart from `embedded_code`: vi's ex lines and gdb's `-ex` each have their own escape
syntax (`:!cmd`, `:r !cmd`, `call system("…")`, `shell cmd`), and a bar inside a quoted
string (`call system("curl … | sh")`) is part of the string, not a command separator;
reading that needs a small reader of its own.
"""

from __future__ import annotations

import re
from itertools import pairwise

from app.terminal.code_checks import shell_calls
from app.terminal.command_words import option_values

_VIM_SHELL = re.compile(r"^[:\s]*(?:silent!?\s*)?(?:!|(?:sh(?:ell)?|terminal|term)\b)(.*)", re.S)
_VIM_READ_SHELL = re.compile(r"^[:\s]*(?:[\d,.$%]*\s*)?(?:r(?:ead)?|w(?:rite)?)\s*!(.*)", re.S)
VIM_CODE = re.compile(r"system(?:list)?\(|:?(?:py3?|python3?|pyx|lua|perl|ruby)\b|call\s", re.I)
# A bar outside double- and single-quoted strings: where vim ends one command.
_BARS = re.compile(r"""\|(?=(?:[^"']|"[^"]*"|'[^']*')*$)""")


def vim_lines(args: list[str]) -> list[str]:
    """The ex command lines a vi-family editor is given: `-c`/`--cmd` values, `+cmd`, and a
    `-c` that ends a bundle of short flags (`ex -sc '…'`)."""
    bundled = [value for flag, value in pairwise(args)
               if re.fullmatch(r"-[A-Za-z]+c", flag) and flag != "-c"]
    return option_values(args, {"-c", "--cmd"}) + bundled + [
        a[1:] for a in args if a.startswith("+") and len(a) > 1]


def ex_shell_commands(line: str) -> list[str]:
    """Shell commands in one ex command line. `:!cmd` (and `:r !cmd`, `:w !cmd`) takes the
    rest of the line, bars included, as vim does; other commands are split at bars."""
    commands = []
    for part in _BARS.split(line):
        if match := _VIM_SHELL.match(part):
            commands.append(line[line.index(part) + match.start(1):].strip() or "sh")
            break
        if match := _VIM_READ_SHELL.match(part):
            commands.append(line[line.index(part) + match.start(1):].strip() or "sh")
            break
        if VIM_CODE.search(part):
            commands += shell_calls(part)
    return commands


def vim_commands(args: list[str]) -> list[str]:
    return [found for line in vim_lines(args) for found in ex_shell_commands(line)]


def gdb_commands(args: list[str]) -> list[str]:
    commands = []
    for line in option_values(args, {"-ex", "--eval-command", "-iex"}):
        stripped = line.strip()
        if stripped.startswith("!"):
            commands.append(stripped[1:].strip() or "sh")
        elif stripped.startswith(("shell", "pipe")):
            commands.append(stripped.partition(" ")[2] or "sh")
        elif stripped.startswith(("python", "py ", "guile")):
            commands += shell_calls(stripped.partition(" ")[2])
    return commands
