"""Ending the desktop session or powering off through the desktop, not only `shutdown`.

Why: `gnome-session-quit --power-off --force`, `xfce4-session-logout --halt`,
`qdbus org.kde.Shutdown /Shutdown logoutAndShutdown` or a D-Bus call to the session
manager's `Logout` end every program the user has open, as surely as `reboot` does. Each
desktop has its own tool, so the D-Bus rule is general: a method call whose method name says
power-off, reboot, halt or log out.

The same class spoken by other tools (the eleventh set): a server's BMC (`ipmitool power
off|reset|cycle`), a fleet tool's module (`ansible -m reboot`, `community.general.shutdown`;
`--check` only tells), other inits (`openrc-shutdown`, `runit-init 0`, `s6-poweroff`),
macOS (`osascript` telling System Events to shut down, restart or log out) and PowerShell
(`Stop-Computer`, `Restart-Computer`). And the thirteenth set's: hibernation, which powers
off as surely (`systemctl hybrid-sleep`, OpenBSD's `ZZZ`, `apm -Z`, `acpiconf -s 4`,
`pm-hibernate`, `s2disk`, a D-Bus call to any power service's `Hibernate`), and the WSL
system the session runs in shut down from Windows (`wsl --shutdown`, `wsl -t Ubuntu`).
Suspending (`systemctl suspend`, `zzz`, `apm -z`) keeps every program and stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

Judge = Callable[[list[str], str | None, list[str]], list[str]]
POWER = "shuts down or restarts the computer"
HIBERNATE = "hibernates the computer: it powers off, and every program stops until it is " \
    "started again"
POWER_WSL = "shuts down a WSL system (the Linux this runs in, with every program in it)"
SESSION_OFF = "ends your desktop session (logs out or powers off), closing every open program"
_QUITTERS = frozenset({"gnome-session-quit", "xfce4-session-logout", "cinnamon-session-quit",
                       "mate-session-save", "lxqt-leave", "lxsession-logout", "lxde-logout",
                       "kdeshutdown", "budgie-session-quit", "openbox", "i3-msg", "swaymsg",
                       "hyprctl", "qtile", "bspc", "wmctrl", "awesome-client", "herbstclient",
                       "niri", "riverctl", "labwc", "fluxbox-remote", "leftwm-command",
                       "dwlmsg", "mangoctl", "wayfire-ctl"})
# For tools that do much else, the words that make them end the session.
_ENDING_WORDS = {"mate-session-save": ("--logout", "--shutdown-dialog", "--logout-dialog",
                                       "--force-logout"),
                 "openbox": ("--exit",), "i3-msg": ("exit",), "swaymsg": ("exit",),
                 "hyprctl": ("exit",), "qtile": ("shutdown",), "bspc": ("quit",),
                 "wmctrl": (), "awesome-client": ("quit",), "herbstclient": ("quit",),
                 "niri": ("quit",), "riverctl": ("exit",), "labwc": ("--exit", "-e"),
                 "fluxbox-remote": ("exit",), "leftwm-command": ("quit",),
                 "dwlmsg": ("quit",), "mangoctl": ("quit",), "wayfire-ctl": ("exit",)}
_POWER_METHOD = re.compile(
    r"(?:^|[.\s/])(?:power_?off|shutdown|reboot|restart|halt|log_?out|logout\w*|"
    r"terminate_?(?:session|user|seat)|kill_?(?:session|user)|request_?(?:shutdown|reboot))"
    r"(?=$|[\s(])", re.I)


def _quit(name: str) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        if set(args) & {"--help", "-h", "--version"}:
            return []
        words = _ENDING_WORDS.get(name)
        if words is not None and not any(re.search(rf"(?i)(?<![\w-]){re.escape(word)}(?![\w-])", a)
                                         for a in args for word in words):
            return []  # a word as an argument or inside one (`awesome-client 'awesome.quit()'`)
        return [SESSION_OFF]

    return judge


def hibernates_by_message(args: list[str]) -> bool:
    """A D-Bus call to any power service's hibernating method: logind's `Hibernate`,
    `HybridSleep`, `SuspendThenHibernate`, UPower's `Hibernate`, KDE's `suspendToDisk`;
    `CanHibernate` only asks."""
    if any(a in ("introspect", "list", "tree", "monitor", "status") for a in args[:2]):
        return False
    return any(_HIBERNATE_METHOD.search(arg) for arg in args[1:])


def ends_session_by_message(args: list[str]) -> bool:
    """A D-Bus call (`dbus-send`, `gdbus call`, `busctl call`, `qdbus SERVICE PATH METHOD`)
    whose method powers off, reboots or logs out; introspection and queries stay quiet."""
    if any(a in ("introspect", "list", "tree", "monitor", "status") for a in args[:2]):
        return False
    return any(_POWER_METHOD.search(arg) for arg in args[1:])


_HIBERNATE_METHOD = re.compile(r"(?:^|[.\s/])(?:Hibernate|HybridSleep|SuspendThenHibernate|"
                               r"suspendToDisk|suspendHybrid)(?=$|[\s(])")
# Programs that hibernate the machine as their whole job (pm-utils, uswsusp, OpenBSD's `ZZZ`).
_HIBERNATORS = ("ZZZ", "pm-hibernate", "pm-suspend-hybrid", "s2disk", "s2both", "hibernate",
                "hibernate-disk")
_IPMI_POWER = frozenset({"off", "reset", "cycle", "soft", "down", "diag"})
_POWER_MODULES = frozenset({"reboot", "shutdown", "win_reboot", "win_shutdown"})
# An AppleScript asking the system to end: `tell app "System Events" to shut down`, or the
# raw Apple events for it.
_APPLE_POWER = re.compile(r"(?i)\bto\s+(?:shut\s*down|restart|log\s*out|sleep)\b|"
                          r"«event\s+aevt(?:rsdn|rrst|rlgo|shut)»")
_ALWAYS = ("openrc-shutdown", "s6-poweroff", "s6-reboot", "s6-halt", "s6-linux-init-shutdown",
           "stop-computer", "restart-computer")


def _powers_off(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    quiet = {"--help", "-h", "--version", "-V", "-c", "--cancel", "-WhatIf", "-whatif"}
    return [] if set(args) & quiet else [POWER]


def _hibernates(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [] if set(args) & {"--help", "-h", "--version", "-V"} else [HIBERNATE]


def _apm(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """BSD's `apm -Z` hibernates, `apm -z` only suspends, `-l` reads the battery."""
    return [HIBERNATE] if "Z" in "".join(a[1:] for a in args if a.startswith("-")) else []


def _acpiconf(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """FreeBSD's `acpiconf -s 4` hibernates and `-s 5` powers off; `-s 3` suspends."""
    states = [b.upper().removeprefix("S") for a, b in pairwise(args) if a == "-s"]
    return [HIBERNATE] if set(states) & {"4", "5"} else []


def _wsl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`wsl --shutdown` powers off every WSL system, this one included; `--terminate`
    (`-t`) stops one with every program in it; listing and `--status` only tell."""
    own = args[:args.index("--")] if "--" in args else args  # after `--`: a command run there
    return [POWER_WSL] if {a.lower() for a in own} & {"--shutdown", "--terminate", "-t"} else []


def _runit_init(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [POWER] if args[:1] in (["0"], ["6"]) else []


def _ipmitool(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a.lower() for a in args if not a.startswith("-")]
    return [POWER] if any(a == "power" and b in _IPMI_POWER for a, b in pairwise(words)) else []


def _ansible(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    modules = [b for a, b in pairwise(args) if a in ("-m", "--module-name")]
    modules += [a.partition("=")[2] for a in args if a.startswith("--module-name=")]
    if set(args) & {"-C", "--check"} or not any(
            m.rpartition(".")[2] in _POWER_MODULES for m in modules):
        return []
    return [POWER]


def _osascript(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [SESSION_OFF] if any(_APPLE_POWER.search(a) for a in args) else []


JUDGES: dict[str, Judge] = {**{name: _quit(name) for name in _QUITTERS},
                            **dict.fromkeys(_ALWAYS, _powers_off), "runit-init": _runit_init,
                            "ipmitool": _ipmitool, "ansible": _ansible,
                            "osascript": _osascript, **dict.fromkeys(_HIBERNATORS, _hibernates),
                            "apm": _apm, "acpiconf": _acpiconf, "wsl": _wsl}
