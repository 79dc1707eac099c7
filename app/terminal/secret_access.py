"""Keys and credentials opened to other accounts.

Why: a private key or a credentials file readable or writable by the group, by everyone or
by a named other account (`chmod 644 ~/.ssh/id_ed25519`, `chmod -R 777 ~/.gnupg`, `setfacl
-m u:nobody:r ~/.aws/credentials`) is as good as handed over on a shared machine, and a
writable `~/.ssh` lets anyone plant a login key. Tightening them (`chmod 600`, `chmod 700
~/.ssh`, `chmod go-rwx`) and public keys (`chmod 644 ~/.ssh/id_ed25519.pub`) stay quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal import risky_paths as paths

Judge = Callable[[list[str], str | None, list[str]], list[str]]

OPENED = "lets other accounts read or change your keys or credentials ({})"


def _grants_others(mode: str) -> bool:
    """An octal mode with group/other read or write, or `g+r`, `o=rw`, `a+w`, `+r` …"""
    if re.fullmatch(r"0?[0-7]?[0-7]{3}", mode):
        return any(int(digit) & 6 for digit in mode[-2:])
    return any(re.fullmatch(r"[ugoa]*[+=][rwxXst]*[rw][rwxXst]*", part)
               and not re.match(r"^u+[+=]", part) for part in mode.split(","))


def _chmod(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [arg for arg in args if not arg.startswith("-") or re.fullmatch(r"-[rwxXst]+", arg)]
    if len(words) < 2 or not _grants_others(words[0]):
        return []
    secret = [t for t in words[1:] if paths.mentions_secret(t)]
    return [OPENED.format(secret[0])] if secret else []


def _setfacl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    entries = [b for a, b in pairwise(args) if re.fullmatch(r"-\w*[mM]", a)]
    opens = any(re.search(r"(?:^|,)(?:u|g|o|m|user|group|other|mask):[^:,]*:[^,]*[rw]", e)
                for e in entries)
    secret = [a for a in args if paths.mentions_secret(a)]
    return [OPENED.format(secret[0])] if opens and secret else []


JUDGES: dict[str, Judge] = {"chmod": _chmod, "setfacl": _setfacl}
