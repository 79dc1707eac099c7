"""Defences switched off, judged by the defence touched rather than by one spelling.

Why: `system_checks` knows the common verbs (`ufw disable`, `iptables -F`, `setenforce 0`);
each unseen set brought another firewall (`pfctl -d`, `ipfw flush`, `netfilter-persistent
flush`), a verb hidden in one quoted nft script (`nft 'add …; flush chain …'`), or the
setting edited in the defence's own config file (`sed -i s/SELINUX=.*/SELINUX=permissive/`).
Here every firewall or mandatory-access-control program is asked one question — does this
flush, disable, stop, delete or make permissive — and so is an in-place edit of its config
file. Listing rules (`pfctl -sr`, `nft list ruleset`) and enforcing stay quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Judge = Callable[[list[str], str | None, list[str]], list[str]]

OFF = "switches off the firewall or the access-control defence ({})"
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
                               for name in ("ebtables", "arptables")}}
