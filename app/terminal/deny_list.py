"""The built-in deny list: commands that always need the user to type a confirmation.

Why it reads commands structurally rather than grepping the text: `echo reboot`,
`grep -r shutdown .` and `rm -rf ./build` must stay quiet, while `"r"m -rf /`,
`sudo env X=1 /bin/rm -r -f ~`, `bash -c "$(curl …)"` and `echo / | xargs rm -rf` must not
slip through. Each simple command is resolved to the program that really runs (past sudo,
env, nice, xargs …, quotes and full paths) and judged by `program_checks`; code handed to
another interpreter (`sh -c`, `eval`, `ssh host …`, here-documents, `echo … | sh`,
`python -c "os.system(…)"`) is inspected again, recursively, by the walker here.
"""

from __future__ import annotations

import re
import shlex

from app.terminal import code_checks, foreign_code
from app.terminal import network_checks as net
from app.terminal import risky_paths as paths
from app.terminal.argument_lines import argument_lines
from app.terminal.code_variables import SOURCED_FILE_VARIABLES, variable_commands
from app.terminal.command_words import (
    CODE_RUNNERS,
    SHELLS,
    Resolved,
    printed_text,
    program_name,
    resolve,
    shell_code,
    tool_equivalent,
)
from app.terminal.computed_names import (
    copied_program,
    each_value,
    hidden_name,
    hidden_program_reasons,
    loop_values,
    read_fields,
    record,
    risky_mentions,
    static_words,
)
from app.terminal.containment import uncovered
from app.terminal.data_wiped import line_store_reasons
from app.terminal.downloads import (
    fetched_files,
    runs_fed_download,
    runs_fetched,
)
from app.terminal.editor_scripts import editor_script_reasons
from app.terminal.embedded_code import (
    CONSOLES,
    awk_normalise,
    awk_program,
    awk_writes,
    hidden_commands,
    input_commands,
    make_recipes,
)
from app.terminal.env_options import with_environment_options
from app.terminal.fed_code import fetched_input
from app.terminal.fetched_installs import entered, installs_download
from app.terminal.handed_code import STDIN_NAMES, HandedCode, fed
from app.terminal.inspection import Analysis, Line, Segment
from app.terminal.line_files import files_written, unreadable_files
from app.terminal.line_reach import line_reasons
from app.terminal.nested_commands import nested_commands
from app.terminal.pattern_reach import pattern_reasons
from app.terminal.pipe_checks import (
    PIPE_DOWNLOAD,
    deletes_history_in_loop,
    fetches,
    fork_bomb,
    only_shown,
    read_values,
    scrambled,
    vital_lookup,
    xargs_commands,
    xargs_inputs,
)
from app.terminal.planted_text import scheduled_or_boot, timer_reasons
from app.terminal.precious_arguments import argument_reasons, console_writes
from app.terminal.process_sweeps import kill_sources, lists_every_process
from app.terminal.program_checks import (
    REMOTE_SHELL,
    assignment_reasons,
    find_exec_commands,
    has_rules,
    program_reasons,
)
from app.terminal.root_hooks import root_hook_reason, runs_as_root
from app.terminal.served_roots import served_root_reasons
from app.terminal.service_stops import reloads_only
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command, ShellSyntaxError, Word, parse
from app.terminal.spoken_text import unprinted
from app.terminal.static_text import pipeline_output, static_output
from app.terminal.system_checks import emptied_passwords

MAX_DEPTH = 6
MAX_COMMAND_CHARS = 16 * 1024
# Each command of a pipeline is judged with what flows into it, so a pipeline costs the
# square of its length: 2500 `cat`s took 400 s. Real pipelines have a handful of stages.
MAX_PIPELINE = 64
_BACKTICK_RE = re.compile(r"`([^`]+)`")


def danger_reasons(command: str) -> list[str]:
    """Plain-language reasons why `command` is on the deny list; [] when it is not."""
    return list(analyse(command).reasons)


def analyse(command: str) -> Analysis:
    """Runs the deny list over a whole command line, nested code included.

    Lines over `MAX_COMMAND_CHARS` are not read at all: nobody can review them either, and
    reading them must not stall the window.
    """
    if len(command) > MAX_COMMAND_CHARS:
        return Analysis((f"is too long to check ({len(command)} characters)",), False, ())
    inspector = _Inspector()
    inspector.inspect(command, 0)
    if not inspector.reasons:
        inspector.reasons += pattern_reasons(command)
    return Analysis(tuple(dict.fromkeys(inspector.findings())), inspector.certain,
                    tuple(inspector.segments))


class _Inspector(HandedCode):
    """Walks commands and the code nested in them, collecting reasons; one per `analyse`."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.certain = True
        self.segments: list[Segment] = []
        self.secrets: list[str] = []
        self.senders: list[str] = []
        self.via: str | None = None
        # The program whose hooks are being walked runs as root (`root_hooks`).
        self.as_root = False
        # An `exec` opened a connection on the line being walked: "remote", or "loopback"
        # (this machine, though its port can be a tunnel to another one).
        self.opened = ""

    def findings(self) -> list[str]:
        """The reasons, with keys read and sent away anywhere in the walk as one more."""
        if self.secrets and self.senders:
            return [*self.reasons, f"reads your keys or credentials ({self.secrets[0]}) and "
                                   f"sends them to another machine ({self.senders[0]})"]
        return self.reasons

    def inspect_hosted(self, code: str, depth: int, host: str, feed: Command | None = None,
                       parameters: dict[str, str] | None = None) -> None:
        """Inspects a command another program (`host`) runs for us: a hook, an escape."""
        outer, self.via = self.via, host
        self.inspect(code, depth + 1, False, parameters, feed)
        self.via = outer

    def inspect(self, text: str, depth: int, fed_download: bool = False,
                parameters: dict[str, str] | None = None, feed: Command | None = None) -> None:
        """Walks a command line; `parameters` are its `$0` … and `feed` the command whose
        input its commands read (`handed_code`)."""
        if depth > MAX_DEPTH:
            self.certain = False
            return
        try:
            commands = parse(text)
        except ShellSyntaxError:
            commands = None
        if fork_bomb(text) and not (commands and only_shown(commands)):
            self.reasons.append("fork bomb: starts copies of itself until the computer freezes")
        if commands and deletes_history_in_loop(text, commands):
            self.reasons.append("clears your shell history (entry by entry, in a loop)")
        self.powershell_line(text, commands, depth)
        if commands is None:
            self._inspect_unparseable(text, depth)
            return
        if (stages := 1 + max((len(c.upstream) for c in commands), default=0)) > MAX_PIPELINE:
            self.reasons.append(f"has too many commands in one pipeline to check ({stages})")
            return
        self.reasons += line_reasons(commands)
        line = Line(fed_download=fed_download, variables=dict(parameters or {}))
        outer, self.opened = self.opened, ""
        for command in commands:
            if command.function:
                line.functions.setdefault(command.function, []).append(command)
            self.inspect_command(fed(command, feed), line, depth)
        if (self.opened == "remote" and not net.client_only(commands)) or (
                self.opened == "loopback" and net.shell_reads(commands)):
            self.reasons.append(REMOTE_SHELL)
        self.opened = outer
        if net.remote_shell_pipe(commands) or net.shell_on_connection(commands):
            self.reasons.append(REMOTE_SHELL)

    def _inspect_unparseable(self, text: str, depth: int) -> None:
        """Unclosed quotes and the like: read a repaired copy, and distrust risky words."""
        self.certain = False
        repaired = text
        for _attempt in range(4):
            try:
                commands = parse(repaired)
            except ShellSyntaxError as exc:
                if exc.closer is None:
                    break
                repaired += exc.closer
                continue
            line = Line()
            for command in commands:
                self.inspect_command(command, line, depth)
            break
        if hits := risky_mentions(text):
            self.reasons.append(f"could not be read reliably and mentions {', '.join(hits)}")

    def inspect_program_text(self, code: str, depth: int, host: str = "a script") -> None:
        """Scans Python/Perl/Ruby/Node code for shell commands and recursive deletes.

        Only the calls that run a shell are read, so `print('reboot')` stays harmless; what
        they run does not make the outer command uncertain.
        """
        certain = self.certain
        if fork_bomb(code):
            self.reasons.append("fork bomb: starts copies of itself until the computer freezes")
        for shell_command in code_checks.shell_calls(code):
            self.inspect_hosted(shell_command, depth - 1, host)
        for match in _BACKTICK_RE.finditer(code):
            self.inspect_hosted(match.group(1), depth - 1, host)
        started, built = foreign_code.program_starts(code, host)
        for written_out in started:
            self.inspect_hosted(written_out, depth - 1, host)
        if built:
            self.reasons.append(f"the {host} code runs a command (or code) it builds "
                                "while it runs, so nobody can read it first")
        self.reasons += code_checks.code_reasons(code)
        if code_checks.sends_over_network(code):
            self.senders.append(host)
        if code_checks.reads_secrets(code):
            self.secrets.append(f"read by {host} code")
        self.certain = certain

    def inspect_command(self, command: Command, line: Line, depth: int) -> None:
        for word in command.words + [r.target for r in command.redirects]:
            for inner in word.substitutions:
                self.inspect(inner, depth + 1)
        texts, words = static_words(command, line.variables, line.loops)
        resolved = resolve(texts, words)
        self.segments.append(Segment(" ".join(w.text for w in command.words),
                                     uncovered(command, resolved)))
        line.scrambled |= {word.text.partition("=")[0] for word in command.words
                           if "=" in word.text and any(map(scrambled, word.substitutions))}
        line.written |= (written := files_written(resolved, command, line.variables))
        line.unreadable |= unreadable_files(resolved, command, line.variables, written)
        for name, value in resolved.assignments:
            self.reasons += assignment_reasons(name, value)
            self._command_variable(name, value, depth, line.written)
            if name in SOURCED_FILE_VARIABLES and resolved.name in SHELLS:
                self._sourced_file(name, value, command, line, depth)
            if not resolved.name:
                line.variables[name] = value
                line.loops.update({name: loop_values(command.loop_values, line.variables)}
                                  if command.loop_values else {})
        for code in resolved.extra_code:
            self.inspect(code, depth + 1)
        for redirect in command.redirects:
            self._redirect(redirect.op, redirect.target.text, resolved, line)
        self.same_line_script(resolved, command, line, depth)
        if command.words and program_name(command.words[0].text) in ("env", "printenv") and \
                resolved.name in ("", "printenv") and not resolved.args:
            self.secrets.append("your environment variables (tokens, keys)")
        line.fetched_fd |= not resolved.name and texts[:1] == ["exec"] and fetched_input(command)
        if not resolved.name or resolved.lookup_only:
            return
        if copied := copied_program(resolved.head_text, line.copies):
            resolved.name = copied
        elif "$" in resolved.head_text or "`" in resolved.head_text or \
                hidden_name(resolved.head_text):
            self._hidden_program(resolved, line, hidden_name(resolved.head_text,
                                                             bool(command.function)))
        self._defined_command(resolved, line, depth)
        record(resolved.name, resolved.args, line.variables, line.copies)
        if runs_fetched(resolved, line.downloaded, line.cwd):
            self.reasons.append("downloads a program and runs it straight away")
        if installs_download(resolved, line.downloaded, line.cwd, any(
                fetches(inner) for word in resolved.arg_words for inner in word.substitutions)):
            self.reasons.append("installs what this line downloads, running its code unread")
        name, args = tool_equivalent(resolved.name, resolved.args)
        args = with_environment_options(name, args,
                                        {**line.variables, **dict(resolved.assignments)})
        piped = xargs_inputs(resolved, command)
        self.reasons += program_reasons(name, args, line.cwd, piped)
        prefix = [t for t in texts[:resolved.head_index] if not re.match(r"\w+=", t)]
        if self.via and self.as_root and (
                reason := root_hook_reason(resolved.head_text, name, args, self.via)):
            self.reasons.append(reason)
        outer_root = self.as_root
        self.as_root |= runs_as_root(prefix, name, args)
        self.reasons += argument_reasons(name, args, line.cwd, (
            program_name(prefix[0]), prefix[1:]) if prefix else None)
        self.reasons += timer_reasons(prefix, resolved)
        self.reasons += editor_script_reasons(
            name, args, command.stdin_text is not None or bool(command.upstream), line.cwd)
        self._network(resolved, command)
        self.reasons += served_root_reasons(name, args, line.cwd, line.written)
        self._interactive_shell(resolved, command)
        if name == "read" and resolved.args and (values := read_values(command)):
            line.variables[resolved.args[-1]] = " ".join(values)
            line.loops[resolved.args[-1]] = values
            separators = dict(resolved.assignments).get("IFS", line.variables.get("IFS"))
            for key, value in read_fields(resolved.args, values, separators).items():
                line.variables[key] = value
                line.loops.pop(key, None)  # one line read: the fields, not a loop's values
        reasons, planted = scheduled_or_boot(resolved, command, line.cwd, line.written)
        self.reasons += reasons
        for entry in planted:
            self.inspect_hosted(entry, depth, "cron")
        if name == "kill":
            sources = kill_sources(resolved, command)
            if any(lists_every_process(commands) for commands in sources):
                self.reasons.append("kills every process listed by ps (all of them)")
            if (vital := next(filter(None, map(vital_lookup, sources)), None)) and \
                    not reloads_only(resolved.args):
                self.reasons.append(f"kills {vital}, which the whole system or your session "
                                    "depends on")
        fed = command.stdin_text if command.stdin_text is not None else (
            pipeline_output(command.upstream) if command.upstream else None)
        if name == "chpasswd":
            self.reasons += emptied_passwords(fed or "")
        settings = [f"{key}={value}" for key, value in resolved.assignments]
        self.reasons += line_store_reasons(name, args, settings, resolved.via_xargs, command, fed)
        if fed is None and runs_fed_download(name, args, command):
            self.reasons.append(PIPE_DOWNLOAD)
        for escaped in input_commands(name, args, fed or ""):
            self.inspect_hosted(escaped, depth, name)
        if name in CONSOLES:
            self.reasons += console_writes("\n".join([*args, fed or ""]), line.cwd)
        if name in ("export", "declare", "typeset", "readonly", "local"):
            for key, sep, value in (arg.partition("=") for arg in args):
                if sep:
                    self.reasons += assignment_reasons(key, value)
                    self._command_variable(key, value, depth, line.written)
                    if not any(re.fullmatch(r"-\w*n\w*", a) for a in args):  # not a nameref
                        line.variables[key] = value
        if name == "find":
            outer, self.via = self.via, "find"
            for inner in find_exec_commands(args):
                self.inspect_command(Command([Word(t) for t in inner]), Line(cwd=line.cwd),
                                     depth + 1)
            self.via = outer
        for hidden in hidden_commands(name, args, resolved.assignments):
            self.inspect_hosted(hidden, depth, name)
        if name in ("awk", "gawk", "mawk", "nawk") and (program := awk_program(args)):
            self.reasons += code_checks.code_reasons(unprinted(program))
            if foreign_code.program_starts(awk_normalise(unprinted(program)), name)[1]:
                self.reasons.append("the awk program runs a command it builds while it runs, "
                                    "so nobody can read it first")
            self.reasons += [r for target in awk_writes(program)
                             if (r := paths.write_target_reason(target, line.cwd))]
        if name == "make":
            for word in resolved.arg_words:
                for inner in word.substitutions if word.process_substitution else []:
                    for recipe in make_recipes(static_output(inner) or ""):
                        self.inspect_hosted(recipe, depth, "make")
        if name == "alias":
            for key, _sep, value in (arg.partition("=") for arg in args if "=" in arg):
                self.inspect_hosted(value, depth, "an alias")
                line.aliases[key] = value
        if name == "make" and command.stdin_text and set(args) & {"-", "/dev/stdin"}:
            for recipe in make_recipes(command.stdin_text):
                self.inspect_hosted(recipe, depth, "make")
        self.runner(resolved, command, line, depth)
        self._foreign_code(resolved, fed, line, depth)
        for nested in nested_commands(name, args, has_rules, bool(command.upstream) or (
                command.stdin_text is not None)):
            self.inspect(nested, depth + 1, feed=command)  # the user's shell, not an escape
        if not self.reasons and depth < MAX_DEPTH:
            self.reasons += [reason for text in argument_lines(name, args, has_rules)
                             for reason in self._argument_line(text, line, depth)]
        for each_line in xargs_commands(resolved, command, texts):
            self.inspect_hosted(each_line, depth, name)
        line.downloaded |= fetched_files(resolved, command, line.downloaded, line.fed_download)
        if name in ("cd", "pushd"):
            target = next((a for a in args if not a.startswith("-")), "~")
            line.downloaded |= entered(target, line.downloaded)
            line.cwd = None if target == "-" else paths.expand(target, line.cwd)
        self.as_root = outer_root

    def _argument_line(self, text: str, line: Line, depth: int) -> tuple[str, ...]:
        """What the deny list finds in an argument that reads as a command line
        (`argument_lines`), read in the folder and with the variables the line has reached
        (`cd ~ && foo --run 'rm -rf ./*'` deletes home): its commands are not the line's, so
        the segments allow rules match are left alone, but what the inner reading cannot be
        sure of leaves the line unsure too."""
        inner = _Inspector()
        code = f"cd {shlex.quote(line.cwd)}\n{text}" if line.cwd else text
        inner.inspect(code, depth + 1, parameters=line.variables)
        self.certain &= inner.certain
        return tuple(inner.findings() or pattern_reasons(text))

    def _foreign_code(self, resolved: Resolved, fed: str | None, line: Line,
                      depth: int) -> None:
        """Code a tool carries in its options or reads as a build file (`foreign_code`)."""
        codes, commands = foreign_code.carried_code(resolved.name, resolved.args, fed,
                                                    line.written)
        for code in codes:
            self.inspect_program_text(code, depth + 1, resolved.name)
        for hidden in commands:
            self.inspect_hosted(hidden, depth, resolved.name)

    def _command_variable(self, name: str, value: str, depth: int,
                          written: dict[str, str]) -> None:
        """`PAGER='sh -c …'`, `PS1='$(…)'`: the value holds a command some program runs;
        `BASH_ENV=<(…)`: the file it names, written on the line, is that command."""
        for code in variable_commands(name, value):
            self.inspect_hosted(written.get(code, code), depth, name)

    def _sourced_file(self, name: str, value: str, command: Command, line: Line,
                      depth: int) -> None:
        """`BASH_ENV=/dev/stdin bash -c : <<< …`, `BASH_ENV=<(curl …) bash -c true`: the file
        a shell reads before its own code is its input, or a download, and runs like code
        piped into it, whatever harmless code it is handed itself."""
        if value in STDIN_NAMES - {"-"}:
            self.stdin_code("bash", command, depth, line.variables)
        if any(fetches(inner) for word in command.words if word.process_substitution
               and word.text.startswith(f"{name}=") for inner in word.substitutions):
            self.reasons.append(PIPE_DOWNLOAD)

    def _network(self, resolved: Resolved, command: Command) -> None:
        """Collects the two halves of sending keys away: reading them, and the network.
        Code this walk reads as commands (`su -c 'ssh -i ~/.ssh/id_ed25519 h'`, `--exec=…`)
        is judged there, where a key given with `-i` is only used, not as data here."""
        name, args = resolved.name, resolved.args
        walked = set(hidden_commands(name, args)) | ({a for a in args if len(a.split()) > 1}
                                                     if name in SHELLS | CODE_RUNNERS else set())
        self.secrets += net.secret_data(name, [a for a in args if a not in walked
                                               and a.partition("=")[2] not in walked])
        inputs = [r.target.text for r in command.redirects if r.op in ("<", "<>")]
        self.secrets += net.secret_redirects(inputs)
        if net.is_sender(name, args):
            self.senders.append(name)

    def _interactive_shell(self, resolved: Resolved, command: Command) -> None:
        """A shell reading the terminal, started through another program (`find -exec sh`,
        `vim -c ':!sh'`, `env /bin/sh`, `pty.spawn("/bin/sh")`): a way out of every check."""
        if resolved.name not in SHELLS or command.stdin_text is not None or command.upstream:
            return
        host = self.via or ("a wrapper" if resolved.wrapped else None)
        code, reads_stdin, _script = shell_code(resolved.args)
        if host and code is None and reads_stdin:
            self.reasons.append(f"opens an interactive shell through {host}, where nothing "
                                f"it runs is checked (shell escape)")

    def _defined_command(self, resolved: Resolved, line: Line, depth: int) -> None:
        """A function or alias defined earlier on the line and called here: its body is
        judged with the call's arguments (`f(){ rm -rf "$1"; }; f ~`, `alias r='rm -rf'; r ~`).
        """
        if alias := line.aliases.get(resolved.head_text):
            self.inspect_hosted(" ".join([alias, *resolved.args]), depth, "an alias")
        body = line.functions.get(resolved.head_text)
        if not body or depth >= MAX_DEPTH:
            return
        positional = {str(i): arg for i, arg in enumerate(resolved.args, start=1)}
        positional["@"] = positional["*"] = " ".join(resolved.args)
        call = Line(cwd=line.cwd, variables={**line.variables, **positional},
                     copies=line.copies, aliases=line.aliases)
        for command in body:
            self.inspect_command(command, call, depth + 1)

    def _hidden_program(self, resolved: Resolved, line: Line, reason: str | None) -> None:
        """The program name comes from a variable, substitution or pattern Flywheel cannot
        know: that alone needs the typed confirmation (`computed_names.hidden_name`)."""
        self.certain = False
        self.reasons += [reason] if reason else []
        self.reasons += hidden_program_reasons(resolved, line.scrambled, line.cwd)

    def _redirect(self, op: str, written: str, resolved: Resolved, line: Line) -> None:
        for target in each_value(written, line.variables, line.loops):
            self._redirect_to(op, target, resolved, line)

    def _redirect_to(self, op: str, target: str, resolved: Resolved, line: Line) -> None:
        if target.startswith(("/dev/tcp/", "/dev/udp/")):
            self.senders += [] if net.loopback(target) else [target]
            if resolved.name in SHELLS:
                self.reasons.append(REMOTE_SHELL)
            if resolved.name in ("exec", "") and self.opened != "remote":
                self.opened = "loopback" if net.loopback(target) else "remote"
        if target.startswith("/proc/sys/") and (value := printed_text(resolved)) is not None:
            key = target.removeprefix("/proc/sys/").replace("/", ".")  # what sysctl would set
            self.reasons += program_reasons("sysctl", [f"{key}={value}"], None, [])
        duplicates_fd = op == ">&" and (target.isdigit() or target == "-")
        if op in WRITE_REDIRECT_OPS and not duplicates_fd and not (op == ">>" and paths.
                ssh_host_entry_only(target, printed_text(resolved))) and (
                reason := paths.every_file_written(target, line.cwd)):
            self.reasons.append(reason)
