"""Runs a proposed command inside a bubblewrap sandbox: read-only system, no network.

Why bubblewrap: it needs no daemon and no root (it uses unprivileged user namespaces), starts
in milliseconds and is packaged by every Linux distribution. Inside:
- the whole filesystem is mounted read-only except the working folder, which is refused
  when it is `/`, the home folder or a folder that holds the home folder (a "sandbox" whose
  writable part is all of your files stops nothing);
- /tmp is a fresh empty tmpfs, and so is /run: the sockets there (the D-Bus session bus,
  systemd, Docker) would let a command ask a program outside the sandbox to act for it
  (NixOS keeps its programs under /run/current-system: that one is mounted back, read-only);
- common credential folders of the home (`~/.ssh`, `~/.gnupg`, cloud tokens) are hidden;
- there is no network unless the run allows it, and the sandbox has its own process list
  (`--unshare-pid`), so it can neither signal nor reach through `/proc/PID/root` the user's
  other processes;
- `--new-session` stops a sandboxed program from injecting keystrokes into the real terminal
  (TIOCSTI); Ctrl+C still ends it, because the interrupt kills bwrap and
  `--die-with-parent` takes the sandbox down with it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

_PROBE_TIMEOUT_S = 30
# Hidden inside the sandbox (when they exist): keys, tokens and browser profiles a command
# has no business reading, and could otherwise copy into the working folder or, with the
# network allowed, send away.
HIDDEN_IN_HOME = (".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".kube", ".docker",
                  ".netrc", ".git-credentials", ".password-store", ".local/share/keyrings",
                  ".mozilla", ".config/google-chrome", ".config/chromium", ".pki")
# What a command prints when the network it needed is not there. "Connection refused" is
# included: inside the sandbox even a server on this machine's 127.0.0.1 is out of reach.
_NO_NETWORK_RE = re.compile(
    r"could not resolve|temporary failure in name resolution|network is unreachable|"
    r"name or service not known|no address associated with hostname|"
    r"failed to establish a new connection|connection refused|"
    r"nodename nor servname|unable to resolve host|getaddrinfo failed|"
    r"network unreachable|no route to host", re.IGNORECASE)


_SYSTEM_TREES = (Path("/run"), Path("/dev"), Path("/proc"), Path("/sys"))


class SandboxRefusedError(ValueError):
    """The working folder cannot be the sandbox's writable folder (see `sandbox_refusal`)."""


def _bwrap_args(cwd: Path, *, network: bool = False, home: Path | None = None) -> list[str]:
    folder = str(cwd)
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--tmpfs", "/run", "--ro-bind-try", "/run/current-system", "/run/current-system"]
    if network:  # name resolution may go through systemd-resolved's stub file in /run
        args += ["--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve"]
    args += ["--bind", folder, folder]
    for hidden in _hidden_paths(cwd, home):
        args += (["--tmpfs", str(hidden)] if hidden.is_dir()
                 else ["--ro-bind", "/dev/null", str(hidden)])
    args += ["--chdir", folder]
    if not network:
        args.append("--unshare-net")
    return [*args, "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"]


def _hidden_paths(cwd: Path, home: Path | None) -> list[Path]:
    """The credential paths of `home` to hide, symbolic links followed (dotfile managers
    link `~/.ssh` elsewhere; hiding the link's target hides what it reads). One inside the
    working folder is hidden over the writable folder."""
    if home is None:
        return []
    hidden = []
    for name in HIDDEN_IN_HOME:
        path = (home / name).resolve()
        if path.exists() and not cwd.is_relative_to(path) and path not in hidden:
            hidden.append(path)
    return hidden


def sandbox_available() -> tuple[bool, str]:
    """Whether commands can be sandboxed here, and why not in plain words when they cannot.

    Raises TimeoutError when the check did not finish in time (the answer is not known)."""
    if not sys.platform.startswith("linux"):
        return False, "the sandbox needs Linux (bubblewrap); this system is " + sys.platform
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap is not installed (install the 'bubblewrap' package)"
    try:
        probe = subprocess.run([bwrap, *_bwrap_args(Path("/")), "--", "true"],
                               capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S,
                               check=False)
    except subprocess.TimeoutExpired as exc:  # a busy machine, not a verdict: ask again later
        raise TimeoutError(f"the bubblewrap check took over {_PROBE_TIMEOUT_S} s") from exc
    except OSError as exc:
        return False, f"bubblewrap could not be started: {exc}"
    if probe.returncode != 0:
        detail = probe.stderr.strip() or f"exit code {probe.returncode}"
        return False, ("bubblewrap cannot create a sandbox on this system (user namespaces may "
                       f"be disabled): {detail}")
    return True, "bubblewrap works"


def sandbox_refusal(cwd: Path, homes: Iterable[Path]) -> str | None:
    """Why `cwd` cannot be the sandbox's writable folder, in words for the card; None if it
    can. Refused:
    - `/`, any of `homes` (the shell's `~` and the user's), or a folder above one of them:
      the sandbox would leave every file of the user writable;
    - `/tmp` itself and anything in `/run`, `/dev`, `/proc` or `/sys`: binding them back
      would bring the sockets of programs outside (tmux, X11, ssh-agent, D-Bus) into reach;
    - a hidden folder of a home or anything in one (`~/.config`, `~/.local`, `~/.ssh`…):
      start-up files, autostart entries, keys and Flywheel's own settings live there."""
    folder = Path(cwd).resolve()
    prefix = "The sandbox keeps the terminal's current folder writable, and "
    advice = ": cd into a project folder in the terminal first."
    if folder == Path(folder.anchor):
        return prefix + "that folder is /, the whole filesystem" + advice
    if folder == Path("/tmp") or any(folder.is_relative_to(system) for system in _SYSTEM_TREES):
        return prefix + f"{folder} holds other programs' sockets" + advice
    for home in homes:
        home = Path(home).resolve()
        if folder == home:
            return prefix + "that folder is your home folder" + advice
        if home.is_relative_to(folder):
            return prefix + f"{folder} holds your home folder" + advice
        if folder.is_relative_to(home) and folder.relative_to(home).parts[0].startswith("."):
            return (prefix + f"{folder} is among your home's hidden settings and keys"
                    + advice)
    return None


def looks_like_missing_network(output: str) -> bool:
    """True when a command's output reads like it failed for want of the network."""
    return bool(_NO_NETWORK_RE.search(output))


def wrap_for_sandbox(command: str, cwd: Path, *, network: bool = False,
                     home: Path | None = None) -> str:
    """A shell command line that runs `command` in the sandbox, with only `cwd` writable.

    The result is meant to be typed into the terminal session; `command` runs under
    `/bin/sh -c` inside, exactly as written. `cwd` must be an existing folder; `network`
    keeps the host's network; `home` is the home folder whose credentials are hidden and
    which `cwd` may be neither equal to nor above (SandboxRefusedError).
    """
    folder = Path(cwd).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"working folder not found: {cwd}")
    if not command.strip():
        raise ValueError("the command is empty")
    refusal = sandbox_refusal(folder, [home] if home is not None else [])
    if refusal:
        raise SandboxRefusedError(refusal)
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bubblewrap is not installed (install the 'bubblewrap' package)")
    bwrap = str(Path(bwrap).resolve())  # by full path: the shell's PATH may reach `folder`
    if Path(bwrap).is_relative_to(folder):
        raise SandboxRefusedError(f"The sandbox program itself ({bwrap}) lies in {folder}, the "
                                  "folder a sandboxed command may write: cd elsewhere first.")
    argv = [bwrap, *_bwrap_args(folder, network=network, home=home), "--", "/bin/sh", "-c",
            command]
    return shlex.join(argv)
