"""Defences weakened through their settings rather than switched off.

Why: `system_checks` knows `sysctl -w kernel.randomize_va_space=0`, `setenforce 0` and the
firewall stopped; the same protections go through their settings files too: the value
echoed into `/proc/sys/kernel/randomize_va_space` is the sysctl setting of that name, and
so is each line written into `/etc/sysctl.conf` or `/etc/sysctl.d/` (the admin's own
drop-in of harmless settings, `vm.swappiness=10`, stays quiet), a
`sed -i` that turns on root or empty-password logins in `sshd_config` opens SSH (judged on
the text the edit writes, so `s/^PermitRootLogin yes/PermitRootLogin no/` — hardening —
stays quiet), and `semanage permissive -a` switches
SELinux off for a whole service.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal import risky_paths as paths
from app.terminal.checks_off import edited_text, settings_writes
from app.terminal.command_words import printed_text, program_and_args, resolve
from app.terminal.embedded_code import sed_script
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command
from app.terminal.system_checks import system_judge

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_SYSCTL_FILE = re.compile(r"^/etc/sysctl\.conf$|^/etc/sysctl\.d/[^/]+$")
_PROC_SYS = re.compile(r"^/proc/sys/([\w/.-]+)$")
_OPENS_SSH = re.compile(r"\b(?:PermitRootLogin\s+yes|PermitEmptyPasswords\s+yes)\b", re.I)


def _fed(command: Command) -> str:
    if command.stdin_text is not None:
        return command.stdin_text
    texts = [printed_text(resolve([w.text for w in up.words])) for up in command.upstream]
    return "".join(text for text in texts if text)


def _sysctl_file_reasons(command: Command) -> list[str]:
    """Settings written into `/etc/sysctl.conf` or a drop-in (by `tee`, a redirect, `sed
    -i` …) are judged as `sysctl -w` of each line; a drop-in whose text the line does not
    show is a system file written unread."""
    judge = system_judge("sysctl")
    reasons: list[str] = []
    for target, text in settings_writes(command):
        if not _SYSCTL_FILE.match(target) or not judge:
            continue
        settings = [line.strip() for line in text.splitlines()
                    if line.strip() and not line.lstrip().startswith(("#", ";"))]
        if paths.SYSCTL_DROPIN.match(target) and not settings:
            reasons.append(f"writes to the system file {target}")
        for setting in settings:
            key, _, value = setting.partition("=")
            reasons += judge([f"{key.strip()}={value.strip()}"], None, [])
    return reasons


def proc_sys_reasons(commands: list[Command]) -> list[str]:
    """`echo 0 | sudo tee /proc/sys/kernel/randomize_va_space`, `echo 0 > /proc/sys/…`: the
    value written is judged as `sysctl -w key=value`; so is each line written into the
    kernel settings files."""
    judge = system_judge("sysctl")
    reasons: list[str] = []
    for command in commands:
        reasons += _sysctl_file_reasons(command)
        name, args = program_and_args(command)
        targets = [r.target.text for r in command.redirects if r.op in WRITE_REDIRECT_OPS]
        targets += [a for a in args if not a.startswith("-")] if name == "tee" else []
        own = printed_text(resolve([w.text for w in command.words]))
        value = (own if own is not None and name in ("echo", "printf") else _fed(command)).strip()
        for target in targets:
            if (match := _PROC_SYS.match(target)) and judge:
                key = match.group(1).replace("/", ".")
                reasons += judge([f"{key}={value}"], None, [])
    return reasons


def _sed(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    in_place = any(a.startswith(("-i", "--in-place")) for a in args)
    if not (in_place and any("sshd_config" in a for a in args)):
        return []  # every other sed: nothing to read
    script = sed_script(args)
    written = edited_text(script)
    # A back-reference (`s/\(PermitRootLogin\) no/\1 yes/`) writes back what it matched.
    captured = re.search(r"\\\d", written) and re.search(r"\byes\b", written) and \
        re.search(r"Permit(?:RootLogin|EmptyPasswords)", script, re.I)
    if _OPENS_SSH.search(written) or captured:
        return ["lets root or accounts with no password log in over SSH"]
    return []


def _semanage(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["permissive"] and {"-a", "--add"} & set(args):
        return ["switches SELinux off for a whole service (a permissive domain)"]
    return []


JUDGES: dict[str, Judge] = {"sed": _sed, "semanage": _semanage}
