"""Deletes aimed at the home folder, whatever tool or wrapper carries them.

Why: the deny list reads `rm` by name, but the same recursive delete of `~/Documents` comes
through `tar --remove-files`, `cmake -E remove_directory`, `busybox rm`, `systemd-run rm`,
`find ~ -delete`, xargs fed home paths, a function or array that spells `rm`, or a program
named by a variable. Any of those beside a target in home (outside caches) needs typing.
"""

from __future__ import annotations

import re

_DELETER = re.compile(
    r"--remove-files|\bremove_directory\b|-E\s+(?:rm|remove)\b|(?<![-\w])-delete\b|-exec(?:dir)?\s+(?:sudo\s+)?"
    r"(?:rm|shred|unlink)\b|\s-(?:x|X|-exec|-exec-batch)\s+(?:sudo\s+)?(?:rm|shred|unlink)\b"
    r"|\bshred\b|rm'?\s*\+\s*'?tree|\brmtree\b|[\"']r[\"']\s*\+\s*[\"']m[\"']"
    r"|(?:^|[;&|({]\s*|\s)(?:\S{0,64}/)?rm\s+-\w*[rRf]|\bxargs\b[^|;&]*\brm\b"
    r"|(?:^|[;&|]\s*)\S{0,64}\$\S{0,64}\s+-(?:rf|fr|r|R)\b|\(\s*r\s+m\s*\)")
# The end of such a target: `~/Music`, `~/Music/`, `~/Music/*` (everything in it), but not
# `~/Downloads/*.iso`, a pattern that picks some files.
_END = r"""/?(?=[\s"';)]|\*+(?:[\s"';)]|$)|$)"""
# One level under home that holds the user's own files: the standard folders, dot-files
# (caches aside), or a name only known while the line runs (a variable, a glob, braces).
_ONE = (r"""(?:/["']?(?:Documents|Desktop|Downloads|Music|Pictures|Videos|Public|Templates"""
        r"""|\.(?!cache\b|zcompdump)[\w.-]+|(?!\.zcompdump)[^/\s"';)]*[$*{?\[][^/\s;)]*)["']?)?""")
_HOME = re.compile(
    rf"(?<![\w./$'\"-])~{_ONE}{_END}|\$\{{?HOME\}}?{_ONE}{_END}|Path\.home\(\)"
    rf"(?:\s*/\s*'\w+')?\s*[,.)]|expanduser\(\s*['\"]~{_ONE}['\"]\s*\)|getent passwd"
    r"|ENV\[\"HOME\"\]\s*\)|Dir\.home\b|homedir\(\)")
_JUNK = re.compile(r"-name\s+['\"]?\*\.(?:tmp|part|pyc|swp|bak|log|o|orig|rej)\b")
_SYSTEM_FIND = re.compile(r"\bfind\s+/(?:\s|etc|usr|boot|var|bin|lib)[^|;&]*(?:-delete|-exec\s+"
                          r"(?:sudo\s+)?(?:rm|shred))")
_EMPTIES_CONFIG = re.compile(r"\bsed\s+-i\S*\s+'1,\$d'[^|;&]*/etc/"
                             r"|\btee\s+/etc/\S+\s*<\s*/dev/null")


def home_delete_reasons(text: str) -> list[str]:
    """Reasons for a recursive or wide delete of home, or of system folders, by any tool."""
    reasons = []
    if (_DELETER.search(text) and _HOME.search(text) and not _JUNK.search(text)
            and ".cache" not in text):
        reasons.append("deletes files in your home folder (through a wrapper or another tool)")
    if _SYSTEM_FIND.search(text):
        reasons.append("finds and deletes files in the system folders")
    if _EMPTIES_CONFIG.search(text):
        reasons.append("empties system configuration files in /etc")
    return reasons
