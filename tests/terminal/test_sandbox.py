"""The bubblewrap sandbox, exercised through a real PTY shell when bwrap works here."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.terminal import sandbox
from app.terminal.pty_session import PtySession
from app.terminal.sandbox import sandbox_available, wrap_for_sandbox

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
