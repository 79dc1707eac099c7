"""Per-program judges of the deny list: given a program and its arguments, what is at risk?

Why separate from `deny_list`: these are pure functions of (program, arguments, known cwd),
one small judge per family — delete, format, raw disk write, move, permissions, power,
history — so each rule reads on its own and the inspector that walks nested shell code
stays short. Every judge returns plain-language reasons; [] means nothing alarming.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal import data_wiped, wide_delete
from app.terminal import risky_paths as paths
from app.terminal.class_judges import class_reasons
from app.terminal.command_words import SHELLS, options
from app.terminal.disk_devices import device_reasons
from app.terminal.embedded_code import sed_script
from app.terminal.kept_data import kept_data, kept_file
from app.terminal.package_sources import source_variable_reasons
from app.terminal.system_checks import system_judge

HISTORY_OFF = "stops your shell history from being saved"
REMOTE_SHELL = "gives another machine a shell on this one (reverse shell)"
_FIND_FILTERS = frozenset({"-name", "-iname", "-path", "-ipath", "-wholename", "-regex",
                           "-iregex", "-newer", "-mtime", "-mmin", "-atime", "-amin", "-size",
                           "-user", "-group", "-empty", "-lname", "-perm", "-ctime", "-cmin"})
_FIND_EXEC = ("-exec", "-execdir", "-ok", "-okdir")

Judge = Callable[[list[str], str | None, list[str]], list[str]]


# Variables naming where a program loads code or start-up files from.
_STARTUP_LOCATIONS = frozenset({
    "ZDOTDIR", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONUSERBASE", "PERL5LIB", "PERLLIB",
    "PERL5OPT", "RUBYLIB", "RUBYOPT", "NODE_PATH", "NODE_OPTIONS", "GIT_EXEC_PATH",
    "GIT_TEMPLATE_DIR", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "HOME", "BASH_ENV", "ENV",
    "VIMINIT", "MYVIMRC", "INPUTRC", "LUA_PATH", "LUA_INIT", "R_PROFILE_USER", "GEM_HOME",
    "PATH",  # every command name on the line is looked up there first
})


def assignment_reasons(name: str, value: str) -> list[str]:
    """`HISTFILE=/dev/null`, `HISTSIZE=0` and friends quietly switch history off."""
    if name == "HISTFILE" and value in ("", "/dev/null"):
        return [HISTORY_OFF]
    if name in ("HISTSIZE", "HISTFILESIZE", "SAVEHIST") and value.strip() == "0":
        return ["erases your shell history (history size 0)"]
    if name in ("LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH") and re.search(
            r"(?:^|[:\s])(?:/tmp|/var/tmp|/dev/shm)/|/\.[^/:\s]+\.so", value):
        return ["loads a library from a folder anyone can write to into every program"]
    if name in _STARTUP_LOCATIONS and re.search(
            r"(?:^|[:\s=])(?:/tmp|/var/tmp|/dev/shm)(?:/|$|:)", value):
        return [f"loads start-up code from a folder anyone can write to ({name}={value})"]
    return source_variable_reasons(name, value)


def delete_reasons(target: str, recursive: bool, cwd: str | None) -> list[str]:
    """Why deleting `target` is dangerous: catch-all globs always, precious dirs if recursive."""
    if paths.is_history_file(target):
        return ["deletes your shell history"]
    path = paths.expand(target, cwd)
    described = paths.describe_precious(path) if path else None
    if described and described.startswith("everything"):
        return [f"deletes {described}"]
    if described and recursive:
        return [f"recursive delete of {described}"]
    if recursive and (kept := kept_data(target, cwd)):
        return [f"recursive delete of {kept}"]
    if path and paths.is_sensitive_file(path):
        return [f"deletes the system file {path}"]
    if precious := paths.precious_file(target, cwd) or kept_file(target, cwd):
        return [f"deletes {precious}"]
    return _unset_prefix(target, recursive)


# A path that starts with a named variable (`"$BUILD_DIR/"*`, `${OUT}/usr`), no default or
# `:?` check; the variables the line set are filled in before this reads the target.
_VARIABLE_PREFIX = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))(?=/)")
# Variables every login session has, so never empty.
_ALWAYS_SET = frozenset({"HOME", "PWD", "USER", "LOGNAME"})


def _unset_prefix(target: str, recursive: bool) -> list[str]:
    """`rm -rf "$BUILD_DIR/"*` where the line never sets `BUILD_DIR`: left empty, the
    variable makes the path a system one (`rm -rf /*`)."""
    match = _VARIABLE_PREFIX.match(target)
    name = match and (match.group(1) or match.group(2))
    if not recursive or not match or name in _ALWAYS_SET:
        return []
    emptied = paths.expand(target[match.end():])
    described = paths.describe_precious(emptied) if emptied else None
    return [f"recursive delete of {described} if ${name} is empty (nothing on the line sets "
            "it)"] if described else []


def _write_reasons(targets: list[str], cwd: str | None) -> list[str]:
    return [r for target in targets if (r := paths.every_file_written(target, cwd))]


def _rm(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    short, long_, targets = options(args)
    recursive = bool(short & {"r", "R"}) or "--recursive" in long_
    reasons = ["deletes with the safety check for / switched off (--no-preserve-root)"] \
        if "--no-preserve-root" in long_ else []
    for target in targets + piped:
        reasons += delete_reasons(target, recursive, cwd)
    return reasons


def _unlink(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    targets = args + piped
    return [r for t in targets for r in delete_reasons(t, False, cwd)] + _write_reasons(targets,
                                                                                      cwd)


def find_roots(args: list[str]) -> tuple[list[str], list[str]]:
    """Splits find's arguments into its starting points and its expression."""
    index = 0
    while index < len(args) and args[index] in ("-H", "-L", "-P"):
        index += 1
    start = index
    while index < len(args) and not args[index].startswith(("-", "(", "!", ")")):
        index += 1
    return (args[start:index] or ["."]), args[index:]


def _filtered(expression: list[str]) -> bool:
    """Whether find's expression picks out some files: `-name '*'` picks out all of them."""
    return any(token in _FIND_FILTERS and value not in ("*", ".*", "*.*", "*/*", ".*/*", "")
               for token, value in pairwise([*expression, ""]))


def find_exec_commands(args: list[str]) -> list[list[str]]:
    """The commands `find … -exec CMD {} ;` runs, with `{}` standing for what it finds.

    Without a filter find also hands over each starting point itself, so `{}` becomes the
    root; with one (`-name x`) it becomes a path inside the root.
    """
    roots, expression = find_roots(args)
    filtered = _filtered(expression)
    commands: list[list[str]] = []
    for index, token in enumerate(expression):
        if token not in _FIND_EXEC:
            continue
        end = next((j for j in range(index + 1, len(expression))
                    if expression[j] in (";", "+")), len(expression))
        names = [v for t, v in pairwise([*expression, ""]) if t in ("-name", "-iname")]
        for root in roots:  # `-name 'id_*'`: what it finds is spelt so
            found = posixpath.join(root, names[0] if len(names) == 1 else "found") if filtered \
                else posixpath.join(root, "*")
            commands.append([a.replace("{}", found) for a in expression[index + 1:end]])
    return commands


def _find(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    roots, expression = find_roots(args)
    filtered = _filtered(expression)
    deletes = "-delete" in expression or any(
        expression[i + 1:i + 2] and posixpath.basename(expression[i + 1]) in ("rm", "shred",
                                                                              "unlink")
        for i, token in enumerate(expression) if token in _FIND_EXEC)
    reasons = []
    for root in roots:
        path = paths.expand(root, cwd)
        described = paths.describe_precious(path) if path else None
        system_wide = path == "/" or (path in paths.SYSTEM_DIRS and path != paths.home())
        if deletes and described and (not filtered or system_wide):
            reasons.append(f"deletes everything under {described}")
        elif deletes and path and paths.mentions_secret(path):
            reasons.append(f"deletes your private keys or credentials under {root}")
        elif deletes and not filtered:  # `find "$OUT_DIR/" -delete`, the variable never set
            reasons += _unset_prefix(root, True)
    return reasons


def _dd(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    return _write_reasons([a[3:] for a in args if a.startswith("of=")], cwd)


def _writes_each(valued: str) -> Judge:
    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        return _write_reasons(options(args, valued=valued)[2], cwd)

    return judge


def _truncate(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    """`truncate -s0 FILE`: the file's contents are gone; a cron table's jobs with them."""
    targets = options(args, valued="sr")[2]
    cron = [t for t in targets if paths.CRON_FILE.match(paths.expand(t, cwd) or "")]
    return _writes_each("sr")(args, cwd, piped) + (
        ["empties a cron table, deleting its scheduled jobs"] if cron else [])


def _writes_last(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    targets = options(args, valued="tSTmogb")[2]
    return _write_reasons(targets[-1:], cwd) if len(targets) >= 2 else []


_SED_EMPTIES = re.compile(r"^\s*(?:\d+\s*,\s*\$\s*|/\.?\*?/\s*|\$?)[dDcz]\b")
_SERVICE_CONFIG = re.compile(r"^/etc/ssh/sshd?_config(?:\.d/.*)?$|^/boot/.*\.(?:txt|cfg|conf)$")


def _sed(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`sed -i` rewrites files in place. Editing a service's settings (`PermitRootLogin no`
    in sshd_config) changes content, not the file's existence, so it passes unless the
    script empties it; account, security-module and start-up files stay flagged."""
    if not any(a.startswith(("-i", "--in-place")) for a in args):
        return []
    short, _long, files = options(args, valued="ef")
    script = sed_script(args)
    files = files if short & {"e", "f"} else files[1:]
    edits = [f for f in files if _SED_EMPTIES.search(script)
             or not _SERVICE_CONFIG.match(paths.expand(f, cwd) or "")]
    return _write_reasons(edits, cwd)


def _mv(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    targets = options(args, valued="tS")[2] + piped
    if len(targets) < 2:
        return []
    reasons = []
    for source in targets[:-1]:
        path = paths.expand(source, cwd)
        described = paths.describe_precious(path) if path else None
        if paths.is_history_file(source):
            reasons.append("moves away your shell history")
        elif described:
            reasons.append(f"moves away {described}")
        elif path and paths.is_sensitive_file(path):
            reasons.append(f"moves away the system file {path}")
        elif precious := paths.precious_file(source, cwd):
            reasons.append(f"moves away {precious}")
    if paths.expand(targets[-1], cwd) == "/dev/null":
        return [*reasons, "moves files onto /dev/null, destroying them"]
    return reasons + _write_reasons(targets[-1:], cwd)


def _permissions(name: str) -> Judge:
    """chmod/chown/chgrp: recursive changes over a precious folder, or a catch-all glob.

    `chown -R $USER ~` is a common repair, so ownership changes inside the home folder pass;
    `chmod -R 777 ~` does not (it breaks ssh and exposes every file).
    """
    allowed = set("cfvR") if name in ("chmod", "chattr") else set("cfvhHLPR")
    what = {"chmod": "permissions", "chattr": "attributes"}.get(name, "ownership")

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        recursive = "--recursive" in args
        positional: list[str] = []
        for arg in args:
            is_option = arg[:1] == "-" and arg[1:2] != "-" and set(arg[1:]) <= allowed
            recursive |= is_option and "R" in arg
            if not (is_option or arg.startswith("--")):
                positional.append(arg)
        targets = positional if any(a.startswith("--reference") for a in args) \
            else positional[1:]
        user_home = paths.home()
        reasons = []
        for target in targets:
            path = paths.expand(target, cwd)
            described = paths.describe_precious(path) if path else None
            if not path or not described or not (recursive or described.startswith("every")):
                continue
            if name in ("chown", "chgrp") and paths.is_system_subfolder(path):
                continue
            if name == "chmod" and _owner_only(positional[:1], recursive) and \
                    path.startswith(user_home):
                continue
            if name in ("chown", "chgrp") and _own_account(positional[:1]) and (
                    path == user_home or path.startswith(user_home + "/")):
                continue
            inside = "" if described.startswith("every") else " and everything inside"
            reasons.append(f"changes {what} of {described}{inside}")
        return reasons

    return judge


def _owner_only(mode: list[str], recursive: bool) -> bool:
    """A mode that only takes rights from the group and others (`go-rwx`, `700`; `600` on
    the files a glob names, not recursively, where folders would lose their `x`):
    tightening a home folder, its keys among them, locks nobody out."""
    spec = mode[0] if mode else ""
    return bool(re.fullmatch(r"0?700", spec)) or (not recursive and bool(
        re.fullmatch(r"0?[4-7]00", spec))) or (bool(spec) and all(
        re.fullmatch(r"[go]+-[rwxXst]+", part) for part in spec.split(",")))


def _own_account(owner: list[str]) -> bool:
    """Whether a chown/chgrp owner is the user's own account (`$USER`, `$(id -u)`, the home
    folder's name): handing the home folder to root or another user locks the user out."""
    spec = owner[0] if owner else ""
    name = posixpath.basename(paths.home())
    return all(part == "" or "$" in part or "`" in part or (part == name != "root")
               for part in re.split(r"[:.]", spec)) and spec not in ("", ":")


def _history(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    clears = args[:1] in (["clear"], ["clear-session"]) or (args[:1] == ["delete"]
                                                             and "--all" in args)
    clears |= any(a == "-d" and re.fullmatch(r"-?\d+-\d+", b)  # `history -d 1-500`
                  for a, b in pairwise(args))
    return ["clears your shell history"] if clears or "c" in options(args)[0] else []


def _unset(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [HISTORY_OFF] if "HISTFILE" in args else []


def _set(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if any(a == "+o" and b == "history" for a, b in pairwise(args)):
        return [HISTORY_OFF]
    return []


def _crontab(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`crontab -r`, or installing an empty table (`crontab /dev/null`) in place of yours."""
    short, _long, files = options(args, valued="u")
    return ["deletes all your scheduled cron jobs"] if "r" in short or files == ["/dev/null"] \
        else []


def _setfacl(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`setfacl -R -m u:nobody:rwx /etc`: access rules changed on a whole precious tree."""
    short, long_, positional = options(args, valued="mMxX")
    recursive = "R" in short or "--recursive" in long_
    found = [described for target in positional if (path := paths.expand(target, cwd))
             and (described := paths.describe_precious(path))]
    return [f"changes access rules of {described}" for described in found
            if recursive or described.startswith("every")]


def _netcat(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if set(args) & {"-e", "-c", "--exec", "--sh-exec", "--lua-exec"} or any(
            a.startswith(("--exec=", "--sh-exec=", "-e/", "-c/")) for a in args):
        return [REMOTE_SHELL]
    return []


def _socat(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`socat TCP:host:port EXEC:/bin/sh`: one address runs a program, another is the net."""
    addresses = [a.lower() for a in args if not a.startswith("-")]
    runs = any(a.startswith(("exec:", "system:", "exec,", "system,")) for a in addresses)
    remote = any(re.match(r"(?:tcp|udp|sctp|openssl|ssl|socks|proxy|tcp4|tcp6|udp4|udp6)"
                          r"(?:-connect|-listen|-l)?[:,]", a) for a in addresses)
    return [REMOTE_SHELL] if runs and remote else []


def _in_place(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`perl -pi -e CODE FILE`, `ruby -i`: the files named after the code are rewritten."""
    if not any(re.match(r"-\w*i", a) for a in args):
        return []
    files, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-e", "-E", "-M", "-I"):
            skip = True
        elif not arg.startswith("-"):
            files.append(arg)
    has_code = any(a in ("-e", "-E") or re.match(r"-\w*e$", a) for a in args)
    return _write_reasons(files if has_code else files[1:], cwd)


def _shred(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    targets = options(args, valued="ns")[2]
    reasons = _write_reasons(targets, cwd)
    return reasons + [r for t in targets for r in delete_reasons(t, False, cwd)]


# Folders of the system's programs: `run-parts` on one runs a shell, `reboot`, `mkfs`….
_PROGRAM_DIRS = re.compile(r"/(?:usr/)?(?:local/)?s?bin/?")


def _run_parts(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`run-parts --regex '^sh$' /bin`: every program of a system folder whose name matches
    is run — a shell escape, or `reboot` and `mkfs` run blind; `--test`/`--list` only list."""
    if {"--test", "--list", "--help"} & set(args):
        return []
    folders = options(args, valued="au")[2]
    if any(_PROGRAM_DIRS.fullmatch(f) for f in folders):
        return ["runs programs of a system program folder one by one (a shell among them is "
                "a shell escape)"]
    return []


_JUDGES: dict[str, Judge] = {
    "rm": _rm, "unlink": _unlink, "find": _find, "dd": _dd, "cp": _writes_last,
    "install": _writes_last, "ln": _writes_last, "rsync": wide_delete.rsync,
    "ddrescue": _writes_last, "tee": _writes_each(""), "truncate": _truncate,
    "shred": _shred, "sed": _sed, "mv": _mv, "chmod": _permissions("chmod"),
    "chown": _permissions("chown"), "chgrp": _permissions("chgrp"), "history": _history,
    "unset": _unset, "set": _set, "crontab": _crontab, "setfacl": _setfacl,
    "chattr": _permissions("chattr"), "sponge": _writes_each(""), "nc": _netcat,
    "ncat": _netcat, "netcat": _netcat, "socat": _socat, "perl": _in_place, "ruby": _in_place,
    "run-parts": _run_parts, **wide_delete.JUDGES,
}


def has_rules(name: str) -> bool:
    """Whether the deny list has a judge for `name` (or it is a shell, which runs code). A
    database's or backup's own client counts too: run in a container (`docker exec db psql
    -c 'DROP DATABASE app'`) it reaches the same data."""
    return name in _JUDGES or name in SHELLS or system_judge(name) is not None or \
        name in data_wiped.JUDGES


def program_reasons(name: str, args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    """Reasons the program `name` with `args` is dangerous.

    `cwd` is the folder an earlier `cd` on the same line moved to (None when unknown);
    `piped` are the arguments `xargs` would append from piped-in text.
    """
    judge = _JUDGES.get(name)
    if judge is None and (judge := system_judge(name)):
        args = args + piped  # `echo /dev/sda | xargs blkdiscard`
    with_piped = args if not piped or args[len(args) - len(piped):] == piped else args + piped
    reasons = (judge(args, cwd, piped) if judge else []) + class_reasons(name, with_piped, cwd,
                                                                         piped)
    return reasons + device_reasons(name, args + piped, cwd, judged=judge is not None)
