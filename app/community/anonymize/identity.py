"""The user's own identifiers, removed wherever they appear, and accounts that identify nobody.

Detectors look for shapes (an email, a home folder); the local account's own name, login,
host name and home folder are known exactly, so every occurrence of them is removed whatever
its surroundings, even in places no detector would suspect.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.community.anonymize.redaction import HOST, NAME, PATH, USER, Redaction, hit

# Account and host names that identify nobody; removing them would only damage the skill.
# fmt: off
GENERIC_ACCOUNTS = frozenset((
    "root", "git", "ubuntu", "ec2-user", "admin", "administrator", "centos", "debian", "fedora",
    "pi", "core", "azureuser", "opc", "user", "deploy", "www-data", "postgres", "nobody", "vagrant",
    "docker", "oracle", "bitnami", "runner", "localhost", "localhost.localdomain", "shared",
    "public", "default",
))
# fmt: on


@dataclass(frozen=True)
class LocalIdentity:
    """The user's own identifiers; every occurrence is removed whatever the detectors think."""

    full_name: str | None
    username: str | None
    hostname: str | None
    home: str | None

    @classmethod
    def current(cls) -> LocalIdentity:
        """Read the identity of the account running Flywheel; missing parts become None."""
        full_name = None
        try:
            import pwd

            full_name = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip() or None
        except (ImportError, KeyError, OSError):
            pass
        try:
            username = getpass.getuser() or None
        except (KeyError, OSError):
            username = None
        try:
            home: str | None = str(Path.home())
        except (KeyError, RuntimeError):
            home = None
        return cls(full_name, username, socket.gethostname() or None, home)


def own_identity_spans(text: str, identity: LocalIdentity) -> Iterator[Redaction]:
    """Every occurrence of the user's own identifiers, whatever its surroundings."""
    pattern, kinds = _identity_pattern(identity)
    if pattern is None:
        return
    for match in pattern.finditer(text):
        kind = kinds[match.group().lower()]
        placeholder = None
        if kind == PATH:
            placeholder = "%USERPROFILE%" if "\\" in match.group() else "~"
        yield hit(text, match.start(), match.end(), kind, placeholder)


@cache
def _identity_pattern(identity: LocalIdentity) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One case-insensitive pattern for all the identity's values, and each value's kind."""
    values = [
        (identity.home, PATH),
        (identity.hostname, HOST),
        (identity.username, USER),
        (identity.full_name, NAME),
    ]
    if identity.hostname and "." in identity.hostname:
        values.append((identity.hostname.split(".", 1)[0], HOST))
    if identity.full_name:
        values += [
            (part, NAME) for part in re.split(r"[\s,\-]+", identity.full_name) if len(part) >= 3
        ]
    kinds: dict[str, str] = {}
    for value, kind in values:
        if value and len(value) > 1 and value.lower() not in GENERIC_ACCOUNTS | {"/", "/root"}:
            kinds.setdefault(value.lower(), kind)
    if not kinds:
        return None, kinds
    alternatives = "|".join(re.escape(v) for v in sorted(kinds, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE), kinds
