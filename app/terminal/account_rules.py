"""Accounts and permissions: who may log in, who is root, who may read secrets.

Why: a password set in bulk, a second uid 0, a user added to sudo, root or docker, a sudoers
line, a set-id copy of a shell, capabilities, world-writable system files, a masked security
service or an opened firewall each hand the machine to someone else.
"""

from __future__ import annotations

import re

from app.terminal.spoken_text import unspoken

_SECRET_FILES = r"/etc/(?:g?shadow|sudoers\S*|passwd|group)\b"
_ACCOUNTS = re.compile("|".join([
    r"\bnewusers\b|\bchpasswd\s+(?:-\w*e|--encrypted)|''\s*\|[^|;&]*\bchpasswd\b",
    r"\busermod\b[^|;&]*\s(?:-\w*o\b|-\w*o\w*u\s*0\b|-u\s*0\b|--non-unique)",
    r"\b(?:useradd|adduser)\b[^|;&]*\s(?:-u\s*0\b|--uid\s+0\b|-o\b)",
    # (`gpasswd -d USER sudo` takes a user out: its judge asks whether that is you)
    r"\b(?:usermod|adduser|gpasswd(?![^|;&]*\s(?:-d|--delete)\s))\b[^|;&]*\s"
    r"(?:-\w*G\s*|-a\s+|--groups\s+|\w+\s+)\S*"
    r"\b(?:sudo|root|wheel|admin|disk|shadow)\b(?![\w.-])",
    r"/etc/sudoers[^|;&]*(?:NOPASSWD|>>)|(?:>>?|\btee\b|append\w*\(|write\w*\(|"
    r"sed\s+-i)[^|;&]*/etc/sudoers|\b(?:cp|mv|install|ln)\b[^|;&]*\s/etc/sudoers\S*\s*(?:$|[|;&])"
    r"|NOPASSWD|EDITOR=\S*[^|;&]*\bvisudo\b",
]))
_PERMISSIONS = re.compile("|".join([
    rf"\b(?:setfacl|chgrp|chown|chattr)\b[^|;&]*\s{_SECRET_FILES}",
    rf"\bchmod\s+(?:-\w+\s+)*(?:0?[0-7]?[0-7][2367][0-7]|0?[0-7]?[0-7]{{2}}[1-7]|[ugoa]*[oa+][ugoa]*"
    rf"[+=]\w*|[ug]*g[ug]*[+=]\w*w\w*)\s[^|;&]*{_SECRET_FILES}",
    r"\bchmod\s+(?:-\w+\s+)*\S+\s+[\"']?\$\{?\w+\}?\w",
    r"\bchmod\s+(?:-\w+\s+)*(?:[0-7]?[2-7][0-7]{3}\b|[ugoa]*\+\w*s)",
    r"\binstall\b[^|;&]*-m\s*[0-7]?[2-7][0-7]{3}\b",
    # any mode on a system program but one that only takes set-id or write bits off (`u-s`)
    r"\bchmod\s+(?!(?:[ugoa]*-[sw]+,?)+\s)[^|;&]*\s/(?:usr/)?s?bin/",
    r"\bsetcap\b[^|;&]*cap_(?:setuid|setgid|sys_admin|dac_override|dac_read_search|sys_ptrace"
    r"|chown|fowner|sys_module)",
    r"\bchmod\s+(?:-\w+\s+)*(?:[0-7]*[2367]|[ugoa]*\+\w*w\w*)\s[^|;&]*(?:/etc/|docker\.sock|"
    r"/var/run/|/run/)",
    r"\bmokutil\b[^|;&]*--disable-validation",
    r"\bln\s+-\w*s\w*\s+/dev/null\s+/etc/systemd/",
    r"(?:printf|echo)[^|]*:INPUT ACCEPT[^|]*\|\s*(?:sudo\s+)?ip6?tables-restore",
    r"\bfirewall-cmd\b[^|;&]*--set-default-zone=trusted",
]))
# The text fed to chpasswd is shown by echo, so it is read before shown words are blanked.
_ROOT_PASSWORD = re.compile(r"\broot:[^|;&]*\|[^|;&]*\bchpasswd\b|\bchpasswd\b[^|;&]*<<[<-]?\s*"
                            r"[\"']?(?:\w+[\"']?\s*\n)?root:")
_SEARCHES = re.compile(r"^\s*(?:sudo\s+)?(?:grep|egrep|fgrep|rg|ag|ack|cat|less|diff|ls)\b")
_PORTS = re.compile(r"\bfirewall-cmd\b[^|;&]*--add-port=(\d+)-(\d+)")


def _unread(text: str) -> str:
    """The line without the commands that only search or show (`grep NOPASSWD -r
    /etc/sudoers.d/`): naming a sudoers rule to find it changes nothing."""
    return "".join(part for part in re.split(r"([|;&\n]+)", text)
                   if not _SEARCHES.match(part))


def account_reasons(text: str) -> list[str]:
    """Reasons for changing accounts, root access or the permissions that guard them."""
    reasons = []
    if _ROOT_PASSWORD.search(text) or _ACCOUNTS.search(text := _unread(unspoken(text))):
        reasons.append("changes accounts, passwords or who may act as root")
    ports = _PORTS.search(text)
    if _PERMISSIONS.search(text) or (ports and int(ports[2]) - int(ports[1]) > 1000):
        reasons.append("weakens the permissions or defences that guard the system")
    return reasons
