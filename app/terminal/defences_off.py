"""Defences switched off, judged by the defence touched rather than by one spelling.

Why: `system_checks` knows the common verbs (`ufw disable`, `iptables -F`, `setenforce 0`);
each unseen set brought another firewall (`pfctl -d`, `ipfw flush`, `netfilter-persistent
flush`), a verb hidden in one quoted nft script (`nft 'add …; flush chain …'`), or the
setting edited in the defence's own config file (`sed -i s/SELINUX=.*/SELINUX=permissive/`).
Here every firewall or mandatory-access-control program is asked one question — does this
flush, disable, stop, delete or make permissive — and so is an in-place edit of its config
file. Listing rules (`pfctl -sr`, `nft list ruleset`) and enforcing stay quiet.

The same question for other service managers and systems (the eleventh set): a defence
stopped by `rc-service`, `sv`, `rc-update del`, `sc`/`net stop`, macOS's application
firewall (`socketfilterfw --setglobalstate off`, `defaults write …alf globalstate 0`,
`launchctl unload` of it), Windows' (`netsh advfirewall set … state off`,
`Set-NetFirewallProfile -Enabled False`) and Defender (`Set-MpPreference -Disable… $true`);
and the rules reloaded with their DROP/REJECT lines taken out (`iptables-save | grep -v DROP
| iptables-restore`).

The same question of the machine's monitors and a cluster's admission (the thirteenth set):
an antivirus, endpoint-detection or intrusion-detection agent stopped by any service manager
(`MONITORS`: osqueryd, wazuh-agent, falcon-sensor, elastic-agent, Sysmon …) or by its own
tool (`mdatp config real-time-protection --value disabled`, `wazuh-control stop`,
`sentinelctl control stop`), and a namespace's pod security set to `privileged` or taken off.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal.command_words import option_values, program_and_args
from app.terminal.service_stops import MANAGERS, downed_services
from app.terminal.shell_syntax import Command
from app.terminal.system_checks import DEFENCES

Judge = Callable[[list[str], str | None, list[str]], list[str]]

OFF = "switches off the firewall or the access-control defence ({})"
MONITOR_OFF = "switches off a security monitor, so nothing reports what happens next ({})"
# nft verbs that take rules away, in any of the commands of one nft script.
_NFT_REMOVES = frozenset({"flush", "delete", "destroy"})
# Config files whose settings turn a defence on or off.
_DEFENCE_CONFIGS = re.compile(r"^/etc/(?:selinux/config|sysconfig/selinux|ufw/ufw\.conf|default/ufw"
                              r"|firewalld/firewalld\.conf|sysconfig/(?:iptables|ip6tables|nftables)"
                              r"(?:-config)?|nftables\.conf|iptables/rules\.v[46]|pf\.conf"
                              r"|default/apparmor|apparmor/parser\.conf)$")
# An edit that writes one of the "off" values into such a file.
_OFF_VALUE = re.compile(r"permissive|disabled|=\s*[\"']?(?:no|false|0|off)\b|ACCEPT|\bd\b|"
                        r"^\s*/[^/]*/d\s*$|flush", re.IGNORECASE)


def _pfctl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`pfctl -d` (disable), `pfctl -F all|rules|…` (flush, unless rules are loaded again
    from a file on the same call: `pfctl -F all -f /etc/pf.conf` reloads), `-f /dev/null`."""
    flags = "".join(a[1:] for a in args if re.fullmatch(r"-[a-zA-Z]+", a))
    if "d" in flags or ("F" in flags and "f" not in flags) or "/dev/null" in args:
        return [OFF.format("pf")]
    return []


def _ipfw(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    if words[:1] in (["flush"], ["delete"]) or words[:2] == ["disable", "firewall"]:
        return [OFF.format("ipfw")]
    return []


def _netfilter_persistent(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    return [OFF.format("netfilter-persistent")] if words[:1] in (["flush"], ["stop"]) else []


def _nft_script(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """Every command of an nft line or quoted script (`nft 'add …; flush chain …'`)."""
    script = " ".join(a for a in args if not a.startswith("-"))
    for part in re.split(r"[;\n]", script):
        words = part.split()
        if words[:1] and words[0] in _NFT_REMOVES and words[1:2] != ["element"]:
            return [OFF.format("nftables")]
    return []


def _edited_config(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`sed -i` / `perl -pi` writing an off value into a defence's config file."""
    in_place = any(re.match(r"-\w*i|--in-place", a) for a in args)
    files = [a for a in args if _DEFENCE_CONFIGS.match(a)]
    scripts = [a for a in args if not a.startswith("-") and a not in files]
    if in_place and files and any(_OFF_VALUE.search(s.split("/", 2)[-1]) for s in scripts):
        return [OFF.format(files[0])]
    return []


def _verbs(name: str, verbs: frozenset[str], flags: frozenset[str] = frozenset()) -> Judge:
    """A defence's own command that stops, clears or flushes it (`fail2ban-client stop`,
    `shorewall clear`, `csf -x`, `ebtables -F`)."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        words = [a for a in args if not a.startswith("-")]
        return [OFF.format(name)] if (words[:1] and words[0] in verbs) or flags & set(args) \
            else []

    return judge


def _aa_remove(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`aa-remove-unknown` unloads profiles; `apparmor_parser --remove`: judged elsewhere."""
    return [] if {"-n", "--dry-run", "-h", "--help"} & set(args) else [OFF.format("AppArmor")]


# Service names of defences on other systems: macOS's application firewall, Windows'
# firewall and Defender.
_SERVICES = DEFENCES | {"pf", "alf", "com.apple.alf", "windefend", "mpssvc", "sense",
                        "wdnissvc", "firewall"}
_FALSE = re.compile(r"(?i)^(?:\$?false|0|off|disabled?|no)$")
_TRUE = re.compile(r"(?i)^(?:\$?true|1|on|yes)$")
_RESTORERS = frozenset({"iptables-restore", "ip6tables-restore", "iptables-legacy-restore",
                        "iptables-nft-restore"})
_BLOCKS = re.compile(r"(?i)\b(?:DROP|REJECT|deny)\b")


def _service_down(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`rc-service iptables stop`, `sv down ufw`, `rc-update del nftables`, `sc stop
    WinDefend`, `launchctl unload /System/…/com.apple.alf.agent.plist`: the verb and the
    defence's name in either order (`service_stops.downed_services`)."""
    hit = downed_services(args) & _SERVICES
    return [OFF.format(sorted(hit)[0])] if hit else []


def _socketfilterfw(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    values = [b for a, b in pairwise(args) if a == "--setglobalstate"]
    values += [a.partition("=")[2] for a in args if a.startswith("--setglobalstate=")]
    return [OFF.format("the macOS application firewall")] if any(
        _FALSE.match(v) for v in values) else []


def _defaults(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`defaults write /Library/Preferences/com.apple.alf globalstate -int 0`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["write"] and any("com.apple.alf" in w for w in words) and \
            "globalstate" in words and _FALSE.match(words[-1]):
        return [OFF.format("the macOS application firewall")]
    return []


def _netsh(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`netsh advfirewall set allprofiles state off`, `netsh firewall set opmode disable`."""
    words = [a.lower() for a in args]
    if words[:1] in (["advfirewall"], ["firewall"]) and "set" in words and (
            any(a in ("state", "opmode", "mode") and _FALSE.match(b.removeprefix("mode="))
                for a, b in pairwise(words))
            or any(_FALSE.match(w.partition("=")[2]) for w in words if w.startswith("mode="))):
        return [OFF.format("the Windows firewall")]
    return []


def _cmdlet_switch(option: re.Pattern[str], off: re.Pattern[str], what: str) -> Judge:
    """A PowerShell setting whose option (`-Enabled`, `-Disable…`) takes the off value."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        pairs = [(a, b) for a, b in pairwise(args) if option.match(a)]
        pairs += [(a.partition(":")[0], a.partition(":")[2]) for a in args
                  if ":" in a and option.match(a.partition(":")[0])]
        return [OFF.format(what)] if any(off.match(b) for _a, b in pairs) else []

    return judge


def _mdatp(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """Microsoft Defender on Linux and macOS: `mdatp config real-time-protection|
    behavior-monitoring|… --value disabled`."""
    values = [v.lower() for v in option_values(args, {"--value"})]
    if args[:1] == ["config"] and set(values) & {"disabled", "false", "off"}:
        return [MONITOR_OFF.format(f"Microsoft Defender's {args[1] if args[1:] else 'protection'}")]
    return []


def _agent_control(name: str) -> Judge:
    """A security agent's own control tool told to stop or unload it (`wazuh-control stop`,
    `sentinelctl control stop`, `sentinelctl unprotect`)."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        words = {a.lower() for a in args if not a.startswith("-")}
        return [MONITOR_OFF.format(name)] if words & {"stop", "unload", "unprotect", "disable"} \
            else []

    return judge


# Pod Security Admission: a namespace labelled to enforce `privileged` (or its enforce label
# taken off) admits pods that mount the host and run as its root.
_PRIVILEGED = "lets pods run privileged, as root on the cluster's machines ({})"
_POD_SECURITY = re.compile(r"^pod-security\.kubernetes\.io/enforce(?:=privileged|-)$")


def _pod_security(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`kubectl label ns NAME pod-security.kubernetes.io/enforce=privileged`, and OpenShift's
    `oc adm policy add-scc-to-user|group privileged …`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["label"] and any(map(_POD_SECURITY.match, words)) and not any(
            a.startswith("--dry-run") and not a.endswith("=none") for a in args):
        return [_PRIVILEGED.format("a namespace's pod security set to privileged or removed")]
    if words[:3] in (["adm", "policy", "add-scc-to-user"], ["adm", "policy", "add-scc-to-group"]) \
            and words[3:4] == ["privileged"]:
        return [_PRIVILEGED.format("the privileged security context given to an account")]
    return []


def filtered_restore_reasons(commands: list[Command]) -> list[str]:
    """Rules saved, their DROP/REJECT lines filtered out, and loaded back."""
    for command in commands:
        name, _args = program_and_args(command)
        if name not in _RESTORERS or not command.upstream:
            continue
        for upstream in command.upstream:
            up_name, up_args = program_and_args(upstream)
            filters = (up_name in ("grep", "egrep") and any(a.startswith("-") and "v" in a
                                                            for a in up_args)) or (
                up_name in ("sed", "awk", "perl") and any("d" in a or "!" in a
                                                          for a in up_args))
            if filters and any(_BLOCKS.search(a) for a in up_args):
                return [OFF.format(f"{name} fed rules without their blocking lines")]
    return []


JUDGES: dict[str, Judge] = {"pfctl": _pfctl, "ipfw": _ipfw, "nft": _nft_script,
                            "netfilter-persistent": _netfilter_persistent,
                            "sed": _edited_config, "perl": _edited_config,
                            "aa-remove-unknown": _aa_remove,
                            "fail2ban-client": _verbs("fail2ban", frozenset({"stop"})),
                            **{name: _verbs(name, frozenset({"clear", "stop"}))
                               for name in ("shorewall", "shorewall6", "shorewall-lite")},
                            "csf": _verbs("csf", frozenset(), frozenset({
                                "-x", "--disable", "-f", "--flush", "--stop"})),
                            "apf": _verbs("apf", frozenset(), frozenset({"-f", "--flush"})),
                            **{name: _verbs(name, frozenset(), frozenset({"-F", "--flush"}))
                               for name in ("ebtables", "arptables")},
                            **dict.fromkeys(MANAGERS, _service_down),
                            "socketfilterfw": _socketfilterfw, "defaults": _defaults,
                            "netsh": _netsh,
                            "set-netfirewallprofile": _cmdlet_switch(
                                re.compile(r"(?i)^-enabled?$"), _FALSE, "the Windows firewall"),
                            "mdatp": _mdatp, "kubectl": _pod_security, "oc": _pod_security,
                            **{name: _agent_control(name) for name in (
                                "wazuh-control", "ossec-control", "sentinelctl")},
                            "set-mppreference": _cmdlet_switch(
                                re.compile(r"(?i)^-disable\w+$"), _TRUE, "Windows Defender")}
