"""Credentials carried by URLs: logins and passwords, query parameters, webhook tokens.

A URL is kept (it usually says where a command goes) and only its secret parts are removed.
Signed URLs (S3, GCS) lose their whole query string, since every parameter there takes part
in the signature and several of them name the account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.community.anonymize.credentials import is_reference, looks_random
from app.community.anonymize.identity import GENERIC_ACCOUNTS
from app.community.anonymize.redaction import SECRET, USER, Redaction, hit

_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]{1,15}://[^\s<>\"'`\]]+")
# fmt: off
_SIGNED_PARAMS = frozenset((
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
    "x-goog-credential", "signature", "sig",
))
# fmt: on
_SECRET_PARAM = re.compile(
    r"(?i)^(?:.*[_\-.])?(?:token|access_token|api_?key|apikey|key|secret|pass(?:word|wd)?|pwd"
    r"|sig|signature|credential|session(?:id)?|sid|jwt|auth|code)$"
)
_URL_GENERIC_USERS = GENERIC_ACCOUNTS | {"oauth2", "x-access-token", "token"}
_PATH_TOKENS = re.compile(r"(?i)(?:hooks\.slack\.com/services|/api/webhooks/\d+)/([^?#\s]+)")


def url_spans(text: str) -> Iterator[Redaction]:
    """The login, password, credential parameters and path tokens of every URL in ``text``."""
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?")
        unbalanced = min(len(url) - len(url.rstrip(")")), url.count(")") - url.count("("))
        url = url[: len(url) - max(0, unbalanced)]  # the closing parenthesis of a Markdown link
        base = match.start()
        netloc_start = url.index("://") + 3
        path_start = url.find("/", netloc_start)
        # Passwords often hold raw '#', '?' or '@': the userinfo ends at the last '@' before
        # the path, and only then do '?' and '#' start the query.
        at = url.rfind("@", netloc_start, path_start if path_start != -1 else len(url))
        netloc_end = min(
            (i for i in (url.find(c, max(at, netloc_start)) for c in "/?#") if i != -1),
            default=len(url),
        )
        if at != -1:
            user, _, password = url[netloc_start:at].partition(":")
            user_end = netloc_start + len(user)
            if looks_random(user, 16) or user.startswith(("ghp_", "glpat-", "github_pat_")):
                yield hit(text, base + netloc_start, base + user_end, SECRET)
            elif user.lower() not in _URL_GENERIC_USERS:
                yield hit(text, base + netloc_start, base + user_end, USER)
            if password and not is_reference(password):
                yield hit(text, base + user_end + 1, base + at, SECRET)
        yield from _url_params(text, url, base, netloc_end)
        for token in _PATH_TOKENS.finditer(url):
            yield hit(text, base + token.start(1), base + token.end(1), SECRET)


def _url_params(text: str, url: str, base: int, offset: int) -> Iterator[Redaction]:
    """Redact credential parameters; a signed URL loses its whole query string."""
    query_at = url.find("?", offset)
    if query_at == -1:
        query_at = url.find("#", offset)
    if query_at == -1:
        return
    query = url[query_at + 1 :]
    pairs = [
        (m.group(1), m.start(2), m.end(2)) for m in re.finditer(r"([^&;=#]+)=([^&;#]*)", query)
    ]
    if any(key.lower() in _SIGNED_PARAMS for key, _, _ in pairs):
        yield hit(text, base + query_at + 1, base + len(url), SECRET)
        return
    for key, start, end in pairs:
        if _SECRET_PARAM.match(key) and end > start and not is_reference(query[start:end]):
            yield hit(text, base + query_at + 1 + start, base + query_at + 1 + end, SECRET)
