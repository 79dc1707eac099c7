"""Inline code, in any language, that acts on a place outside the working folder.

Why: the per-language readers (`code_checks`, `foreign_code`) know Python, Perl, Ruby and
Node calls one by one, and every new language (R, Julia, Tcl, Emacs Lisp, awk, expect, Vim
script) slipped past them. This reader knows no language: code given inline to an
interpreter needs typing when it holds both an acting word (write, truncate, delete, run a
program, open a connection) from a general vocabulary and a place outside the working
folder (the home folder in any spelling, or a system folder). Code whose function names are
glued together while it runs (`getattr(__import__('o'+'s'), 'sys'+'tem')`) hides what it
calls, so it needs typing too. Code that only reads or prints stays quiet, and so do the
words of a string it only prints (`print "system(\"/bin/sh\")"`, `spoken_text`).
"""

from __future__ import annotations

import re

from app.terminal.command_words import program_name
from app.terminal.shell_syntax import Command
from app.terminal.spoken_text import unprinted

# Programs that run code given on their command line or on standard input.
_CODE_PROGRAMS = re.compile(
    r"^(?:node|nodejs|deno|bun|R|Rscript|julia|g?awk|mawk|nawk|tclsh[\d.]*|wish|emacs|perl[\d.]*|"
    r"python[\d.]*|pypy[\d.]*|ruby|php[\d.]*|expect|n?vim?|ex|lua[\d.]*|luajit|osascript|sbcl|"
    r"guile|racket|ocaml|scala|kotlin|groovy|pwsh|jshell|erl|elixir|swipl|gdb)$")
# Words that change or remove files, or open connections, in many languages.
_ACTS = re.compile(
    r"write|truncat|unlink|remove|rmtree|rmdir|delete|request\b|socket|connect|"
    r"with-temp-file|\bopen\s*\(?[^)]*,\s*['\"]?(?:[wa]|>|\+>)|\bopen\s+\S+\s+[wa]\b|"
    r"\bprint[^;}]*>\s*[\"'(]|\bcopyfile|\bmove\b|rename|chmod|\brm\w*\s*\(|\bfile\s*=|"
    r"\bsink\s*\(", re.IGNORECASE)
# Words that run a program; they count with a program that deletes, overwrites or sends
# (`system("ls " ENVIRON["HOME"])` only lists, and stays quiet).
_RUNS = re.compile(r"\bsystem\b|\bexec|spawn|popen|child_process|\brun\s*\(\s*`|shell_exec|"
                   r"passthru|(?:^|[\s'\":|+])!\s*[a-z/]", re.IGNORECASE)
_HARMFUL_PROGRAM = re.compile(r"\b(?:rm|shred|dd|mkfs\w*|truncate|mv|chmod|chown|curl|wget|nc|"
                              r"ncat|sh|bash|kill|pkill)\b|>")
# The home folder in any spelling, and the system folders.
_OUTSIDE = re.compile(
    r"~|\bHOME\b|homedir|expanduser|getlogin|path\.expand|getpwuid|/home/|/root\b|/etc/|"
    r"/dev/(?!null|stdout|stderr|stdin|fd/|shm|tty\b)|/var/|/usr/|/boot\b|/bin/")
# Python has its own reader of literal paths (`code_checks`); here only the home folder
# computed while the code runs counts for it.
_PY_COMPUTED_HOME = re.compile(r"getlogin|getpwuid|['\"]/home/['\"]\s*\+")
# Names built from glued string pieces and then looked up or called.
_GLUED_NAME = re.compile(
    r"(?:getattr\s*\(|__import__\s*\(|\[)\s*[^)\]]*?(['\"])\w*\1\s*[+.]\s*['\"]"
    r"|\$\w+\s*=\s*(['\"])\w+\2\s*\.\s*['\"]\w+['\"]\s*;\s*\$\w+\s*\(")
# Code that fetches code from the network and runs it (`eval get("http://…")`).
_RUNS_FETCHED = re.compile(r"\beval\b.*\b(?:get|fetch|urlopen|request)\b.*https?://|"
                           r"\beval\b.*https?://", re.IGNORECASE | re.DOTALL)


def _code_of(command: Command) -> str | None:
    """The code handed to an interpreter: its arguments and what is fed to its input."""
    words = [word.text for word in command.words]
    index = 0
    while index < len(words) and (words[index] in {"sudo", "env", "nice", "timeout", "command"}
                                  or "=" in words[index] or words[index].startswith("-")):
        index += 1
    if index >= len(words) or not _CODE_PROGRAMS.match(program_name(words[index])):
        return None
    parts = [text for text in words[index + 1:] if not _is_script_file(text)]
    if command.stdin_text:
        parts.append(command.stdin_text)
    parts += [word.heredoc_body for word in command.words if word.heredoc_body]
    code = "\n".join(parts)
    return code if code.strip() else None


def _has_own_reader(command: Command) -> bool:
    """True for Python, whose literal paths `code_checks` already judges one by one."""
    return any(program_name(word.text).startswith(("python", "pypy")) for word in command.words[:3])


def _is_script_file(text: str) -> bool:
    """A plain script or data file name (`x.py`, `/etc/hosts`) is not code given inline."""
    return " " not in text and "(" not in text and not text.startswith(("+", "!"))


def code_reach_reasons(commands: list[Command]) -> list[str]:
    """Reasons for inline code that acts outside the working folder or hides its calls."""
    reasons = []
    for command in commands:
        code = _code_of(command)
        if code is None:
            continue
        code = unprinted(code)
        outside = _PY_COMPUTED_HOME if _has_own_reader(command) else _OUTSIDE
        acts = _ACTS.search(code) or (_RUNS.search(code) and _HARMFUL_PROGRAM.search(code))
        if acts and outside.search(code):
            reasons.append("runs code that changes, deletes, runs or sends something outside "
                           "the working folder (your home folder or the system)")
        if _GLUED_NAME.search(code):
            reasons.append("runs code that builds the names of what it calls while it runs, "
                           "so nobody can read what it does first")
        if _RUNS_FETCHED.search(code):
            reasons.append("runs code it downloads from the network")
    return reasons
