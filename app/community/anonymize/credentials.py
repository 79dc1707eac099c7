"""Keys, tokens, passwords and private keys: anything that would grant access to something.

Vendor tokens are recognised by their documented prefixes, assignments and command-line flags
by the name of what they set (``password=``, ``--api-key``), and anything else by looking
machine-made (long, mixed character classes, high entropy). Values that only *name* a secret
(``$TOKEN``, ``os.environ[...]``, ``<your key>``) are kept: they are what makes a skill useful.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from app.community.anonymize.redaction import SECRET, Redaction, hit


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_random(value: str, min_len: int = 20) -> bool:
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


def is_reference(value: str) -> bool:
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
        yield hit(text, begin.start(), covered, SECRET, "<PRIVATE_KEY>")


def secret_spans(text: str) -> Iterator[Redaction]:
    """Private keys, vendor tokens, assigned or flagged secrets and random-looking runs."""
    yield from _private_keys(text)
    for match in _TOKEN.finditer(text):
        if any(c.isdigit() for c in match.group()):
            yield hit(text, match.start(), match.end(), SECRET)
    for pattern in (_ASSIGNMENT, _FLAG, _BEARER):
        for match in pattern.finditer(text):
            value = match.group("v")
            if is_reference(value) or (pattern is _FLAG and _FILE_LIKE.search(value)):
                continue
            if pattern is _ASSIGNMENT and _KEY_START.search(
                text, max(0, match.start() - 64), match.start()
            ):
                continue  # a URL query parameter: url_spans() redacts it without eating the rest
            start, end = match.span("v")
            if value[0] in "\"'" and len(value) > 2:
                start, end = start + 1, end - 1
            yield hit(text, start, end, SECRET)
    for match in _RANDOM_RUN.finditer(text):
        if looks_random(match.group().rstrip("=")) and not _path_like(match.group()):
            yield hit(text, match.start(), match.end(), SECRET)


def _path_like(value: str) -> bool:
    """A slash-separated run made of word-shaped segments is a path, not base64."""
    parts = value.split("/")
    words = sum(bool(re.fullmatch(r"[A-Za-z][a-z]{2,}|[a-z]{3,}", part)) for part in parts)
    return value.startswith("/") or words >= 2
