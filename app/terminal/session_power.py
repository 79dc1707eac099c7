"""Ending the desktop session or powering off through the desktop, not only `shutdown`.

Why: `gnome-session-quit --power-off --force`, `xfce4-session-logout --halt`,
`qdbus org.kde.Shutdown /Shutdown logoutAndShutdown` or a D-Bus call to the session
manager's `Logout` end every program the user has open, as surely as `reboot` does. Each
desktop has its own tool, so the D-Bus rule is general: a method call whose method name says
power-off, reboot, halt or log out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Judge = Callable[[list[str], str | None, list[str]], list[str]]
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


def ends_session_by_message(args: list[str]) -> bool:
    """A D-Bus call (`dbus-send`, `gdbus call`, `busctl call`, `qdbus SERVICE PATH METHOD`)
    whose method powers off, reboots or logs out; introspection and queries stay quiet."""
    if any(a in ("introspect", "list", "tree", "monitor", "status") for a in args[:2]):
        return False
    return any(_POWER_METHOD.search(arg) for arg in args[1:])


JUDGES: dict[str, Judge] = {name: _quit(name) for name in _QUITTERS}
