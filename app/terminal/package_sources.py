"""Packages installed with their signature check switched off, or straight from an address.

Why: a package manager runs each package's install scripts at once, as root for system
packages. `fetch_run` knows other indexes and `pip install <URL>`; this module reads the
system and JavaScript package managers by option: a signature check switched off (`rpm
--nosignature`, `dnf --nogpgcheck`, `apt --allow-unauthenticated`, `snap --dangerous` …),
an rpm or pacman package taken from a URL (no signature is checked for it), anything taken
over plain `http://` or from a bare IP address (`flatpak install --from https://203.0.113.5/…`),
and `npm|pnpm|yarn|bun install|add` of a URL or a git address (its scripts run on install).
A package source added that nobody vouches for — one person's archive with the question
answered (`add-apt-repository -y ppa:…`, `dnf copr enable -y`, an OBS home project), a bare
address or plain http — serves packages that install and update as root from then on.
Packages by name from the configured repositories, and a vendor's own https source, stay
quiet. The other way round, removing a package the system stands on (`sudo`, `systemd`, the
C library, the kernels, `openssh-server` …) or forcing a removal past the dependency checks
(`pacman -Rdd`, `dpkg --force-all`, `rpm -e --nodeps`) leaves a system that no longer boots
or lets you in; removing anything else (`apt remove cowsay`) stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.cloud_wiped import positional
from app.terminal.guards_off import removed_guard

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_UNSIGNED = re.compile(r"^(?:--nosignature|--nodigest|--nogpgcheck|--no-gpg-checks|"
                       r"--allow-unauthenticated|--allow-insecure-repositories|--dangerous|"
                       r"--no-gpg-verify|--force-bad-verify|--skippgpcheck|--insecure|"
                       r"--setopt=\w*gpgcheck=(?:0|false|no)|"
                       r"-o\s*APT::Get::AllowUnauthenticated=(?:1|true|yes)|"
                       r"APT::Get::AllowUnauthenticated=(?:1|true|yes))$", re.I)
_PLAIN_HTTP = re.compile(r"^http://(?!localhost|127\.|\[::1\])")
# An address that names no one: a bare IP, as no vendor publishes its packages under one.
_BARE_HOST = re.compile(r"^(?:https?|ftp)://(?:[^/@\s]*@)?(?!127\.)(?:\d{1,3}(?:\.\d{1,3}){3}"
                        r"|\[[0-9a-fA-F:]+\])(?::\d+)?(?:/|$)")
# Archives of one person, built and signed by nobody but them: a Launchpad PPA, a COPR, an
# openSUSE build service home project.
_PERSONAL = re.compile(r"^ppa:|//ppa\.launchpad(?:content)?\.net/|/repositories/home:|"
                       r"copr\.fedorainfracloud\.org/")
_UNASKED = re.compile(r"-[a-z]*y[a-z]*|--yes|--assumeyes")
_ANY_URL = re.compile(r"^(?:https?|ftp)://")
_CODE_ADDRESS = re.compile(r"^(?:https?://|git\+|git://|github:|gitlab:|bitbucket:|ssh://)")
# The same settings given through the environment: an index or registry (plain http is
# readable and replaceable on the way), and the checks of what is fetched switched off.
_INDEX_VARIABLES = re.compile(r"^(?:PIP_(?:EXTRA_)?INDEX_URL|PIP_FIND_LINKS|UV_(?:EXTRA_|DEFAULT_)?"
                              r"INDEX(?:_URL)?|NPM_CONFIG_REGISTRY|npm_config_registry|"
                              r"YARN_(?:NPM_)?REGISTRY(?:_SERVER)?|BUN_CONFIG_REGISTRY|GOPROXY|"
                              r"CARGO_REGISTRIES_\w+_INDEX|BUNDLE_MIRROR__\w+|GEM_SOURCE)$")
_CHECKS_OFF = re.compile(r"^(?:GOFLAGS=.*-insecure|GOINSECURE=.+|GONOSUMDB=.+|GONOSUMCHECK=.+|"
                         r"GOSUMDB=off|GOPRIVATE=\*|NODE_TLS_REJECT_UNAUTHORIZED=0|"
                         r"PIP_TRUSTED_HOST=.+|GIT_SSL_NO_VERIFY=(?:1|true)|"
                         r"NPM_CONFIG_STRICT_SSL=false|npm_config_strict_ssl=false)$")
_JS_INSTALLS = frozenset({"install", "i", "add", "update", "up", "upgrade", "in", "isntall"})
# Packages the system needs to boot, to run programs, to let you in or to install again.
_ESSENTIAL = re.compile(r"^(?:sudo|doas|systemd|systemd-sysv|init|libc6|libc-bin|glibc|musl|bash|"
                        r"coreutils|util-linux|login|passwd|libpam\S*|pam|base-files|base|"
                        r"dpkg|apt|rpm|dnf|yum|pacman|zypper|openssh-server|openssh|ssh|"
                        r"linux-image\S*|linux-generic\S*|linux|linux-lts|kernel\S*|grub\S*|"
                        r"shim\S*|e2fsprogs|python3|python3-minimal|perl-base|network-manager|"
                        r"NetworkManager|dbus|polkit\S*|xorg\S*|gdm3?|ubuntu-desktop|ca-certificates)"
                        r"(?::\w+)?$")
_REMOVE_VERBS = frozenset({"remove", "purge", "autoremove", "erase", "rm", "uninstall"})
_FORCED_REMOVAL = re.compile(r"^(?:--force-all|--force-remove-essential|--force-depends|"
                             r"--nodeps|-R\w*dd\w*|-Rdd|--noconfirm-deps)$")
REMOVES_ESSENTIAL = "removes {} that the system needs to boot, run programs or let you in"
UNSIGNED = "installs packages with their signature check switched off"
FROM_ADDRESS = "installs a package straight from an address (its install scripts run at once)"
SOURCE_ADDED = ("adds a package source nobody vouches for (one person's archive, a bare "
                "address, plain http): its packages install and update as root from then on")


def _system_packages(url_unchecked: bool) -> Judge:
    """`url_unchecked`: the tool checks no signature on a package it is given by URL."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        reasons = [UNSIGNED] if any(map(_UNSIGNED.match, args)) else []
        urls = [url for url in _addresses(args) if _ANY_URL.match(url)]
        if any(_PLAIN_HTTP.match(url) or _BARE_HOST.match(url) for url in urls) or (
                url_unchecked and urls):
            reasons.append(FROM_ADDRESS)
        return reasons

    return judge


def _addresses(args: list[str]) -> list[str]:
    """Every word that can name a package or a source: the arguments, an option's value
    (`--from=URL`, `--add-repo=URL`) and the words of a source line given as one argument
    (`'deb http://203.0.113.5/debian stable main'`)."""
    return [word for arg in args for word in (
        arg.partition("=")[2] if arg.startswith("-") else arg).split()]


def _sources_added(name: str) -> Judge:
    """A package source added: one person's archive with the tool's question answered
    (`add-apt-repository -y ppa:…`, `dnf copr enable -y`; the tools ask otherwise), or by
    a tool that never asks (`zypper addrepo`, `dnf config-manager --add-repo`, `flatpak
    remote-add`); a distribution's own component (`universe`) or a vendor's https address
    by name (`download.docker.com`) is the user's pick."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        words = [arg for arg in args if not arg.startswith("-")]
        unasked = any(map(_UNASKED.fullmatch, args))
        if {"-r", "--remove", "-h", "--help"} & set(args):
            return []
        if name in ("add-apt-repository", "apt-add-repository"):
            added = _addresses(args)
        elif words[:2] == ["copr", "enable"]:
            return [SOURCE_ADDED] if unasked else []
        elif words[:1] in (["ar"], ["addrepo"], ["remote-add"], ["config-manager"]) or (
                name == "yum-config-manager"):
            added, unasked = _addresses(args), True
        else:
            return []
        if any(_PLAIN_HTTP.match(a) or _BARE_HOST.match(a) or "trusted=yes" in a
               for a in added) or (unasked and any(map(_PERSONAL.search, added))):
            return [SOURCE_ADDED]
        return []

    return judge


def _removal(name: str) -> Judge:
    """`apt purge sudo`, `dnf remove systemd`, `pacman -Rdd glibc`, `dpkg -P libc6`,
    `rpm -e --nodeps bash`, `apt autoremove linux-image-*`."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        words = [arg for arg in args if not arg.startswith("-")]
        removing = bool(_REMOVE_VERBS & set(words[:1])) or (
            name in ("pacman",) and any(re.match(r"^-R", a) for a in args)) or (
            name in ("rpm",) and any(re.match(r"^-\w*e", a) for a in args)) or (
            name == "dpkg" and bool({"-r", "-P", "--remove", "--purge"} & set(args)))
        if not removing:
            return []
        names = words[1:] if _REMOVE_VERBS & set(words[:1]) else words
        essential = [n for n in names if _ESSENTIAL.match(n) or re.match(r"^linux-image.*\*", n)]
        if essential:
            return [REMOVES_ESSENTIAL.format(essential[0])]
        if guards := removed_guard(names):
            return guards
        if any(map(_FORCED_REMOVAL.match, args)):
            return ["removes packages past the dependency checks (what needs them breaks)"]
        return []

    return judge


# Options of the JavaScript managers whose value is a place or a name, never a package:
# `npm install --registry https://registry.npmjs.org lodash` installs lodash (the index
# itself is `fetch_run`'s to judge).
_JS_VALUED = frozenset({"--registry", "--cache", "--prefix", "--userconfig", "--globalconfig",
                        "--otp", "--tag", "-w", "--workspace", "--filter", "-C", "--dir",
                        "--cwd", "--modules-folder", "--cache-folder"})


def _javascript(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = positional(args, _JS_VALUED)
    if words[:1] and words[0] in _JS_INSTALLS and any(map(_CODE_ADDRESS.match, words[1:])):
        return [FROM_ADDRESS]
    return []


def _packages(url_unchecked: bool, name: str) -> Judge:
    judges = (_system_packages(url_unchecked), _removal(name), _sources_added(name))
    return lambda args, cwd, piped: [r for judge in judges for r in judge(args, cwd, piped)]


JUDGES: dict[str, Judge] = {
    "rpm": _packages(True, "rpm"), "pacman": _packages(True, "pacman"),
    **{name: _packages(False, name)
       for name in ("dnf", "yum", "microdnf", "zypper", "apt", "apt-get", "aptitude", "snap",
                    "flatpak", "dpkg", "add-apt-repository", "apt-add-repository",
                    "yum-config-manager")},
    **dict.fromkeys(("npm", "pnpm", "yarn", "bun"), _javascript),
}


def source_variable_reasons(name: str, value: str) -> list[str]:
    """An index set to plain http, or the checks of what is fetched switched off, through
    the environment (`PIP_INDEX_URL=http://…`, `GOFLAGS=-insecure`, `GIT_SSL_NO_VERIFY=1`)."""
    if _INDEX_VARIABLES.match(name) and any(
            _PLAIN_HTTP.match(part) for part in re.split(r"[\s,|]+", value)):
        return ["installs packages from an unencrypted http index anyone on the way can "
                "replace"]
    if _CHECKS_OFF.match(f"{name}={value}"):
        return [f"switches off the checks of what is downloaded ({name}={value})"]
    return []
