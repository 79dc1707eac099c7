"""Deny-list judges for wide deletes done by programs other than `rm` and `find`.

Why: emptying the home folder does not need `rm`. `rsync -a --delete empty/ ~/` mirrors an
empty folder onto it, `git clean -fdx ~` removes every untracked file under it, `tar
--remove-files` and `zip -m` delete what they pack, `pytest --basetemp=DIR` wipes DIR
before a run, `rclone purge` and `trash` take whole folders away, `gzip` replaces a key
by its compressed copy. Each judge asks the one question that matters — is the folder it
deletes in precious (`risky_paths`)? — so the same tools on a build folder stay quiet.
So do a configuration tool's delete (`ansible … -m file -a 'path=~/Documents state=absent'`,
a template naming home, `salt-call file.remove`, `puppet resource file … ensure=absent`), a
Windows delete (`Remove-Item -Recurse $env:USERPROFILE`, `rd /s /q C:\\Users\\bob`) and a
mirror's (`lftp -e 'mirror --delete empty/ ~/Music'`, `-R` for the remote side).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.command_words import options
from app.terminal.git_options import git_subcommand
from app.terminal.home_reach import home_entry

Judge = Callable[[list[str], str | None, list[str]], list[str]]


def _precious(target: str, cwd: str | None) -> str | None:
    path = paths.expand(target.rstrip("/") or "/", cwd)
    if path is None:
        return None
    if home_entry(target) or home_entry(path):  # `git -C ~/Documents clean`: `.` there
        return f"the folder {target if home_entry(target) else path} of your home folder"
    return paths.describe_precious(path) or paths.precious_file(target, cwd)


def rsync(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`--delete*` empties what is not in the source from the destination; a precious
    destination, or a source taken away by `--remove-source-files`, is a wide delete."""
    short, long_, targets = options(args, valued="eBTfM")
    if "n" in short or "--dry-run" in long_:
        return []  # `rsync -an`: lists what it would do, changes nothing
    reasons = []
    if len(targets) >= 2:
        destination = targets[-1]
        if described := paths.write_target_reason(destination, cwd):
            reasons.append(described)
        if any(flag.startswith("--del") for flag in long_) and (
                described := _precious(destination, cwd)):
            reasons.append(f"deletes whatever is not in the source from {described}")
        if "--remove-source-files" in long_:
            reasons += [f"deletes {d} after copying it" for source in targets[:-1]
                        if (d := _precious(source, cwd))]
    return reasons


def git(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`git clean -fdx ~` (or `git -C ~ clean -fdx`, `--work-tree ~`) deletes every untracked
    file there."""
    rest = git_subcommand(args)
    own = args[:len(args) - len(rest)]
    where = cwd
    for option, value in pairwise(own):  # the work tree is the folder `-C` moves to
        if option == "-C":
            where = paths.expand(value, where)
    trees = [b for a, b in pairwise(own) if a == "--work-tree"] + [
        a.partition("=")[2] for a in own if a.startswith("--work-tree=")]
    where = paths.expand(trees[-1], where) if trees else where
    if rest[:1] != ["clean"]:
        return []
    short, long_, targets = options(rest[1:], valued="eX")
    if not ("f" in short or "--force" in long_) or "n" in short or "--dry-run" in long_:
        return []
    roots = targets or ["."]
    reasons = []
    for root in roots:
        described = _precious(root, where)
        if described:
            reasons.append(f"deletes every untracked file in {described} (git clean)")
    return reasons


def _deletes_sources(flag_short: str, flags_long: tuple[str, ...], valued: str,
                     what: str) -> Judge:
    """tar --remove-files, zip -m: the files packed are deleted afterwards."""

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        short, long_, targets = options(args, valued=valued)
        if not (flag_short in short or set(flags_long) & long_):
            return []
        return [f"deletes {d} after packing it ({what})" for t in targets
                if (d := _precious(t, cwd))]

    return judge


def _compressor(name: str, keeps_by_default: bool = False) -> Judge:
    """`gzip FILE`, `xz FILE` (and `zstd --rm FILE`): the file is replaced by its compressed
    copy, so a key or start-up file is gone under its own name; `-k`, `-c`, `-d` keep it."""

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        short, long_, targets = options(args, valued="bSLTo" if name == "zstd" else "S")
        kept = short & {"k", "c", "d", "l", "t"} or long_ & {
            "--keep", "--stdout", "--to-stdout", "--decompress", "--uncompress", "--list",
            "--test"}
        if kept or (keeps_by_default and "--rm" not in long_):
            return []
        return [f"replaces {d} with a compressed copy ({name} deletes the original)"
                for t in targets if (d := paths.precious_file(t, cwd) or _precious(t, cwd))]

    return judge


def _seven_zip(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`7z a -sdel out.7z FILES`: the files packed are deleted afterwards."""
    if "-sdel" not in args:
        return []
    targets = [arg for arg in args if not arg.startswith("-")][2:]
    return [f"deletes {d} after packing it (7z -sdel)" for t in targets if (d := _precious(t, cwd))]


def _btrfs(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`btrfs subvolume delete /`: a subvolume is a folder tree, deleted at once."""
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:2] not in (["subvolume", "delete"], ["subvolume", "del"], ["sub", "del"],
                         ["su", "de"], ["sub", "delete"]):
        return []
    return [f"deletes {d} (btrfs subvolume delete)" for t in words[2:] if (d := _precious(t, cwd))]


def _empties_option(option: str, program: str, subcommand: str | None = None) -> Judge:
    """Tools that empty the folder an option names: `pytest --basetemp=DIR` before its run,
    `cargo clean --target-dir DIR` as its whole job."""

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        if subcommand and subcommand not in options(args, valued="pZ")[2][:1]:
            return []
        for index, arg in enumerate(args):
            value = arg.partition("=")[2] if arg.startswith(option + "=") else (
                args[index + 1] if arg == option and index + 1 < len(args) else None)
            if value and (described := _precious(value, cwd)):
                return [f"deletes {described} ({program} empties its {option} folder)"]
        return []

    return judge


pytest = _empties_option("--basetemp", "pytest")


def _takes_away(what: str, first_positional: int = 0) -> Judge:
    """trash, gio trash, rclone purge/delete, srm: a precious folder handed to them goes."""

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        targets = options(args, valued="")[2][first_positional:]
        return [f"deletes {d} ({what})" for t in targets if (d := _precious(t, cwd))]

    return judge


def _rclone(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    words = options(args)[2]
    if words[:1] in (["purge"], ["delete"], ["rmdirs"]):
        return _takes_away("rclone")(words[1:], cwd, piped)
    if words[:1] in (["sync"], ["move"]) and len(words) >= 3 and (
            described := _precious(words[-1], cwd)):
        return [f"deletes whatever is not in the source from {described} (rclone sync)"]
    return []


def _gio(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    if args[:1] in (["trash"], ["remove"]):
        return _takes_away("gio")(args[1:], cwd, piped)
    return []


# PowerShell parameters whose value is the place deleted, and those that pick some files.
_PS_PLACES = frozenset({"-path", "-literalpath", "-lp", "-pspath"})
_PS_PICKS = frozenset({"-include", "-exclude", "-filter"})
_PS_VALUED = _PS_PLACES | _PS_PICKS | {"-credential", "-stream"}
_RECURSE = re.compile(r"-r(?:e(?:c(?:u(?:r(?:s(?:e)?)?)?)?)?)?")


def _windows_delete(name: str) -> Judge:
    """PowerShell's `Remove-Item -Recurse` (`ri`, `rd`, `rmdir`, `del`, `erase`, any
    abbreviation of `-Recurse`) and cmd's `rd /s`, `rmdir /s`, `del /s`: a precious folder,
    in any Windows spelling (`windows_paths`), deleted with what it holds. `del` on a folder
    takes every file in it; `-WhatIf` only tells, `-Include`/`-Filter` pick some files."""

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        targets: list[str] = []
        recursive = name in ("del", "erase")
        index = 0
        while index < len(args):
            arg, lowered = args[index], args[index].lower()
            key, _colon, attached = lowered.partition(":")
            index += 1
            if key.startswith("-whatif") or lowered in ("/?", "-?") or key in _PS_PICKS:
                return []
            if key in _PS_VALUED:
                value = arg.partition(":")[2] if attached else (
                    args[index] if index < len(args) else "")
                index += 0 if attached else 1
                targets += [value] if key in _PS_PLACES else []
            elif re.fullmatch(r"/[a-z](?::\w*)?", lowered) or lowered.startswith("-"):
                recursive |= lowered == "/s" or bool(_RECURSE.fullmatch(lowered))
            else:
                targets.append(arg)
        return [f"deletes {described} (Windows {name})" for target in targets
                if recursive and (described := _precious(target, cwd))]

    return judge


JUDGES: dict[str, Judge] = {
    **{name: _windows_delete(name) for name in ("remove-item", "ri", "rd", "rmdir", "del",
                                                "erase")},
    "git": git, "pytest": pytest, "py.test": pytest, "rclone": _rclone, "gio": _gio,
    "cargo": _empties_option("--target-dir", "cargo clean", "clean"),
    "tar": _deletes_sources("\0", ("--remove-files",), "fCbIFTXgLNV", "tar --remove-files"),
    "zip": _deletes_sources("m", ("--move",), "bnitxTOZ", "zip -m"),
    **dict.fromkeys(("7z", "7za", "7zz", "7zr"), _seven_zip),
    **{name: _compressor(name) for name in ("gzip", "bzip2", "xz", "lzma", "lzip", "compress")},
    "zstd": _compressor("zstd", keeps_by_default=True),
    "lz4": _compressor("lz4", keeps_by_default=True),
    "trash": _takes_away("trash"), "trash-put": _takes_away("trash"),
    "gvfs-trash": _takes_away("trash"), "srm": _takes_away("srm"),
    "rimraf": _takes_away("rimraf"), "wipe": _takes_away("wipe"),
}


# The home folder as an Ansible template names it: `{{ ansible_env.HOME }}`,
# `{{ lookup('env', 'HOME') }}`, `{{ ansible_user_dir }}`, `{{ ansible_facts.env.HOME }}`.
_TEMPLATED_HOME = re.compile(
    r"""\{\{\s*(?:lookup\(\s*['"]env['"]\s*,\s*['"]HOME['"]\s*\)|ansible_(?:facts[.\[]['"]?)?"""
    r"""(?:env(?:\.|\[['"])HOME['"]?\]?|user_dir['"]?\]?)|['"]~['"]\s*\|\s*expanduser)\s*\}\}""")


def _ansible(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`ansible HOSTS -m file|win_file -a 'path=… state=absent'`: the path is deleted,
    recursively, also when a template names it (`path={{ lookup('env','HOME') }}`)."""
    modules = [b for a, b in pairwise(args) if a in ("-m", "--module-name")]
    if not any(m.rpartition(".")[2] in ("file", "win_file") for m in modules) or \
            "--check" in args:
        return []
    for value in (b for a, b in pairwise(args) if a in ("-a", "--args")):
        fields = dict(re.findall(r"(\w+)=(\S+)", _TEMPLATED_HOME.sub("~", value)))
        target = fields.get("path") or fields.get("dest") or fields.get("name") or ""
        if fields.get("state") == "absent" and (described := _precious(target, cwd)):
            return [f"deletes {described} (ansible's file module, state=absent)"]
    return []


def _salt(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`salt-call --local file.remove PATH`, `salt '*' file.remove PATH`: Salt's remove takes
    a folder with everything in it."""
    words = options(args, valued="ctl")[2]
    places = [b for a, b in pairwise(words) if a in ("file.remove", "file.absent")]
    places += [w.partition("=")[2] for w in words if w.startswith("name=")
               and "file.absent" in words]
    return [f"deletes {d} (salt file.remove)" for place in places if (d := _precious(place, cwd))]


def _puppet(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`puppet resource file PATH ensure=absent force=true`: the file, or with `force` the
    folder and everything in it, is deleted."""
    words = [a for a in args if not a.startswith("-")]
    if words[:2] != ["resource", "file"] or "ensure=absent" not in words[3:]:
        return []
    place = words[2] if len(words) > 2 else ""
    described = paths.precious_file(place, cwd) or (
        _precious(place, cwd) if "force=true" in words[3:] else None)
    return [f"deletes {described} (puppet resource file, ensure=absent)"] if described else []


def _lftp(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`lftp -e|-c 'mirror --delete SRC DEST'`: what SRC lacks is deleted from DEST."""
    reasons = []
    for script in (b for a, b in pairwise(args) if a in ("-e", "-c")):
        for part in re.split(r"[;\n]", script):
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            flags = [w for w in words[1:] if w.startswith("-")]
            places = [w for w in words[1:] if not w.startswith("-")]
            if words[:1] == ["mirror"] and ("--delete" in flags or any(
                    re.fullmatch(r"-[A-Za-z]*e[A-Za-z]*", f) for f in flags)) and places and (
                    described := _precious(places[-1], cwd)):
                reasons.append(f"deletes whatever is not in the source from {described} "
                               "(lftp mirror --delete)")
    return reasons


# Judges that sit beside another judge of the same program (`btrfs` also writes disks, which
# `disk_devices` reads when no judge of `program_checks` claims the program).
CLASS_JUDGES: dict[str, Judge] = {"btrfs": _btrfs, "ansible": _ansible, "lftp": _lftp,
                                   "salt": _salt, "salt-call": _salt, "puppet": _puppet}
