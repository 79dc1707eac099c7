"""Destructive tools under another name or aimed at a target computed while the line runs.

Why: the deny list reads `rm` and `dd` by name and their targets as written. A link that
gives `rm` another name (`ln -s "$(command -v rm)" /tmp/ls`) hides every later use, and a
disk written through `of=/dev/$(lsblk …)` or `of=$(df --output=source / | tail -1)` names
no device anyone can check first.
"""

from __future__ import annotations

import re

from app.terminal.command_words import program_and_args
from app.terminal.shell_syntax import Command

_DESTRUCTIVE = r"(?:rm|dd|shred|mkfs[\w.]*|wipefs|truncate|srm)"
_NAMES_TOOL = re.compile(rf"^(?:\$\((?:command -v|which|type -P)\s+{_DESTRUCTIVE}\)|"
                         rf"`(?:command -v|which)\s+{_DESTRUCTIVE}`|"
                         rf"(?:/usr)?/s?bin/{_DESTRUCTIVE})$")
_COMPUTED_DEVICE = re.compile(r"^(?:of=)?/dev/[^\s]*(?:\$\(|`|\$\{?\w)")
# A target computed by a tool that prints disks or what a folder is mounted from
# (`of=$(df --output=source / | tail -1)`, `$(findmnt -no SOURCE /)`): a device too.
_FOUND_DEVICE = re.compile(r"^(?:of=)?(?:\$\(|`)\s*(?:sudo\s+)?(?:df|findmnt|lsblk|blkid|"
                           r"losetup|mount)\b")


def disguise_reasons(commands: list[Command]) -> list[str]:
    """Reasons for a deleting tool linked or copied under another name, and for writes to a
    device whose name is computed while the line runs."""
    reasons = []
    for command in commands:
        name, args = program_and_args(command)
        if not name:
            continue
        sources = [a for a in args if not a.startswith("-")][:-1]
        if name in ("ln", "cp", "install") and any(_NAMES_TOOL.match(s) for s in sources):
            reasons.append("gives a deleting or disk-writing program another name, hiding "
                           "what later commands do")
        targets = args + [r.target.text for r in command.redirects]
        written = [r.target.text for r in command.redirects if r.op != "<"] + [
            a for a in args if a.startswith("of=") or name == "tee"] + (
            args[-1:] if name == "cp" else [])
        if (any(_COMPUTED_DEVICE.match(t) for t in targets) or any(
                _FOUND_DEVICE.match(t) for t in written)) and (
                name in ("dd", "tee", "cp", "cat") or "of=" in " ".join(args)
                or command.redirects):
            reasons.append("writes onto a disk device whose name is only found while the line "
                           "runs")
    return reasons
