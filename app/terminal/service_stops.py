"""Stopping what keeps the machine reachable or usable: vital daemons, every process, the
desktop session, the firewall's rules.

Why: `kill` and `systemctl` are everyday tools; these readers pick out the targets whose
loss locks the user out (sshd over a remote link), ends the session (Xorg, gdm, systemd,
dbus) or opens the machine (a flushed firewall ruleset), and the loops that kill every PID
found under /proc.
"""

from __future__ import annotations

import re

from app.terminal.command_words import program_and_args
from app.terminal.shell_syntax import Command

_VITAL = re.compile(r"^(?:sshd?|systemd(?:-\w+)?|init|dbus(?:-daemon)?|Xorg|X|Xwayland|gdm3?|"
                    r"sddm|lightdm|NetworkManager|networkd|wpa_supplicant|gnome-shell|kwin\w*|"
                    r"plasmashell|polkitd?|udevd|journald|login|agetty|getty|cron|firewalld|"
                    r"pipewire|pulseaudio|wayland|mutter)$")
_KILLERS = frozenset({"pkill", "killall", "kill", "skill"})
_ISOLATE_SAFE = frozenset({"graphical.target", "default.target", "graphical"})
_FLUSH = re.compile(r"\bflush\s+ruleset\b|\bdelete\s+table\b")


def service_reasons(commands: list[Command]) -> list[str]:
    """Reasons for killing vital daemons or every PID, isolating to a non-graphical target,
    and flushing the firewall's rules."""
    reasons = []
    for command in commands:
        name, args = program_and_args(command)
        if not name:
            continue
        targets = [arg for arg in args if not arg.startswith("-")]
        if name in _KILLERS - {"kill"} and any(_VITAL.match(t) for t in targets):
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
    return reasons


def _fed(command: Command) -> str:
    """Text fed to a command: its here-string or what the commands piped into it say."""
    texts = [command.stdin_text or ""]
    texts += [" ".join(word.text for word in upstream.words) for upstream in command.upstream]
    return "\n".join(texts)
