"""Credentials kept out of skills: a lesson learned from a user's text must not carry a key.

A correction or a command may hold a token, a password or a private key; every skill
synthesis writes (template, model draft, habit, checked reply) passes through
:func:`redact`, and a model's draft holding one is refused (:func:`find_secrets`).
"""

from __future__ import annotations

import re

_SECRETS = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"
    r"|\bsk-[A-Za-z0-9_-]{20,}"
    r"|\bxox[abpr]-[A-Za-z0-9-]{10,}"
    r"|(?i:\b(?:password|passwd|secret|api[_-]?key|token)\b\s*[:=]\s*\S{6,})"
    r"|\b(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{32,}"
)


def find_secrets(text: str) -> list[str]:
    """Substrings that look like credentials (keys, tokens, passwords, private keys)."""
    return [match.group(0) for match in _SECRETS.finditer(text)]


def redact(text: str) -> str:
    return _SECRETS.sub("<redacted>", text)
