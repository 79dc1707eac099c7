"""Code fetched from somewhere nobody chose and run: non-default indexes, URLs, clones.

Why: a package manager or runner pointed at another index, registry or URL installs and runs
whatever that server sends (install scripts run at once), and the allow rule that covers
`uv run script.py` must never cover `uv run <URL>`; `go run host/user/module@version` runs a
repository's code straight away, as `npx github:…` does. The default indexes (and Go's own
`golang.org/x` modules) stay single-click, and so does `go install`, which runs nothing yet.
A program fetched over plain http or from a bare IP address into `/usr/local/bin` (or
another folder of the system's PATH) is run later under a trusted name; `tool install`
(`uv`, `pipx`, `dotnet`) of an address or a feed nobody chose is an install from it.
"""

from __future__ import annotations

import re

_DEFAULT = r"(?!https://(?:pypi\.org|files\.pythonhosted\.org|registry\.npmjs\.org)\b)"
_URL = r"(?:https?://|git\+|sparse\+|github:|gitlab:|bitbucket:)"
_FETCH_RUN = re.compile(
    r"|".join([
        rf"\bpip[\d.]*\s+install\b[^|;&]*(?:--(?:extra-)?index-url|\s-i|--find-links|\s-f)[\s=]+"
        rf"{_DEFAULT}\S",
        rf"\bpip[\d.]*\s+install\b[^|;&]*\s['\"]?{_DEFAULT}{_URL}",
        # tools installed as programs: `uv tool install git+…`, `dotnet tool install
        # --add-source URL` (a NuGet feed nobody chose)
        rf"\b(?:uv\s+tool|pipx|dotnet\s+tool)\s+(?:install|upgrade|update)\b[^|;&]*"
        rf"(?:\s|--(?:add-)?source[\s=]|--index(?:-url)?[\s=])['\"]?{_DEFAULT}{_URL}",
        rf"\b(?:npm|pnpm|yarn|bun)\s+(?:install|i|add|ci|update)\b[^|;&]*--registry[\s=]+"
        rf"['\"]?{_DEFAULT}\S",
        r"\b(?:pip[\d.]*|npm|pnpm|yarn|uv|poetry|bundle|gem|cargo)\s+config\s+set\b[^|;&]*"
        rf"(?:index|registry|source|url|mirror)[\w.-]*[\s=]+['\"]?{_DEFAULT}[^\s|;&]",
        r"\bgem\s+(?:install|update)\b[^|;&]*\s(?:--source|-s|--clear-sources)\b",
        r"\bcargo\s+install\b[^|;&]*\s--(?:index|registry|git)\b",
        rf"\b(?:npx|bunx|pnpx|uvx|pipx\s+run)\s+(?:-\S+\s+)*['\"]?{_URL}",
        rf"\b(?:npm\s+exec|pnpm\s+dlx|yarn\s+dlx|bun\s+x|uv\s+run|uv\s+tool\s+run)\b[^|;&]*"
        rf"[\s=]['\"]?{_URL}",
        r"\bgo\s+run\b[^|;&]*\s['\"]?(?!golang\.org/x/)[\w-]+(?:\.[\w-]+)+/[^\s@]*@\S",
        r"\b(?:curl|wget)\b.*(?:&&|;)\s*(?:sudo\s+)?(?:dpkg\s+-i|rpm\s+-[iU]|apt(?:-get)?\s+"
        r"install\s+[./]|snap\s+install\s+--dangerous|flatpak\s+install\s+[./])",
        # a program fetched over plain http or from a bare address into the system's PATH
        # (the output option alone or among other short flags: `-o`, `-so`, `-sSLo`, `-qO`)
        r"\b(?:curl|wget)\b[^;&|]*\s['\"]?(?:http://|(?:https?://)?\d{1,3}(?:\.\d{1,3}){3}\b)"
        r"[^;&]*?(?:\|\s*(?:sudo\s+)?tee\s+(?:-a\s+)?|\s-[a-zA-Z]*[oO]\s*|--output[\s=])['\"]?"
        r"/(?:usr/(?:local/)?)?s?bin/",
        r"\b(?:curl|wget)\b[^;&|]*(?:\s-[a-zA-Z]*[oO]\s*|--output[\s=])['\"]?/(?:usr/(?:local/)?)?"
        r"s?bin/\S*[^;&|]*\s['\"]?(?:http://|(?:https?://)?\d{1,3}(?:\.\d{1,3}){3}\b)",
        r"(?:\bcurl\b|\bwget\b|https?://|\b\d{1,3}(?:\.\d{1,3}){3}\b)[^;&]*\|\s*"
        r"xargs\b[^|;&]*\b(?:ba|z|da|k)?sh\s+-c",
    ]))
# Searched separately (not as one lookahead) so a long line costs linear time.
_TO_SHELL_VAR = re.compile(r"\|\s*\$\{?SHELL\}?")
_REMOTE = re.compile(r"https?://|\b\d{1,3}(?:\.\d{1,3}){3}\b")
_CLONE = re.compile(r"\bgit\s+clone\b[^;&|]*?\s(\S+)\s+(\S+)\s*(?:&&|;)\s*(.*)")


def fetch_run_reasons(text: str) -> list[str]:
    """Reasons for installing or running code from a non-default index, a URL or a clone."""
    reasons = []
    if _FETCH_RUN.search(text) or (_TO_SHELL_VAR.search(text) and _REMOTE.search(text)):
        reasons.append("installs or runs code from a server other than the default index")
    clone = _CLONE.search(text)
    if clone:
        dest, rest = clone.group(2).rstrip("/"), clone.group(3)
        runs = re.search(rf"(?:^|[;&|]\s*)(?:sudo\s+)?(?:(?:ba|z)?sh\s+)?{re.escape(dest)}/\S",
                         rest)
        entered = re.search(rf"\bcd\s+{re.escape(dest)}\s*(?:&&|;)\s*(?:sudo\s+)?(?:(?:ba|z)?sh\s+"
                            r"\S|\./\S)", rest)
        if runs or entered:
            reasons.append("runs a script from a repository it just cloned")
    return reasons
