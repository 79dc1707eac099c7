"""Text written where the system later runs or obeys it: cron tables and boot arguments.

Why apart from the inspector: writing `@reboot rm -rf ~` into `/etc/cron.d/x`, or
`selinux=0` into `/etc/default/grub`, is harmless as a write and harmful once the system
reads it back. This module finds that text in a command (its arguments, its here-document,
the text echoed into it) and hands back the planted commands for the inspector to judge.
"""

from __future__ import annotations

from app.terminal import risky_paths as paths
from app.terminal.command_words import Resolved, printed_text, resolve
from app.terminal.pipe_checks import empty_input
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command
from app.terminal.system_checks import KERNEL_OFF


def scheduled_or_boot(resolved: Resolved, command: Command,
                      cwd: str | None) -> tuple[list[str], list[str]]:
    """(reasons, commands a cron table will run) for a command writing a cron table or the
    boot loader's configuration; ([], []) for any other command."""
    targets = [r.target.text for r in command.redirects if r.op in WRITE_REDIRECT_OPS]
    targets += resolved.args if resolved.name in ("tee", "sed", "perl", "cp", "install") else []
    paths_written = [p for t in targets if (p := paths.expand(t, cwd))]
    crontab_stdin = resolved.name == "crontab" and (not resolved.args
                                                    or resolved.args[-1] == "-")
    cron = crontab_stdin or any(paths.CRON_FILE.match(p) for p in paths_written)
    boot = any(paths.BOOT_CONFIG.match(p) for p in paths_written)
    reasons: list[str] = []
    if crontab_stdin and empty_input(command):
        reasons.append("deletes all your scheduled cron jobs (installs an empty table)")
    if not (cron or boot):
        return reasons, []
    texts = [" ".join(resolved.args)]
    texts += [command.stdin_text] if command.stdin_text else []
    for upstream in command.upstream:
        printed = printed_text(resolve([w.text for w in upstream.words]))
        texts += [printed] if printed else []
    if boot and any(KERNEL_OFF.search(text) for text in texts):
        reasons.append("switches off the security module at the next boot")
    planted: list[str] = []
    for text in texts if cron else []:
        for entry in text.splitlines():
            # `@reboot cmd` has one time field instead of five; a system table adds the user
            fields = (1 if entry.lstrip().startswith("@") else 5) + (not crontab_stdin)
            parts = entry.split(None, fields)
            if len(parts) > fields and not entry.lstrip().startswith("#"):
                planted.append(parts[fields])
    return reasons, planted
