"""Command lines carried inside another program's arguments.

Why: many programs run the rest of their arguments as a command — `runuser -u root -- mkfs…`,
`cmake -E env rm -rf ~`, `bwrap --bind / / rm -rf ~`, `machinectl shell .host /bin/sh -c …`,
`flatpak-spawn --host …`, `distrobox enter -- …`, `docker run IMAGE sh -c …` — and the list
of such launchers never ends. The rule here is general: in the arguments of a program that
does not merely print or look up text, a word naming a program the deny list has rules for
(or a shell) starts a command, which is judged like any other. A container's folders mounted
from the host (`-v "$HOME":/h`) are read as the host folders they are.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from itertools import pairwise

from app.terminal.command_words import INTERPRETERS, SHELLS, program_name
from app.terminal.network_checks import FILE_SENDERS

# Programs whose arguments are text, names or patterns, never a command they run.
_TEXT_ONLY = frozenset({
    "echo", "printf", "grep", "egrep", "fgrep", "rg", "ag", "ack", "man", "info", "whatis",
    "apropos", "help", "tldr", "which", "whereis", "type", "command", "hash", "git", "hg",
    "svn", "apt", "apt-get", "apt-cache", "dpkg", "dnf", "yum", "zypper", "pacman", "brew",
    "pip", "pipx", "npm", "yarn", "pnpm", "cargo", "gem", "snap", "flatpak", "sed", "awk",
    "gawk", "tr", "cut", "sort", "uniq", "wc", "cat", "less", "head", "tail", "ls", "find",
    "locate", "fd", "alias", "unalias", "complete", "compgen", "systemctl", "journalctl",
    "kill", "pkill", "pgrep", "killall", "ps", "time", "test", "[", "[[", "export", "declare",
    "local", "set", "unset", "read", "history", "fc", "trap", "mkdir", "touch", "cp", "mv",
    "ln", "rm", "chmod", "chown", "tar", "zip", "unzip", "diff", "xargs", "eval", "exec",
    "sudo", "doas", "env", "nice", "nohup", "timeout", "watch", "ssh", "su",
    "script", "flock", "at", "batch", "parallel", "tmux", "screen", "make", "crontab", "getent",
    "id", "groups", "finger", "ansible",
})
_VOLUME_OPTIONS = frozenset({"-v", "--volume"})
_SHELL_STRING_OPTIONS = frozenset({"-e", "-x", "--command", "--execute"})
_RUNS_ARGUMENTS = frozenset({"hyperfine", "wtype"})
_TYPES_TEXT = frozenset({("xdotool", "type"), ("ydotool", "type"), ("dotool", "type")})


def container_mounts(args: list[str]) -> dict[str, str]:
    """Container folder → host folder, for `-v HOST:CONTAINER` and `--mount
    type=bind,source=HOST,target=CONTAINER`."""
    specs = [b for a, b in pairwise(args) if a in _VOLUME_OPTIONS]
    specs += [a.partition("=")[2] for a in args if a.startswith(("--volume=", "-v="))]
    mounts = {}
    for spec in specs:
        host, _sep, inside = spec.partition(":")
        if inside:
            mounts[inside.split(":")[0].rstrip("/") or "/"] = host
    for arg in args:
        if "source=" in arg and "target=" in arg:
            fields = dict(part.partition("=")[::2] for part in arg.split(","))
            mounts[fields.get("target", "").rstrip("/")] = fields.get("source", "")
    return {inside: host for inside, host in mounts.items() if inside and host}


def _host_paths(text: str, mounts: dict[str, str]) -> str:
    """A command run in a container with its mounted folders written as the host's."""
    for inside, host in sorted(mounts.items(), key=lambda item: -len(item[0])):
        text = re.sub(rf"(?<![\w/.~-]){re.escape(inside)}(?=/|\s|$|['\"])", host, text)
    return text


def _program_path(word: str) -> bool:
    """A bare name, or a path in a folder programs live in (`/usr/bin/rm`, `~/.local/bin/x`):
    `~/.vnc/passwd` or `./data/rm` given as an option's value is a file, not a command."""
    folder = word.rpartition("/")[0]
    return "/" not in word or folder.endswith("bin") or "$" in folder


def _shell_string(name: str, args: list[str]) -> str | None:
    """A command line given as one word to a launcher's `-e`/`-x`/`--command` (`xterm -e
    'rm -rf ~'`, `entr -s '…'`), or to a shell after `-- -c` (`capsh -- -c '…'`)."""
    if name in _RUNS_ARGUMENTS or (name, *args[:1]) in _TYPES_TEXT:
        # `hyperfine 'cmd'` runs each argument as a command line; `xdotool type 'cmd'`
        # types it into the window in front, a terminal as like as not.
        words = args[1:] if (name, *args[:1]) in _TYPES_TEXT else args
        lines = [w for w in words if not w.startswith("-") and " " in w.strip()]
        return "; ".join(lines) or None
    options = _SHELL_STRING_OPTIONS | ({"-s"} if name == "entr" else set())
    for flag, value in pairwise(args):
        if flag in options and " " in value.strip() and name not in INTERPRETERS:
            return value
    for before, flag, value in zip(args, args[1:], args[2:], strict=False):
        if before == "--" and flag == "-c":
            return value
    return None


_CONTAINER_RUNNERS = frozenset({"docker", "podman", "nerdctl", "finch"})
# Programs whose changes stay inside the network namespace they run in.
_NAMESPACE_LOCAL = frozenset({"iptables", "ip6tables", "nft", "iptables-restore", "tc"})
# Besides the programs the deny list has rules for: those that carry a file's content to
# another machine (a key folder mounted into a container is sent from there: `docker run
# -v ~/.aws:/a alpine wget --post-file=/a/credentials …`), and nsenter, which enters another
# process's namespaces (`kubectl exec … -- nsenter -t 1 … sh` is a shell on the host).
_ALSO_COMMANDS = FILE_SENDERS | {"nsenter"}


def _namespace_command(args: list[str]) -> list[str] | None:
    """`ip [-all] netns exec [NAME] CMD …` and `ip vrf exec NAME CMD …`, read as the nsenter
    call they are (a wrapper: `… exec foo /bin/sh` opens a shell); None for other `ip` verbs.
    A named namespace's own firewall is never the host's, so that stays out."""
    verb = next((i for i, pair in enumerate(pairwise(args))
                 if pair in (("netns", "exec"), ("vrf", "exec"))), None)
    if verb is None:
        return None
    rest = args[verb + 2:]
    named = not (args[verb] == "netns" and "-all" in args[:verb])
    target, command = (rest[:1], rest[1:]) if named else (["all"], rest)
    if not command or program_name(command[0]) in _NAMESPACE_LOCAL:
        return []
    return [" ".join(["nsenter", f"--net=/run/netns/{target[0]}",
                      *(shlex.quote(word) for word in command)])]


def _entrypoint_tool(name: str, word: str, after: list[str]) -> str | None:
    """The file sender an image is named for, when the words after it are that program's
    options (`docker run curlimages/curl -F f=@/a/credentials …`: the image's entrypoint is
    curl), or None."""
    if name not in _CONTAINER_RUNNERS or "/" not in word or word.startswith(("/", ".", "~")):
        return None
    tool = word.rpartition("/")[2].partition(":")[0].partition("@")[0]
    if tool in FILE_SENDERS and after and re.match(r"-|\w+://", after[0]):
        return tool
    return None


def nested_commands(name: str, args: list[str], known: Callable[[str], bool],
                    fed: bool = False) -> list[str]:
    """Command lines found in `args`: from the first word naming a program in `known` (the
    programs the deny list has rules for, and shells) to the end; `fed` when the command
    has input that such a command would read."""
    if name in _TEXT_ONLY:
        return []
    if shell_line := _shell_string(name, args):
        return [shell_line]
    if name == "ip" and (entered := _namespace_command(args)) is not None:
        return entered
    for index, arg in enumerate(args):
        if (tool := _entrypoint_tool(name, arg, args[index + 1:index + 2])) is not None:
            words = [tool, *(shlex.quote(w) for w in args[index + 1:])]
            return [_host_paths(" ".join(words), container_mounts(args))]
        # A last word runs only after a verb (`toolbox run reboot`), or when it is a shell
        # that reads what the command is fed (`docker exec -i c sh <<< …`).
        last = index + 1 == len(args) and not (fed and program_name(arg) in SHELLS)
        if not arg.startswith("-") and (known(program_name(arg)) or program_name(
                arg) in _ALSO_COMMANDS) and _program_path(arg) and (
                not last or args[index - 1:index] in (["--"], ["run"], ["exec"], ["enter"],
                                                        ["spawn"], ["shell"])):
            words = args[index:]
            text = " ".join(w if re.fullmatch(r"[\w@%+=:,./~$*?\[\]!^-]+", w) else shlex.quote(w)
                            for w in words)
            return [_host_paths(text, container_mounts(args))]
    return []
