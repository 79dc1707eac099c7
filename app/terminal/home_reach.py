"""Deletes and writes that reach the home folder's own entries or the system's files.

Why: the path readers (`risky_paths`) know the home folder itself, keys and start-up files;
they let through deleting the folders a person lives in (`~/Documents`, `~/.config`), a
home folder computed while the line runs (`$(getent passwd … | cut -d: -f6)`), and plain
writes, deletes and mode changes in the system folders (`tee /etc/hosts`, `rm` under
`/var/spool/cron`, `chmod 666 /etc/shadow`). Each rule here is conservative: when the path
cannot be shown to be inside the working folder, it needs typing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fnmatch import fnmatch
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.command_words import program_and_args
from app.terminal.path_forms import home_form
from app.terminal.shell_syntax import Command

Judge = Callable[[list[str], str | None, list[str]], list[str]]
_HOME = r"(?:~|\$HOME|\$\{HOME\}|/home/[^/\s]+|/root)"
# The folders a desktop makes in every home (XDG user folders), any hidden folder there,
# or anything under a hidden folder: what a mirror or a clean by any tool must not empty.
_HOME_ENTRY = re.compile(
    rf"^{_HOME}/(?!\.\.?(?:/|$))(?:(?:Documents|Pictures|Desktop|Music|Videos|Downloads|Public|"
    rf"Templates|Photos|Mail|\*)/?|\.[^/]+/?|\.[^/]+/.+)$")
# What a recursive delete must not take: those, and every other folder directly in home
# (`~/projects`, `~/code`: each holds a person's work). Scratch and build-output folders
# (`~/tmp`, `~/build`: the conventional names of what is rebuilt or thrown away) and anything
# deeper in a visible folder (`~/projects/app/build`) are the user's to delete.
_HOME_FOLDER = re.compile(rf"^{_HOME}/(?!\.\.?(?:/|$))(?!(?:tmp|temp|scratch|build|dist|out|"
                          rf"target|node_modules|venv)/?$)[^/.][^/]*/?$")
# Moving everything, or a hidden folder, out of the home folder takes it away.
_MOVES_HOME_AWAY = re.compile(rf"^{_HOME}/(?:\.?\*|\.[^/*]+/?)$")
# Folders that only hold what can be downloaded or rebuilt again.
# A scratch folder deep inside a hidden one (`~/.local/share/containers/storage/tmp`) too.
_CACHES = re.compile(rf"^{_HOME}/(?:\.cache|\.npm|\.cargo/registry|\.gradle/caches|"
                     r"\.m2/repository|\.local/share/Trash|\.thumbnails|\.ccache"
                     r"|\.[^/]+/(?:[^/]+/)+(?:tmp|temp|cache|caches)/?$)")
# A home folder computed while the line runs.
_COMPUTED_HOME = re.compile(r"\$\(|`|\$\{HOME[%#/]")
_HOME_WORDS = re.compile(r"whoami|getent|id -un|logname|\$USER|\$\{USER|eval echo ~|HOME|passwd")
# What the system installed (not `/usr/local`, which is the user's), and the cron spool.
_SYSTEM_FILE = re.compile(r"^/(?:etc|boot|usr(?!/local/)|bin|sbin|lib\w*|var/spool)/")
_SYSTEM_ROOT = re.compile(r"^/(?:etc|boot|usr(?!/local)|bin|sbin|lib\w*)(?:/|$)")
_FORMAT_PREFIX = re.compile(r"^[A-Za-z0-9]{2,8}:(?!//)")
# Programs the system cannot run without: replacing one (or shadowing it from /usr/local,
# which comes first on PATH) breaks every login or script, or runs as every sudo.
_CORE_PROGRAM = re.compile(r"^/(?:usr/(?:local/)?)?s?bin/(?:sh|bash|dash|sudo|su|login|passwd|init|"
                           r"systemctl|sshd?|mount|ls|cp|mv|env)$")
# The programs that make a user root, by their set-user-ID bit.
_ROOT_GATES = tuple(f"{folder}/{name}" for folder in ("/usr/bin", "/bin")
                    for name in ("sudo", "su", "doas", "pkexec"))
_SSH_FILE = re.compile(rf"^{_HOME}/\.ssh/[^/]+(?<!\.pub)$")
_DELETERS = frozenset({"rm", "shred", "unlink", "rmdir", "srm", "trash", "gio"})
# Programs whose file arguments they overwrite (`tee -a` appends, and what a cron file
# gets is judged as commands elsewhere).
_WRITERS = frozenset({"tee", "install", "dd", "truncate"})
_HOME_SPELLINGS = frozenset({"~", "$HOME", "${HOME}", "~/", "$HOME/"})


def home_entry(target: str) -> bool:
    """A desktop or hidden folder of home (`~/Documents/`, `$HOME/.config`), not a cache:
    what a recursive delete, a mirror or a clean by any tool must not empty."""
    target = re.sub(r"/\.?\*$", "", target)  # everything in it: `~/Pictures/*`
    return bool(_HOME_ENTRY.match(target)) and not _CACHES.match(target)


def _recursive(args: list[str]) -> bool:
    return any(re.match(r"^-\w*[rR]", arg) or arg == "--recursive" for arg in args)


def _delete_reasons(name: str, args: list[str], raw: list[str],
                    cwd: str | None = None) -> list[str]:
    reasons = []
    targets = [home_form(arg, cwd) for arg in args if not arg.startswith("-")]
    if name in _DELETERS or (name == "mv" and targets):
        for target, written in zip(targets, raw, strict=False):
            wide = _recursive(args) if name != "mv" else _MOVES_HOME_AWAY.match(target)
            if wide and target in ("~", "~/", "~/*") and "xdg-user-dir" in written:
                reasons.append(f"deletes your home folder ({written})")
            target = re.sub(r"/\.?\*$", "", target) if written != target else target
            if wide and (_HOME_ENTRY.match(target) or (name != "mv" and _HOME_FOLDER.match(
                    target))) and not _CACHES.match(target):
                reasons.append(f"deletes or moves away a folder of your home folder ({target})")
            if _COMPUTED_HOME.search(written) and _HOME_WORDS.search(written):
                reasons.append(f"deletes a folder computed from your home folder ({written})")
            if name != "mv" and _SYSTEM_FILE.match(target):
                reasons.append(f"deletes the system file {target}")
    return reasons


def _makes_folders_only(name: str, args: list[str]) -> bool:
    """`install -d [-m MODE] DIR…` only creates folders (Docker's `install -m 0755 -d
    /etc/apt/keyrings`); one every account may write into is still a write of the system."""
    if name != "install" or not any(re.fullmatch(r"-\w*d\w*|--directory", a) for a in args):
        return False
    modes = [b for a, b in pairwise(args) if a in ("-m", "--mode")]
    modes += [a.partition("=")[2] for a in args if a.startswith("--mode=")]
    return not any(re.fullmatch(r"0?[0-7]?[0-7][0-7][2367]", m) or re.search(r"[oa]\+\w*w", m)
                   for m in modes)


def _write_reasons(name: str, args: list[str]) -> list[str]:
    reasons = []
    if _makes_folders_only(name, args):
        return []
    targets = [arg for arg in args if not arg.startswith("-")]
    if name in _WRITERS and targets and not (name == "tee" and {"-a", "--append"} & set(args)):
        destinations = targets if name == "tee" else targets[-1:]
        for target in destinations:
            path = target.removeprefix("of=")
            if _SYSTEM_FILE.match(path) and not paths.CRON_FILE.match(path) and \
                    not paths.SYSCTL_DROPIN.match(path):
                reasons.append(f"writes to the system file {target}")
            if name == "install" and targets[0] == "/dev/null" and _HOME_ENTRY.match(target):
                reasons.append(f"empties {target} in your home folder")
    return reasons


def _output_reasons(name: str, args: list[str], answers_yes: bool) -> list[str]:
    """An output named with a format prefix (`png:$HOME/.bashrc`), and a key overwritten by
    an `ssh-keygen` told yes."""
    reasons = []
    for arg in args:
        path = _FORMAT_PREFIX.sub("", arg)
        if path != arg and paths.write_target_reason(path, None):
            reasons.append(f"writes its output into {path}")
    if name == "ssh-keygen" and answers_yes:
        for flag, value in pairwise(args):
            if flag == "-f" and paths.mentions_secret(value):
                reasons.append(f"overwrites your private key {value}")
    return reasons


def _overwrite_reasons(command: Command, name: str, args: list[str]) -> list[str]:
    """`echo > /etc/hosts` (a redirect that empties a system file, as `tee` does), the same
    for any file of the SSH folder (`: > ~/.ssh/known_hosts` forgets which servers are
    trusted; appending a host key stays quiet), and a core program replaced or pointed at
    /dev/null (`ln -sf /dev/null /bin/sh`)."""
    reasons = [f"overwrites the system file {r.target.text}" for r in command.redirects
               if r.op in (">", ">|", "&>") and _SYSTEM_FILE.match(r.target.text)
               and not paths.CRON_FILE.match(r.target.text)
               and not paths.SYSCTL_DROPIN.match(r.target.text)]
    targets = [arg for arg in args if not arg.startswith("-")]
    emptied = [r.target.text for r in command.redirects if r.op in (">", ">|", "&>")]
    emptied += targets[-1:] if name == "truncate" or targets[:1] == ["/dev/null"] else []
    reasons += [f"empties or replaces {target} in your SSH folder" for target in emptied
                if _SSH_FILE.match(target)]
    if name in ("ln", "cp", "mv", "install") and len(targets) >= 2 and (
            (targets[0] == "/dev/null" and _SYSTEM_FILE.match(targets[-1]))
            or _CORE_PROGRAM.match(targets[-1])):
        reasons.append(f"replaces the system program or file {targets[-1]}")
    return reasons


def _mode_reasons(name: str, args: list[str]) -> list[str]:
    if name != "chmod" or len(args) < 2:
        return []
    mode, targets = args[-2] if not args[-2].startswith("/") else "", args[-1:]
    world_writable = (re.fullmatch(r"0?[0-7]?[0-7][0-7][2367]", mode)
                      or re.search(r"[oa]\+\w*w", mode))
    set_id = re.fullmatch(r"[4-7][0-7]{3}", mode) or re.search(r"[+=][rwxXtugo]*s", mode)
    if (world_writable or set_id) and any(_SYSTEM_FILE.match(t) for t in targets):
        return [f"changes who may change or run as the owner the system file {targets[0]}"]
    # Taking a set-id bit off only takes rights away (`chmod u-s /usr/bin/at` hardens), but
    # off the programs that make a user root it locks everyone out of administration.
    set_id_off = re.search(r"-[rwxXt]*s", mode) or re.fullmatch(r"0?[0-3]?[0-7]{3}", mode)
    recursive = any(re.fullmatch(r"-\w*R\w*|--recursive", a) for a in args)
    if set_id_off and any(fnmatch(gate, t) or (recursive and gate.startswith(
            t.rstrip("/") + "/")) for t in targets for gate in _ROOT_GATES):
        return [f"takes away the set-user-ID bit the programs that make anyone root need "
                f"({targets[0]})"]
    if world_writable and any(t.rstrip("/") in paths.SYSTEM_DIRS or t == "/" for t in targets):
        return [f"lets every account write into the system folder {targets[0]}"]
    return _unreadable(mode, targets)


# Files every login, name lookup or `sudo` reads, by who must be able to read them: the
# owner (root, for sudo's rules) or every account (accounts, groups, PAM, the loader).
# /etc/shadow is left out: mode 000 is its default on some systems.
_ROOT_READ = re.compile(r"^/etc/sudoers(?:\.d(?:/.*)?)?$")
_ALL_READ = re.compile(r"^/etc/(?:passwd|group|nsswitch\.conf|pam\.d(?:/.*)?|ld\.so\.cache)$")


def _unreadable(mode: str, targets: list[str]) -> list[str]:
    """`chmod 000 /etc/sudoers`, `chmod o-r /etc/passwd`: the file its readers need made
    unreadable to them, so sudo, logins or every program's name lookups fail."""
    octal = re.fullmatch(r"0?([0-7])([0-7])([0-7])", mode)
    symbolic = re.fullmatch(r"([ugoa]*)(?:-[wxXst]*r[rwxXst]*|=[wxXst]*)", mode)
    whom = symbolic.group(1) or "a" if symbolic else ""
    owner_loses = (octal and int(octal.group(1)) < 4) or bool(set(whom) & set("ua"))
    all_lose = (octal and int(octal.group(3)) < 4) or bool(set(whom) & set("oa"))
    hit = [t for t in targets if (owner_loses and _ROOT_READ.match(t))
           or (all_lose and _ALL_READ.match(t))]
    return [f"makes {hit[0]} unreadable to what needs it, so sudo or logins fail"] if hit else []


def _finds_in_system(command: Command) -> bool:
    """`find /etc …`: a search whose start is a system folder (what xargs then gets)."""
    name, args = program_and_args(command)
    return name == "find" and any(_SYSTEM_ROOT.match(arg) for arg in args[:3])


def _judge(name: str) -> Judge:
    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        raw = [arg for arg in args if not arg.startswith("-")]
        return (_delete_reasons(name, args, raw, cwd) + _write_reasons(name, args)
                + _mode_reasons(name, args))
    return judge


# Run by `class_judges` on the program that really runs, past wrappers (`systemd-run`,
# `builtin command --`), with the line's variables, `set --` and function arguments filled
# in: `cmd="rm -rf"; $cmd ~/Pictures` deletes as surely as `rm -rf ~/Pictures`.
JUDGES: dict[str, Judge] = {name: _judge(name) for name in (*_DELETERS, "mv", *_WRITERS,
                                                            "chmod")}


def _answered_yes(command: Command) -> bool:
    """A prompt answered before it is asked: `<<< y`, or `yes`/`echo y` piped in."""
    if (command.stdin_text or "").strip().lower().startswith("y"):
        return True
    for upstream in command.upstream:
        name, args = program_and_args(upstream)
        if name == "yes" or (name in ("echo", "printf") and "".join(args).strip(
                "'\" ").lower().startswith("y")):
            return True
    return False


def home_reach_reasons(commands: list[Command]) -> list[str]:
    """Reasons from whole commands: redirects that empty system files, what xargs deletes of
    a system folder's search, a home folder read from a here-string, a key overwritten by an
    answered `ssh-keygen` (the per-program judges are in `JUDGES`)."""
    reasons = []
    feeds_home = any(command.stdin_text and command.stdin_text.strip() in _HOME_SPELLINGS
                     for command in commands)
    for command in commands:
        name, args = program_and_args(command)
        answers_yes = _answered_yes(command)
        reasons += _output_reasons(name, args, answers_yes)
        reasons += _overwrite_reasons(command, name, args)
        if name == "xargs" and _DELETERS & set(args) and any(
                _finds_in_system(upstream) for upstream in command.upstream):
            reasons.append("deletes the files found in a system folder")
        if feeds_home and name in _DELETERS and _recursive(args):
            reasons.append("deletes your home folder, read from a here-string")
    return reasons
