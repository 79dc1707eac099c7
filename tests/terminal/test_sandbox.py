"""The bubblewrap sandbox, exercised through a real PTY shell when bwrap works here."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.terminal import sandbox
from app.terminal.pty_session import PtySession
from app.terminal.sandbox import (
    SandboxRefusedError,
    looks_like_missing_network,
    sandbox_available,
    sandbox_refusal,
    wrap_for_sandbox,
)
from tests.terminal.throwaway_home import assert_throwaway, throwaway_home

AVAILABLE, WHY = sandbox_available()
needs_bwrap = pytest.mark.skipif(not AVAILABLE, reason=f"no sandbox here: {WHY}")


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[PtySession]:
    with PtySession(cwd=tmp_path, env={"HISTFILE": str(tmp_path / "history")}) as session:
        yield session


@needs_bwrap
def test_only_the_working_folder_is_writable(shell: PtySession, tmp_path: Path) -> None:
    outside = Path("/var/tmp") / f"flywheel-outside-{tmp_path.name}.txt"
    inner = f"echo inside > result.txt && touch {outside}"
    try:
        result = shell.run(wrap_for_sandbox(inner, tmp_path), timeout=30)
        assert not outside.exists()
    finally:
        outside.unlink(missing_ok=True)
    assert (tmp_path / "result.txt").read_text() == "inside\n"
    assert result.exit_code != 0
    etc = shell.run(wrap_for_sandbox("touch /etc/flywheel-sandbox-test", tmp_path), timeout=30)
    assert etc.exit_code != 0 and "Read-only" in etc.output_tail
    assert not Path("/etc/flywheel-sandbox-test").exists()


@needs_bwrap
def test_no_network_and_a_private_tmp(shell: PtySession, tmp_path: Path) -> None:
    (Path("/tmp") / f"flywheel-visible-{tmp_path.name}").write_text("host file")
    try:
        result = shell.run(wrap_for_sandbox(
            "tail -n +3 /proc/net/dev | cut -d: -f1; ls /tmp | grep -c flywheel-visible",
            tmp_path), timeout=30)
    finally:
        (Path("/tmp") / f"flywheel-visible-{tmp_path.name}").unlink()
    interfaces, _, hidden = result.output_tail.strip().rpartition("\n")
    assert [name.strip() for name in interfaces.split("\n")] == ["lo"]
    assert hidden == "0"


@needs_bwrap
def test_the_command_runs_exactly_as_written(shell: PtySession, tmp_path: Path) -> None:
    command = "printf '%s|' \"a b\" 'c;d' $((1+2)); echo; exit 4"
    result = shell.run(wrap_for_sandbox(command, tmp_path), timeout=30)
    assert (result.output_tail, result.exit_code) == ("a b|c;d|3|\n", 4)


def test_unavailable_sandbox_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert sandbox.sandbox_available() == (
        False, "bubblewrap is not installed (install the 'bubblewrap' package)")


def test_wrap_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        wrap_for_sandbox("ls", tmp_path / "missing")
    with pytest.raises(ValueError):
        wrap_for_sandbox("  ", tmp_path)


@needs_bwrap
def test_the_network_is_there_only_when_allowed(shell: PtySession, tmp_path: Path) -> None:
    probe = ("python3 -c \"import socket; socket.socket().bind(('127.0.0.1', 0)); "
             "print(sorted(n for _, n in socket.if_nameindex()))\"")
    inside = shell.run(wrap_for_sandbox(probe, tmp_path), timeout=30)
    allowed = shell.run(wrap_for_sandbox(probe, tmp_path, network=True), timeout=30)
    assert inside.output_tail.strip() == "['lo']"
    assert allowed.exit_code == 0 and allowed.output_tail.strip() != "['lo']"


@needs_bwrap
def test_other_processes_sockets_and_credentials_are_out_of_reach(shell: PtySession) -> None:
    """Neither the user's processes (signals, /proc/PID/root) nor the sockets in /run (the
    session bus, Docker) nor the keys in the home are reachable from inside."""
    with throwaway_home() as home:
        assert_throwaway(home)
        (home / ".netrc").write_text("machine x password y")
        command = ("ls /proc | grep -c '^[0-9]'; ls -A /run | wc -l; "
                   f"cat {home}/.ssh/id_ed25519 {home}/.netrc; cat {home}/.bashrc; echo end")
        result = shell.run(wrap_for_sandbox(command, home / "work", home=home), timeout=30)
    processes, run_entries, *rest = result.output_tail.strip().split("\n")
    assert int(processes) <= 4, "only the sandbox's own processes are visible"
    assert run_entries == "0"
    assert "PRIVATE KEY" not in result.output_tail and "password" not in result.output_tail
    assert "# fake bashrc" in rest, "the rest of the home stays readable"
    assert rest[-1] == "end"


def test_the_home_folder_and_root_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "project").mkdir(parents=True)
    assert "your home folder" in sandbox_refusal(home, [home])
    assert "whole filesystem" in sandbox_refusal(Path("/"), [home])
    assert "holds your home folder" in sandbox_refusal(tmp_path, [home])
    assert sandbox_refusal(home / "project", [home]) is None
    with pytest.raises(SandboxRefusedError, match="home folder"):
        wrap_for_sandbox("ls", home, home=home)
    with pytest.raises(SandboxRefusedError):
        wrap_for_sandbox("ls", Path("/"))


def test_folders_that_reach_outside_are_refused(tmp_path: Path) -> None:
    """Binding /tmp itself or anything in /run back would expose other programs' sockets;
    a hidden folder of the home holds start-up files, autostart entries and keys."""
    home = tmp_path / "home"
    for hidden in (".config/autostart", ".ssh", ".local/share/flywheel"):
        (home / hidden).mkdir(parents=True)
    assert "sockets" in sandbox_refusal(Path("/tmp"), [home])
    assert "sockets" in sandbox_refusal(Path("/run"), [home])
    assert "sockets" in sandbox_refusal(Path("/dev/shm"), [home])
    for hidden in (".config", ".config/autostart", ".ssh", ".local/share/flywheel"):
        assert "hidden settings and keys" in sandbox_refusal(home / hidden, [home])
    assert sandbox_refusal(tmp_path, []) is None, "a folder inside /tmp is fine"


def test_bubblewrap_is_called_by_its_full_path(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell's PATH may reach the writable folder, where a command could leave a fake
    `bwrap` for the next run; and a bwrap inside the writable folder is refused."""
    monkeypatch.setattr(shutil, "which", lambda _name: "/usr/bin/bwrap")
    assert wrap_for_sandbox("ls", tmp_path).startswith(str(Path("/usr/bin/bwrap").resolve()))
    planted = tmp_path / "bwrap"
    planted.write_text("#!/bin/sh\n")
    monkeypatch.setattr(shutil, "which", lambda _name: str(planted))
    with pytest.raises(SandboxRefusedError, match="sandbox program"):
        wrap_for_sandbox("ls", tmp_path)


@needs_bwrap
def test_credentials_behind_a_symbolic_link_are_hidden(shell: PtySession) -> None:
    """Dotfile managers link ~/.ssh into a repository: the link's target is hidden too."""
    with throwaway_home() as home:
        assert_throwaway(home)
        (home / "dotfiles").mkdir()
        (home / ".ssh").rename(home / "dotfiles" / "ssh")
        (home / ".ssh").symlink_to(home / "dotfiles" / "ssh")
        command = f"cat {home}/.ssh/id_ed25519 {home}/dotfiles/ssh/id_rsa; echo end"
        result = shell.run(wrap_for_sandbox(command, home / "work", home=home), timeout=30)
    assert "PRIVATE KEY" not in result.output_tail
    assert result.output_tail.strip().endswith("end")


def test_a_probe_that_timed_out_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that took too long on a busy machine is not a verdict for the whole session."""
    from app.terminal import runner

    answers = iter([TimeoutError("the bubblewrap check took over 30 s"), (True, "works")])

    def probe() -> tuple[bool, str]:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(runner, "sandbox_available", probe)
    fresh = runner._SandboxProbe()
    available, why = fresh.status()
    assert not available and "check again" in why
    assert fresh.status() == (True, "works")
    assert fresh.known() == (True, "works")


@pytest.mark.parametrize(("output", "offline"), [
    ("curl: (6) Could not resolve host: example.com", True),
    ("ping: connect: Network is unreachable", True),
    ("socket.gaierror: [Errno -3] Temporary failure in name resolution", True),
    ("ConnectionRefusedError: [Errno 111] Connection refused", True),
    ("ls: cannot access 'x': No such file or directory", False),
    ("", False),
])
def test_missing_network_is_recognised(output: str, offline: bool) -> None:
    assert looks_like_missing_network(output) is offline
