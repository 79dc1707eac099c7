"""Account changes that lock someone out or hand the machine over, read by the account
tools' own options.

Why: `account_rules` reads the bulk and sudoers spellings from the raw text; these judges
read what each account tool is told to do, whoever the account: locking, expiring or
giving `nologin` to your own account or root locks you out; deleting an account with its
home folder deletes that person's files; a second group with id 0, root's password set on
the command line, or another account (a service such as `www-data`, a new user) added to a
group that is root in all but name (`docker`, `lxd`, `libvirt`) or to an administrators'
group hands the machine over. `usermod -aG docker $USER` (yourself) stays quiet, and so do
`usermod -L olduser`, `chsh -s /bin/zsh` and `userdel bob`: routine administration.

The same class in other account stores (the eleventh set): Samba's null password
(`smbpasswd -n`), macOS directory records (`dscl . -create /Users/x UniqueID 0`, a member
appended to `/Groups/admin`, `dseditgroup -a … admin`, an empty `-passwd`), and a cluster's
roles bound to everyone (`kubectl create clusterrolebinding … --group=system:anonymous`,
`system:unauthenticated`, `system:authenticated`, every service account). And on other
systems (the thirteenth set): FreeBSD's `pw groupmod wheel -m USER` (`pw usermod|useradd`
read as usermod/useradd), Windows' `net localgroup administrators USER /add` and
PowerShell's `Add-LocalGroupMember`/`Add-ADGroupMember` into an administrators' group.
"""

from __future__ import annotations

import datetime
import getpass
import re
from collections.abc import Callable

from app.terminal.command_words import option_values, options

Judge = Callable[[list[str], str | None, list[str]], list[str]]

# Groups whose members may act as root: administrators, and raw access to disks or secrets.
_ADMIN_GROUPS = frozenset({"sudo", "wheel", "admin", "root", "disk", "shadow"})
# Groups whose members can start a root container or VM that mounts the host.
_ROOT_LIKE_GROUPS = frozenset({"docker", "lxd", "incus", "libvirt", "kvm", "podman"})
_SELF = re.compile(r"^(?:\$\{?(?:USER|LOGNAME|SUDO_USER)(?:[:-][^}]*)?\}?"
                   r"|[$(`]+\s*(?:whoami|logname|id\s+-u?nu?)\s*[)`]+|root)$")
_NO_LOGIN = re.compile(r"(?:^|/)(?:nologin|false)$")
_LOCKED_OUT = "locks {} (no more logins)"
_UNADMIN = "takes {} out of {} (no more administrator rights)"
_ROOT_LOGIN = "gives root a password or unlocks it, so root itself can log in"
_HOME_DELETED = "deletes {} together with its home folder and every file in it"


def _self_or_root(user: str) -> bool:
    return bool(_SELF.match(user)) or user == getpass.getuser()


def _who(user: str) -> str:
    if user == "root":
        return "the root account"
    return "your own account" if _self_or_root(user) else f"the account {user}"


def _past_date(value: str) -> bool:
    """`-E 0`, `-E 1`, `--expiredate 2020-01-02`: an expiry day already gone."""
    if value in ("0", "1"):
        return True
    try:
        return datetime.date.fromisoformat(value) <= datetime.date.today()
    except ValueError:
        return False


def _groups(args: list[str], flags: set[str]) -> set[str]:
    return {group for value in option_values(args, flags) for group in value.split(",")}


def _group_reasons(user: str, groups: set[str]) -> list[str]:
    if admin := groups & _ADMIN_GROUPS:
        return [f"makes {user} an administrator (adds it to {sorted(admin)[0]})"]
    if (root_like := groups & _ROOT_LIKE_GROUPS) and not _self_or_root(user):
        return [f"adds {user} to {sorted(root_like)[0]}, whose members can act as root"]
    return []


def _usermod(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    short, long_, users = options(args, valued="cdefgGlpsuRPZ")
    user = users[-1] if users else ""
    reasons = []
    locks = "L" in short or "--lock" in long_ or any(
        map(_past_date, option_values(args, {"-e", "--expiredate"}))) or any(
        map(_NO_LOGIN.search, option_values(args, {"-s", "--shell"})))
    if locks and _self_or_root(user):
        reasons.append(_LOCKED_OUT.format(_who(user)))
    groups = _groups(args, {"-G", "--groups", "-aG"})
    reasons += _group_reasons(user, groups)
    appends = "a" in short or "--append" in long_
    if groups and not appends and _self_or_root(user) and not groups & _ADMIN_GROUPS:
        reasons.append(f"replaces the groups of {_who(user)}, taking it out of sudo/wheel "
                       "(no more administrator rights)")
    if user == "root" and any(option_values(args, {"-p", "--password"})):
        reasons.append("sets root's password from the command line")
    if user == "root" and ("U" in short or "--unlock" in long_):
        reasons.append(_ROOT_LOGIN)
    return reasons


def _uid_zero(args: list[str]) -> bool:
    """`-u 0`, `-ou 0`, `-ou0`, `--uid 0`, `--uid=0`: the account gets root's user id."""
    return "0" in option_values(args, {"--uid"}) or any(
        (re.fullmatch(r"-[a-zA-Z]*u", a) and b == "0") or re.fullmatch(r"-[a-zA-Z]*u0", a)
        for a, b in zip(args, [*args[1:], ""], strict=True))


def _useradd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    users = options(args, valued="bcdefgGkKpsuUZR")[2]
    groups = _groups(args, {"-G", "--groups"}) | set(option_values(args, {"-g", "--gid"}))
    reasons = ["creates a second root account (user id 0)"] if _uid_zero(args) else []
    return reasons + _group_reasons(users[-1] if users else "a new account", groups)


def _deluser(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    """`deluser $USER sudo` (out of a group), else deleting the account."""
    names = [arg for arg in args if not arg.startswith("-")]
    if len(names) == 2 and names[1] in _ADMIN_GROUPS:
        return [_UNADMIN.format(_who(names[0]), names[1])] if _self_or_root(names[0]) else []
    return _userdel(args, cwd, piped)


def _adduser(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    names = [arg for arg in args if not arg.startswith("-")]
    if len(names) == 2:
        return _group_reasons(names[0], {names[1]})
    return _useradd(args, _cwd, _piped)


def _gpasswd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gpasswd -a USER GROUP`, `-M USERS GROUP` (the whole member list), `-A` (its admins)."""
    short, _long, names = options(args, valued="adMAR")
    group = names[-1] if names else ""
    members = [m for flag in ("-a", "-M", "-A", "--add", "--members", "--administrators")
               for value in option_values(args, {flag}) for m in value.split(",")]
    if group in _ADMIN_GROUPS and "M" in short:
        return [f"replaces the members of {group} (who may act as root)"]
    removed = option_values(args, {"-d", "--delete"})
    if group in _ADMIN_GROUPS and any(map(_self_or_root, removed)):
        return [_UNADMIN.format(_who(removed[0]), group)]
    return [reason for member in members for reason in _group_reasons(member, {group})][:1]


def _groupmems(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`groupmems -g GROUP -a USER` (shadow-utils' own member tool), as `gpasswd -a`."""
    groups = set(option_values(args, {"-g", "--group"}))
    added = option_values(args, {"-a", "--add"})
    return [reason for user in added for reason in _group_reasons(user, groups)][:1]


def _group_id(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if "0" in option_values(args, {"-g", "--gid"}):
        return ["gives a group the id 0, making its members root's group"]
    return []


def _userdel(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    short, long_, users = options(args, valued="RPZ")
    user = users[-1] if users else ""
    if "r" in short or long_ & {"--remove", "--remove-home", "--remove-all-files"}:
        return [_HOME_DELETED.format(_who(user))]
    return [f"deletes {_who(user)}"] if user and _self_or_root(user) else []


def _chage(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    users = options(args, valued="dEIimMWR")[2]
    user = users[-1] if users else ""
    expires = any(map(_past_date, option_values(args, {"-E", "--expiredate"})))
    return [_LOCKED_OUT.format(_who(user))] if expires and _self_or_root(user) else []


def _chsh(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    users = options(args, valued="sR")[2]
    user = users[-1] if users else "$USER"
    no_login = any(map(_NO_LOGIN.search, option_values(args, {"-s", "--shell"})))
    return [_LOCKED_OUT.format(_who(user))] if no_login and _self_or_root(user) else []


def _passwd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    short, long_, users = options(args, valued="nxwiR")
    user = users[-1] if users else "$USER"
    locks = "l" in short or "--lock" in long_
    if user == "root" and not (short & {"S", "l", "d"} or long_ & {"--status", "--lock",
                                                                   "--delete"}):
        return [_ROOT_LOGIN]  # `passwd root`, `passwd -u root`: root can now log in
    return [_LOCKED_OUT.format(_who(user))] if locks and _self_or_root(user) else []


_EVERYONE = frozenset({"system:anonymous", "system:unauthenticated", "system:authenticated",
                       "system:serviceaccounts"})
_NO_PASSWORD = "leaves an account with no password (anyone may log in as it)"


def _smbpasswd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return [_NO_PASSWORD] if "n" in options(args, valued="rRUc")[0] else []


def _dscl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """macOS's directory: a record given uid 0, a member added to an admin group, or an
    empty password."""
    verbs = [a.lower() for a in args if a.startswith("-")]
    words = [a for a in args if not a.startswith("-")]
    if not set(verbs) & {"-create", "-append", "-merge", "-passwd", "-change"}:
        return []
    record = next((w for w in words if w.startswith("/")), "")
    after = words[words.index(record) + 1:] if record else []
    if record.startswith("/Users/") and after[:2] in (["UniqueID", "0"], ["PrimaryGroupID", "0"]):
        return ["gives an account the id 0, making it a second root"]
    if record.startswith("/Groups/") and record.rpartition("/")[2] in _ADMIN_GROUPS and \
            after[:1] in (["GroupMembership"], ["GroupMembers"]) and after[1:]:
        return _group_reasons(after[1], {record.rpartition("/")[2]})
    if "-passwd" in verbs and record.startswith("/Users/") and after in ([], [""]):
        return [_NO_PASSWORD]
    return []


def _dseditgroup(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    added = option_values(args, {"-a"})
    words = [a for a in args if not a.startswith("-") and a not in option_values(
        args, {"-a", "-o", "-t", "-n", "-u", "-P", "-d"})]
    if "edit" in option_values(args, {"-o"}) and added and words:
        return _group_reasons(added[0], {words[-1]})
    return []


def _kubectl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """A role bound to every caller, signed in or not, or to every service account."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] != ["create"] or words[1:2] not in (["clusterrolebinding"], ["rolebinding"]):
        return []
    subjects = set(option_values(args, {"--group", "--user", "--serviceaccount"}))
    if everyone := subjects & _EVERYONE:
        return [f"gives a cluster role to everyone ({sorted(everyone)[0]})"]
    return []


# Windows' groups whose members administer the machine or the whole domain.
_WINDOWS_ADMINS = frozenset({"administrators", "domain admins", "enterprise admins",
                             "schema admins"})


def _pw(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    """FreeBSD's `pw groupmod GROUP -m|-M USERS` (or `pw group mod`), and `pw usermod|useradd`
    read as `usermod`/`useradd` (`-G wheel`, `-o -u 0`)."""
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return []
    split = words[0] in ("group", "user") and len(words) > 1  # `pw group mod`
    verb = words[0] + words[1] if split else words[0]
    rest = args[args.index(words[1 if split else 0]) + 1:]
    if verb in ("groupmod", "groupadd"):
        group = next((w for w in rest if not w.startswith("-")), "")
        group = (option_values(rest, {"-n"}) or [group])[0]
        members = [m for value in option_values(rest, {"-m", "-M"}) for m in value.split(",")]
        return [reason for member in members for reason in _group_reasons(member, {group})][:1]
    if verb in ("usermod", "useradd"):
        return _useradd(rest, cwd, piped)
    return []


def _net(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """Windows' `net localgroup|group GROUP USER /add`."""
    words = [a for a in args if not a.startswith("/")]
    adds = any(a.lower() == "/add" for a in args)
    if adds and len(words) >= 3 and words[0].lower() in ("localgroup", "group") and \
            words[1].lower() in _WINDOWS_ADMINS:
        return [f"makes {words[2]} an administrator (adds it to {words[1]})"]
    return []


def _group_cmdlet(group_flags: set[str], member_flags: set[str]) -> Judge:
    """PowerShell's `Add-LocalGroupMember -Group G -Member U`, `Add-ADGroupMember -Identity G
    -Members U` (parameter names in any case)."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        lowered = [a.lower() if a.startswith("-") else a for a in args]
        groups = [g.lower() for g in option_values(lowered, group_flags)]
        members = option_values(lowered, member_flags)
        if set(groups) & _WINDOWS_ADMINS and members:
            return [f"makes {members[0]} an administrator (adds it to {groups[0]})"]
        return []

    return judge


JUDGES: dict[str, Judge] = {
    "usermod": _usermod, "useradd": _useradd, "adduser": _adduser, "gpasswd": _gpasswd,
    "groupmems": _groupmems,
    "groupmod": _group_id, "groupadd": _group_id, "userdel": _userdel, "deluser": _deluser,
    "chage": _chage, "chsh": _chsh, "passwd": _passwd, "smbpasswd": _smbpasswd,
    "dscl": _dscl, "dseditgroup": _dseditgroup, "kubectl": _kubectl, "pw": _pw, "net": _net,
    "add-localgroupmember": _group_cmdlet({"-group", "-name", "-sid"}, {"-member"}),
    "add-adgroupmember": _group_cmdlet({"-identity"}, {"-members"}),
}
