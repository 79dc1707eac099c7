"""What a command line's pipes and loops do as a whole, beyond each simple command.

Why apart from `deny_list`: these questions look at several commands together — does a
pipeline list every process, does its text come from the line itself and get reshaped
before a shell runs it, is what flows into `crontab -` known to be empty, is a loop an
endless spawner — and are pure functions of parsed commands, so they read and test alone.
"""

from __future__ import annotations

import re
import shlex

from app.terminal.command_words import (
    DOWNLOADERS,
    INTERPRETERS,
    SHELLS,
    Resolved,
    is_decoder,
    options,
    printed_text,
    resolve,
)
from app.terminal.program_checks import find_roots
from app.terminal.service_stops import VITAL_SERVICES, service_name, vital_pidfile
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command, ShellSyntaxError, parse
from app.terminal.static_text import pipeline_output, static_output
from app.terminal.system_checks import VITAL

PIPE_DOWNLOAD = "runs a script straight from the internet without showing it to you"
_FUNC_DEF_RE = re.compile(r"(?:\bfunction\s+([^\s(){};|&]{1,64})\s*(?:\(\s*\))?|"
                          r"(?<![^\s;&|(){}])([^\s(){};|&]{1,64})\s*\(\s*\))\s*\{([^{}]{0,500})\}")
_ENDLESS_SPAWN = re.compile(r"\b(?:while\s+(?::|true|\[\s*1\s*\]|\(\(\s*1\s*\)\))|until\s+false)"
                            r"\s*;?\s*do\b((?:(?!\bdone\b).){0,300}?)&\s*;?\s*done\b", re.S)


def fork_bomb(text: str) -> bool:
    """`:(){ :|:& };:` and its renamings, and endless loops that only start background jobs
    (`while :; do bash & done`)."""
    for loop in _ENDLESS_SPAWN.finditer(text):
        if not re.search(r"\b(?:wait|sleep|read|break|exit)\b", loop.group(1)):
            return True
    for match in _FUNC_DEF_RE.finditer(text):
        name = re.escape(match.group(1) or match.group(2))
        if re.search(rf"(?<![\w./-]){name}(?:\s*\|\s*{name}(?![\w./-])|\s*&(?!&))",
                     match.group(3)):
            return True
    return False


def deletes_history_in_loop(text: str, commands: list[Command]) -> bool:
    """`for i in $(seq 1000); do history -d 1; done`: one entry at a time, all of them."""
    deletes = any(name == "history" and "-d" in args for name, args in map(name_args, commands))
    return deletes and bool(re.search(r"\b(?:for|while|until)\b.*?\bdo\b(?:(?!\bdone\b).)*?"
                          r"\bhistory\s+-d\b", text, re.S))


def respawns_itself(script: str) -> bool:
    """A script that starts itself again in the background (`$0 & $0 &`): run, it is a
    fork bomb."""
    return bool(re.search(r'(?<![\w$])"?\$0"?\s*(?:&(?!&)|\|\s*"?\$0)', script))


def only_shown(commands: list[Command]) -> bool:
    """True when the line only prints text to the terminal (`printf '%s' ':(){ :|:& };:'`):
    showing a command is not running it."""
    return all(
        resolve([w.text for w in c.words]).name in ("echo", "printf") and not c.upstream
        and not any(r.op in WRITE_REDIRECT_OPS for r in c.redirects) for c in commands
    ) and not any(c.upstream for c in commands)


# Options through which programs take a script to run (`nmap --script=F`, `expect -f F`).
_SCRIPT_OPTION = re.compile(r"^--?[\w-]*script[\w-]*$|^-f$")
_SCRIPT_RUNNERS = frozenset({"source", ".", "expect", "go", *SHELLS, *INTERPRETERS})


def script_arguments(name: str, args: list[str]) -> list[str]:
    """Arguments that may name a script the program runs: any argument of a shell,
    interpreter, `source` or `expect`, and the value of a `--script`-like option of any
    program."""
    found = list(args) if name in _SCRIPT_RUNNERS else []
    for index, arg in enumerate(args):
        option, sep, value = arg.partition("=")
        if _SCRIPT_OPTION.match(option):
            found += [value] if sep else args[index + 1:index + 2]
    return found


def read_values(command: Command) -> list[str]:
    """The values `read VAR` takes in turn from what flows in: every entry (`*`) of a
    listing (`ls ~ | while read f`), each line of text the line itself wrote (`printf '%s\n'
    .bashrc .zshrc | while read f`); [] when unknown."""
    if any(resolve([w.text for w in c.words]).name in ("ls", "find", "dir")
           for c in command.upstream):
        return ["*"]
    fed = pipeline_output(command.upstream) if command.upstream else command.stdin_text
    return [value.strip() for value in (fed or "").splitlines() if value.strip()]


# Programs that read whatever another machine sends over a connection.
_CONNECTORS = frozenset({"nc", "ncat", "netcat", "socat", "telnet"})


def fetches(text: str) -> bool:
    """True when a substitution's inner command downloads, reads a connection or decodes
    what cannot be decoded here (a decoded literal is computed and read as what it becomes)."""
    try:
        commands = parse(text)
    except ShellSyntaxError:
        return bool(re.search(r"\b(?:curl|wget|base64)\b", text))
    for command in commands:
        resolved = resolve([word.text for word in command.words])
        if resolved.name in DOWNLOADERS | _CONNECTORS or (
                is_decoder(resolved) and static_output(text) is None):
            return True
    return False


def empty_input(command: Command) -> bool:
    """Whether what flows into `command` is known to be nothing (`echo -n |`, `< /dev/null`)."""
    if any(r.op == "<" and r.target.text == "/dev/null" for r in command.redirects):
        return True
    fed = command.stdin_text if command.stdin_text is not None else (
        pipeline_output(command.upstream) if command.upstream else None)
    return fed is not None and not fed.strip()


def name_args(command: Command) -> tuple[str, list[str]]:
    resolved = resolve([w.text for w in command.words])
    return resolved.name, resolved.args


def starts_from_literal(pipeline: list[Command]) -> bool:
    """A pipeline that starts from text written on the line and then reshapes it."""
    first = pipeline[0]
    literal = first.stdin_text is not None or printed_text(
        resolve([w.text for w in first.words])) is not None
    return literal and (len(pipeline) > 1 or first.stdin_text is not None)


def vital_lookup(commands: list[Command]) -> str | None:
    """The vital process whose pids `pidof NAME` / `pgrep NAME` look up, whose pid file is
    read (`cat /run/sshd.pid`, `$(< /run/dbus/pid)`), or whose main pid systemd is asked
    for (`systemctl show -p MainPID --value sshd`), if any."""
    for command in commands:
        name, args = name_args(command)
        if name in ("pidof", "pgrep") and (vital := set(args) & VITAL):
            return sorted(vital)[0]
        files = [r.target.text for r in command.redirects if r.op == "<"]
        files += args if name in ("cat", "head", "tail") else []
        if vital_file := next(filter(None, map(vital_pidfile, files)), None):
            return vital_file
        if name == "systemctl" and "show" in args and any("MainPID" in a for a in args) and (
                units := sorted({service_name(a) for a in args} & VITAL_SERVICES)):
            return units[0]
    return None


def scrambled(inner: str) -> bool:
    """A substitution that reshapes text written on the line with a tool Flywheel cannot
    compute (`$(sed 's/x/rm/' <<< x)`): what it yields is hidden until it runs."""
    try:
        commands = parse(inner)
    except ShellSyntaxError:
        return False
    return bool(commands) and static_output(inner) is None and starts_from_literal(commands)


def xargs_inputs(resolved: Resolved, command: Command) -> list[str]:
    """What `echo … | xargs rm`, `find … | xargs rm` or `xargs rm <<< …` would append."""
    if not resolved.via_xargs:
        return []
    found = command.stdin_text.split() if command.stdin_text is not None else []
    if len(command.upstream) > 1 and (computed := pipeline_output(command.upstream)):
        found += computed.split()
    for upstream in command.upstream:
        source = resolve([w.text for w in upstream.words])
        if (printed := printed_text(source)) is not None:
            found += printed.split()
        elif source.name == "find":
            found += find_roots(source.args)[0]
        elif source.name in ("ls", "dir"):  # `ls -A ~ | xargs rm -rf`: every entry
            found += [f"{folder.rstrip('/')}/*" for folder in options(source.args)[2]]
    return found


def xargs_commands(resolved: Resolved, command: Command, texts: list[str]) -> list[str]:
    """`xargs -I{} sh -c {} <<< 'rm -rf ~'`: the command run for each input line, with the
    line put where the replace string stands."""
    if not resolved.xargs_replace:
        return []
    fed = command.stdin_text if command.stdin_text is not None else (
        pipeline_output(command.upstream) if command.upstream else None)
    words = texts[resolved.head_index:]
    return [" ".join(shlex.quote(w.replace(resolved.xargs_replace, line)) for w in words)
            for line in (fed or "").splitlines()[:16] if line.strip()]
