"""Packages installed with their signature check switched off, or straight from an address.

Why: a package manager runs each package's install scripts at once, as root for system
packages. `fetch_run` knows other indexes and `pip install <URL>`; this module reads the
system and JavaScript package managers by option: a signature check switched off (`rpm
--nosignature`, `dnf --nogpgcheck`, `apt --allow-unauthenticated`, `snap --dangerous` …),
an rpm or pacman package taken from a URL (no signature is checked for it), anything taken
over plain `http://`, and `npm|pnpm|yarn|bun install|add` of a URL or a git address (its
scripts run on install). Packages by name from the configured repositories stay quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_UNSIGNED = re.compile(r"^(?:--nosignature|--nodigest|--nogpgcheck|--no-gpg-checks|"
                       r"--allow-unauthenticated|--allow-insecure-repositories|--dangerous|"
                       r"--no-gpg-verify|--force-bad-verify|--skippgpcheck|--insecure|"
                       r"--setopt=\w*gpgcheck=(?:0|false|no)|"
                       r"-o\s*APT::Get::AllowUnauthenticated=(?:1|true|yes)|"
                       r"APT::Get::AllowUnauthenticated=(?:1|true|yes))$", re.I)
_PLAIN_HTTP = re.compile(r"^http://(?!localhost|127\.|\[::1\])")
_ANY_URL = re.compile(r"^(?:https?|ftp)://")
_CODE_ADDRESS = re.compile(r"^(?:https?://|git\+|git://|github:|gitlab:|bitbucket:|ssh://)")
_JS_INSTALLS = frozenset({"install", "i", "add", "update", "up", "upgrade", "in", "isntall"})
UNSIGNED = "installs packages with their signature check switched off"
FROM_ADDRESS = "installs a package straight from an address (its install scripts run at once)"


def _system_packages(url_unchecked: bool) -> Judge:
    """`url_unchecked`: the tool checks no signature on a package it is given by URL."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        reasons = [UNSIGNED] if any(map(_UNSIGNED.match, args)) else []
        urls = [arg for arg in args if _ANY_URL.match(arg)]
        if any(map(_PLAIN_HTTP.match, urls)) or (url_unchecked and urls):
            reasons.append(FROM_ADDRESS)
        return reasons

    return judge


def _javascript(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:1] and words[0] in _JS_INSTALLS and any(map(_CODE_ADDRESS.match, words[1:])):
        return [FROM_ADDRESS]
    return []


JUDGES: dict[str, Judge] = {
    "rpm": _system_packages(url_unchecked=True), "pacman": _system_packages(url_unchecked=True),
    **{name: _system_packages(url_unchecked=False)
       for name in ("dnf", "yum", "microdnf", "zypper", "apt", "apt-get", "aptitude", "snap",
                    "flatpak", "dpkg")},
    **dict.fromkeys(("npm", "pnpm", "yarn", "bun"), _javascript),
}
