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
_FOREVER = re.compile(r"\bwhile\s+(?::|(?:true|True|\[\s*1\s*\]|1)\b)|\buntil\s+false\b"
                      r"|for\s*\(\(\s*;\s*;|\brepeat\b|\bwhile\s*\(\s*(?:TRUE|true|1)\s*\)"
                      r"|\(let\s+loop\b|\bloop\s+do\b|\bloop\s*\{|\bfor\s*\(\s*;\s*;\s*\)"
                      r"|itertools\.count\(")
_SPAWNS = re.compile(r"&\s*(?:done|;|\}|\)|end)|primitive-fork|\bfork\s*\(|mcparallel"
                     r"|wait\s*=\s*false|\bspawn\b|Popen|os\.fork|\bProcess\(")
# What an endless loop grows each time round: a list appended to, a string doubled.
_GROWS = re.compile(r"\.(?:append|push|extend|concat)\(|\bpush\b|\w\s*<<\s*[\"'\w]"
                    r"|\[#\w+\s*\+\s*1\]|\b(\w+)=\$\{?\1\}?\$\{?\1\b|\b(\w+)\s*=\s*\2\s*(?:\+|\.\.|\s)\s*\2\b"
                    r"|\b(\w+)\s*(?:\+|\.|\.\.)=\s*\3\b|\b\w+\+=\(")
# What ends or slows such a loop, so that it is a worker rather than a runaway.
_STOPS = re.compile(r"\b(?:break|exit|return|sleep|wait|read|input|readline|gets|last|die)\b")
# A source file written on the line and built, so its text runs though it is echoed.
_BUILDS = re.compile(r"\b(?:cc|gcc|clang|g\+\+|tcc|rustc|zig|go\s+run|go\s+build)\b")
# A shell loop over a range of a thousand and more that starts a background job each time.
_WIDE_RANGE = re.compile(r"(?:\bfor\b[^;]{0,200}?(?:\{\d+\.\.\d{4,}\}|\bseq\s+(?:\d+\s+)?\d{4,}\b)"
                         r"|\bfor\s*\(\([^)]{0,200}<=?\s*\d{4,}"
                         r"|\bseq\s+(?:\d+\s+){0,2}\d{4,}\s*\|\s*while\b)"
                         r"[^&]{0,300}?\bdo\b(?:(?!\bdone\b).){0,300}?&\s*\)?\s*;?\s*done\b", re.S)
# What an endless loop writes each time round into a file: the disk fills.
_WRITES = re.compile(r">>|\.write\(|\bprint\s+[A-Z]\w*\b|appendFile|\bfputs\b|\bfwrite\b"
                     r"|\bsyswrite\b|\.puts\(|\bcat\b[^;|&]*>")
# More memory than a machine has, asked for at once: `' ' * 10**12`, `bytearray(2**40)`,
# `Buffer.alloc(1<<40)`, `"x" x 1e12` (a terabyte and more).
_HUGE_NUMBER = (r"(?:10\s*\*\*\s*(?:1[2-9]|[2-9]\d)|2\s*\*\*\s*(?:[4-9]\d)|1\s*<<\s*(?:[4-6]\d)"
                r"|\d+(?:\.\d+)?e(?:1[2-9]|[2-9]\d)|\d{13,})\b")
_HUGE_ALLOCATION = re.compile(rf"(?:bytearray|bytes|Buffer\.alloc\w*|malloc|calloc|zeros|ones|"
                              rf"Array|alloc)\s*\(\s*{_HUGE_NUMBER}|[\"'\])]\s*(?:\*|x)\s*"
                              rf"{_HUGE_NUMBER}")
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
    grows = _FOREVER.search(text) and _GROWS.search(text) and not _STOPS.search(text)
    if (_FOREVER.search(text) and _SPAWNS.search(text)) or _YES_SHELL.search(text) \
            or _BOMB.search(text) or _WIDE_RANGE.search(text):
        reasons.append("starts processes without end until the computer freezes")
    if _FOREVER.search(text) and _WRITES.search(text) and not _STOPS.search(text):
        reasons.append("writes into a file without end, until the disk is full")
    if grows or _HUGE_ALLOCATION.search(text):
        reasons.append("grows its memory without end until the computer runs out of it")
    if _ESCAPED_TO_SHELL.search(text):
        reasons.append("pipes escaped text nobody can read into a shell")
    return reasons


def built_runaway_reasons(text: str) -> list[str]:
    """`echo 'int main(){for(;;)fork();}' > f.c && cc f.c && ./a.out`: source text written
    on the line and compiled is read as code, though it was only echoed."""
    if _BUILDS.search(text) and _FOREVER.search(text) and _SPAWNS.search(text):
        return ["builds and runs a program that starts copies of itself until the computer "
                "freezes"]
    return []
