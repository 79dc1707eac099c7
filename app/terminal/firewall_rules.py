"""Firewall rules that let everything in, as opposed to switching the firewall off.

Why: `system_checks` knows the firewall stopped, flushed or set to a default of allow; a
single rule can do the same while the firewall looks on: `ufw allow from any` (every port
from everyone), `nft add rule inet filter input accept` (an input rule with nothing to
match, so it matches every packet). A rule that names a port, a protocol, an interface or
an address (`ufw allow 22/tcp`, `ufw allow from 192.168.1.0/24`, `nft add rule … tcp dport
80 accept`) opens what it names and stays quiet.

The same rule for other firewalls (the eleventh set): firewalld's trusted zone given an
interface or everyone, or a rich rule accepting everyone on every port; a cloud firewall
opened to the whole internet on every port (`gcloud compute firewall-rules create --allow=all
--source-ranges=0.0.0.0/0`, `aws ec2 authorize-security-group-ingress` of protocol -1 from
0.0.0.0/0, `az network nsg rule create` allowing `*` from `*`/Internet). One port from
anyone (`--allow=tcp:443`), or every port from one network, stays quiet.
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


_EVERYONE = frozenset({*_ANYONE, "*", "internet", "any", "0.0.0.0"})


def _wide_ports(text: str) -> bool:
    """No port named (`all`, `tcp`, `*`, `-1`) or a range of more than 1000 ports."""
    text = text.strip().lower()
    if text in ("all", "*", "-1", "tcp", "udp", "any", "") or re.fullmatch(r"(?:tcp|udp):?", text):
        return True
    spans = re.findall(r"(\d+)\s*-\s*(\d+)", text)
    return any(int(b) - int(a) > 1000 for a, b in spans)


def _firewall_cmd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`firewall-cmd --zone=public --set-target=ACCEPT`: the zone lets everything in; so do
    an interface or everyone put in the trusted zone, and a rich rule accepting everyone
    with no service or only a wide port range."""
    targets = option_values(args, {"--set-target"})
    zones = [z.lower() for z in option_values(args, {"--zone"})]
    if any(t.upper() == "ACCEPT" for t in targets):
        return [OPENS_ALL]
    if "trusted" in zones and (any(a.startswith(("--add-interface", "--change-interface",
                                                   "--change-zone")) for a in args)
                               or set(option_values(args, {"--add-source"})) & _ANYONE):
        return [OPENS_ALL]
    for rule in option_values(args, {"--add-rich-rule"}):
        source = re.search(r"source\s+address=[\"']?([^\s\"']+)", rule)
        ports = re.search(r"port\s+port=[\"']?([^\s\"']+)", rule)
        if re.search(r"\baccept\b", rule) and (not source or source[1] in _ANYONE) and \
                not re.search(r"\b(?:service|destination|protocol\s+value|icmp)", rule) and \
                (not ports or _wide_ports(ports[1])):
            return [OPENS_ALL]
    return []


_CLOUD_OPEN = "opens a cloud firewall to the whole internet on every port"


def _gcloud(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gcloud compute firewall-rules create|update … --allow=all`: the source is everyone
    unless ranges or tags narrow it."""
    words = [a for a in args if not a.startswith("-")]
    if words[:2] != ["compute", "firewall-rules"] or words[2:3] not in (["create"], ["update"]):
        return []
    ranges = ",".join(option_values(args, {"--source-ranges"})).split(",")
    narrowed = option_values(args, {"--source-tags", "--source-service-accounts"}) or any(
        r and r not in _ANYONE for r in ranges)
    egress = any(d.lower() in ("egress", "out") for d in option_values(args, {"--direction"}))
    allowed = ",".join(option_values(args, {"--allow"}))
    if allowed and not narrowed and not egress and any(
            _wide_ports(p.partition(":")[2] if ":" in p else p) for p in allowed.split(",")):
        return [_CLOUD_OPEN]
    return []


def _aws(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`aws ec2 authorize-security-group-ingress` from 0.0.0.0/0 (or ::/0) of every protocol
    (`-1`, `all`) or a port range past 1000."""
    words = [a for a in args if not a.startswith("-")]
    if words[:2] != ["ec2", "authorize-security-group-ingress"]:
        return []
    text = " ".join(args)
    anyone = set(option_values(args, {"--cidr"})) & _ANYONE or re.search(
        r"Cidr(?:Ip|Ipv6)\W+(?:0\.0\.0\.0/0|::/0)", text)
    protocols = option_values(args, {"--protocol"}) + re.findall(
        r"IpProtocol[\s=:\"']+(-?\w+)", text)
    spans = option_values(args, {"--port"}) + [f"{a}-{b}" for a, b in re.findall(
        r"FromPort\W+(\d+)\W+ToPort\W+(\d+)", text)]
    wide = any(p.lower() in ("-1", "all") for p in protocols) or any(
        _wide_ports(s) for s in spans if re.search(r"\d", s))
    return [_CLOUD_OPEN] if anyone and wide else []


def _az(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`az network nsg rule create|update` allowing (the default) inbound (the default)
    from anyone (`*`, Internet, 0.0.0.0/0; `*` is the default) to every port."""
    words = [a for a in args if not a.startswith("-")]
    if words[:3] != ["network", "nsg", "rule"] or words[3:4] not in (["create"], ["update"]):
        return []
    access = [a.lower() for a in option_values(args, {"--access"})]
    direction = [d.lower() for d in option_values(args, {"--direction"})]
    sources = option_values(args, {"--source-address-prefixes", "--source-address-prefix"})
    ports = option_values(args, {"--destination-port-ranges", "--destination-port-range"})
    if "deny" in access or "outbound" in direction or not ports:
        return []
    if all(s.lower() in _EVERYONE for s in sources) and all(_wide_ports(p) for p in ports):
        return [_CLOUD_OPEN]
    return []


JUDGES: dict[str, Judge] = {"ufw": _ufw, "nft": _nft, "iptables": _iptables,
                            "ip6tables": _iptables, "firewall-cmd": _firewall_cmd,
                            "gcloud": _gcloud, "aws": _aws, "az": _az}
