"""A program run as root made to run a file from a folder every account can write.

Why: a hook, a pager, an askpass helper or `find -exec` runs whatever file it names with the
rights of the program that calls it. Called as root (`sudo`, `doas`, `pkexec`, or the
program told to keep root: `tcpdump -Z root`, `openvpn --user root`), a file in /tmp,
/var/tmp or /dev/shm is code any account on the machine could have put or swapped there,
now run as root: `sudo wget --use-askpass=/tmp/x.sh`, `tcpdump … -z /tmp/x.sh -Z root`,
`sudo git -c core.pager=/tmp/p log`. The same hook naming an installed program
(`-z gzip`, `--use-askpass=/usr/lib/ssh/ssh-askpass`), or run without root, stays quiet.
"""

from __future__ import annotations

from app.terminal.command_words import SHELLS, option_values, program_name, shell_code
from app.terminal.exposure_checks import WORLD_WRITABLE

_ROOT_WRAPPERS = frozenset({"sudo", "doas", "pkexec", "run0", "sudo-rs"})
# A program's own option naming the account it keeps running as.
_KEEPS_USER = {"tcpdump": frozenset({"-Z", "--relinquish-privileges"}),
               "openvpn": frozenset({"--user"})}
_ROOT = frozenset({"root", "0"})


def runs_as_root(prefix: list[str], name: str, args: list[str]) -> bool:
    """Whether the wrappers before the program (`prefix`) or its own options make it run as
    root; `sudo -u bob` runs it as bob."""
    for index, word in enumerate(prefix):
        if program_name(word) in _ROOT_WRAPPERS:
            users = option_values(prefix[index + 1:], {"-u", "--user"})
            return not users or users[0] in _ROOT
    return bool(set(option_values(args, _KEEPS_USER.get(name, frozenset()))) & _ROOT)


def writable_program(head: str, name: str, args: list[str]) -> str | None:
    """The file in a world-writable folder that this command runs: the program itself, or
    the script a shell is given (`sh /tmp/x.sh`); None otherwise."""
    if WORLD_WRITABLE.match(head):
        return head
    script = shell_code(args)[2] if name in SHELLS else None
    return script if script and WORLD_WRITABLE.match(script) else None


def root_hook_reason(head: str, name: str, args: list[str], host: str) -> str | None:
    """Why `host`, running as root, hands its rights to a file anyone could have written."""
    if file := writable_program(head, name, args):
        return (f"makes {host}, running as root, run {file}: a file in a folder every account "
                "can write, so whoever put it there gets the whole machine")
    return None
