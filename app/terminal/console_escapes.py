"""Shell commands and code run from the prompts of interactive consoles and macro processors.

Why: some programs that are not shells still run what they read. IPython runs a line that
starts with `!` (or `!!`, `%sx`, `%system`, a `%%bash` cell) as a shell command, and every
other line as Python; Python's debuggers (pdb, ipdb, pudb) run a `!` line, and any line that
is not one of their own commands, as a Python statement; m4 runs the text of `syscmd` and
`esyscmd` in a shell. Their lines arrive with `-c`, on standard input or in a file written on
the line, and are read here as the Python code and the shell commands they are, so the
walker judges them like any other (`ipython -c '!rm -rf ~'`, `pdb3 x <<< '!os.system(…)'`).
"""

from __future__ import annotations

import re
from itertools import pairwise

_IPYTHON = re.compile(r"ipython[\d.]*|jupyter-console", re.I)
_DEBUGGERS = re.compile(r"(?:i?pdb|pudb)[\d.]*")
_IPYTHON_SHELL = re.compile(r"^\s*(?:!!?|%+(?:sx|system|sc|bash|sh|script\s+\S+)\b\s*)(.*)$",
                            re.S)
_SHELL_CELL = re.compile(r"^\s*%%(?:bash|sh|script\s+\S*sh)\b[^\n]*\n(.*)$", re.S)
_M4_CALL = re.compile(r"\be?syscmd\s*\(")


def console_code(name: str, args: list[str], fed: str | None,
                 written: dict[str, str]) -> tuple[list[str], list[str]]:
    """(Python code, shell commands) that IPython, a Python debugger or m4 runs from its
    `-c` lines, its input (`fed`) and the files written earlier on the line it is given."""
    texts = [text for text in [fed, *(written.get(arg) for arg in args)] if text]
    if _IPYTHON.fullmatch(name):
        texts += [value for flag, value in pairwise(args) if flag == "-c"]
        return _ipython_lines(texts)
    if _DEBUGGERS.fullmatch(name):
        texts += [value for flag, value in pairwise(args) if flag == "-c"]
        code = [line.strip().removeprefix("!") for text in texts for line in text.splitlines()]
        return [line for line in code if line], []
    if name in ("m4", "gm4"):
        texts += [value.partition("=")[2] for value in args if value.startswith("-D")]
        return [], [command for text in texts for command in _m4_commands(text)]
    return [], []


def _ipython_lines(texts: list[str]) -> tuple[list[str], list[str]]:
    """Each IPython line is a shell command when it starts with an escape, Python else."""
    code, commands = [], []
    for text in texts:
        if cell := _SHELL_CELL.match(text):  # `%%bash` makes the whole cell a shell script
            commands.append(cell.group(1))
            continue
        for line in re.split(r"\n|;\s*(?=!)", text):
            if match := _IPYTHON_SHELL.match(line):
                commands.append(match.group(1).strip() or "sh")
            elif line.strip():
                code.append(line)
    return ["\n".join(code)] if code else [], commands


def _m4_commands(text: str) -> list[str]:
    """The argument of each `syscmd(…)`/`esyscmd(…)`, m4's quotes (`` `…' ``) taken off.

    m4 runs a call inside another's argument first, so each call is taken on its own, with
    the calls inside it left out of its text. One pass with a stack keeps this linear: 7 KB
    of nested `syscmd(` took 12 s when each call's argument was rescanned.
    """
    calls_at = {match.start(): match.end() for match in _M4_CALL.finditer(text)}
    calls: list[list[str]] = []  # the text of each open call, innermost last
    parens: list[bool] = []  # for each open paren, whether it opens a call
    commands, index = [], 0
    while index < len(text):
        if index in calls_at:
            calls.append([])
            parens.append(True)
            index = calls_at[index]
            continue
        char = text[index]
        index += 1
        if char == "(":
            parens.append(False)
        elif char == ")" and parens and parens.pop():
            commands.append("".join(calls.pop()))
            continue
        if calls:
            calls[-1].append(char)
    commands += ["".join(call) for call in reversed(calls)]  # left open: runs to the end
    unquoted = (re.sub(r"`([^`']*)'", r"\1", command.strip()).strip("`'") for command in commands)
    return list(dict.fromkeys(unquoted))
