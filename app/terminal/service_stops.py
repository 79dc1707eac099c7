"""Stopping what keeps the machine reachable or usable: vital daemons, every process, the
desktop session, the firewall's rules.

Why: `kill` and `systemctl` are everyday tools; these readers pick out the targets whose
loss locks the user out (sshd over a remote link), ends the session (Xorg, gdm, systemd,
dbus) or opens the machine (a flushed firewall ruleset), and the loops that kill every PID
found under /proc in any language. The judges (`JUDGES`) read the service managers and
the pattern killers with the line's variables filled in: `systemctl stop|disable|mask` of
sshd, NetworkManager or the display manager, `killall -r 'Xorg|…'` and `pkill` patterns
that match a vital daemon, and `pkill -P 1` (every service init started).
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
# Units whose loss cuts the machine off or ends the desktop: the login server and its
# socket, the network, the display manager.
_REACH_UNITS = re.compile(r"^(?:sshd?|ssh\.socket|NetworkManager|systemd-networkd|networking|"
                          r"network|wpa_supplicant|gdm3?|sddm|lightdm|display-manager|"
                          r"systemd-logind|dbus)(?:\.service)?$")
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
        if name == "systemctl" and "isolate" in targets:
            unit = targets[targets.index("isolate") + 1:][:1]
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
    if verb in _SERVICE_STOPS and (vital := [u for u in units if _REACH_UNITS.match(u)]):
        return [f"stops {vital[0]}, which keeps the machine reachable or the session running"]
    if verb in _RESTARTS and (session := [u for u in units if _SESSION_UNITS.match(u)]):
        return [f"restarts {session[0]}, which ends the desktop session (every open window "
                "closes, unsaved work is lost)"]
    return []


def _pattern_killer(name: str) -> Judge:
    """`killall -r REGEX` and `pkill PATTERN` (a regular expression by default)."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        if reloads_only(args):
            return []
        valued = "sugGPtUFn" if name == "pkill" else "usoyn"
        unsignalled = [a for a in args if not _SIGNAL.match(a)]
        short, long_, patterns = options(unsignalled, valued=valued)
        exact = "x" in short or "--exact" in long_
        if name == "pkill" and "1" in option_values(args, {"-P", "--parent"}):
            return ["kills every service the system started (children of init)"]
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
    "skill": _skill,
    **{name: _network_off(name) for name in ("ip", "ifconfig", "ifdown", "nmcli", "rfkill")},
    "systemctl": _service_manager, "service": _service_manager,
    "killall": _pattern_killer("killall"), "pkill": _pattern_killer("pkill"),
}
