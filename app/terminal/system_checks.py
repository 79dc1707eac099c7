"""Deny-list judges for the machine as a whole: disks, power, processes, accounts, defences.

Why apart from `program_checks` (which judges what happens to files): these programs harm
the computer itself — a formatted or encrypted disk, a dropped-to-single-user system, every
process killed, an account without a password, the firewall or security module switched
off — and each is judged by what it is asked to do, not by its name, so `mkfs.ext4
./disk.img`, `kill -0 1`, `systemctl reboot --help` and `iptables -L` stay quiet.
Every judge takes (arguments, known cwd, piped-in arguments) and returns plain reasons.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal import disk_devices
from app.terminal import risky_paths as paths
from app.terminal.command_words import options
from app.terminal.service_stops import reloads_only
from app.terminal.session_power import (
    HIBERNATE,
    SESSION_OFF,
    ends_session_by_message,
    hibernates_by_message,
)
from app.terminal.session_power import JUDGES as SESSION_JUDGES

Judge = Callable[[list[str], str | None, list[str]], list[str]]
POWER = "shuts down or restarts the computer"
_HELP = frozenset({"--help", "-h", "--version", "-V", "help"})
_DISK_TOOLS = ("fdisk", "sfdisk", "cfdisk", "gdisk", "sgdisk", "parted", "wipefs", "blkdiscard",
               "mkswap", "badblocks", "flashrom", "scrub", "wipe")
_DISK_READ_ONLY = {
    "fdisk": {"-l", "--list", "-s", "--getsz", "-x", "--list-details"}, "gdisk": {"-l"},
    "wipefs": {"-n", "--no-act"},
    "parted": {"print", "-l", "--list"},
    "sfdisk": {"-l", "--list", "-d", "--dump", "-s", "--show-size", "-n", "--no-act", "-V",
               "--verify", "-J", "--json", "-g", "--show-geometry"},
    "sgdisk": {"-p", "--print", "-i", "--info", "-v", "--verify", "-b", "--backup", "-O",
               "--print-mbr"},
}
_SIGNAL = re.compile(r"-(?:\d+|SIG[A-Z0-9]+|KILL|TERM|HUP|INT|QUIT|STOP|CONT|USR[12]|ABRT|SEGV|"
                     r"ALRM|TRAP|BUS|PIPE|TSTP)$")
KERNEL_OFF = re.compile(r"\b(?:selinux=0|enforcing=0|apparmor=0|security=none|"
                         r"apparmor\.enabled=0|lsm=)\b|mitigations=off")
# Kernel arguments that boot into a rescue shell or single-user mode instead of the system.
RESCUE_BOOT = re.compile(r"\bsystemd\.unit=(?:rescue|emergency)\b|\binit=/(?:usr/)?bin/\w*sh\b|"
                         r"\brd\.break\b")
RESCUE_REASON = "boots the machine into a rescue shell or single-user mode at the next boot"
_FORMATTERS = ("mkfs", "mke2fs", "mkntfs", "mkdosfs", "mkexfatfs", "mkfs.")
_CRYPT_ACTIONS = frozenset({"luksformat", "format", "erase", "luksErase", "reencrypt", "open",
                            "plainopen", "create", "lukskillslot", "luksremovekey", "repair",
                            "luksheaderrestore"})
_NVME_ACTIONS = frozenset({"format", "sanitize", "write-zeroes", "delete-ns", "ns-delete",
                           "write-uncor", "fw-download", "fw-commit", "detach-ns"})
_HDPARM_DANGER = ("--security-erase", "--trim-sector-ranges", "--write-sector",
                  "--make-bad-sector", "--fwdownload", "--dco-restore", "--security-set-pass",
                  "--security-disable")
_SYSTEMCTL_POWER = frozenset({"poweroff", "reboot", "halt", "kexec", "soft-reboot", "emergency",
                              "rescue", "suspend-then-hibernate", "hibernate", "hybrid-sleep"})
# Targets that stop the system: `ctrl-alt-del.target` is reboot's, `exit.target` powers off
# the system manager; the hibernating ones power the machine off too.
_SHUTDOWN_TARGET = re.compile(r"^(?:rescue|emergency|single|runlevel[0156]|poweroff|reboot|"
                              r"halt|kexec|shutdown|soft-reboot|ctrl-alt-del|exit|hibernate|"
                              r"hybrid-sleep|suspend-then-hibernate)(?:\.target)?$")
# Security monitors — antivirus, endpoint detection, host intrusion detection, audit and
# query agents — by their service names: stopped, nothing reports what happens next.
MONITORS = frozenset({"osqueryd", "wazuh-agent", "wazuh-manager", "ossec", "ossec-hids",
                      "falcon-sensor", "falcond", "mdatp", "wdavdaemon", "sentinelone",
                      "sentinel-agent", "cbagentd", "cbdaemon", "elastic-agent",
                      "elastic-endpoint", "auditbeat", "sysmon", "sysmon64", "clamd",
                      "clamav-clamonacc", "clamonacc", "snort", "suricata", "zeek",
                      "velociraptor", "velociraptor_client", "qualys-cloud-agent", "ir_agent",
                      "taniumclient", "sophos-spl", "cylancesvc", "tetragon", "falco"})
DEFENCES = frozenset({"ufw", "firewalld", "iptables", "ip6tables", "nftables", "apparmor",
                      "auditd", "fail2ban", "netfilter-persistent", "selinux", "setroubleshoot",
                      "clamav-daemon", "crowdsec", "ebtables", "shorewall", "csf"}) | MONITORS
_STOP_VERBS = frozenset({"stop", "disable", "mask", "kill", "teardown"})
_LOGIN1_POWER = re.compile(r"\b(?:Manager\.)?(?:PowerOff|Reboot|Halt|KExec|SoftReboot)\b")
# Processes the whole system or the desktop session stands on: killing one ends it.
VITAL = frozenset({"systemd", "init", "dbus-daemon", "dbus-broker", "systemd-logind", "Xorg",
                    "Xwayland", "gnome-shell", "plasmashell", "kwin_wayland", "kwin_x11",
                    "gnome-session-binary", "gdm", "gdm3", "sddm", "lightdm", "login", "sshd",
                    "NetworkManager", "systemd-journald", "systemd-udevd", "WindowServer",
                    "loginwindow", "launchd"})
_CATCH_ALL_PATTERN = re.compile(r"^(?:\.\*?|\^|\$|\.\+|\^\.\*|\[\^?\w*-?\w*\]\*?|\w?\*|)$")


def _help_only(args: list[str]) -> bool:
    return bool(set(args) & _HELP)


def on_image_file(args: list[str]) -> bool:
    """True when a disk tool is pointed at an image file rather than a disk: no argument is
    a device or an unknown variable, and one is a file path (`./disk.img`, `/tmp/x.img`)."""
    words = [a for a in args if not a.startswith("-")]
    if any(w.startswith("$") or ((p := paths.expand(w)) and paths.is_device(p)) for w in words):
        return False
    return any("/" in w or re.search(r"\.(?:img|iso|raw|bin|qcow2|vhd|vmdk|luks|dd)$", w)
               for w in words)


def _format(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """mkfs on a disk, not on an image file (`mkfs.ext4 ./disk.img` is harmless)."""
    if _help_only(args) or on_image_file(args) or "-n" in args:
        return []
    return ["formats a disk or partition, erasing everything on it"]


def _disk_tool(name: str) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        devices = [p for a in args if (p := paths.expand(a)) and paths.is_device(p)]
        given = {a.partition("=")[0] for a in args}  # `--backup=/tmp/sda.gpt` reads too
        if not devices or given & _DISK_READ_ONLY.get(name, set()) or _help_only(args):
            return []
        short, long_, _ = options(args, valued="otp")
        if name == "wipefs" and not (short & {"a", "o"} or long_ & {"--all", "--offset"}):
            return []
        if name == "flashrom" and not (short & {"w", "E"} or long_ & {"--write", "--erase"}):
            return []
        if name == "badblocks" and not any("w" in a for a in args if a[:1] == "-"):
            return []
        return [f"rewrites the partition table of, or wipes, the disk {devices[0]}"]

    return judge


def _cryptsetup(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    positional = options(args, valued="cshSditTMbpo")[2]
    if not positional or positional[0].lower() not in {a.lower() for a in _CRYPT_ACTIONS} or \
            on_image_file(positional[1:]):
        return []
    if positional[0].lower() in ("open", "create", "plainopen", "repair") and \
            not any("plain" in a for a in args):
        return []
    if positional[0].lower() == "luksheaderrestore":
        return [f"{disk_devices.RESTORED} (cryptsetup {positional[0]})"]
    return [f"encrypts or erases a disk (cryptsetup {positional[0]}), destroying what is on it"]


def _nvme(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if args and args[0] in _NVME_ACTIONS and not _help_only(args):
        return [f"erases an NVMe disk (nvme {args[0]})"]
    return []


def _hdparm(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if any(a.startswith(_HDPARM_DANGER) for a in args):
        return ["erases or rewrites a disk at the hardware level (hdparm)"]
    return []


# Volume tools that write a new label onto every disk they are given: a pool, an array or
# an LVM physical volume created on a disk erases what the disk held.
_STORAGE_BUILDERS = frozenset({"create", "add", "attach", "replace", "split", "initialize",
                               "--create", "-C", "--build", "-B", "--add", "-a", "pvcreate",
                               "vgcreate", "vgextend", "--grow", "-G"})


def _devices_in(args: list[str]) -> list[str]:
    return [p for a in args if (p := paths.expand(a)) and paths.is_device(p)]


def _volume_manager(what: str) -> Judge:
    """Pool, RAID and LVM tools: destroying a pool or volume, and building one on disks
    (`zpool create`, `mdadm --create`, `pvcreate /dev/sdb`), both erase what was there."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        if _help_only(args):
            return []
        words = set(args) | {what}
        if (words & _STORAGE_BUILDERS or what in ("pvcreate", "vgcreate", "vgextend")) and (
                devices := _devices_in(args)):
            return [f"builds storage on the disk {devices[0]} ({what}), erasing what is on it"]
        if what in ("zpool", "zfs"):  # `zfs destroy -nv`: -n only says what would go
            dry = what == "zfs" and any(re.fullmatch(r"-[a-zA-Z]*n[a-zA-Z]*", a) for a in args)
            return [f"destroys {what} storage ({what} {args[0]})"] \
                if args[:1] in (["destroy"], ["labelclear"]) and not dry else []
        if what == "mdadm":
            return ["wipes a RAID array (mdadm)"] if "--zero-superblock" in args else []
        if what == "lvm":
            return judge_lvm(args)
        if what in ("pvcreate", "vgcreate", "vgextend"):
            return []
        return [f"removes disk volumes ({what})"]

    def judge_lvm(args: list[str]) -> list[str]:
        """`lvm pvremove …`: the subcommand is the tool."""
        if args[:1] and args[0] in _LVM_TOOLS:
            return JUDGES[args[0]](args[1:], None, [])
        shrink = disk_devices.JUDGES.get(args[0]) if args[:1] else None
        return shrink(args[1:], None, []) if shrink else []

    return judge


_LVM_TOOLS = ("pvremove", "vgremove", "lvremove", "pvcreate", "vgcreate", "vgextend")


def power(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [] if set(args) & {"-c", "--help", "--version", "-k", "/a", "/?"} else [POWER]


def _init(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if args and args[0] in ("0", "6", "1", "s", "S", "single", "emergency"):
        return ["switches the system to halt, reboot or single-user mode"]
    return []


def _systemctl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if _help_only(args):
        return []
    words = [a for a in args if not a.startswith("-")]
    reasons = [POWER] if set(words) & _SYSTEMCTL_POWER else []
    verb, units = (words[0], words[1:]) if words else ("", [])
    # `default UNIT` is read as the isolate its writer meant (`systemctl default` isolates).
    if verb in ("isolate", "start", "restart", "set-default", "enable", "reload-or-restart",
                "default") and \
            any(_SHUTDOWN_TARGET.match(u) for u in units):
        reasons.append("switches the system to single-user (rescue) mode or shuts it down")
    if verb in _STOP_VERBS and any(u.removesuffix(".service") in DEFENCES for u in units):
        reasons.append(f"switches off the firewall or security service ({', '.join(units)})")
    if verb in ("kill", "stop") and (vital := {u.removesuffix(".service") for u in units} & (
            VITAL | {"display-manager", "dbus"})):
        reasons.append(f"stops {sorted(vital)[0]}, which the whole system or your session "
                       "depends on")
    if verb in ("terminate-user", "kill-user", "terminate-session", "kill-session",
                "terminate-seat"):
        reasons.append("ends a whole login session, killing every program in it")
    return reasons


def _service(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if len(args) >= 2 and args[0] in DEFENCES and args[1] in _STOP_VERBS:
        return [f"switches off the firewall or security service {args[0]}"]
    return []


def defence_program(name: str) -> Judge:
    """`/etc/init.d/apparmor stop`, `ufw disable`, `ufw --force reset`, `ufw default allow`."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        words = [a for a in args if not a.startswith("-")]
        if "--dry-run" in args:  # `ufw --dry-run disable` shows what it would do
            return []
        if (words[:1] and words[0] in _STOP_VERBS | {"reset"}) or words[:2] == ["default", "allow"]:
            return [f"switches off the firewall or security service {name}"]
        return []

    return judge


def _iptables(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    short, long_, _positional = options(args, valued="tAIDRNPEjgiosdpmwWZ")
    flushes = "F" in short or "--flush" in long_ or "X" in short or "--delete-chain" in long_
    opens = ("P" in short or "--policy" in long_) and "ACCEPT" in args
    matches = short & {"p", "s", "d", "i", "o", "m"} or any(
        a.startswith(("--dport", "--sport", "--source", "--destination", "--in-interface",
                      "--protocol", "--match")) for a in args)
    opens |= bool(short & {"I", "A"}) and "ACCEPT" in args and not matches
    if flushes or opens:
        return ["removes the firewall rules (everything is let in)"]
    return []


def _nft(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [a for a in args if not a.startswith("-")]
    if words[:2] in (["flush", "ruleset"], ["flush", "table"], ["delete", "table"],
                     ["flush", "chain"]):
        return ["removes the firewall rules (everything is let in)"]
    return []


def _firewall_cmd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if any(a.startswith("--set-default-zone") and "trusted" in a for a in args):
        return ["switches off the firewall (default zone trusted)"]
    return []


def _setenforce(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if args[:1] and args[0].lower() in ("0", "permissive"):
        return ["switches off SELinux enforcement"]
    return []


def _apparmor_off(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [] if _help_only(args) else ["switches off AppArmor protection"]


def _apparmor_parser(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    short, long_, _ = options(args)
    return ["removes AppArmor profiles"] if "R" in short or "--remove" in long_ else []


def _auditctl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if "-D" in args or any(a == "-e" and b == "0" for a, b in itertools.pairwise(args)):
        return ["switches off the audit log"]
    return []


def _sysctl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    for arg in args:
        key, _, value = arg.partition("=")
        if key in ("kernel.randomize_va_space", "kernel.yama.ptrace_scope",
                   "kernel.kptr_restrict", "kernel.modules_disabled") and value.strip() == "0":
            return [f"switches off a kernel protection ({key})"]
    return []


def _macos_defences(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if set(args) & {"disable", "--master-disable", "--global-disable"}:
        return ["switches off the system's security protection"]
    return []


def _boot_arguments(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`grubby --args selinux=0`: a kernel argument that switches a protection off, or
    boots into a rescue shell (`systemd.unit=rescue.target`, `init=/bin/sh`)."""
    if any(KERNEL_OFF.search(a) for a in args):
        return ["switches off the security module at the next boot"]
    return [RESCUE_REASON] if any(map(RESCUE_BOOT.search, args)) else []


def _container(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`docker run -v /:/mnt … chroot /mnt sh`, `--privileged`: the host, from a container."""
    if "run" not in args and "create" not in args:
        return []
    mounts = [b for a, b in pairwise(args) if a in ("-v", "--volume")]
    mounts += [a.partition("=")[2] for a in args if a.startswith(("--volume=", "-v="))]
    mounts += [a for a in args if a.startswith(("--mount", "type=bind")) and "source=/," in a]
    if any(m.split(":")[0] in ("/", "/etc", "/root", "/home") or m.startswith("source=/,")
           for m in mounts) or "--privileged" in args or "--pid=host" in args:
        return ["gives a container the whole computer (host folders or privileges)"]
    return []


def _passwd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    short, long_, _ = options(args, valued="nxwi")
    if "d" in short or "--delete" in long_:
        return ["removes an account's password (anyone can log in to it)"]
    return []


def _mount(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`umount -l /`, `mount -o remount,ro /`: the system's own folders taken away or frozen."""
    targets = [a for a in args if a in ("/", "/usr", "/etc", "/var", "/home", "/boot", "/proc",
                                        "/sys", "/dev")]
    remount = any("remount" in a for a in args)
    if targets and (remount or not any(a.startswith("-") and "o" in a for a in args)):
        return [f"unmounts or remounts the system folder {targets[0]} while it is in use"]
    return []


def _pw(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """FreeBSD's `pw usermod root -w none`: the account gets an empty password."""
    if any(a == "-w" and b == "none" for a, b in pairwise(args)):
        return ["removes an account's password (anyone can log in to it)"]
    return []


def emptied_passwords(fed: str) -> list[str]:
    """`chpasswd` input setting an empty password (`root:`), so anyone can log in."""
    if any(re.fullmatch(r"\s*[\w.-]+:\s*", line) for line in fed.splitlines()):
        return ["removes an account's password (anyone can log in to it)"]
    return []


def _usermod(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    reasons = []
    for index, arg in enumerate(args):
        value = args[index + 1] if index + 1 < len(args) else None
        if arg in ("-p", "--password") and value in ("", "''", '""'):
            reasons.append("removes an account's password (anyone can log in to it)")
        if arg.startswith("--password=") and arg.partition("=")[2] == "":
            reasons.append("removes an account's password (anyone can log in to it)")
        if arg in ("-u", "--uid") and value == "0" and ("-o" in args or "--non-unique" in args):
            reasons.append("creates a second administrator (root) account")
    return reasons


def _kill(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    signal = ""
    if args[:1] in (["-s"], ["-n"], ["--signal"]):
        signal, args = (args[1] if len(args) > 1 else ""), args[2:]
    elif len(args) > 1 and args[0].startswith("-") and args[0] != "--":
        signal, args = args[0].lstrip("-"), args[1:]
    if signal in ("0", "SIG0") or args[:1] in (["-l"], ["-L"]):
        return []
    pids = [a for a in args if a != "--"]
    reasons = ["kills every process you are allowed to signal"] if "-1" in pids else []
    if "1" in pids:
        reasons.append("signals process 1 (init), which can bring the whole system down")
    return reasons


def _dbus_call(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`dbus-send … org.freedesktop.login1.Manager.PowerOff`, `busctl call … login1 … Reboot`,
    systemd's `StartUnit poweroff.target`: the power methods, called directly."""
    text = " ".join(args)
    if ends_session_by_message(args):
        return [SESSION_OFF]
    if hibernates_by_message(args):
        return [HIBERNATE]
    if not re.search(r"\b(?:login1|systemd1)\b", text):
        return []
    starts_power_unit = "StartUnit" in text and any(_SHUTDOWN_TARGET.match(a) for a in args)
    return [POWER] if _LOGIN1_POWER.search(text) or starts_power_unit else []


def _killall5(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [] if _help_only(args) else ["kills every process on the system"]


def _pkill(name: str) -> Judge:
    """pkill/killall for a whole user (`-u bob` and no name), everything (`.`), or `-v`."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        if reloads_only(args):  # `pkill -HUP sshd` reloads it
            return []
        valued = "sugGPtUFn" if name == "pkill" else "usoyn"
        args = [a for a in args if not _SIGNAL.match(a)]
        for index, arg in enumerate(args[:-1]):
            if arg in ("--user", "--uid", "--group", "--signal", "--euid", "--pgroup"):
                args = [*args[:index], f"{arg}={args[index + 1]}", *args[index + 2:]]
                break
        short, long_, names = options(args, valued=valued)
        if vital := sorted(set(names) & VITAL):
            return [f"kills {vital[0]}, which the whole system or your session depends on"]
        if set(names) & DEFENCES:
            return ["switches off the firewall or security service "
                    f"{sorted(set(names) & DEFENCES)[0]}"]
        by_user = bool(short & {"u", "U", "g", "G"}) or "--user" in long_ or "--uid" in long_
        inverse = ("v" in short and name == "pkill") or "--inverse" in long_
        catch_all = any(_CATCH_ALL_PATTERN.match(n) for n in names)
        if (by_user and not names) or catch_all or inverse:
            return ["kills every process of a user, or all processes"]
        return []

    return judge


JUDGES: dict[str, Judge] = {
    "shutdown": power, "reboot": power, "halt": power, "poweroff": power, "kexec": power,
    "init": _init, "telinit": _init, "systemctl": _systemctl, "loginctl": _systemctl,
    "service": _service, "kill": _kill, "killall5": _killall5, "pkill": _pkill("pkill"),
    "killall": _pkill("killall"), "cryptsetup": _cryptsetup, "nvme": _nvme, "hdparm": _hdparm,
    "zpool": _volume_manager("zpool"), "zfs": _volume_manager("zfs"),
    "mdadm": _volume_manager("mdadm"), "pvremove": _volume_manager("pvremove"),
    "vgremove": _volume_manager("vgremove"), "lvremove": _volume_manager("lvremove"),
    "pvcreate": _volume_manager("pvcreate"), "vgcreate": _volume_manager("vgcreate"),
    "vgextend": _volume_manager("vgextend"), "lvm": _volume_manager("lvm"),
    "iptables": _iptables, "ip6tables": _iptables, "iptables-legacy": _iptables,
    "iptables-nft": _iptables, "ebtables": _iptables, "arptables": _iptables, "nft": _nft,
    "firewall-cmd": _firewall_cmd, "setenforce": _setenforce, "aa-teardown": _apparmor_off,
    "aa-disable": _apparmor_off, "aa-complain": _apparmor_off,
    "apparmor_parser": _apparmor_parser, "auditctl": _auditctl, "sysctl": _sysctl,
    "spctl": _macos_defences, "csrutil": _macos_defences, "passwd": _passwd,
    "usermod": _usermod, "useradd": _usermod, "pw": _pw, "grubby": _boot_arguments,
    "kernelstub": _boot_arguments, "grub2-editenv": _boot_arguments, "docker": _container,
    "podman": _container, "nerdctl": _container, "umount": _mount, "mount": _mount,
    "dbus-send": _dbus_call, "busctl": _dbus_call, "gdbus": _dbus_call, "qdbus": _dbus_call,
}
JUDGES = {**{unit: defence_program(unit) for unit in DEFENCES}, **SESSION_JUDGES,
          **{tool: _disk_tool(tool) for tool in _DISK_TOOLS}, **JUDGES}


def system_judge(name: str) -> Judge | None:
    """The judge for `name`, formatters (`mkfs.*`) included, or None."""
    judge = JUDGES.get(name)
    if judge is None and name.startswith(_FORMATTERS):
        return _format
    return judge
