"""Disks, power and resource exhaustion spelt in ways the other readers do not model.

Why: firmware flashing, a disk found while the line runs and then written, a power-off
alarm, killing a user's whole session manager, loops that start background work forever,
and escaped text piped to a shell all take the machine away from its user.
"""

from __future__ import annotations

import re

_MACHINE = re.compile("|".join([
    r"\bflashrom\b[^|;&]*\s(?:-w|--write|-E|--erase)\b",
    r"\brtcwake\b[^|;&]*-m\s*(?:off|disk)\b",
    r"\bsystemctl\s+(?:--\S+\s+)*(?:kill|stop|restart)\b[^|;&]*\buser@",
]))
# A disk found while the line runs, and a tool that writes one: searched separately so a
# long line costs linear time.
_FINDS_DISK = re.compile(r"\b(?:lsblk|findmnt|blkid)\b")
_WRITES_DISK = re.compile(r"\bof=|\bmkfs|\bwipefs|\.ext[234]\b|\bsgdisk\b|\bblkdiscard\b")
_FOREVER = re.compile(r"\bwhile\s+(?:true|:|\[\s*1\s*\]|1)\b|\buntil\s+false\b|for\s*\(\(\s*;\s*;"
                      r"|\brepeat\b|\bwhile\s*\(\s*(?:TRUE|true|1)\s*\)|\(let\s+loop\b|\bloop\s+do\b")
_SPAWNS = re.compile(r"&\s*(?:done|;|\}|\)|end)|primitive-fork|\bfork\s*\(|mcparallel"
                     r"|wait\s*=\s*false|\bspawn\b|Popen|os\.fork")
_YES_SHELL = re.compile(r"\byes\b[^|]*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b")
_BOMB = re.compile(r"([\w:.]+)\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;?\s*\1")
_ESCAPED_TO_SHELL = re.compile(r"""\bprintf\s+(["'])[^"']*\\(?:[0-7]{3}|x[0-9a-fA-F]{2})[^"']*\1"""
                               r"[^|;&]*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b")


def runaway_reasons(text: str) -> list[str]:
    """Reasons for firmware, computed-disk, power and runaway-process commands."""
    reasons = []
    if _MACHINE.search(text) or (_FINDS_DISK.search(text) and _WRITES_DISK.search(text)):
        reasons.append("writes firmware or a disk found while the line runs, or powers off "
                       "or kills a whole user session")
    if (_FOREVER.search(text) and _SPAWNS.search(text)) or _YES_SHELL.search(text) \
            or _BOMB.search(text):
        reasons.append("starts processes without end until the computer freezes")
    if _ESCAPED_TO_SHELL.search(text):
        reasons.append("pipes escaped text nobody can read into a shell")
    return reasons
