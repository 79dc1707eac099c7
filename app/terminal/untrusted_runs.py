"""Code from nowhere trusted set to run: downloads compiled and run, units enabled from /tmp.

Why: a download piped to a shell is known; the same code compiled first (`curl …/c.c |
gcc -x c -o /tmp/c - && /tmp/c`) or a service unit linked into the boot targets from a
folder anyone can write (`ln -s /tmp/.x.service /etc/systemd/system/multi-user.target.wants/`)
runs unread just the same — the second at every boot, as root. What is judged is where
the code comes from (the network, a world-writable folder, downloads, for a system unit
linked in place any home folder) and that the line makes it run. Compiling a download
without running it, enabling a unit kept in /etc or linking your own `--user` unit stays
quiet.
"""

from __future__ import annotations

import posixpath
import re
from itertools import pairwise

from app.terminal.command_words import DOWNLOADERS, option_values, program_and_args
from app.terminal.exposure_checks import WORLD_WRITABLE
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command

_COMPILERS = frozenset({"gcc", "cc", "clang", "g++", "c++", "clang++", "tcc", "rustc", "gfortran",
                        "musl-gcc", "zig", "nim", "fpc", "ghc"})
_NETWORK = DOWNLOADERS | {"nc", "ncat", "netcat", "socat", "telnet"}
# Where a unit file, linked or copied in, starts at boot or login.
_UNIT_PLACES = re.compile(r"^(?:/etc/systemd/system|/lib/systemd/system|/usr/lib/systemd/system"
                          r"|(?:~|\$HOME|\$\{HOME\})/\.config/systemd/user)(?:/|$)")

# Folders an ordinary account writes: world-writable ones and every home folder.
_USER_FOLDER = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm|~|\$HOME|\$\{HOME\}|/home)(?:/|$)")
# Where downloads land: a unit copied from there was never read.
_DOWNLOADS = re.compile(r"(?:^|/)Downloads/")


def _downloaded(commands: list[Command]) -> set[str]:
    """Files a downloader on the line writes (`curl -o F`, `wget -O F`, `curl … > F`)."""
    files: set[str] = set()
    for command in commands:
        name, args = program_and_args(command)
        if name in _NETWORK:
            files |= set(option_values(args, {"--output", "--output-document"}))
            files |= {b for a, b in pairwise(args) if re.fullmatch(r"-[a-zA-Z]*[oO]", a)}
            files |= {r.target.text for r in command.redirects if r.op in WRITE_REDIRECT_OPS}
    return {f.removeprefix("./") for f in files}


def _compiled_download(command: Command, downloaded: set[str]) -> str | None:
    """The program a compiler builds from downloaded source: `-o OUT` (or `a.out`)."""
    name, args = program_and_args(command)
    if name in ("go", "deno", "bun") and "run" in args and downloaded & {
            a.removeprefix("./") for a in args[args.index("run") + 1:]}:
        return "-run"  # `go run f.go`: compiled and run in one step
    if name not in _COMPILERS:
        return None
    fed = any(program_and_args(up)[0] in _NETWORK for up in command.upstream)
    sources = [a.removeprefix("./") for a in args if not a.startswith("-")]
    if not ((fed and ("-" in args or "/dev/stdin" in args)) or set(sources) & downloaded):
        return None
    if name == "tcc" and "-run" in args:
        return "-run"
    outputs = option_values(args, {"-o"}) + [a[2:] for a in args
                                             if a.startswith("-o") and len(a) > 2]
    return outputs[-1] if outputs else "a.out"


def _runs(command: Command, program: str) -> bool:
    words = [w.text for w in command.words]
    heads = [w for w in words if not re.match(r"\w+=", w)][:2]
    names = {program, f"./{program}", posixpath.basename(program) if "/" in program else ""}
    return bool(names & set(heads)) or (heads[:1] in (["sudo"], ["exec"]) and heads[1:] and
                                         heads[1] in names)


def _unit_from_writable(command: Command) -> str | None:
    """A unit linked or copied from a world-writable folder (or downloads) into a place
    systemd starts, or a system unit linked from a folder an ordinary account writes."""
    name, args = program_and_args(command)
    if name not in ("ln", "cp", "install", "mv", "systemctl"):
        return None
    words = [a for a in args if not a.startswith("-")]
    if name == "systemctl":  # `systemctl link /tmp/x.service`, `enable /tmp/x.service`
        # A system unit linked from home stays a file any program of yours can change,
        # run as root at every boot; `systemctl --user` links only run as you.
        outside = _USER_FOLDER if not {"--user", "--global"} & set(args) else WORLD_WRITABLE
        return next((w for w in words[1:] if words[0] in ("link", "enable")
                     and outside.match(w)), None)
    if len(words) >= 2 and _UNIT_PLACES.match(words[-1]) and any(
            WORLD_WRITABLE.match(w) or _DOWNLOADS.search(w) for w in words[:-1]):
        return words[0]
    return None


def _lingering(commands: list[Command]) -> bool:
    """`loginctl enable-linger` beside a user service enabled or started (`systemctl --user
    enable --now x`, `systemd-run --user …`): that service now starts at every boot with
    nobody logged in and outlives every logout — either alone is ordinary."""
    lingers = user_service = False
    for command in commands:
        name, args = program_and_args(command)
        words = [a for a in args if not a.startswith("-")]
        lingers |= name == "loginctl" and words[:1] == ["enable-linger"]
        user_service |= "--user" in args and (name == "systemd-run" or (
            name == "systemctl" and words[:1] in (["enable"], ["start"], ["link"],
                                                  ["reenable"], ["restart"])))
    return lingers and user_service


def untrusted_run_reasons(commands: list[Command]) -> list[str]:
    """Reasons for downloaded code compiled and run, and boot units from writable folders."""
    reasons = []
    downloaded = _downloaded(commands)
    built: list[str] = []
    for command in commands:
        if any(_runs(command, program) for program in built):
            reasons.append("compiles code downloaded on this line and runs it unread")
        if (output := _compiled_download(command, downloaded)) == "-run":
            reasons.append("compiles code downloaded on this line and runs it unread")
        elif output:
            built.append(output)
        if unit := _unit_from_writable(command):
            reasons.append(f"makes systemd start {unit}, unread, from a folder that every "
                           "account, your downloads or any program of yours can write")
    if _lingering(commands):
        reasons.append("makes a service of yours start at every boot with nobody logged in "
                       "and outlive every logout (lingering)")
    return reasons
