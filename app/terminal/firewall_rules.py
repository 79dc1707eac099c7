"""Firewall rules that let everything in, as opposed to switching the firewall off.

Why: `system_checks` knows the firewall stopped, flushed or set to a default of allow; a
single rule can do the same while the firewall looks on: `ufw allow from any` (every port
from everyone), `nft add rule inet filter input accept` (an input rule with nothing to
match, so it matches every packet). A rule that names a port, a protocol, an interface or
an address (`ufw allow 22/tcp`, `ufw allow from 192.168.1.0/24`, `nft add rule … tcp dport
80 accept`) opens what it names and stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.command_words import option_values

Judge = Callable[[list[str], str | None, list[str]], list[str]]

OPENS_ALL = "adds a firewall rule that lets every connection in (the firewall stops nothing)"
_ANYONE = frozenset({"any", "0.0.0.0/0", "::/0"})
_IPTABLES_ADDRESS = frozenset({"-s", "--source", "-d", "--destination"})
# The options of such a rule that do not narrow it: chain, target, table, address, position.
_IPTABLES_ANY_OK = frozenset({"-A", "-I", "--append", "--insert", "-j", "--jump", "-t",
                              "--table", "-s", "--source", "-d", "--destination", "-w", "--wait"})
_NFT_FAMILIES = frozenset({"ip", "ip6", "inet", "arp", "bridge", "netdev"})
# Words of an nft rule that match nothing by themselves: a counter, a log line, a verdict.
_NFT_NO_MATCH = frozenset({"accept", "counter", "log", "continue", "notrack"})


def _ufw(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`ufw allow from any` / `ufw allow in from any to any`: no port, protocol or app."""
    words = [arg for arg in args if not arg.startswith("-")]
    ranges = [re.fullmatch(r"(\d+):(\d+)(?:/\w+)?", word) for word in words[1:]]
    if any(r and int(r[2]) - int(r[1]) > 1000 for r in ranges):
        return [OPENS_ALL]  # `ufw allow 1:65535/tcp`: every port, whoever asks
    if words[:1] != ["allow"] or "from" not in words:
        return []
    source = words[words.index("from") + 1:][:1]
    narrowed = {"port", "app"} & set(words) or any(
        re.fullmatch(r"\d+(?::\d+)?(?:/\w+)?", word) for word in words[1:])
    return [OPENS_ALL] if source and source[0] in _ANYONE and not narrowed else []


def _nft(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`nft add|insert rule [family] table chain accept` on an input chain."""
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:2] not in (["add", "rule"], ["insert", "rule"]):
        return []
    rest = words[2:]
    rest = rest[1:] if rest[:1] and rest[0] in _NFT_FAMILIES else rest
    if len(rest) < 3 or "input" not in rest[1].lower():
        return []
    expression = [word.lower() for word in rest[2:]]
    return [OPENS_ALL] if "accept" in expression and set(expression) <= _NFT_NO_MATCH else []


def _iptables(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`iptables -A INPUT -s 0.0.0.0/0 -j ACCEPT`: an address match that matches anyone."""
    chains = option_values(args, {"-A", "-I", "--append", "--insert"})
    target = option_values(args, {"-j", "--jump"})
    matches = [a for a in args if a.startswith("-") and a not in _IPTABLES_ANY_OK]
    addresses = option_values(args, _IPTABLES_ADDRESS)
    if chains and chains[0].upper() == "INPUT" and target == ["ACCEPT"] and addresses and \
            all(address in _ANYONE | {"0/0"} for address in addresses) and not matches:
        return [OPENS_ALL]
    return []


def _firewall_cmd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`firewall-cmd --zone=public --set-target=ACCEPT`: the zone lets everything in."""
    targets = option_values(args, {"--set-target"})
    return [OPENS_ALL] if any(t.upper() == "ACCEPT" for t in targets) else []


JUDGES: dict[str, Judge] = {"ufw": _ufw, "nft": _nft, "iptables": _iptables,
                            "ip6tables": _iptables, "firewall-cmd": _firewall_cmd}
