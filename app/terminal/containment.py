"""What an allow rule can never cover: the parts of a command that reach outside it.

Why: a rule such as `ls *` or `pytest *` is a glob over the program and its arguments, and
the user means "this program, doing its usual work". It cannot see that `ls > ~/.bashrc`
overwrites a start-up file, that `git diff --output=$HOME/.bashrc` writes one, that
`pytest --basetemp=$HOME` empties the home folder, or that `git -c core.pager='sh -c …'
log` runs a shell. So a simple command that carries any of these is never auto-run by a
rule, whatever the glob says; it falls back to a click, and the card says which part the
rule does not cover. Each finding is a short phrase for "your rule `X` does not cover …".
"""

from __future__ import annotations

import re

from app.terminal.code_variables import is_code_variable
from app.terminal.command_words import (
    INTERPRETERS,
    SHELLS,
    Resolved,
    interpreter_code,
    program_name,
    shell_code,
)
from app.terminal.embedded_code import CODE_VARIABLES, CONSOLES, hides_command
from app.terminal.nested_commands import container_mounts
from app.terminal.shell_syntax import Command

# Long options whose value is written to, loaded as code, or run as a command.
_REACHING_OPTION = re.compile(
    r"^--(?:[\w-]*(?:output|outfile|out-file|outdir|out-dir|log|basetemp|junit-?xml|"
    r"result-?log|report-log|dump|save|dest|destination|prefix|target|install|directory|"
    r"exec|command|cmd|hook|pager|editor|shell|script|program|eval|rsh|proxy|action|plugin|"
    r"preload|require|import|rcfile|init-file|config|upload|post-file|body-file|data|form|"
    r"rsync-path|receive-pack|upload-pack|ext-diff|textconv|open-files-in-pager|"
    r"paginate|library|rootdir|cache-dir|tmpdir|temp-dir|socket|git-dir|work-tree|"
    r"template|[Rr]unner|[Ll]auncher|[Ww]rapper|run_under|[Ss]etup|toolexec)[\w-]*)$")
# Short options that give code, a file to write, or a configuration that can run commands,
# for programs not known to use these letters harmlessly.
_REACHING_SHORT = "oceOIFxTSP"
# Programs that only read and print, where -c/-e/-o/-x/... are harmless (counts, patterns,
# only-matching, formats); their long options are still checked.
READERS = frozenset({
    "grep", "egrep", "fgrep", "rg", "ag", "ls", "wc", "head", "tail", "cat", "du", "df", "ps",
    "echo", "cut", "uniq", "tr", "diff", "nl", "stat", "date", "file", "uname", "id", "pwd",
    "free", "which", "whoami", "hostname", "realpath", "basename", "dirname", "seq", "printf",
    "test", "[", "true", "false", "jq", "column", "fold", "fmt", "od", "xxd", "hexdump", "pgrep",
    "tac", "rev", "paste", "join", "comm", "expand", "numfmt", "sha256sum", "md5sum",
    "sha1sum", "b2sum", "cksum", "lsblk", "blkid", "mount", "findmnt", "uptime", "top", "htop",
    "lsof", "ss", "netstat", "ip", "env", "printenv", "locale", "type", "command", "less",
    "more", "cargo", "go", "npm", "mkdir", "cp", "mv", "ln", "sed", "make", "rm", "touch",
})
# The letters that still reach outside for some programs: the rest of their letters are
# harmless (`sort -o` writes a file, `git -c` sets a hook, `tar -I` runs a program).
_LETTERS = {**dict.fromkeys(READERS, ""), "sort": "o", "tree": "o", "git": "c", "env": "S",
            "tar": "IFTP", "pytest": "opc", "py.test": "opc", "make": "fE", "ssh": "oFS",
            "scp": "oFS", "zip": "T", "curl": "oOKTdFDc", "wget": "oOePa"}
# Programs that only read the paths they are given. Any other program given a path outside
# the working folder (absolute, in home, `..`, hidden in a variable) as an argument or an
# option's value may write there (`make -C ~`, `go build -o ~/.local/bin/ls`, `scp h:x
# ~/.bashrc`, `docker run -v ~/.ssh:/s`, `python -m venv ~`): not the rule's to cover.
_CONTAINERS = frozenset({"docker", "podman", "nerdctl"})
_PATH_READERS = frozenset({
    "ls", "cat", "head", "tail", "wc", "du", "df", "stat", "file", "diff", "less", "more", "grep",
    "egrep", "fgrep", "rg", "ag", "tree", "jq", "realpath", "readlink", "basename", "dirname",
    "which", "echo", "printf", "md5sum", "sha256sum", "sha1sum", "b2sum", "cksum", "od", "xxd",
    "hexdump", "nl", "column", "cut", "cmp", "comm", "find", "locate", "fd", "bat", "exa", "eza",
    "lsd", "getfacl", "lsattr", "namei", "test", "[", "pwd", "type", "command", "lsblk",
    "blkid", "findmnt", "strings", "tac", "rev", "fold", "fmt", "expand", "paste", "join",
})
# Database console commands that write files, load code or run a shell (`.tables` does not).
_CONSOLE_REACHES = re.compile(
    r"^\s*(?:\.(?:output|once|save|backup|excel|log|shell|system|load|read|cd|open|restore|"
    r"clone|import)|\\(?:o|out|w|write|gx?|copy|!|ir?|include|T)|system|tee)\b", re.M)
_PACKAGE_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun", "pip", "pip3", "uv", "poetry",
                               "gem", "cargo", "go", "pipx", "composer", "conda", "mamba"})
_CONFIG_WRITES = frozenset({"set", "edit", "delete", "rm", "unset", "add", "remove"})
_GLOBAL_FLAGS = frozenset({"-g", "--global", "--user", "--system", "--root"})
_GLOBAL_VERBS = frozenset({("cargo", ("install",)), ("go", ("install",)), ("pipx", ("install",)),
                           ("gem", ("install",)), ("uv", ("tool",)), ("composer", ("global",))})
_SERVICE_CHANGES = frozenset({"start", "stop", "restart", "reload", "enable", "disable", "mask",
                              "unmask", "link", "edit", "set-property", "kill", "isolate",
                              "daemon-reload", "set-default", "preset", "revert", "reenable"})
_ACCOUNT_VERBS = frozenset({(name, (verb,)) for name in ("npm", "pnpm", "yarn") for verb in (
    "link", "adduser", "login", "logout", "publish", "unpublish", "deprecate", "owner", "token",
    "access", "team")})
_CODE_ADDRESS = re.compile(r"^(?:https?://|git\+|git://|github:|gitlab:|bitbucket:|ssh://)")
_SAFE_REDIRECT_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})
_CODE_RUNNERS = frozenset({"eval", "source", ".", "exec", "ssh", "su", "sudo", "doas", "pkexec",
                           "watch", "script", "trap", "flock", "at", "batch", "crontab",
                           "xargs", "parallel", "nohup", "setsid", "systemd-run", "expect"})


def _redirects(command: Command) -> list[str]:
    found = []
    for redirect in command.redirects:
        target = redirect.target.text
        if redirect.op in (">&", "<&") and (target.isdigit() or target == "-"):
            continue
        if target in _SAFE_REDIRECT_TARGETS:
            continue
        found.append(f"the redirection `{redirect.op} {target}`")
    if command.stdin_text is not None:
        found.append("the here-document (text fed to the command)")
    return found


def _substitutions(command: Command) -> list[str]:
    found = []
    for word in command.words + [r.target for r in command.redirects]:
        for inner in word.substitutions:
            kind = "process substitution" if word.process_substitution else \
                "command substitution"
            shown = inner if len(inner) <= 40 else inner[:37] + "…"
            found.append(f"the {kind} `{shown}`")
    return found


def _outside(arg: str) -> bool:
    value = arg.partition("=")[2] if arg.startswith("-") and "=" in arg else arg
    value = re.sub(r"^\$\{?PWD\}?", ".", value)
    return value.startswith(("/", "~", "$", "..")) or "/../" in value or "$" in value


def _options(name: str, args: list[str]) -> list[str]:
    found = []
    letters = _LETTERS.get(name, _REACHING_SHORT)
    if name == "tar" and args and not args[0].startswith("-"):  # `tar xPf`: old-style letters
        args = ["-" + args[0], *args[1:]]
    for arg in args:
        if arg == "--":
            break
        if arg.startswith("--"):
            key = arg.partition("=")[0]
            if _REACHING_OPTION.match(key) and not key.startswith("--no-"):
                found.append(f"the option `{arg}`")
        elif arg.startswith("-") and len(arg) > 1:
            cluster = re.match(r"[A-Za-z]*", arg[1:]).group()
            if any(letter in letters for letter in cluster):
                found.append(f"the option `{arg}` (code, hooks or an output file)")
    for arg in args:
        variable = arg.partition("=")[0] if re.match(r"^[A-Za-z_.][\w.]*=", arg) else ""
        if is_code_variable(variable) or variable in CODE_VARIABLES or \
                variable in ("SHELL", ".SHELLFLAGS", "MAKESHELL"):
            found.append(f"the setting `{arg}` (it makes the program run other code)")
    if name not in _PATH_READERS:
        paths = args
        if name in _CONTAINERS and {"run", "create", "exec"} & set(args):
            paths = list(container_mounts(args).values())  # the rest are the container's
        outside = [a for a in paths if _outside(a) and a not in _SAFE_REDIRECT_TARGETS]
        found += [f"the path `{a}` outside the working folder" for a in outside[:2]]
    return found


def _code(resolved: Resolved) -> list[str]:
    name, args = resolved.name, resolved.args
    if name in SHELLS:
        code, reads_stdin, _script = shell_code(args)
        if code is not None or reads_stdin:
            return [f"the shell code run by `{name}`"]
    if name in INTERPRETERS:
        code, reads_stdin, _script = interpreter_code(name, args)
        if code is not None or reads_stdin:
            return [f"the {name} code given on the command line"]
    if name in _CODE_RUNNERS or resolved.via_xargs:
        return [f"the command run through `{name if not resolved.via_xargs else 'xargs'}`"]
    if name == "find" and set(args) & {"-exec", "-execdir", "-ok", "-okdir", "-delete",
                                        "-fprint", "-fprintf", "-fprint0", "-fls"}:
        return ["find's `-exec`/`-delete`/`-fprint` action"]
    if hides_command(name, args):
        return [f"the commands `{name}` is told to run (hooks, pagers, escapes)"]
    if name in CONSOLES and any(_CONSOLE_REACHES.match(a) for a in args):
        return [f"the console commands given to `{name}` (they can write files or run a shell)"]
    return []


def _package_reach(name: str, args: list[str]) -> list[str]:
    """What a package manager writes outside the project: its user or system settings
    (`npm config set …`), a global install (`-g`, `--user`, `cargo install`), a package
    fetched from an address (`npm i https://…`, `pip install git+https://…`)."""
    if name == "git" and "config" in args and {"--global", "--system"} & set(args):
        return ["`git config --global|--system` (settings outside the working folder)"]
    if name in ("systemctl", "service", "loginctl") and set(args) & _SERVICE_CHANGES:
        return [f"the services `{name}` would change (outside the working folder)"]
    if name not in _PACKAGE_MANAGERS:
        return []
    words = [arg for arg in args if not arg.startswith("-")]
    found = []
    if (words[:1] == ["config"] and words[1:2] and words[1] in _CONFIG_WRITES) or (
            words[:1] == ["set"] and name in ("npm", "pnpm", "yarn")):
        found.append(f"`{name} {' '.join(words[:2])}` (settings outside the working folder)")
    if (name, tuple(words[:1])) in _ACCOUNT_VERBS:
        found.append(f"`{name} {words[0]}` (it acts on your account or links outside the "
                     "working folder)")
    if _GLOBAL_FLAGS & set(args) or any(a.startswith("--location=g") for a in args) or (
            (name, tuple(words[:1])) in _GLOBAL_VERBS):
        found.append("a global install (outside the working folder)")
    if any(_CODE_ADDRESS.match(word) for word in words):
        found.append(f"the package fetched from an address by `{name}`")
    return found


def uncovered(command: Command, resolved: Resolved) -> tuple[str, ...]:
    """The parts of a simple command that no allow rule may cover; () when a rule may."""
    found = _redirects(command) + _substitutions(command)
    for variable, _value in resolved.assignments:
        if is_code_variable(variable) or variable in CODE_VARIABLES:
            found.append(f"the setting `{variable}=…` (it makes the program run other code)")
    if resolved.name:
        found += _code(resolved) + _options(resolved.name, resolved.args)
        found += _package_reach(resolved.name, resolved.args)
    prefix = [w.text for w in command.words[:resolved.head_index]
              if not re.match(r"\w+=", w.text)]
    if prefix:  # a wrapper's own options: `strace -o FILE cmd`, `env -S '…'`
        found += _options(program_name(prefix[0]), prefix[1:])
    return tuple(dict.fromkeys(found))
