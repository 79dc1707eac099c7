"""Keys and tokens leaving the machine, and the machine reached from outside.

Why: a printed token or a key file on the same line as a program that sends data elsewhere
is a credential leaving; a reverse tunnel or a window shown on another machine's display
opens this one. A key given with `-i` to authenticate is only used, not sent.
"""

from __future__ import annotations

import re

TOKEN_COMMANDS = (r"\bgh\s+auth\s+(?:token|status\s+-t)|\baws\s+(?:configure\s+export-credentials"
          r"|sts\s+(?:get-session-token|assume-role\w*|get-federation-token)"
          # commands that mint a new key or password and print it once
          r"|iam\s+(?:create-access-key|create-service-specific-credential)"
          r"|ecr\s+get-login-password)|\bgcloud\s+iam\s+service-accounts\s+keys\s+create"
          r"|\baz\s+(?:ad\s+sp\s+(?:create-for-rbac|credential\s+reset)|acr\s+login\s[^|;&]*"
          r"--expose-token)|\bvault\s+(?:token\s+create|write\s+\S*auth/)|\bkubectl\s+create\s+"
          r"token|\bgcloud\s+auth\s+(?:application-default\s+)?"
          r"print-access-token|\baz\s+account\s+get-access-token|\bkubectl\s+config\s+view\s+"
          r"--raw|\bdoctl\s+auth\s+token|\bheroku\s+auth:token"
          r"|\bkubectl\s+get\s+secrets?\b[^|;&]*\s-o\s*=?\s*(?:yaml|json|jsonpath|go-template)")
_SECRET = (r"\.ssh\b(?!/[\w.-]*\.pub\b|/known_hosts|/config\b)|\bid_(?:rsa|ed25519|ecdsa|dsa)\b"
           r"(?!\.pub)|\bid_\*|\*\.pem\b|\.gnupg\b|\.aws/credentials|\.netrc\b|\.kube/config")
_SENDER = re.compile(r"\b(?:curl|wget|nc|ncat|socat|scp|sftp|ftp|telnet)\b|\bgit\b[^|;&]*\bpush\b"
                     r"|/dev/tcp/|/inet/|upload_file|requests\.post|POST\(")
_USED_KEY = re.compile(r"""\s-i\s*["']?\S+|--netrc-file\s+\S+|IdentityFile[= ]\S+"""
                       r"|\bssh-copy-id\b[^|;&]*")
_OPENS = re.compile(r"(?<![\w-])ssh(?![\w-])[^|;&]*\s-\w*R\s*\S"
                    r"|(?:-display|--display)[\s=]+(?!:|localhost|unix)[\w.-]+:\d|\bDISPLAY=(?!:|localhost|unix)[\w.-]+:\d")
_KEY_IN = re.compile(r"(?:\bcurl\b|\bwget\b|https?://)[^;&]*authorized_keys")
_TRUNCATES_KEY = re.compile(r"(?:\.s\[?s\]?h/|\.ssh/)[^;&|]*(?:;|&&)[^|]*(?::|/dev/null)\s*>\s*"
                            r"""["']?\$|(?::|/dev/null)\s*>\s*["']?\$\{?\w+\}?/\.ssh/""")


def key_leak_reasons(text: str) -> list[str]:
    """Reasons for sending tokens or keys elsewhere, or opening this machine to another."""
    reasons = []
    used = _USED_KEY.sub(" ", text)
    if (re.search(TOKEN_COMMANDS, text) or re.search(_SECRET, used)) and _SENDER.search(used):
        reasons.append("sends your keys or tokens to another machine")
    if _OPENS.search(text) or _KEY_IN.search(text):
        reasons.append("opens this machine to another one (a reverse tunnel, a remote display, "
                       "a downloaded login key)")
    if _TRUNCATES_KEY.search(text):
        reasons.append("empties your SSH keys")
    return reasons
