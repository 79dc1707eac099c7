"""Every restore point of the system deleted at once, by the system's own backup tools.

Why: shadow copies, system-state backups and local snapshots are what brings a machine back
after a bad update, a deleted folder or ransomware — which is why ransomware deletes them
first (`vssadmin delete shadows /all /quiet`). The line drawn, by what is harmed on each
system (`timeshift --delete-all` on Linux is `data_wiped`'s):

- needs typing: every shadow copy of the machine or of a volume, unasked (`vssadmin delete
  shadows /all /quiet`, `/for=D: /quiet`; `wmic shadowcopy delete`, which never asks); the
  backup catalog or every system-state backup but one (`wbadmin delete catalog -quiet`,
  `delete systemstatebackup -keepversions:0 -quiet`); every local snapshot of a volume
  (`tmutil deletelocalsnapshots /`); a range of snapper's snapshots from the first one on
  (`snapper -c root delete 1-500`: snapper never asks);
- stays quiet: listing them, one shadow copy or snapshot named, the oldest one, a delete the
  tool still asks about (no `/quiet`, `-quiet`), keeping several versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Judge = Callable[[list[str], str | None, list[str]], list[str]]


def _vssadmin(args: list[str]) -> str:
    """`delete shadows /all`, or `/for=VOLUME` with neither `/oldest` nor `/shadow=`: all."""
    words = [a.lower() for a in args]
    if words[:2] != ["delete", "shadows"] or "/quiet" not in words:
        return ""
    every = "/all" in words or (any(w.startswith("/for=") for w in words) and not any(
        w == "/oldest" or w.startswith("/shadow=") for w in words))
    return "every shadow copy (restore point) of the machine" if every else ""


def _wmic(args: list[str]) -> str:
    """`wmic shadowcopy delete`: every instance, with no question (a `where` picks some)."""
    words = [a.lower() for a in args]
    every = "shadowcopy" in words and "delete" in words and "where" not in words and \
        "/interactive:on" not in words
    return "every shadow copy (restore point) of the machine" if every else ""


def _wbadmin(args: list[str]) -> str:
    """`wbadmin delete catalog -quiet`, `delete systemstatebackup|backup -keepversions:0`."""
    words = [a.lower() for a in args]
    if words[:1] != ["delete"] or "-quiet" not in words:
        return ""
    kept = [int(m.group(1)) for w in words if (m := re.fullmatch(r"-keepversions:(\d+)", w))]
    if words[1:2] == ["catalog"]:
        return "the catalog of every Windows backup"
    return "every Windows backup but one" if kept and kept[0] <= 1 else ""


def _tmutil(args: list[str]) -> str:
    """`tmutil deletelocalsnapshots /`: given a mount point rather than a date, all of them."""
    words = [a for a in args if not a.startswith("-")]
    return "every local Time Machine snapshot of a volume" if words[:1] == [
        "deletelocalsnapshots"] and any(w.startswith("/") for w in words[1:]) else ""


def _snapper(args: list[str]) -> str:
    """`snapper [-c CONFIG] delete 1-500`: a range from the first snapshot takes every one up
    to its end; one snapshot, a list, or a range of later ones (`40-42`) is routine pruning."""
    words = [a for i, a in enumerate(args) if not a.startswith("-")
             and not (i and args[i - 1] in ("-c", "--config", "-r", "--root"))]
    if words[:1] not in (["delete"], ["remove"], ["rm"]):
        return ""
    return "every snapshot from the first one on" if any(
        (m := re.fullmatch(r"(\d+)-(\d+)", w)) and int(m.group(1)) <= 1 < int(m.group(2))
        for w in words[1:]) else ""


def _judge(rule: Callable[[list[str]], str]) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        harmed = rule(args)
        return [f"deletes {harmed} with no question asked"] if harmed else []
    return judge


# Windows programs answer to any case (`VSSADMIN`, `vssadmin.exe`).
JUDGES: dict[str, Judge] = {
    variant: _judge(rule) for name, rule in (("vssadmin", _vssadmin), ("wmic", _wmic),
                                             ("wbadmin", _wbadmin), ("tmutil", _tmutil),
                                             ("snapper", _snapper))
    for variant in (name, name.upper(), name.capitalize())
}
