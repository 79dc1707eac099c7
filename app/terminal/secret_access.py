"""Keys and credentials opened to other accounts.

Why: a private key or a credentials file readable or writable by the group, by everyone or
by a named other account (`chmod 644 ~/.ssh/id_ed25519`, `chmod -R 777 ~/.gnupg`, `setfacl
-m u:nobody:r ~/.aws/credentials`, `setfacl -m o:r …`) is as good as handed over on a shared
machine, and a writable `~/.ssh` lets anyone plant a login key. So is a copy of one put
where others read (`cp ~/.ssh/id_rsa /tmp/`, `tar czf /var/www/k.tgz ~/.ssh`) or installed
with `install`'s default mode, 0755. Tightening them (`chmod 600`, `chmod 700
~/.ssh`, `chmod go-rwx`) and public keys (`chmod 644 ~/.ssh/id_ed25519.pub`) stay quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.command_words import option_values
from app.terminal.secret_moves import exposed_place, grants_others, secret_named

Judge = Callable[[list[str], str | None, list[str]], list[str]]

OPENED = "lets other accounts read or change your keys or credentials ({})"


def _chmod(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [arg for arg in args if not arg.startswith("-") or re.fullmatch(r"-[rwxXst]+", arg)]
    if len(words) < 2 or not grants_others(words[0]):
        return []
    secret = [t for t in words[1:] if secret_named(t) and not _shadow_group(words[0], t)]
    return [OPENED.format(secret[0])] if secret else []


def _shadow_group(mode: str, target: str) -> bool:
    """`chmod 640 /etc/shadow`: the shadow group reading the password file is how the system
    ships it (its login helpers are in that group); others still read nothing."""
    return bool(re.fullmatch(r"/etc/g?shadow-?", target)
                and re.fullmatch(r"0?[0-7]?[0-6][04]0", mode))


def _acl_opens(entry: str) -> bool:
    """An ACL entry (`[d:]u:bob:r`, `bob:rw`, `g::r`, `o:r`, `other::rw`, `m::r`) giving read
    or write to anyone but the owner; `u::rw` (the owner) does not."""
    fields = entry.strip().split(":")
    if fields[0] in ("d", "default"):
        fields = fields[1:]
    if len(fields) < 2:
        return False
    kind, perms = fields[0], fields[-1]
    if kind in ("u", "user") and (len(fields) < 3 or not fields[1]):
        return False  # the owner's own entry
    if perms.isdigit():
        return bool(int(perms[-1]) & 6)
    return bool(re.search(r"[rw]", perms))


def _setfacl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    entries = [b for a, b in pairwise(args) if re.fullmatch(r"-\w*[mM]|--set|--modify", a)]
    entries += [a.partition("=")[2] for a in args if a.startswith(("--set=", "--modify="))]
    opens = any(_acl_opens(e) for entry in entries for e in entry.split(","))
    secret = [a for a in args if secret_named(a)]
    return [OPENED.format(secret[0])] if opens and secret else []


def _restrictive(mode: str) -> bool:
    return bool(mode) and not grants_others(mode)


def _copied_out(name: str) -> Judge:
    """`install`, `cp`, `tar`, `zip` … of a key into a place other accounts or a web server
    read (`/tmp`, `/var/www`, `~/Public`), or `install` of one with a mode that opens it
    (its default, 0755, does)."""

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        used = set(option_values(args, {"-e", "--rsh", "-i"}))  # a key used to log in
        words = [a for a in args if not a.startswith("-")]
        secret = [w for w in words if secret_named(w) and w not in used]
        if not secret:
            return []
        targets = [w for w in words if w not in secret] + [
            a.partition("=")[2] for a in args if a.startswith("--target-directory=")]
        places = [t for t in targets if exposed_place(t, cwd)]
        if places:
            return [f"puts your keys or credentials ({secret[0]}) where other accounts can "
                    f"read them ({places[0]})"]
        modes = [b for a, b in pairwise(args) if a == "-m"] + [
            a.partition("=")[2] if "=" in a else a[2:] for a in args
            if a.startswith(("--mode=", "-m")) and a != "-m"]
        if name == "install" and not any(_restrictive(m) for m in modes) and len(words) > 1:
            return [OPENED.format(secret[0])]
        return []

    return judge


JUDGES: dict[str, Judge] = {"chmod": _chmod, "setfacl": _setfacl, **{
    name: _copied_out(name) for name in ("install", "cp", "mv", "rsync", "tar", "zip", "7z",
                                          "ln", "ditto")}}
