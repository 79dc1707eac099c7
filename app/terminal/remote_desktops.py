"""This desktop handed to whoever connects: unattended access switched on, its port opened.

Why: `remote_access` knows a VNC server with no password and a tunnel to the RDP port; the
remote-control tools do the same in their own words. What is harmed is the session in front
of the user, so the rule is what the command hands out, whatever tool or system does it:
- a fixed password for unattended access, written on the command line or piped in
  (`teamviewer passwd PW`, `anydesk --set-password`, `rustdesk --password PW`, `grdctl rdp
  set-credentials USER PW`, `grdctl vnc set-password PW`), or control given with nobody asked
  (`grdctl … disable-view-only`, GNOME's `view-only false`, Vino's `prompt-enabled false` or
  no authentication); Windows' RDP switched on (`fDenyTSConnections` set to 0) and macOS's
  Remote Management given every privilege (`kickstart -activate … -privs -all`);
- a remote desktop's port (RDP 3389, VNC 5900-5999) opened in the firewall to every address
  (`ufw allow 3389/tcp`, `firewall-cmd --add-service=rdp`, `iptables -A INPUT … --dport 5901
  -j ACCEPT`, a cloud rule from 0.0.0.0/0). These services were never meant to face the
  internet as SSH is: `ufw allow 22/tcp` stays quiet, and so does a desktop port opened to
  one network (`ufw allow from 192.168.1.0/24 to any port 3389`).
Reading the ID or status, view-only sharing and removing a password stay quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.command_words import option_values

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_UNATTENDED = "sets a password that lets anyone who has it take over this desktop unattended"
_CONTROL = "gives whoever connects to this desktop full control, with nobody asked to accept"
_OPENS_DESKTOP = "opens a remote desktop's port ({}) to every address on the internet"
_EVERYONE = frozenset({"any", "0.0.0.0/0", "::/0", "0/0", "0.0.0.0"})
_DESKTOP_SERVICES = frozenset({"rdp", "vnc-server", "ms-wbt"})
_HELP = frozenset({"-h", "--help", "help"})


def _teamviewer(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    sets = (words[:1] == ["passwd"] and len(words) > 1) or "--passwd" in args
    return [_UNATTENDED] if sets else []


def _password_option(flags: frozenset[str]) -> Judge:
    """A tool whose option sets the unattended-access password (given or read from input)."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        return [_UNATTENDED] if any(a.partition("=")[0] in flags for a in args) else []

    return judge


def _grdctl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """GNOME Remote Desktop: `grdctl [--headless|--system] rdp|vnc VERB …`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] not in (["rdp"], ["vnc"]) or _HELP & set(args):
        return []
    if words[1:2] in (["set-credentials"], ["set-password"]) and len(words) > 2:
        return [_UNATTENDED]
    return [_CONTROL] if words[1:2] == ["disable-view-only"] else []


def _desktop_setting(schema: str, key: str, value: str) -> list[str]:
    """A GNOME remote-desktop or Vino setting that takes the user out of the decision."""
    if not re.search(r"vino|remote-desktop", schema, re.I):
        return []
    value = value.strip("'\" ").lower()
    if (key in ("prompt-enabled", "view-only") and value == "false") or (
            key == "authentication-methods" and "none" in value):
        return [_CONTROL]
    return [_UNATTENDED] if key == "vnc-password" and value else []


def _gsettings(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("--")]
    if words[:1] != ["set"] or len(words) < 4:
        return []
    return _desktop_setting(words[1], words[2], words[3])


def _dconf(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if args[:1] != ["write"] or len(args) < 3:
        return []
    schema, _sep, key = args[1].rpartition("/")
    return _desktop_setting(schema, key, args[2])


def _rdp_switch(name: str, value: str) -> list[str]:
    if name.lower() == "fdenytsconnections" and value.strip("'\"").lower() in ("0", "0x0"):
        return ["turns on Windows Remote Desktop, so this machine takes logins over RDP"]
    return []


def _reg(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`reg add "HKLM\\…\\Terminal Server" /v fDenyTSConnections /d 0`."""
    lowered = [a.lower() for a in args]
    if lowered[:1] != ["add"]:
        return []
    names, values = option_values(lowered, {"/v"}), option_values(lowered, {"/d"})
    return _rdp_switch(names[0], values[0]) if names and values else []


def _set_item_property(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """PowerShell's `Set-ItemProperty -Path 'HKLM:\\…' -Name fDenyTSConnections -Value 0`."""
    lowered = [a.lower() for a in args]
    names, values = option_values(lowered, {"-name"}), option_values(lowered, {"-value"})
    return _rdp_switch(names[0], values[0]) if names and values else []


def _kickstart(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """macOS Remote Management: every privilege, or a VNC password on the command line."""
    if "-activate" not in args:
        return []
    every = ("-privs", "-all") in pairwise(args)
    return [_UNATTENDED] if every or {"-setvncpw", "-vncpw"} & set(args) else []


def _ports(text: str) -> list[tuple[int, int]]:
    """Port spans in `3389`, `3389/tcp`, `5900:5910`, `5900-5910/tcp`, `tcp:3389`."""
    return [(int(a), int(b or a)) for a, b in re.findall(r"(?<![\w.])(\d{1,5})(?:[:-](\d{1,5}))?"
                                                         r"(?![\w.])", text)]


def _desktop_port(text: str) -> str | None:
    """The remote-desktop port a port spec reaches (RDP 3389, VNC 5900-5999), or None."""
    for low, high in _ports(text):
        if low <= 3389 <= high:
            return "3389, RDP"
        if low <= 5999 and high >= 5900:
            return f"{max(low, 5900)}, VNC"
    return None


def _ufw(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`ufw allow|limit [in] PORT[/proto]`, `ufw allow from any to any port PORT` (`limit`
    only slows down guessing)."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] not in (["allow"], ["limit"]):
        return []
    sources = words[words.index("from") + 1:][:1] if "from" in words else ["any"]
    if not sources or sources[0] not in _EVERYONE:
        return []
    ports = words[words.index("port") + 1:][:1] if "port" in words else [
        w for w in words[1:] if re.fullmatch(r"[\d:,]+(?:/\w+)?", w)]
    port = next(filter(None, map(_desktop_port, ports)), None)
    return [_OPENS_DESKTOP.format(port)] if port else []


def _firewall_cmd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`firewall-cmd --add-port=3389/tcp`, `--add-service=rdp` (a zone's rule: everyone)."""
    services = [s.lower() for s in option_values(args, {"--add-service"})]
    if desktop := sorted(_DESKTOP_SERVICES & set(services)):
        return [_OPENS_DESKTOP.format(desktop[0])]
    port = next(filter(None, map(_desktop_port, option_values(args, {"--add-port"}))), None)
    return [_OPENS_DESKTOP.format(port)] if port else []


def _iptables(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`iptables -A INPUT -p tcp --dport 5901 -j ACCEPT`, from any source."""
    chains = option_values(args, {"-A", "-I", "--append", "--insert"})
    sources = option_values(args, {"-s", "--source"})
    if not chains or chains[0].upper() != "INPUT" or option_values(args, {"-j", "--jump"}) != [
            "ACCEPT"] or any(s not in _EVERYONE for s in sources):
        return []
    ports = option_values(args, {"--dport", "--destination-port", "--dports"})
    port = next(filter(None, map(_desktop_port, ports)), None)
    return [_OPENS_DESKTOP.format(port)] if port else []


def _gcloud(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gcloud compute firewall-rules create … --allow=tcp:3389` from everyone (the default
    when no source ranges or tags are given)."""
    words = [a for a in args if not a.startswith("-")]
    if words[:2] != ["compute", "firewall-rules"] or words[2:3] not in (["create"], ["update"]):
        return []
    ranges = ",".join(option_values(args, {"--source-ranges"})).split(",")
    if option_values(args, {"--source-tags"}) or any(r and r not in _EVERYONE for r in ranges):
        return []
    port = _desktop_port(",".join(option_values(args, {"--allow"})))
    return [_OPENS_DESKTOP.format(port)] if port else []


def _aws(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`aws ec2 authorize-security-group-ingress --port 3389 --cidr 0.0.0.0/0`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:2] != ["ec2", "authorize-security-group-ingress"] or not set(
            option_values(args, {"--cidr"})) & _EVERYONE:
        return []
    port = _desktop_port(",".join(option_values(args, {"--port"})))
    return [_OPENS_DESKTOP.format(port)] if port else []


JUDGES: dict[str, Judge] = {
    "teamviewer": _teamviewer, "anydesk": _password_option(frozenset({"--set-password"})),
    "rustdesk": _password_option(frozenset({"--password", "--set-password"})),
    "grdctl": _grdctl, "gsettings": _gsettings, "dconf": _dconf, "reg": _reg,
    "set-itemproperty": _set_item_property, "kickstart": _kickstart,
    "ufw": _ufw, "firewall-cmd": _firewall_cmd, "iptables": _iptables, "ip6tables": _iptables,
    "gcloud": _gcloud, "aws": _aws,
}
