"""Commands a program runs by its own conventions: event scripts, wrapper lists, service names.

Why: `embedded_code` reads the options named for a command (`--exec`, `--askpass`,
`--wrapper`); some programs name theirs otherwise or spell the command in their own way, and
a shell given there escapes every check just the same. VPN and network clients run a
command when the link comes up or a lease arrives (`openvpn --up`, `--route-up`,
`--client-connect` …, `openconnect`/`vpnc --script`, `dhclient -sf`, `udhcpc -s`, pppd's
`pty`/`connect`); gcc runs every step under `-wrapper PROGRAM,ARG,…`, its words joined by
commas; `service NAME` runs `/etc/init.d/NAME` as root, so a name that climbs out of that
folder (`service ../../bin/sh`) runs any program at all. These commands are read as the
hooks they are; the vendor's own scripts (`--up /etc/openvpn/update-resolv-conf`,
`-wrapper gdb,--args`) stay quiet.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.command_words import option_values

Judge = Callable[[list[str], str | None, list[str]], list[str]]

# The options each network client runs as a command on one of its events.
_EVENT_OPTIONS = {
    "openvpn": frozenset({"--up", "--down", "--route-up", "--route-pre-down", "--ipchange",
                          "--tls-verify", "--client-connect", "--client-disconnect",
                          "--learn-address", "--auth-user-pass-verify", "--client-crresponse"}),
    "openconnect": frozenset({"-s", "--script", "--script-tun"}),
    "vpnc": frozenset({"--script"}),
    "dhclient": frozenset({"-sf"}),
    "udhcpc": frozenset({"-s", "--script"}),
    "udhcpc6": frozenset({"-s", "--script"}),
}
# pppd takes its options as bare words: these are followed by the command they run.
_PPPD_COMMANDS = frozenset({"pty", "connect", "disconnect", "init", "welcome", "socket"})
_GCC_DRIVER = re.compile(r"^(?:[\w.-]+-)?(?:gcc|g\+\+|cc|c\+\+|gfortran|gccgo|gnat)(?:-[\d.]+)?$")
_SERVICE_RUNNERS = frozenset({"service", "invoke-rc.d", "rc-service"})
_INIT_SCRIPTS = "/etc/init.d"


def hook_commands(name: str, args: list[str]) -> list[str]:
    """The commands `name` runs with `args` by the conventions above."""
    if name in _EVENT_OPTIONS:
        return option_values(args, _EVENT_OPTIONS[name])
    if name == "pppd":
        return [value for option, value in pairwise(args) if option in _PPPD_COMMANDS]
    if _GCC_DRIVER.match(name):
        return [value.replace(",", " ") for value in option_values(args, {"-wrapper"})]
    if name in _SERVICE_RUNNERS and (script := _service_script(args)):
        return [script]
    return []


def _service_script(args: list[str]) -> str | None:
    """The file a service name outside the init scripts' folder makes `service` run."""
    names = [arg for arg in args if not arg.startswith("-")]
    if not names or "/" not in names[0]:
        return None
    path = posixpath.normpath(f"{_INIT_SCRIPTS}/{names[0]}")
    return None if path.startswith(_INIT_SCRIPTS + "/") else path


def _climbs_out(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if script := _service_script(args):
        return [f"names a service that climbs out of {_INIT_SCRIPTS}, so {script} runs as "
                "root in its place"]
    return []


JUDGES: dict[str, Judge] = dict.fromkeys(_SERVICE_RUNNERS, _climbs_out)
