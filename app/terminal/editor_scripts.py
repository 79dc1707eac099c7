"""Editors run as scripts: they rewrite files with nobody looking at the result.

Why: `vim ~/.bashrc` opens the file for the user to edit, which is theirs to do; but
`ex -sc '%d|x' ~/.gitconfig`, `vim -es -c '%d' -c wq ~/.bashrc`, `ed -s ~/.zshrc <<< ',d
w'`, `nvim --headless +'%d|w' …` and `emacs --batch … --eval '(erase-buffer)' -f
save-buffer` empty or rewrite the file in one go, as `sed -i` or `> file` would. An editor
is read as a script when it is fed commands on its input or is given commands that save
(`-c wq`, `+x`, `-f save-buffer`); the files it is given are then judged as files written,
while `vim -es -c 'g/x/p' -c q ~/.bashrc` (only reading) stays quiet.
"""

from __future__ import annotations

import re
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.code_checks import code_reasons

_VI = frozenset({"vi", "vim", "nvim", "ex", "view", "vim.basic", "vim.tiny", "gvim", "rvim",
                 "exim", "nex", "elvis", "vile", "kak"})
_LINE_EDITORS = frozenset({"ed", "red", "ex", "exim"})
_EMACS = frozenset({"emacs", "emacs-nox", "xemacs", "mg"})
# Options whose value is not a file to edit.
_VI_VALUED = frozenset({"-c", "--cmd", "-S", "-u", "-U", "-i", "-T", "-w", "-W", "-t", "-q",
                        "--startuptime", "-r", "--listen", "--server", "-p"})
_EMACS_VALUED = frozenset({"--eval", "-eval", "-l", "--load", "-f", "--funcall", "--script",
                           "-L", "--directory", "--insert"})
_COMMAND_OPTION = re.compile(r"^(?:-[a-zA-Z]*c|--cmd|--eval|-eval|-f|--funcall)$")
_SAVES = re.compile(r"(?:^|[|:\s])(?:w|write|wq|wqa|wqall|wa|wall|x|xa|xall|xit|exit|up|update|"
                    r"sav|saveas)!?"
                    r"(?:\s|$|\|)|save-buffer|write-file|write-region")


def _files(args: list[str], valued: frozenset[str]) -> list[str]:
    files, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in valued or _COMMAND_OPTION.match(arg):
            skip = True
        elif arg == "--" or not arg.startswith(("-", "+")):
            files.append(arg)
    return [f for f in files if f != "--"]


def _commands(args: list[str]) -> list[str]:
    given = [b for a, b in pairwise(args) if _COMMAND_OPTION.match(a)]
    return given + [a[1:] for a in args if a.startswith("+") and len(a) > 1]


def editor_script_reasons(name: str, args: list[str], fed: bool,
                          cwd: str | None) -> list[str]:
    """Why an editor run as a script endangers a file it is given; [] when the editor is
    interactive (the user sees and saves the file) or its files are ordinary ones.

    `fed` says whether text is fed to the editor's input (a here-document or a pipe)."""
    if name in _VI or name in _LINE_EDITORS:
        valued = _VI_VALUED
    elif name in _EMACS:
        valued = _EMACS_VALUED
    else:
        return []
    commands = _commands(args)
    reasons = [r for command in commands for r in code_reasons(command)]  # `call delete(…)`
    scripted = (fed and name not in _EMACS) or any(_SAVES.search(c) for c in commands)
    if not scripted:
        return reasons
    for file in _files(args, valued):
        if reason := paths.write_target_reason(file, cwd):
            reasons.append(f"{reason}, from an editor run as a script ({name})")
    return reasons
