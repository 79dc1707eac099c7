"""Programs registered to run by themselves at every login or start, through a system's own
settings rather than a file in a start-up folder.

Why: `persistence_places` knows the folders whose files run at login; macOS and Windows also
keep the list in settings — the login window's `LoginHook`/`LogoutHook` (run as root at
every login), the registry's `Run`/`RunOnce` keys and Winlogon's `Userinit`/`Shell` values,
a scheduled task triggered at logon or start. Whatever program such a setting names runs
again and again, unasked, so setting one needs typing wherever the program lives. Reading
these settings, deleting them (`defaults delete … LoginHook`, `reg delete`) and other
preferences (`defaults write com.apple.dock …`) stay quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.command_words import option_values

Judge = Callable[[list[str], str | None, list[str]], list[str]]

REGISTERED = "registers a program to run by itself at every login or start ({})"
_HOOKS = frozenset({"loginhook", "logouthook"})
# Registry keys whose values are programs run at logon, spelt without their separators
# (a shell may have eaten the backslashes of an unquoted key).
_RUN_KEYS = re.compile(r"currentversion(?:policiesexplorer)?run(?:once|services|servicesonce)?"
                       r"(?:ex)?$")
_WINLOGON = re.compile(r"windowsntcurrentversionwinlogon$")
_WINLOGON_VALUES = frozenset({"userinit", "shell", "taskman", "appsetup"})


def _defaults(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`defaults write [/Library/Preferences/]com.apple.loginwindow LoginHook PROGRAM`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["write"] and words[1:2] and words[1].endswith("com.apple.loginwindow") \
            and words[2:3] and words[2].lower() in _HOOKS and words[3:]:
        return [REGISTERED.format(f"the macOS login window's {words[2]}")]
    return []


def _run_key(key: str, values: list[str]) -> bool:
    flat = re.sub(r"[\\/:\s]", "", key).lower()
    return bool(_RUN_KEYS.search(flat)) or (
        bool(_WINLOGON.search(flat)) and bool({v.lower() for v in values} & _WINLOGON_VALUES))


def _reg(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`reg add HKCU\\…\\CurrentVersion\\Run /v NAME /d PROGRAM`, Winlogon's Userinit/Shell."""
    lowered = [a.lower() for a in args]
    if lowered[:1] != ["add"] or len(args) < 2:
        return []
    names = [b for a, b in pairwise(lowered) if a in ("/v", "-v")]
    return [REGISTERED.format("a Windows Run or Winlogon registry value")] if _run_key(
        args[1], names) else []


def _item_property(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """PowerShell's `New-ItemProperty|Set-ItemProperty -Path HKCU:\\…\\Run -Name N -Value P`."""
    lowered = [a.lower() if a.startswith("-") else a for a in args]
    keys = option_values(lowered, {"-path", "-literalpath"}) or [
        a for a in args if not a.startswith("-")][:1]
    names = option_values(lowered, {"-name"})
    return [REGISTERED.format("a Windows Run or Winlogon registry value")] if any(
        _run_key(key, names) for key in keys) else []


def _schtasks(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`schtasks /create /sc onlogon|onstart /tr PROGRAM`: a task started at each logon/boot."""
    lowered = [a.lower() for a in args]
    triggers = [b for a, b in pairwise(lowered) if a in ("/sc", "-sc")]
    if "/create" in lowered and set(triggers) & {"onlogon", "onstart"}:
        return [REGISTERED.format("a Windows scheduled task at logon or start")]
    return []


JUDGES: dict[str, Judge] = {"defaults": _defaults, "reg": _reg, "schtasks": _schtasks,
                            "new-itemproperty": _item_property,
                            "set-itemproperty": _item_property}
