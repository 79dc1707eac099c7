"""Remove personal data and secrets from a skill before it leaves the machine.

A shared skill must stay useful (a path stays a path, a command stays a command) while nothing
in it points back to the user or grants access to anything. Each detector below proposes spans
of the original text; overlapping spans are merged into one redaction whose kind is the most
severe one involved, and the text is rebuilt with typed placeholders (``<EMAIL>``, ``<IP>`` …,
``~`` for a home folder). The policy is *unsure -> remove*: a false redaction costs a little
readability, a leak cannot be taken back.

Why hand-written patterns rather than Yelp's ``detect-secrets``: measured here, its plugins took
5 s per MB (regex plugins only) to 14 s per MB (defaults), report values rather than spans
(sometimes only a prefix, e.g. ``ghp`` for a GitHub token) and flag ordinary words such as
``curl`` as high-entropy. Every pattern here is anchored with a look-behind so that each run of
characters is scanned from its start only, which keeps the work linear on megabyte inputs.

Person names come from the first/last-name lists that the ``faker`` package ships for several
locales (loaded once, offline), combined with context cues (``Author:``, ``user.name``,
``Name <mail>``, greetings, titles) and a surname heuristic.
"""

from __future__ import annotations

import bisect
import getpass
import importlib
import ipaddress
import itertools
import math
import os
import re
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SECRET, CARD, IBAN, EMAIL, PATH, IP, MAC = "SECRET", "CARD", "IBAN", "EMAIL", "PATH", "IP", "MAC"
PHONE, HOST, USER, PROJECT, NAME = "PHONE", "HOST", "USER", "PROJECT", "NAME"
# When spans overlap, the merged redaction takes the kind ranked highest here.
_RANK = {SECRET: 9, CARD: 8, IBAN: 8, EMAIL: 7, PATH: 6, IP: 5, MAC: 5, PHONE: 4, HOST: 3,
         USER: 2, PROJECT: 1, NAME: 1}


@dataclass(frozen=True)
class Redaction:
    """One removed span: where it was in the original text, what it was and what replaced it."""

    start: int
    end: int
    kind: str
    original: str
    placeholder: str


@dataclass(frozen=True)
class AnonymizedText:
    """The shareable text and the list of redactions, so the consent preview can show them."""

    text: str
    redactions: list[Redaction]


# Account and host names that identify nobody; removing them would only damage the skill.
_GENERIC_ACCOUNTS = frozenset((
    "root", "git", "ubuntu", "ec2-user", "admin", "administrator", "centos", "debian", "fedora",
    "pi", "core", "azureuser", "opc", "user", "deploy", "www-data", "postgres", "nobody", "vagrant",
    "docker", "oracle", "bitnami", "runner", "localhost", "localhost.localdomain", "shared",
    "public", "default",
))


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


def anonymize(text: str, identity: LocalIdentity | None = None) -> AnonymizedText:
    """Return ``text`` with personal data and secrets replaced by typed placeholders.

    ``identity`` defaults to the current account's; pass ``LocalIdentity(None, None, None,
    None)`` to anonymize without any local identity (benchmarks do, to stay deterministic).
    """
    if not isinstance(text, str):
        raise TypeError(f"anonymize() expects str, not {type(text).__name__}; decode it first")
    if identity is None:
        identity = LocalIdentity.current()
    spans: list[Redaction] = []
    for detector in _DETECTORS:
        spans.extend(detector(text))
    spans.extend(_own_identity(text, identity))
    redactions = _merge(text, spans)
    pieces, cursor = [], 0
    for red in redactions:
        pieces += [text[cursor:red.start], red.placeholder]
        cursor = red.end
    pieces.append(text[cursor:])
    return AnonymizedText("".join(pieces), redactions)


def _merge(text: str, spans: list[Redaction]) -> list[Redaction]:
    """Fuse overlapping spans into one redaction carrying the most severe kind's placeholder."""
    groups: list[tuple[int, int, Redaction]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= span.start:
            continue
        if groups and span.start < groups[-1][1]:
            start, end, best = groups[-1]
            best = best if _RANK[best.kind] >= _RANK[span.kind] else span
            groups[-1] = (start, max(end, span.end), best)
        else:
            groups.append((span.start, span.end, span))
    return [Redaction(start, end, best.kind, text[start:end], best.placeholder)
            for start, end, best in groups]


def _hit(text: str, start: int, end: int, kind: str, placeholder: str | None = None) -> Redaction:
    return Redaction(start, end, kind, text[start:end], placeholder or f"<{kind}>")


# --------------------------------------------------------------------------- secrets

def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str, min_len: int = 20) -> bool:
    """True for machine-made credentials: long, mixed classes, high entropy, no word shape."""
    if len(value) < min_len:
        return False
    upper = sum(map(str.isupper, value))
    lower = sum(map(str.islower, value))
    digits = sum(map(str.isdigit, value))
    if upper < 2 or lower < 2 or digits < 2:
        return False
    switches = len(_CLASS_RUN.findall(value)) - 1
    return _entropy(value) >= 3.7 and switches / len(value) >= 0.3


_CLASS_RUN = re.compile(r"[A-Z]+|[a-z]+|[0-9]+|[^A-Za-z0-9]+")


_REFERENCE = re.compile(
    r"""^(?:\$\{[^}]*\}|\$\([^)]*\)?|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|%\([A-Za-z_]\w*\)s|<[^<>]+>
    |\{\{.*\}\}|\{%.*%\}|[*&][A-Za-z_][\w\-]*|[a-z_][a-z_.]{2,}\(.*|[A-Z][a-z]{3,}[A-Za-z]*\(.*
    |.*\b(?:os\.environ|process\.env|ENV\[|getenv|secrets\.).*
    |(?:str|bytes|int|None|SecretStr|Optional\[.*)[),\]]*
    |(?i:true|false|null|none|yes|no|required|optional|\.\.\.|-|x+))$""",
    re.VERBOSE,
)


def _is_reference(value: str) -> bool:
    """Variables, templates, calls and type names name a secret without containing one."""
    bare = value.strip("\"'")
    return not bare or bool(_REFERENCE.match(bare)) or set(bare) <= set("*x.-_ ")


_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}"
    r"|AIza[0-9A-Za-z_\-]{35}|ya29\.[0-9A-Za-z_\-]{20,}|GOCSPX-[0-9A-Za-z_\-]{20,}"
    r"|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255}"
    r"|glpat-[A-Za-z0-9_\-]{20,}|xox[abposre]-[A-Za-z0-9\-]{10,}|xapp-\d-[A-Za-z0-9\-]{10,}"
    r"|sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_\-]{20,}|(?:sk|rk|pk)_(?:live|test)_\w{16,}"
    r"|whsec_[A-Za-z0-9]{24,}|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"
    r"|npm_[A-Za-z0-9]{36}|pypi-[A-Za-z0-9_\-]{50,}|hf_[A-Za-z0-9]{30,}"
    r"|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}|dop_v1_[a-f0-9]{64}"
    r"|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|(?:SK|AC)[0-9a-f]{32}|\d{8,10}:AA[\w\-]{33}"
    r"|[0-9a-f]{32}-us\d{1,2}|ATATT[A-Za-z0-9_\-=]{30,}|[\w~.\-]{3}\dQ~[\w~.\-]{31,34}"
    r")"
)
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=\s:,\\\-]*")  # base64 lines, also with JSON's "\n"
_KEY_WORDS = (
    r"pass(?:word|wd|phrase)?|secret|token|credentials?|signature|apikey"
    r"|(?:api|access|secret|private|signing|encryption|master|account|client|app|auth|license"
    r"|shared[_-]?access|subscription)[_-]?key"
)
_CAMEL_WORDS = (
    r"Password|Passwd|Passphrase|Secret|Token|Credentials?|Signature|ApiKey"
    r"|(?:Api|Access|Secret|Private|Signing|Encryption|Master|Account|Client|App|Auth|License"
    r"|SharedAccess|Subscription)Key"
)
_VALUE = r"""(?P<v>"[^"\n]{1,512}"|'[^'\n]{1,512}'|[^\s"'`,;]{1,512})"""
# Each pattern opens with a look-ahead on its possible first letters: the regex engine then
# skips most positions without trying the whole alternation (twice as fast on prose).
_ASSIGNMENT = re.compile(
    rf"(?=[PpSsTtCcAaEeMmLlKk])"
    rf"(?:(?<![A-Za-z0-9])(?i:{_KEY_WORDS})|(?<=[a-z0-9])(?:{_CAMEL_WORDS}))(?![A-Za-z0-9_])"
    rf"""["']?[ \t]*(?::=|=>|=|:)[ \t]*(?:!\w+[ \t]+)?{_VALUE}"""
)
_FLAG = re.compile(
    rf"(?<![A-Za-z0-9-])--(?:[A-Za-z0-9]+-)*(?i:{_KEY_WORDS}|key)[ \t]+(?!-){_VALUE}"
)
_BEARER = re.compile(
    r"(?=[BbAa])(?i:\bbearer|\bbasic|authorization[\"']?[ \t]*[:=][ \t]*[\"']?token)[ \t]+"
    r"(?P<v>[A-Za-z0-9._~+/\-]{8,}=*)"
)
_KEY_START = re.compile(r"(?:[?&]|(?<=\S)#)[\w.\-]*\Z")
_RANDOM_RUN = re.compile(r"(?<![A-Za-z0-9+/=_.:\-])[A-Za-z0-9+/_\-]{20,}={0,2}")
_FILE_LIKE = re.compile(r"^[\w.\-]+\.(?:pem|key|crt|cer|p12|pfx|json|txt|ya?ml|env|gpg)$|/")


def _private_keys(text: str) -> Iterator[Redaction]:
    covered, end_missing = 0, False
    for begin in _PEM_BEGIN.finditer(text):
        if begin.start() < covered:
            continue  # a marker inside the block already redacted
        end_marker = -1 if end_missing else text.find("-----END", begin.end())
        if end_marker != -1:
            close = text.find("-----", end_marker + 8)
            covered = close + 5 if close != -1 else len(text)
        else:
            end_missing = True  # no later BEGIN can find one either: do not search again
            covered = _PEM_BODY.match(text, begin.end()).end()
        yield _hit(text, begin.start(), covered, SECRET, "<PRIVATE_KEY>")


def _secrets(text: str) -> Iterator[Redaction]:
    yield from _private_keys(text)
    for match in _TOKEN.finditer(text):
        if any(c.isdigit() for c in match.group()):
            yield _hit(text, match.start(), match.end(), SECRET)
    for pattern in (_ASSIGNMENT, _FLAG, _BEARER):
        for match in pattern.finditer(text):
            value = match.group("v")
            if _is_reference(value) or (pattern is _FLAG and _FILE_LIKE.search(value)):
                continue
            if pattern is _ASSIGNMENT and _KEY_START.search(text, max(0, match.start() - 64),
                                                            match.start()):
                continue  # a URL query parameter: _urls() redacts it without eating the rest
            start, end = match.span("v")
            if value[0] in "\"'" and len(value) > 2:
                start, end = start + 1, end - 1
            yield _hit(text, start, end, SECRET)
    for match in _RANDOM_RUN.finditer(text):
        if _looks_random(match.group().rstrip("=")) and not _path_like(match.group()):
            yield _hit(text, match.start(), match.end(), SECRET)


def _path_like(value: str) -> bool:
    """A slash-separated run made of word-shaped segments is a path, not base64."""
    parts = value.split("/")
    words = sum(bool(re.fullmatch(r"[A-Za-z][a-z]{2,}|[a-z]{3,}", part)) for part in parts)
    return value.startswith("/") or words >= 2


# --------------------------------------------------------------------------- URLs, logins

_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]{1,15}://[^\s<>\"'`\]]+")
_SIGNED_PARAMS = frozenset((
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
    "x-goog-credential", "signature", "sig",
))
_SECRET_PARAM = re.compile(
    r"(?i)^(?:.*[_\-.])?(?:token|access_token|api_?key|apikey|key|secret|pass(?:word|wd)?|pwd"
    r"|sig|signature|credential|session(?:id)?|sid|jwt|auth|code)$"
)
_URL_GENERIC_USERS = _GENERIC_ACCOUNTS | {"oauth2", "x-access-token", "token"}
_PATH_TOKENS = re.compile(r"(?i)(?:hooks\.slack\.com/services|/api/webhooks/\d+)/([^?#\s]+)")


def _urls(text: str) -> Iterator[Redaction]:
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?")
        unbalanced = min(len(url) - len(url.rstrip(")")), url.count(")") - url.count("("))
        url = url[:len(url) - max(0, unbalanced)]  # the closing parenthesis of a Markdown link
        base = match.start()
        netloc_start = url.index("://") + 3
        path_start = url.find("/", netloc_start)
        # Passwords often hold raw '#', '?' or '@': the userinfo ends at the last '@' before
        # the path, and only then do '?' and '#' start the query.
        at = url.rfind("@", netloc_start, path_start if path_start != -1 else len(url))
        netloc_end = min((i for i in (url.find(c, max(at, netloc_start)) for c in "/?#")
                          if i != -1), default=len(url))
        if at != -1:
            user, _, password = url[netloc_start:at].partition(":")
            user_end = netloc_start + len(user)
            if _looks_random(user, 16) or user.startswith(("ghp_", "glpat-", "github_pat_")):
                yield _hit(text, base + netloc_start, base + user_end, SECRET)
            elif user.lower() not in _URL_GENERIC_USERS:
                yield _hit(text, base + netloc_start, base + user_end, USER)
            if password and not _is_reference(password):
                yield _hit(text, base + user_end + 1, base + at, SECRET)
        yield from _url_params(text, url, base, netloc_end)
        for token in _PATH_TOKENS.finditer(url):
            yield _hit(text, base + token.start(1), base + token.end(1), SECRET)


def _url_params(text: str, url: str, base: int, offset: int) -> Iterator[Redaction]:
    """Redact credential parameters; a signed URL loses its whole query string."""
    query_at = url.find("?", offset)
    if query_at == -1:
        query_at = url.find("#", offset)
    if query_at == -1:
        return
    query = url[query_at + 1:]
    pairs = [(m.group(1), m.start(2), m.end(2))
             for m in re.finditer(r"([^&;=#]+)=([^&;#]*)", query)]
    if any(key.lower() in _SIGNED_PARAMS for key, _, _ in pairs):
        yield _hit(text, base + query_at + 1, base + len(url), SECRET)
        return
    for key, start, end in pairs:
        if _SECRET_PARAM.match(key) and end > start and not _is_reference(query[start:end]):
            yield _hit(text, base + query_at + 1 + start, base + query_at + 1 + end, SECRET)


_LOGIN = re.compile(
    r"(?<![A-Za-z0-9_.+\-])(?P<user>[A-Za-z_][A-Za-z0-9_.\-]{0,31})@"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-]{0,252})"
)
# "@handle" mentions (chat, GitHub); not decorators at a line start, npm scopes or "@v4" refs.
_MENTION = re.compile(r"(?<![\w@./\\])@(?P<h>[A-Za-z0-9][A-Za-z0-9_\-]{1,38})(?![\w(/@:\-]|\.\w)")
_INDENT_BEFORE = re.compile(r"(?:\A|\n)[ \t]*\Z")
_NOT_HANDLES = frozenset((
    "property", "staticmethod", "classmethod", "cache", "cached_property", "lru_cache",
    "dataclass", "override", "abstractmethod", "contextmanager", "pytest", "fixture", "wraps",
    "overload", "final", "latest", "next", "main", "master", "here", "channel", "everyone",
    "param", "return", "returns", "author", "see", "since", "deprecated", "throws", "type",
))
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
    if nearest >= 0 and match.start() - ssh_at[nearest] < 300 and "\n" not in text[
            ssh_at[nearest]:match.start()]:
        return "ssh"
    host = match.group("host")
    if _IPV4_FULL.fullmatch(host) or host.startswith("["):
        return "ip"
    return None


def _logins(text: str) -> Iterator[Redaction]:
    for match in _MENTION.finditer(text):
        decorator = _INDENT_BEFORE.search(text, max(0, match.start() - 80), match.start())
        if not decorator and match.group("h").lower() not in _NOT_HANDLES:
            yield _hit(text, match.start("h"), match.end("h"), USER)
    ssh_at = _ssh_lines(text)
    for match in _LOGIN.finditer(text):
        context = _login_context(text, match, ssh_at)
        if context is None:
            continue
        if match.group("user").lower() not in _GENERIC_ACCOUNTS:
            yield _hit(text, match.start("user"), match.end("user"), USER)
        host = match.group("host").rstrip(".")
        wanted = context == "prompt" or (context == "ssh" and "." not in host)
        if wanted and host.lower() not in _GENERIC_ACCOUNTS:
            yield _hit(text, match.start("host"), match.start("host") + len(host), HOST)


_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-])"
)


def _in_userinfo(text: str, at: int) -> bool:
    """Whether ``at`` lies in the ``user:password@`` part of a URL (handled by _urls)."""
    scheme = text.rfind("://", max(0, at - 200), at)
    return scheme != -1 and not any(c in text[scheme + 3:at] for c in " \t\n/@")


def _emails(text: str) -> Iterator[Redaction]:
    ssh_at = _ssh_lines(text)
    for match in _EMAIL.finditer(text):
        if match.group().startswith("git@") or _in_userinfo(text, match.start()):
            continue
        login = _LOGIN.match(text, match.start())
        if login and _login_context(text, login, ssh_at):
            continue
        yield _hit(text, match.start(), match.end(), EMAIL)


# --------------------------------------------------------------------------- network ids

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
_PUBLIC_IPS = frozenset((
    "0.0.0.0", "255.255.255.255", "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9",
))


def _is_network(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return str(network.network_address) == cidr.split("/", 1)[0]


def _network_ids(text: str) -> Iterator[Redaction]:
    for match in _IPV4.finditer(text):
        address = match.group().split("/", 1)[0]
        if address in _PUBLIC_IPS or address.startswith(("127.", "255.")):
            continue
        if match.group("prefix") and _is_network(match.group()):
            continue  # a range such as 10.0.0.0/8 identifies nobody
        yield _hit(text, match.start(), match.start() + len(address), IP)
    for match in _IPV6.finditer(text):
        candidate = match.group().rstrip(".:")
        if candidate.count(":") < 2 or candidate in ("::", "::1"):
            continue
        try:
            ipaddress.IPv6Address(candidate.split("%", 1)[0])
        except ValueError:
            continue
        yield _hit(text, match.start(), match.start() + len(candidate), IP)
    for match in _MAC.finditer(text):
        if match.group().lower() not in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
            yield _hit(text, match.start(), match.end(), MAC)


# --------------------------------------------------------------------------- numbers

_CARD = re.compile(r"(?<![0-9A-Za-z\-.])\d(?:[ \-]?\d){12,18}(?![0-9A-Za-z])")
# How cards are printed: unbroken, in fours (the last group shorter), or Amex's 4-6-5.
_CARD_GROUPS = re.compile(
    r"\d{13,19}|\d{4}([ \-])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|\d{4}([ \-])\d{6}\2\d{4,5}"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,32}")
_IBAN_LENGTHS = dict(
    (code, int(length)) for code, length in re.findall(
        r"([A-Z]{2})(\d{2})",
        "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BR29CH21CR22CY28CZ24DE22DK18DO28EE20EG29ES24FI18"
        "FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21"
        "LT20LU20LV21MC27MD24ME22MK19MR27MT31MU30NL18NO15PK24PL28PS29PT25QA29RO24RS22SA24SC31"
        "SE24SI19SK24SM27ST25SV28TL23TN24TR26UA29VA22VG24XK20",
    )
)
_PHONE = re.compile(
    r"(?<![A-Za-z0-9+_.\-/])(?:\+|\(\+?)?\d[\d \-.()]{5,24}\d"
    r"(?:[ \t]?(?:x|ext\.?|#)[ \t]?\d{1,6})?(?![A-Za-z0-9])"
)
_PHONE_CUE = re.compile(
    r"(?i)(?:phone|tel|mobile|mobil|cell|call|fax|sms|whatsapp|téléphone|portable|teléfono"
    r"|telefone|celular|móvil|handy|rufnummer|電話|携帯|連絡先)"
)
_FLOAT = re.compile(r"(?<!\d)\d\.\d|\d\.\d(?!\d)")  # "0.5 1.0": numbers, not a phone
_DATE = re.compile(r"\d{4}([\-./])\d{1,2}\1\d{1,2}|\d{1,2}([\-./])\d{1,2}\2\d{4}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    rotated = candidate[4:] + candidate[:4]
    return int("".join(str(int(c, 36)) for c in rotated)) % 97 == 1


def _numbers(text: str) -> Iterator[Redaction]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if (_CARD_GROUPS.fullmatch(match.group()) and digits[0] in "123456"
                and len(set(digits)) > 1 and _luhn_ok(digits)):
            yield _hit(text, match.start(), match.end(), CARD)
    for match in _IBAN.finditer(text):
        yield from _iban(text, match)
    for match in _PHONE.finditer(text):
        if _is_phone(text, match):
            yield _hit(text, match.start(), match.end(), PHONE)


def _iban(text: str, match: re.Match[str]) -> Iterator[Redaction]:
    """Yield the longest checksum-valid IBAN at the start of ``match`` (trailing words cut)."""
    raw = match.group()
    compact_positions = [i for i, c in enumerate(raw) if c != " "]
    expected = _IBAN_LENGTHS.get(raw[:2])
    lengths = [expected] if expected else range(min(34, len(compact_positions)), 14, -1)
    for length in lengths:
        if length > len(compact_positions):
            continue
        compact = "".join(raw[i] for i in compact_positions[:length])
        if _iban_ok(compact):
            yield _hit(text, match.start(), match.start() + compact_positions[length - 1] + 1,
                       IBAN)
            return


def _is_phone(text: str, match: re.Match[str]) -> bool:
    """Accept digit runs shaped like telephone numbers; dates, versions and IPs are not."""
    value = match.group()
    main = re.split(r"[ \t]?(?:x|ext\.?|#)", value)[0]
    digits = sum(c.isdigit() for c in main)
    if not 7 <= digits <= 15 or "  " in main or _DATE.search(main) or _FLOAT.search(main):
        return False
    groups = [g for g in re.split(r"[ \-.()]+", main) if g]
    if main[0] in "+(" or main.startswith("00"):
        return digits >= 8
    if main[0] == "0" and digits >= 9:
        return True
    if len(groups) >= 3 and digits >= 9 and all(2 <= len(g) <= 5 for g in groups[1:]):
        return True
    before = text[max(0, match.start() - 30):match.start()]
    return bool(_PHONE_CUE.search(before))


# --------------------------------------------------------------------------- paths, identity

_HOME = re.compile(
    r"(?<![\w.~\-/\\])(?:(?P<nix>/(?:home|Users)/(?P<u>[A-Za-z0-9._\-]+))"
    r"|(?P<win>[A-Za-z]:\\+(?:Users|Documents and Settings)\\+(?P<wu>[^\\/\s:*?\"<>|]+))"
    r"|(?P<tilde>~|\$HOME|%USERPROFILE%))(?=[/\\\s\"'`:;,)]|$)"
)
_PROJECT_AFTER_HOME = re.compile(
    r"[/\\]+(?:projects?|code|src|repos?|repositories|work|dev|git|workspaces?|Documents"
    r"|Dokumente|Projekte|projets|proyectos|projetos)[/\\]+(?P<p>[^/\\\s\"'`:;,)<>$#]+)"
)


def _home_paths(text: str) -> Iterator[Redaction]:
    for match in _HOME.finditer(text):
        owner = match.group("u") or match.group("wu")
        if owner and owner.lower() not in _GENERIC_ACCOUNTS:
            placeholder = "%USERPROFILE%" if match.group("win") else "~"
            yield _hit(text, match.start(), match.end(), PATH, placeholder)
        elif not match.group("tilde"):
            continue
        project = _PROJECT_AFTER_HOME.match(text, match.end())
        if project:
            yield _hit(text, project.start("p"), project.end("p"), PROJECT)


def _own_identity(text: str, identity: LocalIdentity) -> Iterator[Redaction]:
    """Every occurrence of the user's own identifiers, whatever its surroundings."""
    pattern, kinds = _identity_pattern(identity)
    if pattern is None:
        return
    for match in pattern.finditer(text):
        kind = kinds[match.group().lower()]
        placeholder = None
        if kind == PATH:
            placeholder = "%USERPROFILE%" if "\\" in match.group() else "~"
        yield _hit(text, match.start(), match.end(), kind, placeholder)


@cache
def _identity_pattern(identity: LocalIdentity) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One case-insensitive pattern for all the identity's values, and each value's kind."""
    values = [(identity.home, PATH), (identity.hostname, HOST), (identity.username, USER),
              (identity.full_name, NAME)]
    if identity.hostname and "." in identity.hostname:
        values.append((identity.hostname.split(".", 1)[0], HOST))
    if identity.full_name:
        values += [(part, NAME) for part in re.split(r"[\s,\-]+", identity.full_name)
                   if len(part) >= 3]
    kinds: dict[str, str] = {}
    for value, kind in values:
        if value and len(value) > 1 and value.lower() not in _GENERIC_ACCOUNTS | {"/", "/root"}:
            kinds.setdefault(value.lower(), kind)
    if not kinds:
        return None, kinds
    alternatives = "|".join(re.escape(v) for v in sorted(kinds, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE), kinds


# --------------------------------------------------------------------------- person names

_NAME_LOCALES = ("en_US", "en_GB", "en_IN", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "pt_BR",
                 "pt_PT", "nl_NL", "sv_SE", "pl_PL", "ja_JP")
# First names that are also ordinary words: they only count before a known surname or a cue.
_WORDLIKE_FIRST = frozenset((
    "Ada", "Alma", "Amber", "Angel", "Apollo", "April", "August", "Bella", "Bill", "Bo", "Chase",
    "Christian", "Constance", "Coral", "Crystal", "Daisy", "Dale", "Dawn", "Dean", "Destiny", "Don",
    "Drew", "Earl", "Faith", "Frank", "Gene", "Glen", "Grace", "Grant", "Guy", "Hazel", "Heather",
    "Holly", "Hope", "Hugo", "Hunter", "Iris", "Ivy", "Jack", "Jade", "Jasmine", "Jay", "Joy",
    "Julia", "June", "Lucky", "Luigi", "Mark", "Mason", "Max", "May", "Melody", "Neo", "Nova",
    "Pascal", "Penny", "Raven", "Ray", "Rose", "Ruby", "Sandy", "Summer", "Will", "Wolf", "Gaston",
    "Victoria", "Sage", "Eve", "Paris", "Florence", "Jordan", "Austin", "Dallas", "Carter",
    "Sterling", "Cassandra", "Claude", "Devin", "Gemma", "Rocky", "Kali", "Travis", "Caddy",
    "Buster", "Trixie", "Chef", "Mercedes", "Harley",
))
_NOT_SURNAME = frozenset((
    "The", "A", "An", "And", "Or", "But", "To", "In", "On", "At", "For", "With", "From", "By", "Of",
    "Is", "Are", "Was", "Be", "Has", "Have", "Can", "May", "Should", "Must", "If", "When", "Then",
    "This", "That", "These", "Those", "It", "Its", "Not", "No", "Yes", "Use", "Using", "Run",
    "Install", "Setup", "Set", "Get", "Add", "Fix", "Note", "Notes", "Tip", "Tips", "Step", "Steps",
    "Example", "See", "Also", "Why", "How", "What", "Who", "Where", "Der", "Die", "Das", "Und",
    "Ist", "Le", "La", "Les", "Et", "El", "Los", "Las", "Es",
))
_PARTICLES = frozenset((
    "van", "von", "der", "den", "de", "da", "del", "della", "di", "dos", "das", "du", "le", "la",
    "ter", "y", "bin",
))
_CUES = frozenset((
    "hi", "hello", "hey", "dear", "thanks", "thank", "thx", "ask", "asked", "ping", "cc", "hallo",
    "danke", "liebe", "lieber", "bonjour", "merci", "salut", "hola", "gracias", "querido",
    "querida", "olá", "oi", "obrigado", "obrigada",
))
# Capitalized words that open a line before "Name <mail>" without being part of the name.
_LEAD_WORDS = _CUES | frozenset((
    "contact", "email", "e-mail", "mail", "author", "maintainer", "owner", "from", "to", "cc", "by",
    "reach", "write", "signed-off-by", "co-authored-by", "reviewed-by", "reported-by", "the", "and",
    "or", "see", "kontakt", "courriel", "correo",
))
_TITLE_BEFORE = re.compile(
    r"(?i)(?<![A-Za-z])(?:mr|mrs|ms|dr|prof|herr|frau|mme|mlle|sr|sra|srta|dona|sir)\.?[ \u00a0]+\Z"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Word starts that are not ASCII lowercase: capitalized words (checked again with isupper()).
_CAPITALIZED = re.compile(r"(?<![\w'’\-])[^\W\d_a-z][^\W\d_]*(?:['’\-][^\W\d_]+)*")
_FIELD_LINE = re.compile(
    r"(?im)^[ \t>#*/;\-]*(?:authors?|maintainers?|contact|owner|reviewer|assignee|reviewed-by"
    r"|signed-off-by|co-authored-by|acked-by|tested-by|reported-by|from|to|cc|autor|autora"
    r"|auteur|verfasser|ansprechpartner|responsable|responsável|作成者|担当者?)[ \t]*[:=][ \t]*"
    r"[\"']?(?P<v>[^\n<>\"',(;@]{1,80})"
)
_FIELD_INLINE = re.compile(
    r"(?=[uU@nN])(?:user\.name[\"']?[ \t=]+[\"']?(?P<v>[^\"'\n]{1,80})"
    r"|@author[ \t]+(?P<a>[^\n<*@]{1,80})"
    r"|\bname[\"']?[ \t]*[:=][ \t]*[\"'](?P<n>[^\"'\n]{1,80})[\"'][ \t]*,[ \t]*[\"']?email)"
)
_MAIL_OPEN = re.compile(r"[<(\[][A-Za-z0-9._%+\-]+@")


@cache
def _name_lists() -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
    """First names, surnames and a CJK full-name pattern from faker's per-locale lists."""
    first: set[str] = set()
    last: set[str] = set()
    cjk_last: set[str] = set()
    cjk_first: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, bucket in (("first_names", first), ("last_names", last),
                             ("first_romanized_names", first), ("last_romanized_names", last)):
            for entry in getattr(provider, attr, ()):
                bucket.update(entry.split())
    for word in list(first | last):
        if not word.isascii() and not word[0].isupper():
            (cjk_first if word in first else cjk_last).add(word)
    first -= cjk_first
    last -= cjk_last
    given = "|".join(sorted(cjk_first, key=len, reverse=True))
    family = "|".join(sorted(cjk_last, key=len, reverse=True))
    honorific = "さん|様|氏|先生|くん|君|ちゃん"
    cjk = re.compile(rf"(?:{family})(?:[ 　]?(?:{given})(?:{honorific})?|(?:{honorific}))")
    return frozenset(first), frozenset(last), cjk


def _names(text: str) -> Iterator[Redaction]:
    first, last, cjk = _name_lists()
    for match in itertools.chain(_FIELD_LINE.finditer(text), _FIELD_INLINE.finditer(text)):
        group = next(g for g in ("v", "a", "n") if match.groupdict().get(g) is not None)
        value = match.group(group).rstrip(" \t.")
        name_like = value and (value[0].isupper() or not value.isascii())
        if (name_like and not _is_reference(value) and len(value.split()) <= 5
                and not any(c.isdigit() for c in value)):
            yield _hit(text, match.start(group), match.start(group) + len(value), NAME)
    for match in _MAIL_OPEN.finditer(text):
        yield from _name_before_mail(text, match.start())
    for match in cjk.finditer(text):
        yield _hit(text, match.start(), match.end(), NAME)
    yield from _capitalized_names(text, first, last)


def _name_before_mail(text: str, at: int) -> Iterator[Redaction]:
    """The capitalized words just before ``<mail@…>``, as in ``Jane Roe <jane@example.org>``."""
    line = text[max(0, at - 80):at].rsplit("\n", 1)[-1]
    if not line.endswith((" ", "\t")):
        return
    kept: list[str] = []
    for word in reversed(line.split()):
        if (not word[0].isupper() or word.lower().rstrip(":,") in _LEAD_WORDS
                or any(c.isdigit() for c in word) or len(kept) == 4):
            break
        kept.insert(0, word)
    span = " ".join(kept)
    start = at - (len(line) - len(line.rstrip())) - len(span)
    if kept and text[start:start + len(span)] == span:
        yield _hit(text, start, start + len(span), NAME)


def _capitalized_names(text: str, first: frozenset[str], last: frozenset[str]
                       ) -> Iterator[Redaction]:
    """Known first name + surname-shaped words, or a first name right after a cue or title."""
    covered = 0
    for match in _CAPITALIZED.finditer(text):
        word, start = match.group(), match.start()
        if start < covered or not word[0].isupper() or word.isupper():
            continue
        known = all(part in first for part in re.sub(r"['’]s$", "", word).split("-"))
        titled = bool(_TITLE_BEFORE.search(text, max(0, start - 8), start))
        # After "ask", "thanks to", "Hi"… any capitalized word is taken for a name.
        cued = titled or (word not in _NOT_SURNAME and _cued(text, start))
        if not (known or cued):
            continue
        end = match.end()
        loose = (known and word not in _WORDLIKE_FIRST) or cued
        while (following := _next_name_word(text, end, first, last, loose)) is not None:
            end, loose = following, False
        if end > match.end() or cued:
            covered = end
            yield _hit(text, start, end, NAME)


def _cued(text: str, start: int) -> bool:
    """Whether a greeting or request ("Hi", "thanks to", "ask") comes just before ``start``."""
    line = text[max(0, start - 40):start].rsplit("\n", 1)[-1]
    words = [w.lower() for w in _WORD.findall(line)[-2:]][::-1]
    if len(words) == 2 and words[0] not in ("to", "you", "an", "à", "a"):
        words.pop()
    return any(w in _CUES for w in words)


def _next_name_word(text: str, end: int, first: frozenset[str], last: frozenset[str],
                    loose: bool) -> int | None:
    """End of the word that continues a name ending at ``end`` (particles included), or None."""
    if text[end:end + 1] not in (" ", "\u00a0"):
        return None
    match = _WORD.match(text, end + 1)
    if match and match.group() in _PARTICLES:
        following = _next_name_word(text, match.end(), first, last, loose)
        return following if following is not None and text[match.end() + 1].isupper() else None
    if not match:
        return None
    word = match.group()
    if not word[0].isupper() or (word.isupper() and len(word) > 1):
        return None
    if all(part in last or part in first for part in word.split("-")):
        return match.end()
    return match.end() if loose and word not in _NOT_SURNAME and len(word) > 1 else None


_DETECTORS = (_secrets, _urls, _logins, _emails, _network_ids, _numbers, _home_paths, _names)

