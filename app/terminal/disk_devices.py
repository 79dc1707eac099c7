"""Disk devices named to programs that can write them.

Why: formatting and partitioning tools each have a judge (`system_checks`), but the tools that
can overwrite a disk never end: `debugfs -w`, `xfs_db -x`, `sg_format`, `e2image -r`,
`ntfsclone`, `zerofree`, `mkswap` … The rule here is general: a disk device (`/dev/sda1`,
`/dev/nvme0n1`, `/dev/sg1`) given to a program is only quiet when the program is known to
read disks without writing them (`lsblk`, `blkid`, `smartctl`, `debugfs` without `-w`),
when its own judge decides, or when it is only asked for help.
"""

from __future__ import annotations

from app.terminal import risky_paths as paths

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
    devices = [p for a in args if (p := paths.expand(a.partition("=")[2] if a.startswith("-")
                                                    else a, cwd)) and paths.is_device(p)]
    if not devices or judged or set(args) & _HELP:
        return []
    if name in READ_ONLY:
        writes = READ_ONLY[name] & set(args) or any(a.startswith("-w") for a in args
                                                    if name == "debugfs")
        reads = _READ_FLAGS.get(name)
        if not writes and (reads is None or any(a.startswith(reads) for a in args)):
            return []
    return [f"gives the disk device {devices[0]} to {name}, which can write to it and destroy "
            "what is on it"]
