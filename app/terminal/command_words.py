"""Finds the program that really runs in a simple command, and reads common option shapes.

Why: `sudo -u root env X=1 nice -n 5 /bin/rm -rf /` runs `rm`; `xargs -I{} rm` runs `rm` on
piped input; `bash -lc '…'` hands code to a shell and `curl -fsSLO url` writes a file named
after the URL. The deny list needs these answers for every command it judges, so they live
here, apart from the judging.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from itertools import pairwise

from app.terminal.escapes import decode_escapes
from app.terminal.shell_syntax import Command, ShellSyntaxError, Word, parse

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "csh", "tcsh", "ash",
                    "yash"})
INTERPRETERS = frozenset({"python", "perl", "ruby", "node", "php", "lua", "pwsh", "tclsh", "wish",
                          "emacs", "guile", "R", "Rscript", "julia", "deno", "bun", "racket",
                          "sbcl", "clisp", "luajit", "jshell", "osascript", "octave", "groovy",
                          "irb", "swipl", "gnuplot", "scala", "jrunscript", "elixir", "erl",
                          "clojure", "kotlin", "pry", "gst", "ocaml", "ghc", "rust-script",
                          "ts-node", "tsx", "zx", "nim", "crystal", "dart", "mongosh", "mongo",
                          "bpftrace"})
# Programs that run a command string (`su -c`, `sg grp -c`, `ssh host CMD` …) and, given
# none, a login shell reading its standard input (`ssh host <<EOF`, `su - bob <<< …`).
CODE_RUNNERS = frozenset({"eval", "watch", "ssh", "su", "runuser", "script", "trap", "flock",
                          "sg", "newgrp"})
# (DNS lookups fetch text from the network as surely: `dig +short TXT x.example | sh`.)
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "http", "https", "xh", "lwp-request", "GET",
                         "dig", "host", "nslookup", "drill", "kdig", "delv",
                         "aria2c", "lynx", "links", "elinks", "w3m", "axel", "curlie"})
# Wrapper → its short options that take a value. They run the rest of the line as a command.
_WRAPPERS = {
    "sudo": "ugCDprtTUR", "doas": "uC", "env": "uCS", "nice": "n", "nohup": "", "command": "",
    "exec": "a", "time": "fo", "stdbuf": "ioe", "ionice": "cnp", "setsid": "", "builtin": "",
    "unbuffer": "", "busybox": "", "toybox": "", "xargs": "adEeIiLlnPs", "torsocks": "",
    "fakeroot": "",
    "timeout": "sk", "chrt": "", "taskset": "", "chroot": "", "caffeinate": "", "pkexec": "",
    "strace": "eoOpPsSuX", "nocache": "", "ltrace": "eoOpPsSuXAan", "setarch": "", "unshare": "",
    "cpulimit": "lpe", "choom": "np", "prlimit": "p", "systemd-run": "pEuM", "runcon": "urtl",
    "firejail": "", "nsenter": "tSGw", "catchsegv": "", "valgrind": "",
}
WRAPPERS = frozenset(_WRAPPERS)
# Tools that run a command inside a project's environment: judged as that command.
_ENV_RUNNERS = frozenset({"npx", "pnpx", "bunx", "uvx"})
_ENV_SUBCOMMANDS = frozenset({("npm", "exec"), ("pnpm", "exec"), ("pnpm", "dlx"), ("yarn", "exec"),
                              ("yarn", "dlx"), ("uv", "run"), ("poetry", "run"), ("pipenv", "run"),
                              ("pdm", "run"), ("hatch", "run"), ("bundle", "exec"), ("pipx", "run"),
                              ("conda", "run"), ("mamba", "run"), ("micromamba", "run")})
_ENV_RUNNER_VALUED = frozenset({"-c", "--call", "-n", "-p", "--name", "--prefix", "--package",
                                "-e", "--env"})
_WRAPPER_POSITIONALS = {"timeout": 1, "chrt": 1, "taskset": 1, "chroot": 1, "setarch": 1}
# Wrappers a quick reader may drop with no look at their options.
_PREFIXES = frozenset({"sudo", "doas", "nice", "exec", *(
    name for name, valued in _WRAPPERS.items() if not valued and name not in
    _WRAPPER_POSITIONALS)})
_LONG_VALUED = frozenset({
    "--user", "--group", "--chdir", "--signal", "--kill-after", "--adjustment", "--unset",
    "--delimiter", "--max-args", "--max-procs", "--arg-file", "--replace", "--prompt",
    "--close-from", "--host", "--role", "--type", "--other-user", "--output", "--format",
    "--class", "--split-string", "--target", "--setuid", "--setgid",
})
_CODE_FLAGS = {"python": ("-c",), "perl": ("-e", "-E"), "ruby": ("-e",),
               "node": ("-e", "-p", "--eval", "--print"), "php": ("-r",), "lua": ("-e",),
               "pwsh": ("-c", "-Command", "-command"), "luajit": ("-e",),
               "emacs": ("--eval", "-eval"), "guile": ("-c",), "R": ("-e",), "Rscript": ("-e",),
               "julia": ("-e", "-E", "--eval", "--print"), "deno": ("eval",),
               "bun": ("-e", "--eval", "-p", "--print"), "racket": ("-e", "--eval"),
               "sbcl": ("--eval",), "clisp": ("-x",), "osascript": ("-e",),
               "octave": ("--eval",), "groovy": ("-e",), "swipl": ("-g", "-t"),
               "gnuplot": ("-e",), "scala": ("-e",), "jrunscript": ("-e",), "elixir": ("-e",),
               "erl": ("-eval",), "clojure": ("-e",), "kotlin": ("-e",), "irb": ("-e",),
               "ghc": ("-e",), "rust-script": ("-e", "--expr"), "ts-node": ("-e", "--eval",
               "-p", "--print"), "tsx": ("-e", "--eval", "-p", "--print"), "nim": ("--eval",),
               "crystal": ("eval",), "mongosh": ("--eval",), "mongo": ("--eval",),
               "bpftrace": ("-e",)}
_INTERPRETER_VALUED = frozenset({"-W", "-X", "-I", "-M", "-r", "--require"})
_SHELL_VALUED = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
_ASSIGN_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[[^]]*\])?\+?=")
# `env` takes any name before `=` (`env 'BASH_FUNC_f%%=() { …; }' bash`).
_ENV_ASSIGN_RE = re.compile(r"^([^=\s-][^=\s]*)=")
_VARIABLE_RE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
_WELL_KNOWN = {"SHELL": "/bin/sh", "BASH": "/bin/bash"}


@dataclass
class Resolved:
    """A simple command seen through its wrappers: program name, arguments and extras."""

    name: str = ""
    args: list[str] = field(default_factory=list)
    arg_words: list[Word] = field(default_factory=list)
    head: Word | None = None
    head_text: str = ""
    head_index: int = 0
    via_xargs: bool = False
    wrapped: bool = False
    xargs_replace: str = ""
    lookup_only: bool = False
    assignments: list[tuple[str, str]] = field(default_factory=list)
    extra_code: list[str] = field(default_factory=list)


def program_name(word: str) -> str:
    """`/usr/bin/python3.11` → `python`: full paths and version suffixes do not matter."""
    name = posixpath.basename(word)
    if name.lower().endswith(".exe"):  # a Windows program called from WSL or Git Bash
        name = name[:-4]
    if re.fullmatch(r"[A-Z][a-z]+-[A-Z]\w+", name):  # PowerShell's `Stop-Computer`, any case
        name = name.lower()
    if re.fullmatch(r"(?:python|pypy)[\d.]*", name):
        return "python"
    if re.fullmatch(r"(?:tclsh|wish|lua|luajit|julia|guile)[\d.]*", name):
        return re.sub(r"[\d.]+$", "", name)
    if re.fullmatch(r"(?:nc|netcat)\.\w+", name):
        return "nc"
    return {"nodejs": "node", "powershell": "pwsh"}.get(name, name)


def plain_words(command: Command) -> list[str]:
    """The command's words after a leading privilege or scheduling prefix and environment
    assignments (``sudo``, ``nice``, ``FOO=1``…): a quick read for the class readers whose
    patterns look at the program and its arguments only, not at the wrappers' own options."""
    return without_prefixes([word.text for word in command.words])


def without_prefixes(texts: list[str]) -> list[str]:
    """`texts` past a leading `sudo`, `nice`, `exec`, `builtin command --`, `setsid`… (any
    wrapper that takes no value of its own) and `NAME=value` assignments."""
    flags = wrapped = False  # after a wrapper with no valued options, its flags go too
    while texts and (texts[0] in _PREFIXES or re.match(r"^\w+=", texts[0])
                     or (flags and texts[0].startswith("-")) or (wrapped and texts[0] == "--")):
        flags = texts[0] in _PREFIXES - {"sudo", "doas", "nice", "exec"} or (
            flags and texts[0] != "--")
        wrapped, texts = texts[0] in _PREFIXES, texts[1:]
    return texts


def program_and_args(command: Command) -> tuple[str, list[str]]:
    """The program a command runs (its name without a path) and its arguments, past the
    prefixes :func:`plain_words` drops; ``("", [])`` for a command of assignments only."""
    texts = plain_words(command)
    return (program_name(texts[0]) if texts else ""), texts[1:]


def option_values(args: list[str], flags: set[str] | frozenset[str]) -> list[str]:
    """The values given to any of `flags`, as `-p 8080`, `--port 8080` or `--port=8080`."""
    values = [b for a, b in pairwise(args) if a in flags]
    return values + [a.partition("=")[2] for a in args
                     if "=" in a and a.partition("=")[0] in flags]


def expand_variables(text: str, variables: dict[str, str]) -> str:
    """Substitutes variables assigned earlier on the same line (`d=/; rm -rf $d`) and `$SHELL`."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, _WELL_KNOWN.get(name, match.group(0)))

    return _VARIABLE_RE.sub(value, text) if "$" in text else text


def printed_text(resolved: Resolved) -> str | None:
    """What a static `echo …` or `printf …` prints (escapes decoded), else None."""
    args = resolved.args
    if resolved.name == "echo":
        flags = [a for a in args[:3] if re.fullmatch(r"-[neE]+", a)]
        text = " ".join(args[len(flags):])
        return decode_escapes(text) if any("e" in flag for flag in flags) else text
    if resolved.name == "printf":
        args = args[1:] if args[:1] == ["--"] else args
        if not args:
            return None
        text = _printf_format(args[0], args[1:])
        if "%b" in args[0]:  # `%b` also takes `\0nnn` for an octal byte
            text = re.sub(r"\\0([0-7]{1,3})", r"\\\1", text)
        return decode_escapes(text)
    return None


def _printf_format(fmt: str, args: list[str]) -> str:
    """printf's text: a format of only `%s`/`%b` is applied again to each group of
    arguments (`printf '%s\\n' a b` prints two lines, a NUL-separated list reads as lines);
    `%%` is a percent sign; other formats keep their arguments joined by spaces."""
    fmt = fmt.replace("%%", "\x00pct").replace("\\0", "\\n")
    if "%" not in fmt:
        return fmt.replace("\x00pct", "%")
    slots = len(re.findall(r"%[sb]", fmt))
    if not slots or re.search(r"%(?![sb])", fmt) or not args:
        return " ".join(args)
    pieces = re.split(r"%[sb]", fmt.replace("\x00pct", "%"))
    text = ""
    for start in range(0, len(args), slots):
        group = args[start:start + slots] + [""] * slots
        text += pieces[0] + "".join(g + p for g, p in zip(group, pieces[1:], strict=False))
    return text


def static_output(inner: str) -> str | None:
    """Output of a substitution that only echoes text: `$(echo rm)` is just `rm`."""
    try:
        commands = parse(inner)
    except ShellSyntaxError:
        return None
    if len(commands) != 1 or any(w.substitutions for w in commands[0].words):
        return None
    return printed_text(resolve([w.text for w in commands[0].words]))


def options(args: list[str], valued: str = "", stop_at_positional: bool = False,
            ) -> tuple[set[str], set[str], list[str]]:
    """Splits arguments into short flags, long flags and positionals (getopt-style).

    `valued` names the short options that take a value, so `truncate -s 0 f` keeps `0` out of
    the positionals; `--` ends the options.
    """
    short: set[str] = set()
    long_: set[str] = set()
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            positional += args[index:]
            break
        if arg.startswith("--"):
            long_.add(arg.partition("=")[0])
        elif arg.startswith("-") and len(arg) > 1:
            for offset, letter in enumerate(arg[1:], start=2):
                short.add(letter)
                if letter in valued:
                    index += 0 if arg[offset:] else 1
                    break
        else:
            positional.append(arg)
            if stop_at_positional:
                positional += args[index:]
                break
    return short, long_, positional


def _skip_wrapper_options(name: str, texts: list[str], index: int, resolved: Resolved) -> int:
    """Moves past a wrapper's own options and arguments; returns the next command's index."""
    valued = _WRAPPERS[name]
    positionals = _WRAPPER_POSITIONALS.get(name, 0)
    while index < len(texts):
        arg = texts[index]
        if arg == "--":
            return index + 1
        if name == "xargs" and (arg in ("-I", "-i") or arg.startswith(("-I", "--replace"))):
            resolved.xargs_replace = (arg[2:] if arg.startswith("-I") and len(arg) > 2 else
                                      arg.partition("=")[2] if "=" in arg else
                                      texts[index + 1] if arg == "-I" and index + 1 < len(texts)
                                      else "{}")
        if name == "env" and (match := _ENV_ASSIGN_RE.match(arg)):
            resolved.assignments.append((match.group(1), arg[match.end():]))
        elif arg.startswith("--"):
            key = arg.partition("=")[0]
            if name == "env" and key == "--split-string":
                resolved.extra_code.append(arg.partition("=")[2] if "=" in arg else
                                           texts[index + 1] if index + 1 < len(texts) else "")
            flag = name == "systemd-run" and key in ("--user", "--system")  # no value there
            index += 1 if "=" in arg or flag or key not in _LONG_VALUED else 2
            continue
        elif arg.startswith("-") and len(arg) > 1:
            if not (name == "nice" and arg[1:].isdigit()):
                for offset, letter in enumerate(arg[1:], start=2):
                    if letter in valued:
                        attached = arg[offset:]
                        if name == "env" and letter == "S":
                            resolved.extra_code.append(attached or (
                                texts[index + 1] if index + 1 < len(texts) else ""))
                        index += 0 if attached else 1
                        break
        elif positionals:
            positionals -= 1
        else:
            return index
        index += 1
    return index


def _environment_runner(name: str, texts: list[str], index: int,
                        resolved: Resolved) -> int | None:
    """Index of the command that `npx`, `npm exec`, `uv run`, `poetry run`, `bundle exec`,
    `conda run -n env` … runs in their environment; None when `name` is not such a runner.
    A shell string they are given (`npx -c '…'`) is shell code to inspect."""
    if name in _ENV_RUNNERS:
        index += 1
    elif index + 1 < len(texts) and (name, texts[index + 1]) in _ENV_SUBCOMMANDS:
        index += 2
    else:
        return None
    while index < len(texts) and texts[index].startswith("-"):
        option = texts[index]
        index += 1
        if option == "--":
            break
        if option in ("-c", "--call") and index < len(texts):
            resolved.extra_code.append(texts[index])
        if option in _ENV_RUNNER_VALUED:
            index += 1
    return index


def resolve(texts: list[str], words: list[Word] | None = None) -> Resolved:
    """Looks past assignments and wrappers (sudo, env, nice, xargs …) to the real program."""
    words = words if words is not None else [Word(text) for text in texts]
    resolved = Resolved()
    index = 0
    while index < len(texts):
        text = texts[index]
        if match := _ASSIGN_RE.match(text):
            resolved.assignments.append((match.group(1), text[match.end():]))
            index += 1
            continue
        name = program_name(text)
        if (skip := _environment_runner(name, texts, index, resolved)) is not None:
            index = skip
            continue
        if name not in _WRAPPERS:
            break
        resolved.via_xargs |= name == "xargs"
        resolved.wrapped |= name not in ("command", "builtin", "time", "nohup", "exec", "sudo",
                                         "doas", "pkexec", "chroot") or (
            name == "chroot" and "/" in texts[index + 1:index + 2])  # `chroot / sh` escapes
        index += 1
        if name == "command" and index < len(texts) and texts[index] in ("-v", "-V"):
            resolved.lookup_only = True
            return resolved
        start = index
        index = _skip_wrapper_options(name, texts, index, resolved)
        if name in ("sudo", "doas") and index >= len(texts) and set(texts[start:index]) & {
                "-s", "-i", "--shell", "--login"}:
            texts, words = [*texts, "sh"], [*words, Word("sh")]  # `sudo -s <<< 'cmd'`
        if name in ("nsenter", "unshare") and index >= len(texts) and not set(
                texts[start:index]) & {"-h", "--help", "-V", "--version"}:
            texts, words = [*texts, "sh"], [*words, Word("sh")]  # no command: the user's shell
    if resolved.xargs_replace:
        texts = [text.replace(resolved.xargs_replace, "*") for text in texts]
    if index < len(texts):
        resolved.name = program_name(texts[index])
        resolved.head = words[index]
        resolved.head_text = texts[index]
        resolved.head_index = index
        resolved.args = texts[index + 1:]
        resolved.arg_words = words[index + 1:]
        _python_module(resolved)
    return resolved


def _python_module(resolved: Resolved) -> None:
    """`python -m pytest …` runs pytest: judge it as pytest with the rest as arguments."""
    if resolved.name != "python":
        return
    for index, arg in enumerate(resolved.args):
        if arg == "-m" and index + 1 < len(resolved.args):
            resolved.name = resolved.args[index + 1]
            resolved.args = resolved.args[index + 2:]
            resolved.arg_words = resolved.arg_words[index + 2:]
            return
        if not arg.startswith("-") or arg in ("-c", "-"):
            return


def shell_code(args: list[str]) -> tuple[str | None, bool, str | None]:
    """For `bash ARGS`: (code given with -c, whether code comes from stdin, script file);
    nothing for `bash -n` (`-o noexec`), which only checks the syntax and runs nothing."""
    wants_code, reads_stdin, rest = shell_operands(args)
    if _noexec(args[:len(args) - len(rest)]):
        return None, False, None
    if wants_code:
        return (rest[0] if rest else ""), False, None
    if reads_stdin or not rest or rest[0] in ("-", "/dev/stdin"):
        return None, True, None
    return None, False, rest[0]


def _noexec(options_given: list[str]) -> bool:
    """Whether `-n` (`-o noexec`) is still on after the options, read in order: a later `+n`
    or `+o noexec` turns it off again (`bash -n +n -c CODE` runs CODE)."""
    noexec = False
    for previous, arg in zip(["", *options_given], options_given, strict=False):
        if previous in ("-o", "+o"):
            noexec = previous == "-o" if arg == "noexec" else noexec
        elif re.fullmatch(r"[-+][A-Za-z]*n[A-Za-z]*", arg):
            noexec = arg[0] == "-"
    return noexec


def shell_operands(args: list[str]) -> tuple[bool, bool, list[str]]:
    """For `bash ARGS`: (whether -c was given, whether -s was, the words after the options:
    the code or script, then what becomes `$0`/`$1` …)."""
    index = 0
    wants_code = reads_stdin = False
    while index < len(args):
        arg = args[index]
        if arg in _SHELL_VALUED:
            index += 2
            continue
        if arg == "--":
            index += 1
            break
        if arg[:1] in "-+" and len(arg) > 1:
            wants_code |= not arg.startswith("--") and "c" in arg[1:]
            reads_stdin |= arg == "-s"
            index += 1
            continue
        break
    return wants_code, reads_stdin, args[index:]


def interpreter_code(name: str, args: list[str]) -> tuple[str | None, bool, str | None]:
    """For `python/perl/node … ARGS`: (inline code, reads code from stdin, script file)."""
    flags = _CODE_FLAGS.get(name, ())
    letters = {flag[1] for flag in flags if len(flag) == 2}
    index = 0
    while index < len(args):
        arg = args[index]
        clustered = bool(re.fullmatch(r"-[A-Za-z]+", arg)) and arg[-1:] in letters
        if arg in flags or clustered:
            if name == "pwsh" and args[index + 1:index + 2] == ["-"]:
                return None, True, None  # `-Command -`: the statements come on stdin
            return (args[index + 1] if index + 1 < len(args) else ""), False, None
        if arg[:2] in flags and len(arg) > 2:
            return arg[2:], False, None
        if name == "python" and arg.startswith("-m"):
            return None, False, None
        if arg in ("-", "/dev/stdin"):
            return None, True, None
        index += 2 if arg in _INTERPRETER_VALUED else 1
        if not arg.startswith("-"):
            return None, False, arg
    return None, True, None


# `cmake -E` runs portable versions of shell tools; each maps to the tool it stands for.
_CMAKE_TOOLS = {"rm": ("rm", []), "remove": ("rm", []), "remove_directory": ("rm", ["-r"]),
                "copy": ("cp", []), "copy_directory": ("cp", ["-r"]), "rename": ("mv", []),
                "touch": ("touch", []), "create_symlink": ("ln", ["-s"]), "tar": ("tar", [])}


def tool_equivalent(name: str, args: list[str]) -> tuple[str, list[str]]:
    """A program that runs another tool's job under its own name (`cmake -E rm -rf ~`,
    `toybox rm`), as that tool; anything else unchanged."""
    if name == "cmake" and args[:1] == ["-E"] and args[1:2] and args[1] in _CMAKE_TOOLS:
        tool, extra = _CMAKE_TOOLS[args[1]]
        return tool, [*extra, *args[2:]]
    if name == "toybox" and args:
        return program_name(args[0]), args[1:]
    return name, args


def is_decoder(resolved: Resolved) -> bool:
    """True for commands that turn encoded text back into code (`base64 -d`, `xxd -r`)."""
    name, args = resolved.name, resolved.args
    if name in ("base64", "base32", "basenc"):
        return "--decode" in args or any(a[:1] == "-" and a[1:2] != "-" and set(a[1:]) & {"d", "D"}
                                         for a in args)
    if name == "xxd":
        return any(a[:1] == "-" and "r" in a for a in args)
    if name == "openssl":
        return "-d" in args
    if name in ("gzip", "gunzip", "xz", "unxz", "bzip2", "bunzip2", "zstd", "lzma", "brotli"):
        return name.startswith("un") or name == "gunzip" or "--decompress" in args or any(
            a[:1] == "-" and a[1:2] != "-" and "d" in a for a in args)
    return name in ("uudecode", "zcat", "xzcat", "bzcat", "zstdcat", "lzcat")
