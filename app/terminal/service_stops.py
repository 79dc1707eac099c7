"""Stopping what keeps the machine reachable or usable: vital daemons, every process, the
desktop session, the firewall's rules.

Why: `kill` and `systemctl` are everyday tools; these readers pick out the targets whose
loss locks the user out (sshd over a remote link), ends the session (Xorg, gdm, systemd,
dbus) or opens the machine (a flushed firewall ruleset), and the loops that kill every PID
found under /proc in any language. The judges (`JUDGES`) read the service managers and
the pattern killers with the line's variables filled in: `systemctl stop|disable|mask` of
sshd, NetworkManager or the display manager, `killall -r 'Xorg|…'` and `pkill` patterns
that match a vital daemon, and `pkill -P 1` (every service init started).

The same daemons by every system's names and managers (the thirteenth set): the journal and
the device manager, macOS's `com.openssh.sshd` and window server, Windows' remote desktop,
FreeBSD's `netif`; stopped by `rc-service`, `sv`, `rcctl`, `sc`/`net stop`, `Stop-Service`,
`launchctl bootout|unload`, an init script (`/etc/init.d/networking stop`), or
`start-stop-daemon --stop` and `pkill -F` given the daemon's pid file. And the units that
hold every session or service (`user.slice`, `user@1000.service`, `session-3.scope`,
`system.slice`), or a whole launchd domain (`launchctl bootout gui/501`), stopped at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.command_words import option_values, options, program_and_args
from app.terminal.shell_syntax import Command

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_VITAL = re.compile(r"^(?:sshd?|systemd(?:-\w+)?|init|dbus(?:-daemon)?|Xorg|X|Xwayland|gdm3?|"
                    r"sddm|lightdm|NetworkManager|networkd|wpa_supplicant|gnome-shell|kwin\w*|"
                    r"plasmashell|polkitd?|udevd|journald|login|agetty|getty|cron|firewalld|"
                    r"pipewire|pulseaudio|wayland|mutter)$")
_KILLERS = frozenset({"pkill", "killall", "kill", "skill"})
_ISOLATE_SAFE = frozenset({"graphical.target", "default.target", "graphical"})
_FLUSH = re.compile(r"\bflush\s+ruleset\b|\bdelete\s+table\b")
# The daemons' own names, for killers given a pattern rather than a name.
_VITAL_NAMES = ("sshd", "systemd", "init", "dbus-daemon", "Xorg", "Xwayland", "gdm3", "sddm",
                "lightdm", "NetworkManager", "gnome-shell", "kwin_wayland", "kwin_x11",
                "plasmashell", "polkitd", "systemd-logind", "agetty", "wpa_supplicant")
# Services whose loss cuts the machine off, ends the desktop or takes down what the system
# itself runs on — by their names on each system: the login server (`ssh.plist` and
# `com.openssh.sshd` on macOS, `TermService` for Windows' remote desktop), the network
# (`netif` on FreeBSD), the display manager and window server, the login and message buses,
# the journal and the device manager.
VITAL_SERVICES = frozenset({
    "ssh", "sshd", "com.openssh.sshd", "termservice", "networkmanager", "network-manager",
    "systemd-networkd", "networking", "network", "netif", "wpa_supplicant", "gdm", "gdm3",
    "sddm", "lightdm", "lxdm", "xdm", "display-manager", "com.apple.windowserver",
    "com.apple.loginwindow", "systemd-logind", "dbus", "dbus-broker", "systemd-journald",
    "systemd-udevd", "udev"})
# Service managers of other systems and inits, which take the verb and the service's name
# in either order (`rc-service sshd stop`, `sv down sshd`, `sc stop sshd`, `rcctl stop sshd`,
# `launchctl bootout system/com.openssh.sshd`).
MANAGERS = ("rc-service", "sv", "rc-update", "sc", "net", "launchctl", "rcctl", "dinitctl",
            "initctl", "svcadm")
_DOWN_VERBS = frozenset({"stop", "down", "disable", "del", "delete", "exit", "force-stop",
                         "force-shutdown", "kill", "unload", "bootout", "config", "remove"})
# What an init script is told to stop with (`/etc/init.d/ssh stop`, `/etc/rc.d/netif
# onestop` on FreeBSD).
_SCRIPT_STOPS = frozenset({"stop", "force-stop", "onestop", "faststop", "forcestop"})
# The units that hold every login session or every service: stopping one stops them all.
_HOLDERS = re.compile(r"^(?:user(?:-[^.]+)?\.slice|user@[^.]+\.service|session-[^.]+\.scope|"
                      r"system\.slice|-\.slice|init\.scope)$")
# Units a restart of which ends the desktop session the user sits in, as a stop would.
_SESSION_UNITS = re.compile(r"^(?:gdm3?|sddm|lightdm|lxdm|xdm|display-manager|systemd-logind|"
                            r"dbus(?:-broker)?)(?:\.service)?$")
_RESTARTS = frozenset({"restart", "try-restart", "reload-or-restart", "force-reload",
                       "condrestart", "try-reload-or-restart"})
_SIGNAL = re.compile(r"^-(?:\d+|(?:SIG)?(?:KILL|TERM|HUP|INT|QUIT|STOP|CONT|USR[12]|ABRT|SEGV|"
                     r"ALRM|TSTP|PIPE|TRAP|BUS|WINCH))$")
_GENTLE_SIGNALS = frozenset({"HUP", "USR1", "USR2", "CONT", "WINCH", "0", "1", "10", "12", "18"})
_SERVICE_STOPS = frozenset({"stop", "disable", "mask", "kill"})
# A unit pattern that matches every unit (of a type): `'*'`, `'*.service'`, `'*.scope'`.
_EVERY_UNIT = re.compile(r"\*(?:\.(?:service|scope|slice|socket|target|mount|timer))?")
# Listing /proc's process folders (shell globs, code in any language) and signalling them.
_PROC_LISTED = re.compile(r"/proc/(?:\[[0-9-]+\]|\*)|(?:listdir|readdir\w*|scandir|glob|"
                          r"children|entries|iterdir)\W{1,3}/proc\b|Path\(\W/proc\W\)"
                          r"|process_iter\(|psutil\.pids\(")
_KILLS = re.compile(r"\bkill(?:\s+-(?:s\s+)?(?!0\b)\w+|\s*\((?![^)]*,\s*0\s*\)))"
                    r"|\.(?:kill|terminate)\(\s*\)")
# Network interfaces that carry the machine's connections (not loopback, bridges, tunnels).
_LINK = re.compile(r"^(?:eth|en|wl|wlan|ww|bond|br0$|em|p\d)\w*$")
_CUT_OFF = "cuts the machine off the network (a remote session is lost with it)"


def service_reasons(commands: list[Command]) -> list[str]:
    """Reasons for killing vital daemons or every PID, isolating to a non-graphical target,
    and flushing the firewall's rules."""
    reasons = []
    for command in commands:
        name, args = program_and_args(command)
        if not name:
            continue
        targets = [arg for arg in args if not arg.startswith("-")]
        if name in _KILLERS - {"kill"} and any(_VITAL.match(t) for t in targets) and \
                not reloads_only(args):
            vital = next(t for t in targets if _VITAL.match(t))
            reasons.append(f"stops {vital}, which keeps the machine reachable or the session "
                           "running")
        if name == "kill" and any(re.search(r"\$\{?\w+#/proc/", arg) for arg in args):
            reasons.append("kills every process found under /proc")
        if name == "systemctl" and (verb := {"isolate", "default"} & set(targets[:1])):
            # `systemctl default` isolates default.target; given a unit, the one named
            unit = targets[targets.index(verb.pop()) + 1:][:1] if targets[1:] or \
                "isolate" in targets[:1] else ["default.target"]
            if not unit or unit[0] not in _ISOLATE_SAFE:
                reasons.append("switches the machine to another target, stopping the desktop "
                               "and every service not part of it")
        if name == "nft" and (_FLUSH.search(" ".join(args))
                              or ("-f" in args and _FLUSH.search(_fed(command)))):
            reasons.append("removes every firewall rule")
    line = " ".join(word.text for command in commands for word in command.words)
    if _PROC_LISTED.search(line) and _KILLS.search(line):
        reasons.append("kills every process found under /proc")
    return reasons


def _fed(command: Command) -> str:
    """Text fed to a command: its here-string or what the commands piped into it say."""
    texts = [command.stdin_text or ""]
    texts += [" ".join(word.text for word in upstream.words) for upstream in command.upstream]
    return "\n".join(texts)


def reloads_only(args: list[str]) -> bool:
    """`pkill -HUP sshd`, `killall -USR1 dd`, `-0`: a signal that reloads, reports or only
    checks, and leaves the daemon running."""
    signals = [a.lstrip("-").upper().removeprefix("SIG") for a in args if _SIGNAL.match(a)]
    signals += [v.upper().removeprefix("SIG") for v in option_values(args, {"-s", "--signal"})]
    return bool(signals) and all(s in _GENTLE_SIGNALS for s in signals)


def _service_manager(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`systemctl stop|disable|mask UNIT…` and `service UNIT stop`; a restart of the display
    manager."""
    words = [arg for arg in args if not arg.startswith("-")]
    verb, units = (words[0], words[1:]) if words else ("", [])
    if verb not in _SERVICE_STOPS | _RESTARTS and words[1:2] and \
            words[1] in _SERVICE_STOPS | _RESTARTS:
        verb, units = words[1], words[:1]
    if verb in _SERVICE_STOPS and any(map(_EVERY_UNIT.fullmatch, units)) and not (
            verb == "kill" and reloads_only(args)):
        return ["stops or kills every service (a pattern that matches every unit)"]
    if verb in _SERVICE_STOPS and (vital := [u for u in units if service_name(u) in
                                             VITAL_SERVICES]):
        return [f"stops {vital[0]}, which keeps the machine reachable or the session running"]
    if verb in _SERVICE_STOPS and (held := [u for u in units if _HOLDERS.match(u)]) and not (
            verb == "kill" and reloads_only(args)):
        return [f"stops {held[0]}, and with it every login session or service it holds"]
    if verb in _RESTARTS and (session := [u for u in units if _SESSION_UNITS.match(u)]):
        return [f"restarts {session[0]}, which ends the desktop session (every open window "
                "closes, unsaved work is lost)"]
    return []


# A daemon's pid file: `/run/sshd.pid`, `/var/run/NetworkManager/NetworkManager.pid`,
# `/run/dbus/pid` (named for its folder).
_PIDFILE = re.compile(r"^/(?:var/)?run/(?:[^\s]*/)?([^/\s]+?)(?:\.pid|/pid)$")


def vital_pidfile(path: str) -> str | None:
    """The vital service whose process id `path` (a pid file) holds, or None."""
    match = _PIDFILE.match(path.strip("'\""))
    return match.group(1) if match and service_name(match.group(1)) in VITAL_SERVICES else None


def _start_stop_daemon(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """Debian's `start-stop-daemon --stop` (`-K`) aimed at a vital daemon by its pid file,
    name or program; `--test` only tells, a reloading `--signal HUP` leaves it running."""
    if not {"-K", "--stop"} & set(args) or {"-t", "--test"} & set(args) or reloads_only(args):
        return []
    named = option_values(args, {"-n", "--name", "-x", "--exec"})
    vital = [f for f in option_values(args, {"-p", "--pidfile"}) if vital_pidfile(f)]
    vital += [n for n in named if service_name(n) in VITAL_SERVICES]
    return [f"stops {vital[0]}, which keeps the machine reachable or the session running"] \
        if vital else []


def service_name(word: str) -> str:
    """A service as every manager names it: `sshd.service`, `ssh.socket`,
    `/System/Library/LaunchDaemons/ssh.plist`, `system/com.openssh.sshd` and `TermService`
    are `sshd`, `ssh`, `ssh`, `com.openssh.sshd` and `termservice`."""
    name = word.lower().rpartition("/")[2].removesuffix(".plist")
    return re.sub(r"\.(?:service|socket|agent)$", "", name)


def downed_services(args: list[str]) -> set[str]:
    """The services (by `service_name`) a manager of `MANAGERS` is told to take down: a
    stopping verb and the names in either order; `config` counts when it disables."""
    words = [a.lower() for a in args if not a.startswith("-")]
    if not set(words) & _DOWN_VERBS or (
            "config" in words and "disabled" not in " ".join(args).lower()):
        return set()
    return {service_name(w) for w in words}


def _manager(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """A vital service stopped by another system's manager, and a whole launchd domain
    booted out (`launchctl bootout gui/501`: every program of that user's session)."""
    if vital := sorted(downed_services(args) & VITAL_SERVICES):
        return [f"stops {vital[0]}, which keeps the machine reachable or the session running"]
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["bootout"] and any(re.fullmatch(r"(?:gui|user|login)/[^/\s]+/?", w)
                                        for w in words[1:]):
        return ["ends a whole login session, killing every program in it"]
    return []


def _init_script(name: str) -> Judge:
    """`/etc/init.d/networking stop`: a vital service's own script told to stop."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        return [f"stops {name}, which keeps the machine reachable or the session running"] \
            if args[:1] and args[0].lower() in _SCRIPT_STOPS else []

    return judge


def _stop_service(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """PowerShell's `Stop-Service -Name sshd` (`spsv`); `-WhatIf` only tells."""
    if any(a.lower().startswith("-whatif") for a in args):
        return []
    names = [b for a, b in pairwise(args) if a.lower() in ("-name", "-displayname", "-n")]
    names += [a for a in options(args, valued="")[2] if a not in names]
    names = [n.strip("'\"") for value in names for n in value.split(",")]
    vital = sorted({service_name(n) for n in names} & VITAL_SERVICES)
    return [f"stops {vital[0]}, which keeps the machine reachable or the session running"] \
        if vital else []


def _pattern_killer(name: str) -> Judge:
    """`killall -r REGEX` and `pkill PATTERN` (a regular expression by default), and `pkill
    -F /run/sshd.pid` (the pids a vital daemon's pid file holds)."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        if reloads_only(args):
            return []
        valued = "sugGPtUFn" if name == "pkill" else "usoyn"
        unsignalled = [a for a in args if not _SIGNAL.match(a)]
        short, long_, patterns = options(unsignalled, valued=valued)
        exact = "x" in short or "--exact" in long_
        if name == "pkill" and "1" in option_values(args, {"-P", "--parent"}):
            return ["kills every service the system started (children of init)"]
        if name == "pkill" and (vital := [f for f in option_values(args, {"-F", "--pidfile"})
                                          if vital_pidfile(f)]):
            return [f"kills the daemon of {vital[0]}, which keeps the machine reachable or "
                    "the session running"]
        if name == "killall" and not ("r" in short or "--regexp" in long_):
            return []
        for pattern in patterns:
            try:
                compiled = re.compile(pattern)
            except re.error:
                continue
            match = compiled.fullmatch if exact else compiled.search
            if vital := [n for n in _VITAL_NAMES if match(n)]:
                return [f"kills {vital[0]}, which keeps the machine reachable or the session "
                        "running"]
        return []

    return judge


def _network_off(name: str) -> Judge:
    """`ip link set dev eth0 down`, `ip route flush`, `ip addr flush`, `ifconfig wlan0 down`,
    `ifdown eth0`, `nmcli networking
    off`, `nmcli radio all off`, `rfkill block all`: the links themselves switched off."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        words = [arg for arg in args if not arg.startswith("-")]
        links = [w for w in words if _LINK.match(w)]
        off = {
            "ip": (words[:2] == ["link", "set"] and "down" in words and bool(links)) or (
                words[:1] in (["route"], ["r"], ["addr"], ["a"], ["address"]) and (
                    words[1:2] == ["flush"] or words[1:3] == ["del", "default"])),
            "ifconfig": "down" in words and bool(links),
            "ifdown": bool(links) or "-a" in args,
            "nmcli": words[:2] in (["networking", "off"], ["n", "off"]) or (
                words[:1] in (["radio"], ["r"]) and words[-1:] == ["off"]),
            "rfkill": words[:1] == ["block"] and bool({"all", "wlan", "wifi", "wwan"} & set(words)),
        }[name]
        return [_CUT_OFF] if off else []

    return judge


def _skill(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`skill -KILL -u root`: a signal to every process of a user (no command named)."""
    short, long_, names = options([a for a in args if not _SIGNAL.match(a)], valued="utcp")
    if ({"u"} & short or "--user" in long_) and not names and not {"-0", "-CONT"} & set(args):
        return ["kills every process of a user, or all processes"]
    return []


JUDGES: dict[str, Judge] = {
    **{name: _init_script(name) for name in (*VITAL_SERVICES, "NetworkManager")},
    **dict.fromkeys(MANAGERS, _manager),
    "stop-service": _stop_service, "spsv": _stop_service,
    "start-stop-daemon": _start_stop_daemon,
    "skill": _skill,
    **{name: _network_off(name) for name in ("ip", "ifconfig", "ifdown", "nmcli", "rfkill")},
    "systemctl": _service_manager, "service": _service_manager,
    "killall": _pattern_killer("killall"), "pkill": _pattern_killer("pkill"),
}
