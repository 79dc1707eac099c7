"""Any program's argument that is itself a command line: the last wall behind the readers.

Why: the readers know how `sh -c`, `su -c`, `ssh host CMD`, `xterm -e`, `tmux new` … hand a
command on, but the list of programs that run an argument as a command never ends (`sg grp
-c '…'`, `asciinema rec -c '…'`, `foo --run 'mkfs.ext4 /dev/sda'`). So an argument of any
program, known or not, that reads as a whole command line the deny list would flag makes the
command need typing too — except where the argument is known to be a message or data, never
run: what `echo`/`printf` print, search patterns, notes, the text dialogs show, commit and tag
messages, and the values of `-m`/`--message`/`--title`/`--description`-like options of any
program. Programs that show messages but also run commands (`fzf --preview`, `dialog
--prgbox`, `yad --button=LABEL:CMD` or a form's button field, `complete -C`, `mutt -e 'set
editor="…"'`) are not data programs: only their message options are exempt, and the command
inside a running option's value (fzf's `execute(…)`, yad's `LABEL:CMD`) is read out first.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.class_judges import judged
from app.terminal.command_words import DOWNLOADERS, INTERPRETERS, SHELLS, WRAPPERS, program_name
from app.terminal.containment import READERS
from app.terminal.network_checks import SENDERS
from app.terminal.shell_syntax import ShellSyntaxError, parse

# Programs whose arguments are text to show, search, send or store, or code in their own
# language that their own reader takes apart (awk, sed, jq, SQL consoles, interpreters).
_DATA_PROGRAMS = frozenset({
    *SHELLS, *INTERPRETERS, "echo", "printf", "grep", "egrep", "fgrep", "zgrep", "rg", "ag",
    "ack", "ugrep", "git-grep", "notify-send", "logger", "wall", "write", "zenity", "kdialog",
    "whiptail", "gum", "figlet", "toilet", "cowsay", "banner", "say", "espeak",
    "espeak-ng", "spd-say", "festival", "man", "info", "apropos", "whatis", "help", "tldr",
    "cheat", "history", "fc", "test", "[", "[[", "expr", "jq", "yq", "gojq", "sed", "awk",
    "gawk", "mawk", "nawk", "sqlite3", "psql", "mysql", "mariadb", "mongosh", "mongo",
    "redis-cli", "bc", "dc", "alias", "export", "declare", "typeset", "local", "readonly", "set",
    "read", "mail", "mailx", "sendmail", "xclip", "xsel", "wl-copy", "pbcopy", "tee",
    "column", "sort", "tr", "cut", "trap", "ollama", "llm", "sgpt", "aichat",
    "look", "locate", "todo", "task", "jrnl", "dunstify", "osd_cat",
})
# Options whose value is a message, a title, a pattern or data sent somewhere, in any program.
_DATA_OPTION = re.compile(
    r"^(?:-[mMdFH]|--?(?:[\w-]*-)?(?:message|msg|title|description|desc|body|subject|comment|"
    r"summary|text|notes?|reason|label|data(?:-[\w-]+)?|json|form|header|grep|regexp|pattern|"
    r"query|arg|argjson|rawfile|format|pretty|prompt|input|search|match|name|tag|"
    r"content|string|value|help|usage|banner|motd|log-message))$")
# Programs that show messages but also run commands: only their message options are data,
# and the options whose value is a command they run (how many words after the option can be
# it: `dialog --prgbox [TEXT] CMD H W`) are taken apart first (`_RUN_PARTS`).
_RUN_OPTIONS = {"fzf": {"--preview": 1, "--bind": 1}, "dialog": {"--prgbox": 2},
                "yad": {"--button": 1, "--command": 1}, "complete": {"-C": 1},
                "compgen": {"-C": 1}, "mutt": {"-e": 1}}
_MESSAGE_OPTIONS = {
    "dialog": {"--msgbox", "--yesno", "--infobox", "--inputbox", "--menu", "--checklist",
               "--radiolist", "--gauge", "--passwordbox", "--pause", "--textbox",
               "--backtitle", "--yes-label", "--no-label", "--ok-label", "--cancel-label"},
    "yad": {"--image", "--window-icon", "--column", "--text-info"},
    "mutt": {"-s", "-a", "-b", "-c", "-i"},
    "complete": {"-W", "-P", "-S", "-X", "-G", "-A", "-o", "-F"},
    "compgen": {"-W", "-P", "-S", "-X", "-G", "-A", "-o", "-F"},
    "fzf": {"--preview-label", "--border-label", "--pointer", "--marker", "--ghost"}}
# The command inside such a value: fzf's `key:execute(CMD)`, yad's `LABEL:CMD`, a quoted
# or backquoted string in a mutt setting (`set editor="CMD"`).
_RUN_PARTS = {"--bind": re.compile(r"(?:execute(?:-silent)?|become|reload(?:-sync)?|"
                                   r"(?:change-)?preview)[(\[{<](.*)[)\]}>]"),
              "--button": re.compile(r"^(?:[^:]*:)?(.*)$", re.S),
              "-e": re.compile(r"\"([^\"]*)\"|'([^']*)'|`([^`]*)`")}
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*(?:\[[^]]*\])?\+?=")
# Git's verbs whose values are settings, read by the git reader, never a command line.
_GIT_DATA = frozenset({"config", "commit", "tag", "notes", "stash", "log", "grep", "show"})


# Names a command line starts with besides the programs the deny list judges: wrappers,
# builtins and the everyday tools that begin a longer line (`ls; rm -rf /`).
_VOCABULARY = frozenset({
    *SHELLS, *INTERPRETERS, *DOWNLOADERS, *READERS, *SENDERS, *WRAPPERS, "xargs", "time",
    "exec", "eval", "command", "builtin", "true", "false", ":", "cd", "pushd", "popd",
    "source", ".", "set", "export", "unset", "kill", "trap", "watch", "yes", "sleep", "chmod",
    "chown", "dd", "tee", "find", "tar", "ssh", "scp", "rsync", "git", "docker", "kubectl",
    "systemctl", "history", "crontab", "at", "ulimit", "umask", "exit",
})


def _looks_like_a_line(text: str, known: Callable[[str], bool], single: bool = False) -> bool:
    """A command line rather than a sentence: several words (one, with `single`) whose first
    command starts with a name the deny list knows, or a path, or is only a redirection
    (`'> ~/.bashrc'`), a computed name (`'$x -F'`), or several commands one of which starts
    so; `'rm -rf ~'`, `'ls; rm -rf /'`, `'d=/; rm -rf $d'`, `'pv x | dd of=/dev/sda'` are
    lines, the sentence `'fix rm -rf ~'` is not."""
    if not text.strip() or (len(text.split()) < 2 and not single):
        return False
    try:
        commands = parse(text)
    except ShellSyntaxError:
        return False
    if not single and len(commands) == 1 and len(commands[0].words) < 2 and \
            not commands[0].redirects:
        return False  # one shell word, such as `$(id -u):$(id -g)`
    starts = [words[0] for command in commands
              if (words := [w.text for w in command.words if not _ASSIGNMENT.match(w.text)])]
    if not starts:
        return any(command.redirects for command in commands)
    several = len(commands) > 1 or len(commands[0].words) > 1
    lines = [start for start in starts if known(program_name(start)) or judged(
        program_name(start)) or program_name(start) in _VOCABULARY or (
            several and (start[:1] in "$`" or "/" in start))]
    return bool(lines) and (lines[0] == starts[0] or len(commands) > 1)


def argument_lines(name: str, args: list[str], known: Callable[[str], bool]) -> list[str]:
    """The arguments of `name` that read as command lines and are not a message or data:
    a word of several words (`'rm -rf ~'`), or the value of an option (`--run='…'`), that
    starts with a program in `known` (the programs the deny list has rules for)."""
    if name in _DATA_PROGRAMS or (name == "git" and set(args) & _GIT_DATA):
        return []
    found = [value for value in _run_values(_RUN_OPTIONS.get(name, {}), args)
             if _looks_like_a_line(value, known, single=True)]
    messages = _MESSAGE_OPTIONS.get(name, set()) | set(_RUN_OPTIONS.get(name, {}))  # read
    option = ""  # the option the word before this one named, when it takes no `=`
    for arg in args:
        if arg.startswith("-") and arg != "-":
            option, sep, value = arg.partition("=")
            data = bool(_DATA_OPTION.match(option)) or option in messages
            if sep and not data and _looks_like_a_line(value, known, single=True):
                found.append(value)
            option = "" if sep or arg == "--" else option
            continue
        named, option = option, ""
        if named and (_DATA_OPTION.match(named) or named in messages):
            continue
        if _looks_like_a_line(arg, known, single=bool(named) and named.startswith("--")):
            found.append(arg)
    return found


def _run_values(run_options: dict[str, int], args: list[str]) -> list[str]:
    """The commands a data program's running options carry (`_RUN_OPTIONS`, `_RUN_PARTS`)."""
    values = []
    for index, arg in enumerate(args):
        option, sep, value = arg.partition("=")
        if option not in run_options:
            continue
        given = [value] if sep else args[index + 1:index + 1 + run_options[option]]
        parts = _RUN_PARTS.get(option)
        values += [part for text in given for match in (
            parts.finditer(text) if parts else [None]) for part in (
            match.groups() if match else [text]) if part]
    return values
