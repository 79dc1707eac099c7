"""Who and where on a network: logins, @handles, email addresses, IP and MAC addresses.

``user@host`` is ambiguous: in a shell prompt or after ``ssh`` it is a login (user and host
both identify someone), elsewhere it is an email address. The login reading is checked first,
so ``ssh deploy@build.acme.io`` is not taken for an email address and keeps its generic
account name, which identifies nobody, while the machine it reaches goes (unless it is a
documentation name or a public forge, :func:`.hosts.is_public_login`: ``ssh git@github.com``).
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Iterator

from app.community.anonymize.hosts import is_public_login
from app.community.anonymize.identity import GENERIC_ACCOUNTS
from app.community.anonymize.redaction import EMAIL, HOST, IP, MAC, USER, Redaction, hit

_LOGIN = re.compile(
    r"(?<![A-Za-z0-9_.+\-])(?P<user>[A-Za-z_][A-Za-z0-9_.\-]{0,31})@"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-]{0,252})"
)
# "@handle" mentions (chat, GitHub); not decorators at a line start, npm scopes or "@v4" refs.
_MENTION = re.compile(r"(?<![\w@./\\])@(?P<h>[A-Za-z0-9][A-Za-z0-9_\-]{1,38})(?![\w(/@:\-]|\.\w)")
_INDENT_BEFORE = re.compile(r"(?:\A|\n)[ \t]*\Z")
# fmt: off
_NOT_HANDLES = frozenset((
    "property", "staticmethod", "classmethod", "cache", "cached_property", "lru_cache",
    "dataclass", "override", "abstractmethod", "contextmanager", "pytest", "fixture", "wraps",
    "overload", "final", "latest", "next", "main", "master", "here", "channel", "everyone",
    "param", "return", "returns", "author", "see", "since", "deprecated", "throws", "type",
))
# fmt: on
_SSH_COMMAND = re.compile(r"\b(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id|sshfs|ansible)\b")
_PROMPT_AFTER = re.compile(r":[~/]|[ \t][^\n\]]{0,80}\][$#]")
_IPV4_FULL = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}")


def _ssh_lines(text: str) -> list[int]:
    """Positions of ssh-like command words, found once so each login check is a bisection."""
    return [match.start() for match in _SSH_COMMAND.finditer(text)]


def _login_context(text: str, match: re.Match[str], ssh_at: list[int]) -> str | None:
    """Why ``user@host`` is a login (shell prompt, ssh-like command, IP host) or None."""
    if _PROMPT_AFTER.match(text, match.end()):
        return "prompt"
    nearest = bisect.bisect_left(ssh_at, match.start()) - 1
    if (
        nearest >= 0
        and match.start() - ssh_at[nearest] < 300
        and "\n" not in text[ssh_at[nearest] : match.start()]
    ):
        return "ssh"
    host = match.group("host")
    if _IPV4_FULL.fullmatch(host) or host.startswith("["):
        return "ip"
    return None


def login_spans(text: str) -> Iterator[Redaction]:
    """@handles, and the user and host of logins in prompts and ssh-like commands."""
    for match in _MENTION.finditer(text):
        decorator = _INDENT_BEFORE.search(text, max(0, match.start() - 80), match.start())
        if not decorator and match.group("h").lower() not in _NOT_HANDLES:
            yield hit(text, match.start("h"), match.end("h"), USER)
    ssh_at = _ssh_lines(text)
    for match in _LOGIN.finditer(text):
        context = _login_context(text, match, ssh_at)
        if context is None:
            continue
        if match.group("user").lower() not in GENERIC_ACCOUNTS:
            yield hit(text, match.start("user"), match.end("user"), USER)
        host = match.group("host").rstrip(".")
        wanted = context in ("prompt", "ssh") and not is_public_login(host)
        if wanted and host.lower() not in GENERIC_ACCOUNTS:
            yield hit(text, match.start("host"), match.start("host") + len(host), HOST)


_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-])"
)


def _in_userinfo(text: str, at: int) -> bool:
    """Whether ``at`` lies in the ``user:password@`` part of a URL (handled by url_spans)."""
    scheme = text.rfind("://", max(0, at - 200), at)
    return scheme != -1 and not any(c in text[scheme + 3 : at] for c in " \t\n/@")


def email_spans(text: str) -> Iterator[Redaction]:
    """Email addresses, except git remotes, URL logins and ``user@host`` logins."""
    ssh_at = _ssh_lines(text)
    for match in _EMAIL.finditer(text):
        if match.group().startswith("git@") or _in_userinfo(text, match.start()):
            continue
        login = _LOGIN.match(text, match.start())
        if login and _login_context(text, login, ssh_at):
            continue
        yield hit(text, match.start(), match.end(), EMAIL)


_IPV4 = re.compile(
    r"(?<![A-Za-z0-9.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
    r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9]|\.\d)(?P<prefix>/\d{1,2}(?!\d))?"
)
_IPV6 = re.compile(r"(?<![A-Za-z0-9:.])(?=[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9]+)?")
_MAC = re.compile(
    r"(?<![A-Za-z0-9:.\-])[0-9A-Fa-f]{2}(?P<sep>[:\-])(?:[0-9A-Fa-f]{2}(?P=sep)){4}[0-9A-Fa-f]{2}"
    r"(?![A-Za-z0-9:\-])|(?<![A-Za-z0-9.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
    r"(?![A-Za-z0-9.])"
)
_PUBLIC_IPS = frozenset(
    ("0.0.0.0", "255.255.255.255", "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9")
)


def _is_network(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return str(network.network_address) == cidr.split("/", 1)[0]


def network_id_spans(text: str) -> Iterator[Redaction]:
    """IPv4 and IPv6 addresses (not well-known public ones or ranges) and MAC addresses."""
    for match in _IPV4.finditer(text):
        address = match.group().split("/", 1)[0]
        if address in _PUBLIC_IPS or address.startswith(("127.", "255.")):
            continue
        if match.group("prefix") and _is_network(match.group()):
            continue  # a range such as 10.0.0.0/8 identifies nobody
        yield hit(text, match.start(), match.start() + len(address), IP)
    for match in _IPV6.finditer(text):
        candidate = match.group().rstrip(".:")
        if candidate.count(":") < 2 or candidate in ("::", "::1"):
            continue
        try:
            ipaddress.IPv6Address(candidate.split("%", 1)[0])
        except ValueError:
            continue
        yield hit(text, match.start(), match.start() + len(candidate), IP)
    for match in _MAC.finditer(text):
        if match.group().lower() not in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
            yield hit(text, match.start(), match.end(), MAC)
