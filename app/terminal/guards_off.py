"""Guards beyond the firewall switched off: security updates, the logs and the audit trail,
the USB guard and the screen lock.

Why: `defences_off` asks its question of firewalls, access control and security monitors;
the blind fourteenth set switched off the machine's other guards, each in its own way. A
machine that no longer installs security fixes, keeps no logs, lets any USB device in or
never locks its screen is open to what comes next, and nothing tells the user. The class is
held as the guard, however it is switched off:

- its service stopped, disabled or masked by any manager (`unattended-upgrades`,
  `apt-daily-upgrade.timer`, `dnf-automatic.timer`, `packagekit`, `yum-cron`, `usbguard`,
  `rsyslog`), also when the units come from a listing filtered by the guards' names
  (`systemctl stop $(systemctl list-units | awk '/audit|apparmor/…')`), and a guard's
  process frozen or killed by the pid a lookup finds (`kill -STOP $(pidof auditd)`);
- its setting written off: the desktop's screen lock and software updates (`gsettings`,
  `dconf write`, `kwriteconfig`), unattended upgrades commented out or set to "0", dnf's
  automatic updates not applied, the journal's `Storage=none`, usbguard's implicit `allow`;
- the packages that carry security fixes held back (`apt-mark hold openssl`, `dnf
  versionlock add openssh-server`), or a guard's own package removed (`apt purge
  unattended-upgrades`, `dnf remove firewalld`: `package_sources` asks here).

Reading a setting, turning a guard back on, restarting it or holding an ordinary package
stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.checks_off import switched_off
from app.terminal.command_words import option_values
from app.terminal.service_stops import MANAGERS, downed_services, reloads_only, service_name
from app.terminal.shell_syntax import Command
from app.terminal.system_checks import DEFENCES

Judge = Callable[[list[str], str | None, list[str]], list[str]]

OFF = "switches off a guard of the machine, so {}"
_UPDATES = "security fixes stop installing by themselves"
_LOGS = "what happens next leaves no log"
_USB = "any USB device plugged in is let in"
_LOCK = "the screen no longer locks"
# The guards' service names (as `service_stops.service_name` gives them, timers included).
_GUARDS = {
    "unattended-upgrades": _UPDATES, "unattended-upgrade": _UPDATES,
    "apt-daily-upgrade": _UPDATES, "apt-daily-upgrade.timer": _UPDATES,
    "dnf-automatic": _UPDATES, "dnf-automatic.timer": _UPDATES,
    "dnf-automatic-install": _UPDATES, "dnf-automatic-install.timer": _UPDATES,
    "yum-cron": _UPDATES, "packagekit": _UPDATES, "packagekitd": _UPDATES,
    "rsyslog": _LOGS, "syslog-ng": _LOGS, "syslog": _LOGS, "auditd": _LOGS,
    "usbguard": _USB, "usbguard-daemon": _USB}
_STOPS = frozenset({"stop", "disable", "mask", "kill"})
_SUBSTITUTION = re.compile(r"\$\(|`")
# Settings that switch a guard off, as (schema, key, value) of gsettings and dconf paths.
_SETTINGS = (
    (re.compile(r"^org\.(?:gnome\.desktop|cinnamon\.desktop|mate)\.screensaver$"),
     re.compile(r"^(?:lock-enabled|ubuntu-lock-on-suspend)$"), re.compile(r"^false$"), _LOCK),
    (re.compile(r"^org\.gnome\.desktop\.lockdown$"), re.compile(r"^disable-lock-screen$"),
     re.compile(r"^true$"), _LOCK),
    (re.compile(r"^org\.gnome\.software$"), re.compile(r"^(?:download-updates|allow-updates)$"),
     re.compile(r"^false$"), _UPDATES),
)
# KDE's screen locker: `kwriteconfig5 --file kscreenlockerrc --key Autolock false`.
_KDE_LOCK_KEYS = frozenset({"autolock", "lockonresume"})
# Files whose text switches a guard off, the text that does, and the reason.
_FILES = (
    (re.compile(r"^/etc/apt/apt\.conf\.d/\d*(?:unattended-upgrades|auto-upgrades)$"),
     re.compile(r"(?m)^\s*(?:(?:\\?/){2}|#)[^\n]*(?:Unattended-Upgrade|Origins-Pattern|-security)"
                r"|Unattended-Upgrade\s+\"?0\b"), OFF.format(_UPDATES)),
    (re.compile(r"^/etc/dnf/automatic\.conf$|^/etc/yum/yum-cron\.conf$"),
     re.compile(r"(?im)^\s*(?:apply|download)_updates\s*=\s*(?:no|false|0)\b"),
     OFF.format(_UPDATES)),
    (re.compile(r"^/etc/systemd/journald\.conf(?:\.d/[^/]+)?$"),
     re.compile(r"(?im)^\s*Storage\s*=\s*none\b"), OFF.format(_LOGS)),
    (re.compile(r"^/etc/usbguard/usbguard-daemon\.conf$"),
     re.compile(r"(?im)^\s*Implicit\w*Target\s*=\s*allow\b"), OFF.format(_USB)),
)
# Packages that carry the security fixes of the kernel, TLS, SSH, sudo, the C library and
# the trusted certificates: held back, the fixes never arrive.
_FIXED = re.compile(r"^(?:linux-(?:image|generic|headers|signed)\S*|kernel(?:-core)?|openssl\S*"
                    r"|libssl\S*|openssh\S*|ssh|sudo|libc6|glibc\S*|polkit\S*|policykit\S*"
                    r"|ca-certificates)$")


def _guard_of(unit: str) -> str | None:
    name = service_name(unit)
    return _GUARDS.get(name) or _GUARDS.get(name.removesuffix(".timer"))


def _listed(words: list[str]) -> str | None:
    """A unit that is a substitution whose text names a guard or a defence (a listing
    filtered by `awk '/audit|apparmor/…'`, `$(pidof auditd)`)."""
    for word in words:
        if _SUBSTITUTION.search(word):
            names = set(re.findall(r"[\w@.-]+", word))
            if found := sorted(names & DEFENCES) or sorted(filter(_guard_of, names)):
                return found[0]
    return None


def _reasons(units: list[str]) -> list[str]:
    reasons = [OFF.format(reason) for reason in dict.fromkeys(filter(None, map(_guard_of, units)))]
    if listed := _listed(units):
        reasons.append(OFF.format(f"the services listed on the line stop ({listed} among them)"))
    return reasons


def removed_guard(packages: list[str]) -> list[str]:
    """A guard or a defence taken off the machine with its package (`apt purge
    unattended-upgrades`, `dnf remove firewalld`): off as surely as when stopped, and for
    good."""
    names = [package.partition(":")[0].partition("=")[0] for package in packages]
    found = [name for name in names if _guard_of(name) or name in DEFENCES]
    if not found:
        return []
    return [OFF.format(f"{_guard_of(found[0]) or 'its protection is gone'} "
                       f"({found[0]} removed)")]


def _systemctl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    return _reasons(words[1:]) if words[:1] and words[0] in _STOPS else []


def _service(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return _reasons(args[:1]) if args[1:2] and args[1] in _STOPS else []


def _manager(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return _reasons(sorted(downed_services(args)))


def _kill(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`kill -STOP $(pidof auditd)`: a guard frozen or ended by the pid a lookup finds."""
    if reloads_only(args) or {"-0", "-CONT", "-SIGCONT", "-18"} & set(args):
        return []
    looked_up = [a for a in args if re.search(r"\b(?:pidof|pgrep)\b", a)]
    found = _listed(looked_up)
    return [OFF.format(f"{found} is frozen or killed")] if found else []


def _setting(schema: str, key: str, value: str) -> list[str]:
    value = value.strip("'\"").lower()
    return [OFF.format(harm) for schemas, keys, values, harm in _SETTINGS
            if schemas.match(schema) and keys.match(key) and values.match(value)]


def _gsettings(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    return _setting(*words[1:4]) if words[:1] == ["set"] and len(words) >= 4 else []


def _dconf(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`dconf write /org/gnome/desktop/screensaver/lock-enabled false`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] != ["write"] or len(words) < 3:
        return []
    schema, _, key = words[1].strip("/").replace("/", ".").rpartition(".")
    return _setting(schema, key, words[2])


def _kwriteconfig(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    files = option_values(args, {"--file"})
    keys = [key.lower() for key in option_values(args, {"--key"})]
    if any("kscreenlockerrc" in f for f in files) and set(keys) & _KDE_LOCK_KEYS and \
            args[-1].lower() in ("false", "0"):
        return [OFF.format(_LOCK)]
    return []


def _held(packages: list[str]) -> list[str]:
    held = sorted(p for p in packages if _FIXED.match(p.partition("=")[0]))
    return [OFF.format(f"{_UPDATES} ({held[0]} held back)")] if held else []


def _apt_mark(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    return _held(words[1:]) if words[:1] == ["hold"] else []


def _versionlock(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`dnf versionlock add openssl`, `yum versionlock openssh-server`, `zypper addlock`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:2] in (["versionlock", "add"], ["versionlock", "exclude"]):
        return _held(words[2:])
    if words[:1] in (["addlock"], ["al"]) or (
            words[:1] == ["versionlock"] and words[1:2] not in (
                ["list"], ["delete"], ["clear"], ["status"], [])):
        return _held(words[1:])
    return []


def written_guard_reasons(commands: list[Command]) -> list[str]:
    """A guard's settings file written with the text that switches it off (`tee -a`,
    a redirect, `sed -i` commenting a line out)."""
    return switched_off([command for command in commands if _names_guard_file(command)], _FILES)


def _names_guard_file(command: Command) -> bool:
    """Whether a word or redirect of the command names a guard's settings file; reading
    what it writes costs more, so only those commands are read (a long pipeline stays
    fast)."""
    words = [w.text for w in command.words] + [r.target.text for r in command.redirects]
    return any(place.match(word.strip("'\"")) for word in words for place, _value, _harm in _FILES)


JUDGES: dict[str, Judge] = {"systemctl": _systemctl, "service": _service,
                            **dict.fromkeys(MANAGERS, _manager), "kill": _kill,
                            "gsettings": _gsettings, "dconf": _dconf,
                            "kwriteconfig5": _kwriteconfig, "kwriteconfig6": _kwriteconfig,
                            "apt-mark": _apt_mark, "dnf": _versionlock, "yum": _versionlock,
                            "zypper": _versionlock}
