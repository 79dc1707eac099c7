"""Mass killing by pid lists: `kill` fed every process id, however the list is made.

Why: a kill of one program names it (`pkill firefox`, `kill $(pidof vlc)`); a kill fed
the whole process table takes the session, and with sudo the system, down. The table has
many spellings (`ps aux`, `ps -u $USER -o pid=`, `pgrep -u me`, `ls /proc | grep ^[0-9]`,
`top -b -n1`)
and reaches `kill` through xargs, `$(…)` or `< <(…)`; what is judged is whether anything
on the way picks some processes out (a pattern, a pid, a name), not which tool lists them.
Skipping the header (`awk 'NR>1'`, `tail -n +2`, `sed 1d`), keeping only the numbers
(`grep -E '^[0-9]+$'`) or leaving some out (`grep -v $$`, every pid but the shell's own)
picks nothing out. `ps` selections add up, so one that names a pid beside one that takes
everything (`ps -e -p 1`, `ps -C x -A`, `ps ax p 1`) lists everything.

The same harm by other means (`JUDGES`): every session of a terminal multiplexer with
what runs in it (`tmux kill-server`), every running container killed (`docker kill $(docker
ps -q)`; a `--filter` picks some), and a debugger made to call `kill(-1, 9)` or `reboot`
inside a process (`gdb -p 1 -ex 'call …'`) — `tmux kill-session -t x` names one. On
Windows: `taskkill` with a filter that picks no program (`/FI "USERNAME eq bob"`, `/FI
"IMAGENAME ne x"`, `/IM *`), `Get-Process | Stop-Process`, and a process Windows itself
runs on killed by name (`taskkill /IM winlogon.exe`, `Stop-Process -Name csrss`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.code_checks import code_reasons
from app.terminal.command_words import Resolved, option_values, options, resolve
from app.terminal.shell_syntax import Command, ShellSyntaxError, parse

Judge = Callable[[list[str], str | None, list[str]], list[str]]

# Tools that keep some lines of what they are fed: a pattern or a count picks processes.
_PICKERS = frozenset({"grep", "egrep", "fgrep", "rg", "pgrep", "head", "tail", "sed"})
# A pattern that only keeps numbers: every pid passes it.
_NUMBERS_ONLY = re.compile(r"\^?(?:\[0-9\]|\\d|\[\[:digit:\]\])(?:[+*]|\{1,?\})?\$?")
# `ps` options that name the processes listed (a pid, a command name, a terminal, a parent).
_PS_NARROWS = re.compile(r"^(?:-[pqCt]|--(?:pid|quick-pid|ppid|tty)|-\w*[pqC]$|p\d)")
# `ps` options that add every process (or all but some) to the selection: `-e`, `-A`, `-a`,
# `-d`, `-N`/`--deselect`, and the BSD `a`, `x`, `g` (`ps ax`, `ps aux`).
_PS_WIDENS = re.compile(r"^(?:-[A-Za-z]*[eAadN][A-Za-z]*|--deselect|[A-Za-z]*[axg][A-Za-z]*)$")
# `ps` options whose next word is their value (a pid, a name, a format), not an option.
_PS_VALUED = re.compile(r"^(?:-[A-Za-z]*[oOpqCuUgGtsk]|--(?:pid|quick-pid|ppid|tty|user|group|"
                        r"sid|sort|format|cols|columns|rows|width|[ug]id))$")
# A header skip: `tail -n +2` (`tail +2`, `-n+2`, top's `-n +8`) or `sed 1d` (`1,7d`) keeps
# every process line.
_HEADER_SKIPS = re.compile(r"^(?:-n\s*\+\d{1,2}|\+\d{1,2}|--lines=\+\d{1,2}|-e|(?:1,)?\d{1,2}d)$")


def _awk_picks(args: list[str]) -> bool:
    """An awk program that compares or matches (`$1 == "x"`, `/firefox/`, `$3 > 50`); a
    header skip (`NR>1`, top's seven lines `NR>7`) does not pick."""
    program = re.sub(r"\bNR\s*(?:>=?|!=)\s*\d{1,2}(?!\d)", "", " ".join(args))
    return bool(re.search(r"/|~|==|\bNR\b|\$\d+\s*[<>]", program))


def _every_pid(name: str, args: list[str]) -> bool:
    """Whether this command lists every process id (of the machine or of the user)."""
    patterns = options(args, valued="uUgGPstFn")[2]
    if name == "pgrep":
        return not patterns or any(re.fullmatch(r"\.\*?|\^|\$|\^?\.\*\$?|\.\+|", a)
                                   for a in patterns)
    if name == "ps":
        selections = [a for previous, a in zip(["", *args], args, strict=False)
                      if not _PS_VALUED.match(previous)]
        return any(_PS_WIDENS.match(a) for a in selections) or \
            not any(_PS_NARROWS.match(a) for a in args)
    if name == "top":  # `top -b -n1`: the whole table once; `-p PID` names some
        return any(re.fullmatch(r"-\w*b\w*|--batch", a) for a in args) and not any(
            re.match(r"-\w*p|--pid", a) for a in args)
    return name in ("ls", "find", "echo", "printf") and any(
        re.fullmatch(r"/proc/?(?:\[0-9\]\*|\*)?", a) for a in args)


def _picks(name: str, args: list[str]) -> bool:
    if name in ("awk", "gawk", "mawk"):
        return _awk_picks(args)
    if name in ("grep", "egrep", "rg"):
        if any(re.fullmatch(r"-\w*v\w*|--invert-match", a) for a in args):
            return False  # leaving some out keeps the rest: `grep -vw $$`
        patterns = [a for a in args if not a.startswith("-")][:1]
        return not (patterns and _NUMBERS_ONLY.fullmatch(patterns[0].strip("'\"")))
    if name in ("tail", "sed") and args and all(
            _HEADER_SKIPS.match(a) for a in " ".join(args).replace("-n +", "-n+").split()):
        return False
    return name in _PICKERS


def lists_every_process(commands: list[Command]) -> bool:
    """A pipeline that prints every process id: a table of them with nothing picking some
    out."""
    listed = filtered = False
    for command in commands:
        resolved = resolve([w.text for w in command.words])
        every = _every_pid(resolved.name, resolved.args)
        listed |= every
        filtered |= not every and _picks(resolved.name, resolved.args)
    return listed and not filtered


def kill_sources(resolved: Resolved, command: Command) -> list[list[Command]]:
    """The commands that list the pids `kill` gets: `kill -9 $(ps -e -o pid=)`,
    `ps -eo pid | xargs kill`, `xargs kill < <(ps -u $USER -o pid=)`, `kill $(pidof X)`."""
    sources = [list(command.upstream)] if resolved.via_xargs else []
    inner_texts = [inner for word in resolved.arg_words for inner in word.substitutions]
    if resolved.via_xargs:
        inner_texts += [inner for redirect in command.redirects if redirect.op == "<"
                        for inner in redirect.target.substitutions]
    for inner in inner_texts:
        try:
            sources.append(parse(inner))
        except ShellSyntaxError:
            continue
    return sources


def _lists_all(text: str) -> bool:
    try:
        return lists_every_process(parse(text))
    except ShellSyntaxError:
        return False


def loop_sweep_reasons(commands: list[Command]) -> list[str]:
    """A loop whose variable takes every pid (`for p in $(ps -e -o pid=)`, `ps … | while
    read p`, `done < <(ps …)`) and a `kill` given that variable."""
    fed_in = any(_lists_all(inner) for command in commands for redirect in command.redirects
                 if redirect.op == "<" for inner in redirect.target.substitutions)
    names: set[str] = set()
    for command in commands:
        texts = [word.text for word in command.words]
        if texts[:1] == ["read"] and (fed_in or lists_every_process(command.upstream)):
            names |= {t for t in texts[1:] if not t.startswith("-")}
        if command.loop_values is not None and texts and any(
                _lists_all(m.group(1) or m.group(2) or "") for value in command.loop_values
                if (m := re.fullmatch(r"\$\((.*)\)|`(.*)`", value, re.S))):
            names.add(texts[0].partition("=")[0])
        killer = resolve(texts) if texts else None  # `sudo kill -9 $p` too
        if killer and killer.name == "kill" and any(re.search(rf"\$\{{?{re.escape(n)}\b", t)
                                                    for n in names for t in killer.args):
            return ["kills every process listed by ps (all of them), one by one in a loop"]
    return []


def _multiplexer(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`tmux kill-server`, `zellij kill-all-sessions`/`delete-all-sessions`: every session
    and every program running in one (editors, builds, remote logins)."""
    words = options(args, valued="LSfc")[2]
    if words[:1] in (["kill-server"], ["kill-all-sessions"], ["ka"], ["delete-all-sessions"],
                     ["da"]) and "--help" not in args:
        return ["kills every terminal session and every program running in them"]
    return []


# A container listing with nothing picking some out: `docker ps -q`, `podman ps -aq`,
# `docker container ls -q` (`--filter`/`-f` picks).
_EVERY_CONTAINER = re.compile(r"\$\((?:docker|podman|nerdctl)\s+(?:container\s+ls|ps)"
                              r"(?:\s+-[aq]+|\s+--(?:all|quiet))*\s*\)")


def _containers(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`docker kill $(docker ps -q)`: every running container killed at once (a stop, which
    lets them shut down, and one named container are the user's pick)."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["container"]:
        words = words[1:]
    if words[:1] == ["kill"] and any(map(_EVERY_CONTAINER.fullmatch, words[1:])):
        return ["kills every running container"]
    return []


def _debugger(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gdb -p 1 -ex 'call (int)kill(-1, 9)'`: code a debugger calls inside a process is
    read as code (`kill(-1, …)`, `reboot(…)`); `bt`, `info` and prints of variables are quiet."""
    calls = [line.strip().partition(" ")[2] for line in option_values(
        args, {"-ex", "--eval-command", "-iex"}) if line.strip().startswith(("call ", "print ",
                                                                            "p "))]
    return code_reasons("\n".join(calls)) if calls else []


# Processes Windows stands on: killing one stops the machine (a blue screen) or every login.
_WINDOWS_VITAL = frozenset({"csrss", "wininit", "winlogon", "lsass", "smss", "services",
                            "svchost"})
# `taskkill /FI` fields that pick no program: a user's, a session's or every running one.
_EVERYONE_FIELDS = frozenset({"username", "session", "status"})
_EVERY = "kills every process of a user, or all processes"


def _image(name: str) -> str:
    return name.strip("'\"").lower().removesuffix(".exe")


def _windows_vital(names: list[str]) -> list[str]:
    vital = sorted({_image(n) for n in names} & _WINDOWS_VITAL)
    return [f"kills {vital[0]}, which Windows itself runs on (the machine stops)"] if vital else []


def _taskkill(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`taskkill /F /FI "USERNAME eq bob"`, `/FI "SESSION eq 2"`, `/FI "IMAGENAME ne x"`,
    `/IM *`: every process of a user, a session or the machine (an image name, a pid or a
    window title picks some); `/IM winlogon.exe`, a process Windows runs on."""
    lowered = [("/" + a[1:] if a.startswith("-") else a).lower() for a in args]  # `-im` too
    images = option_values(lowered, {"/im"})
    filters = [f.split(None, 2) for f in option_values(lowered, {"/fi"})]
    if "/?" in lowered:
        return []
    if vital := _windows_vital(images + [f[2] for f in filters if len(f) == 3 and
                                         f[:2] == ["imagename", "eq"]]):
        return vital
    picks = bool(option_values(lowered, {"/pid"})) or any(_image(i) not in ("*", "*.*")
                                                          for i in images)
    picks |= any(len(f) == 3 and f[1] != "ne" and f[0] not in _EVERYONE_FIELDS
                 and f[2].strip("'\"") != "*" for f in filters)
    return [_EVERY] if (images or filters) and not picks else []


def _stop_process(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """PowerShell's `Stop-Process -Name *` (every process) or `-Name csrss`; `-Id` picks;
    `Get-Process | Stop-Process` is read by `piped_sweep_reasons`."""
    if any(a.lower().startswith("-whatif") for a in args):
        return []
    names = [n for a, b in pairwise(args) if a.lower() in ("-name", "-n") for n in b.split(",")]
    if any(_image(n) == "*" for n in names):
        return [_EVERY]
    return _windows_vital(names)


# PowerShell's process listers and what picks some of their output before a kill.
_PS_LISTERS = frozenset({"get-process", "gps"})
_PS_PICKERS = frozenset({"where-object", "where", "?", "select-object", "select"})


def piped_sweep_reasons(commands: list[Command]) -> list[str]:
    """`Get-Process | Stop-Process -Force`: every process listed and handed to the kill,
    with nothing on the way (`Where-Object`, a name given to Get-Process) picking some."""
    for command in commands:
        name = resolve([w.text for w in command.words]).name
        if name not in ("stop-process", "spps", "kill") or not command.upstream:
            continue
        upstream = [resolve([w.text for w in c.words]) for c in command.upstream]
        listed = any(u.name in _PS_LISTERS and all(a.startswith("-") and a.lower() not in (
            "-name", "-id", "-n") for a in u.args) for u in upstream)
        if listed and not any(u.name in _PS_PICKERS for u in upstream):
            return [_EVERY]
    return []


JUDGES: dict[str, Judge] = {
    "taskkill": _taskkill, "stop-process": _stop_process, "spps": _stop_process,
    "tmux": _multiplexer, "zellij": _multiplexer,
    **dict.fromkeys(("docker", "podman", "nerdctl"), _containers), "gdb": _debugger,
}
