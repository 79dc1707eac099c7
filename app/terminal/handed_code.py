"""Code handed to a shell, an interpreter or a runner, read with what it is given.

Why: `sh -c 'rm -rf "$0"' ~` deletes the home folder although neither word alone says so:
the words after `-c` code become its `$0`, `$1`, `$@`, and the same holds for `bash -s ~ <<<
…`, a script written on the line and run with arguments, and `su -c … root ~`. And whatever
runs code inherits its standard input: `ssh host <<'EOF' … EOF` runs the here-document in the
remote login shell, `at -f /dev/stdin now <<< …` schedules it, `docker exec -i c sh <<< …`
and `ssh host bash -s <<< …` hand it to the shell named in their command. So the walker
reads code with its positional parameters filled in, and feeds the outer command's input
to the commands its code starts.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from itertools import pairwise

from app.terminal.command_words import (
    CODE_RUNNERS,
    INTERPRETERS,
    SHELLS,
    Resolved,
    expand_variables,
    interpreter_code,
    shell_code,
    shell_operands,
)
from app.terminal.downloads import fed_by_download, runs_download
from app.terminal.embedded_code import runner_code
from app.terminal.fed_code import FedCode
from app.terminal.inspection import Line
from app.terminal.line_files import written_text
from app.terminal.pipe_checks import (
    PIPE_DOWNLOAD,
    fetches,
    name_args,
    respawns_itself,
    script_arguments,
)
from app.terminal.powershell_code import (
    BUILT_EVALUATED,
    EVALUATORS,
    UNREADABLE_ENCODED,
    decoded_statements,
    encoded_command,
    evaluates,
    evaluates_built,
)
from app.terminal.risky_paths import expand
from app.terminal.shell_syntax import Command

_SHELL_HOSTS = frozenset({"ssh", "su", "runuser", "script", "sg", "newgrp"})
STDIN_NAMES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
_SU_VALUED = re.compile(r"-[A-Za-z]*[csgGwu]|--(?:command|shell|group|supp-group|user|"
                        r"whitelist-environment|session-command)")
UNREADABLE_RUN = "runs a file this line wrote from decoded or rebuilt text, so nobody can " \
    "read it first"


def statement_code(name: str, args: list[str]) -> str | None:
    """The command line PowerShell (`-Command`, any abbreviation, or the words after its
    options) or `cmd /c` is given: their statements are programs and cmdlets, judged as
    commands (`powershell Stop-Computer`, `cmd.exe /c shutdown /s`)."""
    for index, arg in enumerate(args):
        if name == "cmd" and arg.lower() in ("/c", "/k", "/r"):
            return _separators_kept(" ".join(args[index + 1:]))
        if name != "pwsh":
            continue
        if re.fullmatch(r"(?i)-c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?", arg):
            return _separators_kept(" ".join(args[index + 1:]))
        if re.fullmatch(r"(?i)-(?:f|file|e|encodedcommand|ec)", arg):
            return None
        if not arg.startswith("-") and not arg.lower().endswith(".ps1") and (
                index == 0 or not re.fullmatch(r"(?i)-(?:ex\w*|w\w*|config\w*|o\w*|i\w*)",
                                               args[index - 1])):
            return _separators_kept(" ".join(args[index:]))
    return None


def _separators_kept(statements: str) -> str:
    """cmd and PowerShell read a backslash as a path separator, not an escape: doubled
    outside single quotes, the shell reader keeps it (`rd /s /q C:\\Users\\bob` stays
    `C:\\Users\\bob`, not `C:Usersbob`)."""
    return "".join(part if part.startswith("'") else part.replace("\\", "\\\\")
                   for part in re.split(r"('[^']*')", statements))


def numbered(values: list[str]) -> dict[str, str]:
    """`$0` … `$n`, `$@`, `$*` and `$#` for a program that gets `values` (`$0` first)."""
    found = {str(index): value for index, value in enumerate(values)}
    found["@"] = found["*"] = " ".join(values[1:])
    found["#"] = str(max(len(values) - 1, 0))
    return found


def shell_parameters(name: str, args: list[str]) -> dict[str, str]:
    """The positional parameters of what `sh ARGS` runs: after `-c CODE` the next word is
    `$0`; with `-s` (or code on stdin) the words are `$1` …; a script is its own `$0`."""
    wants_code, reads_stdin, rest = shell_operands(args)
    if name == "fish":  # fish has no `$0`: every word after the code or script is `$argv`
        return {"argv": " ".join(rest[1:] if wants_code or rest[:1] else rest)}
    if wants_code:
        return numbered(rest[1:])
    if reads_stdin or not rest or rest[0] in STDIN_NAMES:
        return numbered([name, *(rest[1:] if rest[:1] and rest[0] in STDIN_NAMES else rest)])
    return numbered(rest)


def runner_parameters(name: str, args: list[str]) -> dict[str, str]:
    """`su -c CODE [-] USER ARG …`: the words after the user reach the shell as `$0` …"""
    if name not in ("su", "runuser"):
        return {}
    operands, index = [], 0
    while index < len(args):
        arg = args[index]
        index += 1
        if _SU_VALUED.fullmatch(arg):
            index += 1
        elif not arg.startswith("-"):
            operands.append(arg)
    return numbered(operands[1:]) if len(operands) > 1 else {}


def start_folder(command: Command, line: Line) -> str | None:
    """The folder a shell's `-c` code starts in: where an earlier `cd` on the line went, or
    `env --chdir=DIR` / `env -C DIR` before it (`cd ~ && sh -c 'rm -rf *'` deletes home)."""
    texts = [word.text for word in command.words]
    if "env" in texts[:3]:
        chdir = [b for a, b in pairwise(texts) if a == "-C"] + [
            t.partition("=")[2] for t in texts if t.startswith("--chdir=")]
        if chdir:
            return expand(chdir[0], line.cwd)
    return line.cwd


def fed(command: Command, feed: Command | None) -> Command:
    """`command`, started by code that `feed` runs, reading `feed`'s input when it has none of
    its own (`ssh host 'bash -s' <<< …`, `docker exec -i c sh <<< …`)."""
    if feed is None or command.stdin_text is not None or command.upstream_slices or \
            (feed.stdin_text is None and not feed.upstream_slices) or \
            any(r.op in ("<", "<<", "<<<", "<&") for r in command.redirects):
        return command
    return replace(command, stdin_text=feed.stdin_text, upstream_slices=feed.upstream_slices)


class HandedCode(FedCode):
    """The walker's reading of code handed to runners; mixed into `deny_list`'s inspector,
    whose `inspect`, `inspect_hosted` and `inspect_program_text` it calls."""

    def inspect_hosted(self, code: str, depth: int, host: str, feed: Command | None = None,
                       parameters: dict[str, str] | None = None) -> None:
        raise NotImplementedError

    def runner(self, resolved: Resolved, command: Command, line: Line, depth: int) -> None:
        """Shells, interpreters, eval, su, ssh, at …: inspect the code they are handed."""
        name, args = resolved.name, resolved.args
        code, reads_stdin, script = None, False, None
        parameters: dict[str, str] = {}
        if statements := statement_code(name, args):
            self.inspect_hosted(statements, depth, name)
        if name == "pwsh" and (encoded := encoded_command(args)) is not None:
            self.powershell_code(decoded_statements(encoded), depth)
        if name in EVALUATORS and not args:  # `… | iex`: its input is the code
            self.stdin_code("pwsh", command, depth, line.variables)
        if name in SHELLS:
            code, reads_stdin, script = shell_code(args)
            parameters = shell_parameters(name, args)
        elif name in INTERPRETERS:
            code, reads_stdin, script = interpreter_code(name, args)
        elif name in ("source", "."):
            script = args[0] if args else None
            reads_stdin = script in STDIN_NAMES or (script is None and bool(command.upstream))
            parameters = numbered(args)
        elif name in ("at", "batch"):
            script = next((b for a, b in pairwise(args) if a == "-f"), None)
            reads_stdin = script is None or script in STDIN_NAMES
        elif name in CODE_RUNNERS:
            code = runner_code(name, args)
            reads_stdin = code is None and name in _SHELL_HOSTS
            parameters = runner_parameters(name, args)
        else:
            return
        if code is not None:
            if name in INTERPRETERS:
                self.inspect_program_text(code, depth + 1, name)
            elif name in CODE_RUNNERS:
                self.inspect_hosted(code, depth, name, command, parameters)
            else:
                if folder := start_folder(command, line):
                    code = f"cd {shlex.quote(folder)}\n{code}"
                self.inspect(code, depth + 1, fed_by_download(command), parameters, command)
        if any(fetches(expand_variables(inner, line.variables)) for word in resolved.arg_words
               for inner in word.substitutions):  # `x=…; eval "$(base64 -d <<<$x)"`: read
            self.reasons.append(PIPE_DOWNLOAD)
        if name in ("deno", "bun") and script == "run":
            script = next((a for a in args[args.index("run") + 1:] if a[:1] != "-"), None)
        if script and re.match(r"(?:https?|ftp)://", script):
            self.reasons.append(PIPE_DOWNLOAD)
        if line.fetched_fd and ((script or "").startswith("/dev/fd/") or (reads_stdin and any(
                r.op == "<&" and r.target.text.isdigit() for r in command.redirects))):
            # `exec 3< <(curl …); bash <&3` or `bash /dev/fd/3`
            self.reasons.append(PIPE_DOWNLOAD)
        if script and runs_download(script, line.downloaded, line.cwd):
            self.reasons.append("downloads a script and runs it straight away")
        if reads_stdin:
            self.stdin_code(name, command, depth, line.variables, parameters)

    def powershell_code(self, statements: str | None, depth: int) -> None:
        """PowerShell statements (`-EncodedCommand`, decoded: None when they cannot be)
        judged as commands and as PowerShell code."""
        if statements is None:
            self.reasons.append(UNREADABLE_ENCODED)
            return
        self.inspect_hosted(_separators_kept(statements), depth, "pwsh")
        self.powershell_line(statements, None, depth)

    def powershell_line(self, text: str, commands: list[Command] | None, depth: int) -> None:
        """A line that hands text to PowerShell's evaluator (`iwr URL | iex`, `iex (irm
        URL)`, which the shell grammar cannot read) is also read as PowerShell code: what it
        evaluates is downloaded, or built while it runs."""
        if not evaluates(text) or (commands is not None and not any(
                name_args(command)[0] in EVALUATORS for command in commands)):
            return
        self.inspect_program_text(text, depth + 1, "pwsh")
        if evaluates_built(text):
            self.reasons.append(BUILT_EVALUATED)

    def same_line_script(self, resolved: Resolved, command: Command, line: Line,
                         depth: int) -> None:
        """`echo 'os.execute(…)' > $TF; nmap --script=$TF`: a file written earlier on the line
        and handed to a program that runs it is read as that program's code, with the
        arguments it is run with as its `$0` …; a file written from text nobody can read
        (`… | base64 -d > f; sh f`) cannot be read, which alone needs typing."""
        if written_text(resolved, command) is not None or not resolved.name:
            return
        head = resolved.head_text
        scripts = script_arguments(resolved.name, resolved.args)
        if line.unreadable & {name.removeprefix("./") for name in [head, *scripts]}:
            self.reasons.append(UNREADABLE_RUN)
        if not line.written:
            return
        if (code := line.written.get(head, line.written.get(head.removeprefix("./")))):
            self.inspect_hosted(code, depth, head, None, numbered([head, *resolved.args]))
        for script in [code] + [line.written.get(a) for a in resolved.args]:
            if script and respawns_itself(script):
                self.reasons.append("fork bomb: starts copies of itself until the computer "
                                    "freezes")
        for script in scripts:
            if (code := line.written.get(script)) is None:
                continue
            if resolved.name in SHELLS or resolved.name in ("source", "."):
                after = resolved.args[resolved.args.index(script):] \
                    if script in resolved.args else [script]
                self.inspect_hosted(code, depth, resolved.name, None, numbered(after))
            else:
                self.inspect_program_text(code, depth + 1, resolved.name)
