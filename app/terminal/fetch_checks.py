"""The checks of what a tool downloads switched off in its own settings (TLS, trusted hosts).

Why: `package_sources` reads the same switch given through the environment
(`GIT_SSL_NO_VERIFY=1`, `NPM_CONFIG_STRICT_SSL=false`, `PIP_TRUSTED_HOST=…`); each tool also
keeps it as one setting of its own, and once that is off, whoever sits on the way (a café's
network, a hostile proxy) can hand over any package or repository, whose install scripts
and hooks then run as you. The class is held as (tool, the setting or option that switches
certificate checks off), for every scope (`--global`, `-g`, `--system`, a project's file)
and every spelling the tool takes (`key value`, `key=value`, `-c key=value`):

- git: `http.sslVerify` (also `http.<url>.sslVerify`) set false;
- npm, pnpm, yarn: `strict-ssl` (yarn 2+: `enableStrictSsl`) set false, also as an option;
- pip and uv: a host trusted without its certificate (`trusted-host`, `--trusted-host`,
  `--allow-insecure-host`), whatever the host — pypi.org trusted so is as open as a bare IP;
- conda `ssl_verify`, composer `disable-tls`/`secure-http`, bundler `ssl_verify_mode 0`,
  poetry `certificates.<repo>.cert false`;
- apt (`Acquire::https::Verify-Peer=false`) and dnf/yum/zypper (`sslverify=0`) options.

Reading a setting (`git config --get http.sslVerify`), turning it back on (`true`) or
pointing it at a company's CA file (`http.sslCAInfo`, `cafile`) stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.git_options import git_subcommand

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_OFF = re.compile(r"^(?:false|0|no|off)$", re.I)
_ON = re.compile(r"^(?:true|1|yes|on)$", re.I)
_GIT_KEY = re.compile(r"^http\.(?:.+\.)?sslverify$", re.I)
_JS_KEY = re.compile(r"^(?:strict-ssl|strict_ssl|enablestrictssl)$", re.I)
_PIP_KEY = re.compile(r"^(?:[\w-]+\.)?trusted[-_]host$", re.I)
_INSECURE_HOST = frozenset({"--trusted-host", "--allow-insecure-host"})
_APT_OFF = re.compile(r"Acquire::https?::(?:[\w.-]+::)?Verify-(?:Peer|Host)=\"?(?:false|0|no)\b",
                      re.I)
_DNF_OFF = re.compile(r"^--setopt=(?:[\w.-]+\.)?sslverify=(?:0|false|no)$", re.I)
REASON = "switches off the certificate checks of what {} downloads ({}), so anyone on the way " \
    "can hand it packages or code"


def _setting(args: list[str]) -> tuple[str, str] | None:
    """(key, value) of a settings verb's words: `KEY VALUE` or `KEY=VALUE`."""
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return None
    key, sep, value = words[0].partition("=")
    if not sep:
        value = words[1] if words[1:] else ""
    return key, value.strip("'\"")


def _after(args: list[str], *verbs: str) -> list[str] | None:
    """The arguments after the first of `verbs` among the words (`config set`, `set`)."""
    words = [a for a in args if not a.startswith("-")]
    for count in (2, 1):
        head = words[:count]
        if " ".join(head) in verbs:
            last = args.index(head[-1])
            return args[last + 1:]
    return None


def _git(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`git -c http.sslVerify=false …` and `git [-C repo] config [--global] http.sslVerify
    false`: the subcommand is read past git's own options (`git_options`)."""
    sub = git_subcommand(args)
    settings = [a.partition("=")[::2] for flag, a in pairwise(args[:len(args) - len(sub)])
                if flag == "-c"]
    rest = sub[1:]
    if sub[:1] == ["config"] and not {
            "--get", "--get-all", "--unset", "--unset-all", "-l", "--list"} & set(rest):
        rest = [a for a in rest if a not in ("set", "--type=bool", "--bool")]
        if found := _setting(rest):
            settings.append(found)
    return [REASON.format("git", f"{key}={value}") for key, value in settings
            if _GIT_KEY.match(key) and _OFF.match(value)][:1]


def _javascript(name: str) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        options = [a.partition("=")[2] or "true" for a in args if a.startswith("--strict-ssl")]
        options += [b for a, b in pairwise(args) if a == "--strict-ssl"]
        if any(_OFF.match(v) for v in options) or "--no-strict-ssl" in args:
            return [REASON.format(name, "strict-ssl off")]
        rest = _after(args, "config set", "set")
        found = _setting(rest) if rest is not None else None
        if found and _JS_KEY.match(found[0]) and _OFF.match(found[1]):
            return [REASON.format(name, f"{found[0]} {found[1]}")]
        return []
    return judge


def _pip(name: str) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        hosts = [b for a, b in pairwise(args) if a in _INSECURE_HOST]
        hosts += [a.partition("=")[2] for a in args if a.partition("=")[0] in _INSECURE_HOST]
        rest = _after(args, "config set")
        if rest is not None and (found := _setting(rest)) and _PIP_KEY.match(found[0]):
            hosts.append(found[1])
        hosts = [h for h in hosts if h.strip()]
        return [REASON.format(name, f"trusts {hosts[0]}")] if hosts else []
    return judge


def _keyed(name: str, verbs: tuple[str, ...], off: Callable[[str, str], bool]) -> Judge:
    """A tool whose `VERB KEY VALUE` switches its checks off when `off(KEY, VALUE)`."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        rest = _after(args, *verbs)
        if rest is not None and "--unset" not in rest:
            rest = [a for a in rest if a not in ("--set", "set")]
            found = _setting(rest)
            if found and off(*found):
                return [REASON.format(name, f"{found[0]} {found[1]}")]
        return []
    return judge


def _conda_off(key: str, value: str) -> bool:
    return key == "ssl_verify" and bool(_OFF.match(value))


def _composer_off(key: str, value: str) -> bool:
    """`disable-tls true` and `secure-http false` both switch the checks off."""
    return (key == "disable-tls" and bool(_ON.match(value))) or (
        key == "secure-http" and bool(_OFF.match(value)))


def _system(name: str) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        if any(_APT_OFF.search(a) or _DNF_OFF.match(a) for a in args):
            return [REASON.format(name, "TLS checks off")]
        return []
    return judge


JUDGES: dict[str, Judge] = {
    "git": _git,
    **{name: _javascript(name) for name in ("npm", "pnpm", "yarn", "bun")},
    **{name: _pip(name) for name in ("pip", "pip3", "uv", "pipenv")},
    "conda": _keyed("conda", ("config",), _conda_off),
    "mamba": _keyed("mamba", ("config",), _conda_off),
    "composer": _keyed("composer", ("config",), _composer_off),
    "bundle": _keyed("bundle", ("config set", "config"),
                     lambda key, value: key == "ssl_verify_mode" and value == "0"),
    "poetry": _keyed("poetry", ("config",), lambda key, value: bool(
        re.match(r"^certificates\.[\w.-]+\.cert$", key) and _OFF.match(value))),
    **{name: _system(name) for name in ("apt", "apt-get", "aptitude", "dnf", "yum", "zypper")},
}

