"""Text written where the system later runs or obeys it: cron tables, boot arguments, git
hooks, systemd units, autostart entries and shell aliases.

Why apart from the inspector: writing `@reboot rm -rf ~` into `/etc/cron.d/x`, or
`selinux=0` or `systemd.unit=rescue.target` into `/etc/default/grub`, is harmless as a write
and harmful once the system reads it back. This module finds that text in a command (its
arguments, its here-document, the text echoed into it) and hands back the planted commands
for the inspector to judge.
Whatever the planted command is, a program it runs from a folder anyone can write to or
under a hidden name (`@reboot root /tmp/.x`, `@reboot ~/.cache/.u`, a git alias starting
`/tmp/.g &`, `npm config set script-shell /tmp/s`) needs typing: whoever replaces that file
later runs as you, or as root, and a hidden name is how such a program hides. The same holds
for such a file copied or linked into `/etc/cron.hourly` (cron runs the file itself), and a
per-user table in `/var/spool/cron` is read without a user field, as `crontab` writes it.
The thirteenth set added the downloads folder to those places (`cp ~/Downloads/x
.git/hooks/pre-commit`: git runs a file copied into a repository's hooks as cron runs one
copied into `/etc/cron.daily`) and `systemctl edit --stdin UNIT`, whose text is the unit's
drop-in (`ExecStartPre=/tmp/.x`); a hook copied from the project itself stays quiet.
"""

from __future__ import annotations

import re
import shlex

from app.terminal import risky_paths as paths
from app.terminal.command_words import (
    INTERPRETERS,
    SHELLS,
    Resolved,
    plain_words,
    printed_text,
    program_name,
    resolve,
)
from app.terminal.embedded_code import hidden_commands
from app.terminal.pipe_checks import empty_input
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command, ShellSyntaxError, parse
from app.terminal.static_text import static_output
from app.terminal.system_checks import KERNEL_OFF, RESCUE_BOOT, RESCUE_REASON

# Files whose text runs later with no one asking: a git hook (at the next checkout or
# commit), a systemd unit or an autostart entry (at the next login), an alias file (in every
# new shell). Units and entries run their `Exec…=` lines; hooks and alias files run all.
_HOOK_FILE = re.compile(r"(?:^|/)\.git/hooks/[^/]+$|(?:^|/)\.bash_aliases$|(?:^|/)\.aliases$"
                        r"|(?:^|/)\.envrc$|/fish/functions/[^/]+\.fish$")
_UNIT_FILE = re.compile(r"/systemd/(?:user|system)/[^/]+\.(?:service|timer|socket|path)"
                        r"(?:\.d/[^/]+\.conf)?$|/autostart/[^/]+\.desktop$")
# inetd's table (`port socktype proto wait user server argv…`) and xinetd's services: the
# server runs on every connection to the port, with the connection as its input and output.
_INETD_FILE = re.compile(r"^/etc/inetd\.conf$|^/etc/inetd\.d/|^/etc/xinetd\.(?:conf$|d/)")
_XINETD_SERVER = re.compile(r"^\s*server\s*=\s*(\S+)(?:[\s\S]*?^\s*server_args\s*=\s*(.*)$)?",
                            re.MULTILINE)
# (An empty `ExecStart=` only resets the list: the next line is not its command.)
_EXEC_LINE = re.compile(r"^[ \t]*Exec\w*[ \t]*=[ \t]*[-@+!:]*(.*)$", re.MULTILINE)
# A program kept in a folder anyone can write to, where downloads land, or under a hidden
# name (`~/.cache/.x`).
_DROPPED = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm)/|/\.[^/]+$|(?:^|/)Downloads/")
# A repository's hooks: git runs the file itself at the next commit, checkout or push.
_HOOK_PLACE = re.compile(r"(?:^|/)\.git/hooks(?:/[^/]*)?$")
# A user's own table in the spool (`/var/spool/cron/crontabs/root`): no user field.
_SPOOL_TABLE = re.compile(r"^/var/spool/cron/(?:crontabs/|tabs/)?[^/]+$")
# Folders whose every file cron runs as root (`run-parts`): the file is the job.
_RUN_PARTS = re.compile(r"^/etc/cron\.(?:hourly|daily|weekly|monthly)(?:/[^/]+)?$")
# Package managers' settings whose value is a program they run for every script.
_PROGRAM_SETTINGS = frozenset({"script-shell", "shell", "editor", "browser", "git", "viewer"})
DROPPED = "sets a program kept in a folder anyone can write to, where downloads land, or under " \
    "a hidden name ({}) to run later"
_SUBSTITUTION = re.compile(r"\$\(([^()]*)\)")
_ALIAS = re.compile(r"\balias\s+[\w.-]+=(['\"]?)(.*?)\1\s*$", re.MULTILINE)


def later_run(targets: list[str], texts: list[str]) -> list[str]:
    """The commands that text written into a hook, unit, autostart or alias file will run
    later: `%h` (a unit's home folder) reads as `~`, an alias as its value."""
    planted: list[str] = []
    for target in targets:
        if _HOOK_FILE.search(target):
            planted += [alias.group(2) for text in texts for alias in _ALIAS.finditer(text)]
            planted += [text for text in texts if not _ALIAS.search(text)]
        elif _INETD_FILE.search(target):
            planted += [f"socat TCP-LISTEN:{port} EXEC:{shlex.quote(served)}"
                        for text in texts for port, served in _inetd_servers(text)]
        elif _UNIT_FILE.search(target):
            planted += [line.group(1).replace("%h", "~") for text in texts
                        for line in _EXEC_LINE.finditer(text)]
    return planted


def _inetd_servers(text: str) -> list[tuple[str, str]]:
    """(port, command line) of each shell or interpreter an inetd or xinetd text serves:
    such a line is `socat TCP-LISTEN:PORT EXEC:…` (a bind shell) and is judged as that;
    other servers (`/usr/sbin/tcpd in.ftpd`) are left alone."""
    served = [("0", f"{m.group(1)} {m.group(2) or ''}".strip())
              for m in _XINETD_SERVER.finditer(text)]
    for entry in text.splitlines():
        fields = entry.split()
        if len(fields) >= 6 and not entry.lstrip().startswith("#"):
            served.append((fields[0], " ".join([fields[5], *fields[7:]])))
    return [(port, line) for port, line in served
            if program_name(line.split()[0]) in SHELLS | INTERPRETERS]


def _program_settings(resolved: Resolved) -> list[str]:
    """`npm|pnpm|yarn config set script-shell PROGRAM` (or `key=PROGRAM`): the program."""
    args = resolved.args
    args = args[1:] if args[:1] == ["config"] else args
    if resolved.name not in ("npm", "pnpm", "yarn") or args[:1] != ["set"]:
        return []
    args = ["config", *args]
    key, sep, value = args[2].partition("=") if args[2:] else ("", "", "")
    if not sep and args[3:]:
        value = args[3]
    return [value] if key in _PROGRAM_SETTINGS and value else []


def _dropped_program(words: list[str]) -> str | None:
    """The program (or the script a shell or interpreter is given) that `words` run, when
    it is kept in a world-writable folder or under a hidden name."""
    if not words:
        return None
    if program_name(words[0]) in (*SHELLS, *INTERPRETERS, "source", ".") and words[1:]:
        words = [w for w in words[1:] if not w.startswith("-")][:1] or words
    return words[0] if _DROPPED.search(words[0]) else None


def _dropped(planted: list[str]) -> list[str]:
    """Programs in a world-writable folder that planted command lines start."""
    found = []
    for text in planted:
        try:
            commands = parse(text)
        except ShellSyntaxError:
            continue
        found += [program for command in commands
                  if (program := _dropped_program(plain_words(command)))]
    return found


def timer_reasons(prefix: list[str], resolved: Resolved) -> list[str]:
    """`systemd-run --on-calendar=hourly /tmp/.u` (or `--on-active`, `--on-boot`, a path or
    socket trigger): a transient timer runs the command later, again and again; a program
    it runs from a world-writable folder or under a hidden name needs typing. The timer is
    found anywhere among the wrappers (`sudo systemd-run …`, `nice systemd-run …`)."""
    starts = [i for i, word in enumerate(prefix) if program_name(word) == "systemd-run"]
    if not starts or not any(
            re.match(r"--(?:on-[\w-]+|timer-property|path-property|socket-property)\b", a)
            for a in prefix[starts[0] + 1:]):
        return []
    program = _dropped_program([resolved.head_text, *resolved.args])
    return [DROPPED.format(program)] if program else []


def _edited_units(resolved: Resolved) -> list[str]:
    """`systemctl edit --stdin UNIT…` writes what it reads into each unit's drop-in file."""
    words = [a for a in resolved.args if not a.startswith("-")]
    if resolved.name != "systemctl" or "edit" not in words or "--stdin" not in resolved.args:
        return []
    units = words[words.index("edit") + 1:]
    return [f"/etc/systemd/system/{unit if '.' in unit else unit + '.service'}.d/override.conf"
            for unit in units]


def _filled(text: str) -> str:
    """Planted text as it is written: a `$( )` in it runs now, while the line runs, and
    its output is what gets planted (`printf "@reboot $(echo … | base64 -d)"`)."""
    def output(match: re.Match[str]) -> str:
        computed = static_output(match.group(1))
        return match.group(0) if computed is None else computed
    return _SUBSTITUTION.sub(output, text)


def scheduled_or_boot(resolved: Resolved, command: Command, cwd: str | None,
                      written: dict[str, str]) -> tuple[list[str], list[str]]:
    """(reasons, commands a cron table will run) for a command writing a cron table or the
    boot loader's configuration; ([], []) for any other command. `written` holds the files
    written earlier on the line: `crontab FILE` installs the text written there."""
    targets = [r.target.text for r in command.redirects if r.op in WRITE_REDIRECT_OPS]
    targets += resolved.args if resolved.name in ("tee", "sed", "perl", "cp", "install", "mv",
                                                  "ln") else []
    targets += _edited_units(resolved)
    paths_written = [p for t in targets if (p := paths.expand(t, cwd))]
    user_table = resolved.name == "crontab" or any(map(_SPOOL_TABLE.match, paths_written))
    crontab_stdin = resolved.name == "crontab" and (not resolved.args or resolved.args[-1] == "-")
    tables = [written[arg] for arg in resolved.args if arg in written] if \
        resolved.name == "crontab" else []
    cron = crontab_stdin or bool(tables) or any(paths.CRON_FILE.match(p) for p in paths_written)
    boot = any(paths.BOOT_CONFIG.match(p) for p in paths_written)
    reasons: list[str] = []
    scheduled_files = [arg for arg in resolved.args if not arg.startswith("-")
                       and arg not in written] if resolved.name == "crontab" else []
    copied = [a for a in resolved.args if not a.startswith("-")]
    if resolved.name in ("cp", "install", "mv", "ln") and (any(
            map(_RUN_PARTS.match, paths_written)) or any(map(_HOOK_PLACE.search, copied[-1:]))):
        scheduled_files = copied[:-1]  # the file copied in is the job or the hook itself
    if resolved.name in ("at", "batch"):
        scheduled_files = [b for a, b in zip(resolved.args, resolved.args[1:], strict=False)
                           if a == "-f"]
    if any(_DROPPED.search(f) for f in scheduled_files):
        reasons.append(DROPPED.format(scheduled_files[0]))
    if crontab_stdin and empty_input(command):
        reasons.append("deletes all your scheduled cron jobs (installs an empty table)")
    texts = [" ".join(resolved.args), *tables]
    texts += [command.stdin_text] if command.stdin_text else []
    for upstream in command.upstream:
        printed = printed_text(resolve([w.text for w in upstream.words]))
        texts += [printed] if printed else []
    if (own := printed_text(resolved)) is not None:
        texts.append(own)
    texts = [_filled(text) for text in texts]
    later = later_run(targets, texts) + _program_settings(resolved)
    fed_later = texts[1:] if resolved.name in ("at", "batch") else []  # the job's own text
    git_later = hidden_commands("git", resolved.args) if resolved.name == "git" and \
        "config" in resolved.args else []
    if not (cron or boot):
        return reasons + [DROPPED.format(p) for p in _dropped(
            later + git_later + fed_later)][:1], later
    if boot and any(KERNEL_OFF.search(text) for text in texts):
        reasons.append("switches off the security module at the next boot")
    if boot and any(RESCUE_BOOT.search(text) for text in texts):
        reasons.append(RESCUE_REASON)
    planted: list[str] = []
    for text in texts if cron else []:
        for entry in text.splitlines():
            # `@reboot cmd` has one time field instead of five; a system table adds the user
            fields = (1 if entry.lstrip().startswith("@") else 5) + (not user_table)
            parts = entry.split(None, fields)
            if len(parts) > fields and not entry.lstrip().startswith("#"):
                planted.append(parts[fields])
            # A system table's line written without its user field (`0 3 * * * rm -rf
            # /home/*`) is read both ways: what the writer meant to run is judged too.
            if not user_table and len(parts) > fields - 1 and not entry.lstrip().startswith("#"):
                planted.append(entry.split(None, fields - 1)[fields - 1])
    reasons += [DROPPED.format(p) for p in _dropped(planted + later)][:1]
    return reasons, planted + later
