"""Shell commands hidden inside other programs' options: hooks, pagers, editors, recipes.

Why: `git -c core.pager='sh -c …' log`, `tar --checkpoint-action=exec=sh`, `rsync -e 'sh
-c …'`, `vim -c ':!sh'`, `awk 'BEGIN{system("…")}'`, `make --eval=…`, `ssh -o
ProxyCommand=…` and `PAGER=… man ls` all run a command that is not the program named at the
start of the line. The deny list inspects these commands as it inspects `sh -c` code, and
allow rules never cover a command that carries one (a glob cannot see inside them).
"""

from __future__ import annotations

import re
import shlex
from itertools import pairwise

from app.terminal.code_checks import shell_calls
from app.terminal.command_words import options
from app.terminal.editor_escapes import VIM_CODE, gdb_commands, vim_commands, vim_lines
from app.terminal.git_options import git_subcommand
from app.terminal.hook_options import hook_commands

# Variables that load code into whatever program runs next.
CODE_VARIABLES = frozenset({
    "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "PYTHONSTARTUP", "PYTHONPATH", "PERL5OPT",
    "PERL5LIB", "RUBYOPT", "NODE_OPTIONS", "BASH_FUNC", "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_GLOBAL", "GIT_DIR", "GIT_EXEC_PATH", "DYLD_INSERT_LIBRARIES",
})
_GIT_CODE_KEYS = re.compile(
    r"^(?:core\.(?:pager|editor|sshcommand|fsmonitor|askpass|hookspath|gitproxy)|pager\..+|"
    r"sequence\.editor|diff\.external|diff\..+\.(?:textconv|command)|filter\..+|merge\..+\.driver|"
    r"alias\..+|credential\.helper|gpg\.(?:.+\.)?program|uploadpack\.packobjectshook|"
    r"include\.path|includeif\..+|web\.browser|browser\..+\.cmd|man\..+\.cmd|"
    r"sendemail\..+|remote\..+\.(?:uploadpack|receivepack|proxy)|protocol\..+)$", re.I)
_SSH_CODE_KEYS = re.compile(r"^(?:proxycommand|localcommand|knownhostscommand|"
                            r"permitlocalcommand|remotecommand|match|\w*_command|\w*_cmd)\b",
                            re.I)
_AWK_CALLS = re.compile(r"\bsystem\s*\(\s*(\"(?:[^\"\\]|\\.)*\")|(\"(?:[^\"\\]|\\.)*\")\s*\|&?"
                        r"\s*getline|\|&?\s*(\"(?:[^\"\\]|\\.)*\")")
_AWK_HIDDEN = re.compile(r"\bsystem\s*\(|\|&?\s*getline|print[^;}]*\|")
CONSOLES = {"sqlite3": re.compile(r"\s*\.(?:shell|system)\s+(.*)"),
            "psql": re.compile(r"\s*\\!\s*(.+)"),
            "mysql": re.compile(r"\s*(?:system|\\!)\s+(.*)"),
            "mariadb": re.compile(r"\s*(?:system|\\!)\s+(.*)"),
            "ed": re.compile(r"\s*!\s*(.+)"), "lftp": re.compile(r"(?:.*;)?\s*!\s*(.+)"),
            # File-transfer and remote-shell clients: a line starting `!` runs a local shell.
            **{client: re.compile(r"\s*!\s*(.+)") for client in (
                "ftp", "sftp", "tftp", "ncftp", "pftp", "netkit-ftp", "tnftp", "smbclient",
                "cadaver", "telnet", "psftp", "yafc")},
            "ghci": re.compile(r"\s*:!\s*(.+)"),
            "gnuplot": re.compile(r"\s*!\s*(.+)"), "dc": re.compile(r".*?!(?![<>=])\s*(.+)")}
# Long options named for the command they run: `--script-shell`, `--sendmail-cmd`,
# `--ssh-command`, `--pager`, `--post-hook`, `--exec`, Go's `-exec` and `-toolexec`,
# Bazel's `--run_under` …
_COMMAND_OPTION = re.compile(r"^--(?:[\w-]+-)?(?:cmd|command|exec|toolexec|shell|pager|editor|"
                             r"askpass|browser|hook|rsh|runner|handler|launcher|wrapper|"
                             r"run_under)$")
_SED_EXEC = re.compile(r"(?:^|[;\n{}])\s*(?:\d+|\$|/[^/]*/)?(?:,\s*(?:\d+|\$|/[^/]*/))?"
                       r"\s*!?\s*e\s+([^;\n}]+)")
_SED_HIDDEN = re.compile(r"(?:^|[;\n{}])\s*[\d$,/!]*\s*e\s*(?:$|[;}\n])|s(.).*?\1.*?\1[gpiImM\d]*e")


# Programs whose one-dash actions (`find -exec CMD {} ;`) their own readers take apart.
_OWN_ACTIONS = frozenset({"find"})


def _option_values(args: list[str], names: tuple[str, ...]) -> list[str]:
    """Values of `-x V`, `-xV`, `--name V` and `--name=V` for each option in `names`."""
    values: list[str] = []
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                values.append(args[index + 1])
            elif name.startswith("--") and arg.startswith(name + "="):
                values.append(arg[len(name) + 1:])
            elif not name.startswith("--") and arg.startswith(name) and len(arg) > len(name) \
                    and len(name) == 2:
                values.append(arg[2:])
    return values


def _git(args: list[str]) -> list[str]:
    commands = []
    for setting in _option_values(args, ("-c",)) + _option_values(args, ("--config-env",)):
        key, _, value = setting.partition("=")
        if _GIT_CODE_KEYS.match(key.strip()):
            commands.append(value.removeprefix("!") or "sh")
    sub = next(iter(git_subcommand(args)), "")
    # Transports that run a command: an `ext::` remote (`% ` is a space in it), and the
    # program a fetch or push starts on the other side (`--upload-pack`, `-u`).
    commands += [_ext_command(arg) for arg in args if arg.startswith("ext::")]
    if sub in ("clone", "fetch", "pull", "push", "ls-remote", "archive", "remote"):
        commands += _option_values(args, ("--upload-pack", "--receive-pack", "--exec", "-u"))
    if sub == "config":
        commands += _git_config_commands(args[args.index("config") + 1:])
    if sub == "rebase":
        commands += _option_values(args, ("-x", "--exec"))
    elif sub == "difftool":
        commands += _option_values(args, ("-x", "--extcmd"))
    elif sub == "grep":
        commands += _option_values(args, ("-O", "--open-files-in-pager"))
    elif sub in ("bisect", "submodule") and {"run", "foreach"} & set(args):
        marker = "run" if "run" in args else "foreach"
        commands.append(" ".join(args[args.index(marker) + 1:]))
    elif sub == "filter-branch":
        commands += _option_values(args, ("--tree-filter", "--index-filter", "--msg-filter",
                                          "--env-filter", "--commit-filter",
                                          "--parent-filter", "--tag-name-filter"))
    return commands


def _ext_command(url: str) -> str:
    """The command of a git `ext::` remote: `%` escapes a space or itself; `%s`, `%S` and
    `%G` are git's own fill-ins."""
    return re.sub(r"%(.)", lambda m: {" ": " ", "%": "%"}.get(m.group(1), ""),
                  url.removeprefix("ext::"))


_GIT_CONFIG_VALUED = frozenset({"-f", "--file", "--blob", "-t", "--type", "--default",
                                "--comment", "--value"})


def _git_config_commands(args: list[str]) -> list[str]:
    """`git config [--global] alias.x '!…'`, `core.pager 'sh -c …'`: the value of a key git
    runs as a command is that command, set in any scope; only a key and value both given
    set anything (`--get`, `--unset` read or remove)."""
    positional, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in _GIT_CONFIG_VALUED:
            skip = True
        elif arg in ("--get", "--get-all", "--unset", "--unset-all", "-l", "--list", "get",
                     "unset", "list", "--remove-section", "remove-section"):
            return []
        elif not arg.startswith("-"):
            positional.append(arg)
    if positional[:1] == ["set"]:
        positional = positional[1:]
    if len(positional) >= 2 and _GIT_CODE_KEYS.match(positional[0]):
        return [positional[1].removeprefix("!") or "sh"]
    return []


def _tar(args: list[str]) -> list[str]:
    commands = [v.partition("=")[2] for v in _option_values(args, ("--checkpoint-action",))
                if v.startswith("exec=")]
    return commands + _option_values(args, ("--to-command", "--use-compress-program", "-I",
                                            "--info-script", "--new-volume-script", "-F",
                                            "--rsh-command"))


def _ssh(args: list[str]) -> list[str]:
    commands = []
    for setting in _option_values(args, ("-o",)):
        key, _, value = setting.partition("=") if "=" in setting else setting.partition(" ")
        if _SSH_CODE_KEYS.match(key) and key.lower() != "permitlocalcommand":
            commands.append(value)
    return commands + _option_values(args, ("-S",))


def awk_program(args: list[str]) -> str | None:
    """The program text of an awk call (`-f file` programs cannot be read here)."""
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg in ("-f", "--file"):
            return None
        if arg in ("-F", "-v", "--assign", "--field-separator"):
            skip = True
            continue
        if arg.startswith("-") and arg != "-":
            continue
        return args[index]
    return None


def awk_normalise(program: str) -> str:
    """`ENVIRON["HOME"]` becomes `"~"` and adjacent strings are joined (awk's concatenation),
    so `system("rm -rf " ENVIRON["HOME"])` reads as `system("rm -rf ~")`."""
    program = re.sub(r"ENVIRON\s*\[\s*\"HOME\"\s*\]", '"~"', program)
    return re.sub(r"\"\s+\"|\"\"", "", program)


def awk_writes(program: str) -> list[str]:
    """Files an awk program prints into: `print … > "file"`, `printf … >> ("~" "/x")`."""
    return re.findall(r"\bprintf?\b[^;}]*?>>?\s*\(?\s*\"((?:[^\"\\]|\\.)*)\"",
                      awk_normalise(program))


def awk_commands(program: str) -> list[str]:
    """Literal commands an awk program runs: `system("…")`, `"…" | getline`, `print | "…"`."""
    program = awk_normalise(program)
    found = []
    for match in _AWK_CALLS.finditer(program):
        literal = next(group for group in match.groups() if group)
        found.append(literal[1:-1].replace('\\"', '"'))
    for name in set(re.findall(r"\bsystem\s*\(\s*([A-Za-z_]\w*)\s*\)", program)):
        found += re.findall(rf"\b{name}\s*=\s*\"((?:[^\"\\]|\\.)*)\"", program)
    return found


def sed_script(args: list[str]) -> str:
    """Every sed script given on the command line (`-e` values or the first positional)."""
    scripts = _option_values(args, ("-e", "--expression"))
    if scripts:
        return "\n".join(scripts)
    positional = [a for a in args if not a.startswith("-")]
    return positional[0] if positional else ""


def make_recipes(text: str) -> list[str]:
    """The shell lines in makefile text: tab-indented recipe lines and `$(shell …)` calls."""
    lines = text.replace(";", "\n\t", 1).splitlines() if ":" in text else []
    return [line.strip().lstrip("@-+") for line in lines if line.startswith("\t")] + \
        re.findall(r"\$[({]shell\s+([^)}]*)[)}]", text)


def make_overrides(args: list[str]) -> list[str]:
    """Command lines given to make as variables (`SHELL='sh -c "…" #'`, `CC='sh -c …'`):
    make runs them for its recipes, with `$$` read as `$`. A value of one word (`SHELL=
    /bin/bash`, `CC=clang`) or of options (`CFLAGS='-O2 -g'`) only picks a tool or flags."""
    values = [arg.partition("=")[2] for arg in args
              if re.match(r"[A-Za-z_][\w.]*:?=", arg) and not arg.startswith("-")]
    return [value.replace("$$", "$") for value in values
            if re.search(r"\S\s+\S", value) and not value.lstrip().startswith("-")]


def input_commands(name: str, args: list[str], fed: str) -> list[str]:
    """Shell commands in what a program reads and runs: a console's escapes, and each line
    `sed` runs with `e` (bare, or `s/…/…/e`: the pattern space is the command)."""
    if name in CONSOLES:
        return console_escapes(name, fed)
    script = sed_script(args) if name == "sed" else ""
    if not _SED_HIDDEN.search(script):
        return []
    lines = fed.splitlines()
    for match in re.finditer(r"s(.)(.*?)\1(.*?)\1[gpiImM\d]*e", script):
        try:
            lines = [re.sub(match.group(2), match.group(3).replace("&", r"\g<0>"), line,
                            count=1) for line in lines]
        except (re.error, IndexError):
            continue
    return lines


def console_escapes(name: str, text: str) -> list[str]:
    """Shell commands in what a database console reads: sqlite3 `.shell`/`.system`, psql
    `\\!`, mysql `system`/`\\!` — given as arguments or fed on its input."""
    return [m.group(1) for line in text.splitlines() if (m := CONSOLES[name].match(line))]


_TMUX_STARTS = frozenset({"new", "new-session", "new-window", "neww", "split-window", "splitw",
                          "respawn-pane", "send-keys", "send", "run-shell", "run"})


# GNU parallel's replacement strings: `{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{1}` …
_PARALLEL_SLOT = re.compile(r"\{(?:\d*|\.|/|//|/\.)\}")


def _join(words: list[str]) -> str:
    """Words back into a command line, quoting only what the shell would split or change."""
    return " ".join(w if re.fullmatch(r"[\w@%+=:,./~$-]+", w) else shlex.quote(w) for w in words)


def _session_commands(name: str, args: list[str]) -> list[str]:
    """Commands started by `tmux new -d 'cmd'`, `screen -dm cmd …` or `parallel cmd ::: args`
    (each argument put where `{}` is, or appended, as parallel does)."""
    if name == "parallel":
        if ":::" not in args:
            return []
        split = args.index(":::")
        command = " ".join(options(args[:split], valued="jSPEXIaNn",
                                   stop_at_positional=True)[2])  # run by a shell as one line
        return [(_PARALLEL_SLOT.sub(lambda _m, v=value: v, command) if _PARALLEL_SLOT.search(
            command) else f"{command} {value}") if command else value
            for value in args[split + 1:]]
    if name == "screen":
        command = options(args, valued="SpcTtehlL", stop_at_positional=True)[2]
        return [_join(command)] if command else []
    verbs = [i for i, a in enumerate(args) if a in _TMUX_STARTS]
    if not verbs:
        return []
    words = options(args[verbs[0] + 1:], valued="cFnsStxyelLpPT")[2]
    return [w for w in words if w not in ("Enter", "C-m")]


def hidden_commands(name: str, args: list[str],
                    environment: list[tuple[str, str]] | None = None) -> list[str]:
    """Shell commands that `name` with `args` (and `environment`, the variables set for it:
    make reads them as its own) would run besides its own work: the program's own hooks,
    and any long option whose name says its value is a command (`--script-shell=`,
    `--sendmail-cmd=`, `--ssh-command`, `--post-hook` …), whatever the program, and what
    it runs by its own conventions (`hook_options`)."""
    return _program_commands(name, args, environment) + hook_commands(name, args) + [
        value for option, value in _long_options(args, one_dash=name not in _OWN_ACTIONS)
        if _COMMAND_OPTION.match(option)]


def _long_options(args: list[str], one_dash: bool = False) -> list[tuple[str, str]]:
    """(`--name`, value) for `--name=value`, and for `--name value` when the value is not an
    option itself; with `one_dash`, a one-dash word (`-exec`, `-toolexec=…`, as Go's tools
    spell them) is read as a long option too."""
    if one_dash:
        args = ["-" + a if re.match(r"-[a-z][\w-]{2,}(?:=|$)", a) else a for a in args]
    found = [(a.partition("=")[0], a.partition("=")[2]) for a in args
             if a.startswith("--") and "=" in a]
    return found + [(a, b) for a, b in pairwise(args)
                    if a.startswith("--") and "=" not in a and not b.startswith("-")]


def _program_commands(name: str, args: list[str],
                      environment: list[tuple[str, str]] | None) -> list[str]:
    if name == "git":
        return _git(args)
    if name == "tar":
        return _tar(args)
    if name == "rsync":
        return _option_values(args, ("-e", "--rsh", "--rsync-path"))
    if name in ("ssh", "scp", "sftp", "sshfs"):
        return _ssh(args)
    if name in ("man", "journalctl"):
        return _option_values(args, ("-P", "--pager", "-H", "--html"))
    if name in ("vim", "vi", "nvim", "view", "ex", "vimdiff", "rvim", "gvim"):
        return vim_commands(args)
    if name == "gdb":
        return gdb_commands(args)
    if name == "lldb":  # `-o 'platform shell CMD'`, `-o 'script CODE'` (Python)
        lines = _option_values(args, ("-o", "--one-line", "-O", "--one-line-before-file"))
        return [m.group(1) for line in lines if (m := re.match(
            r"\s*(?:platform\s+shell|shell)\s+(.+)", line))] + [
            call for line in lines if line.strip().startswith("script")
            for call in shell_calls(line.strip().removeprefix("script"))]
    if name in ("less", "more", "most"):
        return [a.lstrip("+")[1:] or "sh" for a in args if a.lstrip("+").startswith("!")]
    if name in ("awk", "gawk", "mawk", "nawk"):
        program = awk_program(args)
        return awk_commands(program) if program else []
    if name == "sed":
        return [m.group(1) for m in _SED_EXEC.finditer(sed_script(args))]
    if name == "make":
        return [r for text in _option_values(args, ("--eval", "-E")) for r in make_recipes(text)
                ] + make_overrides([*(f"{k}={v}" for k, v in environment or []), *args])
    if name in ("tmux", "screen", "parallel"):
        return _session_commands(name, args)
    if name in CONSOLES:
        return [found for arg in args for found in console_escapes(name, arg)]
    if name == "zip":
        return _option_values(args, ("-TT", "--unzip-command"))
    if name in ("npm", "pnpm") and args[:2] == ["pkg", "set"]:  # run by `npm install` …
        return [a.partition("=")[2] for a in args[2:] if a.startswith("scripts.")]
    if name == "socat":  # `EXEC:cmd,pty`, `SYSTEM:'cmd'`: the program at the other end
        return [m.group(1) for a in args if (m := re.match(r"(?i)(?:exec|system):(.+?)(?:,\w+"
                                                           r"(?:=\S*)?)*$", a))]
    if name == "start-stop-daemon":
        programs = _option_values(args, ("--exec", "-x", "--startas", "-a"))
        after = args[args.index("--") + 1:] if "--" in args else []
        return [" ".join([programs[-1], *after])] if programs else []
    if name in ("gsettings", "dconf") and len(args) >= 3 and re.search(
            r"(?:^|[./-])(?:command|exec|binding-command)$", args[-2]):
        return [args[-1].strip("'\"")]  # a key binding's or default app's command
    if name == "rg":
        return _option_values(args, ("--pre",))
    if name == "tcpdump":
        return _option_values(args, ("-z",))
    if name == "expect":
        return [m.group(1) for code in _option_values(args, ("-c",))
                for m in re.finditer(r"\b(?:spawn|exec)\s+([^;\n]+)", code)]
    if name in ("apt", "apt-get"):
        return [v.partition("=")[2] for v in _option_values(args, ("-o",))
                if "invoke" in v.partition("=")[0].lower()]
    return []


def runner_code(name: str, args: list[str]) -> str | None:
    """The command string that eval, watch, ssh, su, sg, script, trap or flock will run."""
    if name == "eval":
        return " ".join(args)
    if name == "trap":
        return args[0] if args and not args[0].startswith("-") else None
    if name == "newgrp":
        return None
    if name == "sg":  # `sg [-] GROUP [-c] COMMAND`: the command goes to `sh -c`
        words = [arg for arg in args if arg != "-"][1:]
        return " ".join(words[1:] if words[:1] == ["-c"] else words) or None
    if name in ("su", "runuser", "script", "flock"):
        for index, arg in enumerate(args):
            if (arg == "--command" or re.fullmatch(r"-[A-Za-z]*c", arg)) and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith("--command="):
                return arg.partition("=")[2]
        return " ".join(options(args, valued="wE", stop_at_positional=True)[2][1:]) or None \
            if name == "flock" else None
    valued = "bcDEeFIiJLlmOopQRSWw" if name == "ssh" else "nqd"
    rest = options(args, valued=valued, stop_at_positional=True)[2]
    return " ".join(rest[1:] if name == "ssh" else rest) or None


def hides_command(name: str, args: list[str]) -> bool:
    """True when a command runs code Flywheel cannot read out (`awk` calling `system(x)`,
    `sed 's/…/…/e'`), so no allow rule may cover it."""
    if name in ("awk", "gawk", "mawk", "nawk"):
        program = awk_program(args)
        return program is None or bool(_AWK_HIDDEN.search(program)) or "/inet/" in program
    if name == "sed":
        script = sed_script(args)
        return bool(_SED_HIDDEN.search(script) or _SED_EXEC.search(script)) or bool(
            re.search(r"(?:^|[;\n}])\s*[\d$,/!]*\s*[wW]\s+\S", script))
    if name in ("vim", "vi", "nvim", "view", "ex", "gvim"):
        return any(VIM_CODE.search(line) for line in vim_lines(args))
    return bool(hidden_commands(name, args))
