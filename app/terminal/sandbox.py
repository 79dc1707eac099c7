"""Runs a proposed command inside a bubblewrap sandbox: read-only system, no network.

Why bubblewrap: it needs no daemon and no root (it uses unprivileged user namespaces), starts
in milliseconds and is packaged by every Linux distribution. Inside, the whole filesystem is
mounted read-only except the working folder, /tmp is a fresh empty tmpfs, there is no network,
and the sandbox dies with the terminal. `--new-session` stops a sandboxed program from
injecting keystrokes into the real terminal (TIOCSTI); Ctrl+C still ends it, because the
interrupt kills bwrap and `--die-with-parent` takes the sandbox down with it.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

_PROBE_TIMEOUT_S = 10


def _bwrap_args(cwd: Path) -> list[str]:
    folder = str(cwd)
    return ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--bind", folder, folder, "--chdir", folder, "--unshare-net", "--die-with-parent",
            "--new-session"]


def sandbox_available() -> tuple[bool, str]:
    """Whether commands can be sandboxed here, and why not in plain words when they cannot."""
    if not sys.platform.startswith("linux"):
        return False, "the sandbox needs Linux (bubblewrap); this system is " + sys.platform
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap is not installed (install the 'bubblewrap' package)"
    try:
        probe = subprocess.run([bwrap, *_bwrap_args(Path("/")), "--", "true"],
                               capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S,
                               check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap could not be started: {exc}"
    if probe.returncode != 0:
        detail = probe.stderr.strip() or f"exit code {probe.returncode}"
        return False, ("bubblewrap cannot create a sandbox on this system (user namespaces may "
                       f"be disabled): {detail}")
    return True, "bubblewrap works"


def wrap_for_sandbox(command: str, cwd: Path) -> str:
    """A shell command line that runs `command` in the sandbox, with only `cwd` writable.

    The result is meant to be typed into the terminal session; `command` runs under
    `/bin/sh -c` inside, exactly as written. `cwd` must be an existing folder.
    """
    folder = Path(cwd).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"working folder not found: {cwd}")
    if not command.strip():
        raise ValueError("the command is empty")
    argv = ["bwrap", *_bwrap_args(folder), "--", "/bin/sh", "-c", command]
    return shlex.join(argv)
