"""Defences weakened through their settings rather than switched off.

Why: `system_checks` knows `sysctl -w kernel.randomize_va_space=0`, `setenforce 0` and the
firewall stopped; the same protections go through their settings files too: the value
echoed into `/proc/sys/kernel/randomize_va_space` is the sysctl setting of that name, a
`sed -i` that turns on root or empty-password logins in `sshd_config` opens SSH (editing it
otherwise, `PermitRootLogin no`, stays quiet), and `semanage permissive -a` switches
SELinux off for a whole service.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.command_words import printed_text, program_and_args, resolve
from app.terminal.embedded_code import sed_script
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command
from app.terminal.system_checks import system_judge

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_PROC_SYS = re.compile(r"^/proc/sys/([\w/.-]+)$")
_OPENS_SSH = re.compile(r"\b(?:PermitRootLogin\s+yes|PermitEmptyPasswords\s+yes)\b", re.I)


def _fed(command: Command) -> str:
    if command.stdin_text is not None:
        return command.stdin_text
    texts = [printed_text(resolve([w.text for w in up.words])) for up in command.upstream]
    return "".join(text for text in texts if text)


def proc_sys_reasons(commands: list[Command]) -> list[str]:
    """`echo 0 | sudo tee /proc/sys/kernel/randomize_va_space`, `echo 0 > /proc/sys/…`: the
    value written is judged as `sysctl -w key=value`."""
    judge = system_judge("sysctl")
    reasons: list[str] = []
    for command in commands:
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
    edits_sshd = any("sshd_config" in a for a in args)
    if in_place and edits_sshd and _OPENS_SSH.search(sed_script(args)):
        return ["lets root or accounts with no password log in over SSH"]
    return []


def _semanage(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["permissive"] and {"-a", "--add"} & set(args):
        return ["switches SELinux off for a whole service (a permissive domain)"]
    return []


JUDGES: dict[str, Judge] = {"sed": _sed, "semanage": _semanage}
