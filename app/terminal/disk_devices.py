"""Disk devices named to programs that can write them.

Why: formatting and partitioning tools each have a judge (`system_checks`), but the tools that
can overwrite a disk never end: `debugfs -w`, `xfs_db -x`, `sg_format`, `e2image -r`,
`ntfsclone`, `zerofree`, `mkswap` … The rule here is general: a disk device (`/dev/sda1`,
`/dev/nvme0n1`, `/dev/sg1`) given to a program is only quiet when the program is known to
read disks without writing them (`lsblk`, `blkid`, `smartctl`, `debugfs` without `-w`),
when its own judge decides, or when it is only asked for help.

Other systems' disk tools (the eleventh set) are judged here by what they are asked to do:
macOS `diskutil` erases, partitions or deletes, FreeBSD `gpart` destroys or recreates
tables, `newfs*` formats, LVM shrinks a volume past its data (`lvreduce`, `lvresize -L -…`),
PowerShell's `Clear-Disk`/`Format-Volume`; a device given as `of=`/`wipe=` (`dcfldd`,
`dc3dd`) is a device like any other. A volume group's layout put back from a saved copy
(`vgcfgrestore`, as `cryptsetup luksHeaderRestore` puts back a header) loses what was made
since.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal import risky_paths as paths

Judge = Callable[[list[str], str | None, list[str]], list[str]]

# Programs that only read the disks they are given → the options that make them write.
READ_ONLY = {
    "lsblk": set(), "blkid": set(), "smartctl": set(), "dumpe2fs": set(), "xfs_info": set(),
    "file": set(), "stat": set(), "ls": set(), "cat": set(), "head": set(), "hexdump": set(),
    "xxd": set(), "od": set(), "strings": set(), "cmp": set(), "md5sum": set(),
    "sha256sum": set(), "sha1sum": set(), "b2sum": set(), "pv": set(), "udevadm": set(),
    "findmnt": set(), "df": set(), "du": set(), "lsof": set(), "fuser": set(), "iostat": set(),
    "partprobe": set(), "eject": set(), "udisksctl": set(), "losetup": set(), "pvs": set(),
    "vgs": set(), "lvs": set(), "pvdisplay": set(), "ntfsinfo": set(), "isoinfo": set(),
    "sg_inq": set(), "sg_readcap": set(), "sg_scan": set(), "sg_map": set(), "sg_vpd": set(),
    "sg_logs": set(), "e2fsck": set(), "fsck": set(), "xfs_repair": {"-L"}, "btrfsck": {"--repair"},
    "fsck.ext4": set(), "fsck.vfat": set(), "fsck.fat": set(), "dosfsck": set(),
    "debugfs": {"-w", "--writable"}, "xfs_db": {"-x"}, "tune2fs": set(), "blockdev": set(),
    "btrfs": {"--repair", "--init-csum-tree", "--init-extent-tree", "add", "replace"},
    "grep": set(),
    "tail": set(), "wc": set(), "echo": set(), "printf": set(),
    "readlink": set(), "realpath": set(), "test": set(), "[": set(), "sudo": set(),
    "cryptsetup": set(), "zpool": set(), "mdadm": set(), "lvm": set(), "vgcreate": set(),
    "ddrescue": set(), "e2label": set(), "fatlabel": set(), "ntfslabel": set(),
    "swaplabel": set(), "exfatlabel": set(), "gzip": set(), "pigz": set(), "xz": set(),
    "zstd": set(), "bzip2": set(), "lz4": set(), "partx": set(), "kpartx": set(),
    "isosize": set(), "dmsetup": set(), "zdb": set(), "pvck": set(), "vgck": set(),
    "fio": set(),
}
# `tune2fs -l` and `blockdev --get…` read; their other options change the disk.
_READ_FLAGS = {"tune2fs": ("-l",), "blockdev": ("--get", "--report", "--rereadpt", "--flushbufs"),
               "partx": ("-s", "--show", "-l", "--list"),
               "fio": ("--readonly", "--rw=read", "--rw=randread"),
               "dmsetup": ("ls", "info", "status", "table", "deps"),
               "btrfs": (
    "filesystem", "fi", "device", "inspect-internal", "subvolume", "check")}
_HELP = frozenset({"--help", "-h", "--version", "-V"})


def device_reasons(name: str, args: list[str], cwd: str | None, judged: bool) -> list[str]:
    """Why a disk device among `args` is at risk with `name`; [] when there is none, the
    program only reads it, or `judged` (another judge rules on this program)."""
    devices = [p for a in args if (p := paths.expand(_target(a), cwd)) and paths.is_device(p)]
    if not devices or judged or name in JUDGES or set(args) & _HELP:
        return []
    if name in READ_ONLY:
        writes = READ_ONLY[name] & set(args) or any(a.startswith("-w") for a in args
                                                    if name == "debugfs")
        reads = _READ_FLAGS.get(name)
        if not writes and (reads is None or any(a.startswith(reads) for a in args)):
            return []
    return [f"gives the disk device {devices[0]} to {name}, which can write to it and destroy "
            "what is on it"]


def _target(arg: str) -> str:
    """What an argument names: an option's value, a `key=value` word's value (`of=/dev/sdb`)
    unless the key is an input (`if=`), or the word itself."""
    if arg.startswith("-"):
        return arg.partition("=")[2]
    if match := re.match(r"^(\w+)=(.*)$", arg):
        return "" if match.group(1).lower() in ("if", "ifs", "input") else match.group(2)
    return arg


ERASES = "erases, repartitions or shrinks the disk or volume {} ({}), destroying what is on it"
# diskutil verbs (lowercased) that erase or repartition; `apfs`/`cs`/`ar` take one more word.
_DISKUTIL = frozenset({"erasedisk", "erasevolume", "reformat", "zerodisk", "randomdisk",
                       "secureerase", "partitiondisk", "splitpartition", "mergepartitions",
                       "resizevolume", "addpartition", "deletecontainer", "deletevolume",
                       "erasecontainer", "deletevolumegroup", "deletelvg", "deletelv",
                       "destroyraid", "delete", "resizecontainer", "eraseoptical"})
_GPART = frozenset({"destroy", "delete", "create", "resize", "recover", "undo"})
_FORMAT_HELP = frozenset({"--help", "-h", "--version", "-V", "help", "-?", "/?"})


def _diskutil(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    verbs = [w.lower() for w in words[:2]]
    if set(args) & _FORMAT_HELP or not verbs or not _DISKUTIL & set(verbs):
        return []
    return [ERASES.format(words[-1], "diskutil " + " ".join(words[:2]))]


def _gpart(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    if set(args) & _FORMAT_HELP or words[:1] == [] or words[0] not in _GPART:
        return []
    return [ERASES.format(words[-1], f"gpart {words[0]}")]


def _newfs(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """BSD and macOS formatters; `-N` only prints what they would do."""
    words = [a for a in args if not a.startswith("-")]
    target = words[-1] if words else ""
    image = re.search(r"\.(?:img|iso|raw|bin|dmg|dd)$", target) or (
        "/" in target and not paths.is_device(paths.expand(target) or ""))
    if set(args) & (_FORMAT_HELP | {"-N"}) or not target or image:
        return []
    return [ERASES.format(target, "newfs")]


def _shrinks(args: list[str], _cwd: str | None, _piped: list[str], always: bool) -> list[str]:
    """`lvreduce` always cuts a volume, `lvresize` when the size goes down (`-L -5G`)."""
    if set(args) & (_FORMAT_HELP | {"-t", "--test"}):
        return []
    sizes = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-L", "-l", "--size",
                                                                    "--extents")]
    sizes += [a.partition("=")[2] for a in args if a.startswith(("--size=", "--extents="))]
    sizes += [a[2:] for a in args if re.match(r"^-[Ll][-\d]", a)]
    if always or any(s.startswith("-") for s in sizes):
        volumes = [a for a in args if a.startswith("/dev/") or "/" in a] or ["given"]
        return [ERASES.format(volumes[-1], "lvreduce" if always else "lvresize")]
    return []


# A disk's encryption header or volume layout replaced by a saved copy: keys and volumes made
# since are gone, and a copy of another disk's header locks every key out.
RESTORED = "replaces a disk's encryption header or volume layout with a saved copy, losing " \
    "the keys or volumes made since"


def _layout_restore(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`vgcfgrestore -f FILE vg0` (`lvm vgcfgrestore`); `--list` only shows the saved
    copies, `--test` changes nothing."""
    if set(args) & (_FORMAT_HELP | {"-l", "--list", "-t", "--test"}):
        return []
    return [f"{RESTORED} (vgcfgrestore)"]


def _cmdlet(verb: str) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        return [] if set(args) & {"-WhatIf", "-whatif"} else [ERASES.format("given", verb)]

    return judge


JUDGES: dict[str, Judge] = {
    "diskutil": _diskutil, "gpart": _gpart,
    **{name: _newfs for name in ("newfs", "newfs_msdos", "newfs_hfs", "newfs_apfs",
                                 "newfs_exfat", "newfs_udf", "newfs_ext2fs")},
    "lvreduce": lambda a, c, p: _shrinks(a, c, p, True),
    "lvresize": lambda a, c, p: _shrinks(a, c, p, False), "vgcfgrestore": _layout_restore,
    **{name: _cmdlet(name) for name in ("clear-disk", "format-volume", "initialize-disk",
                                        "remove-partition")},
}
