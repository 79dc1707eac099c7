"""The PTY shell session, with real shells in real pseudo-terminals."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.terminal.pty_session import MARKER_PREFIX, PtySession

SHELLS = [s for s in ("bash", "sh") if shutil.which(s)]


def _open(tmp_path: Path, shell: str) -> PtySession:
    session = PtySession(cwd=tmp_path, shell=shell, env={"HISTFILE": str(tmp_path / "history")})
    session.start()
    return session


@pytest.fixture(params=SHELLS)
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PtySession]:
    opened = _open(tmp_path, request.param)
    yield opened
    opened.close()


@pytest.fixture
def bash(tmp_path: Path) -> Iterator[PtySession]:
    if not shutil.which("bash"):
        pytest.skip("bash is not installed")
    opened = _open(tmp_path, "bash")
    yield opened
    opened.close()


@pytest.mark.parametrize(("command", "code"), [("true", 0), ("false", 1), ("(exit 3)", 3),
                                               ("flywheel-no-such-command", 127)])
def test_exit_codes(session: PtySession, command: str, code: int) -> None:
    result = session.run(command, timeout=20)
    assert result.exit_code == code
    assert not result.timed_out and not result.shell_exited
    assert session.last_exit_code == code


def test_output_is_the_commands_own(session: PtySession) -> None:
    result = session.run("echo one; echo two >&2", timeout=20)
    assert result.output_tail == "one\ntwo\n"
    multi = session.run("echo a\necho b\nfalse", timeout=20)
    assert (multi.output_tail, multi.exit_code) == ("a\nb\n", 1)


def test_cwd_is_tracked(session: PtySession, tmp_path: Path) -> None:
    first = session.run("cd /tmp", timeout=20)
    assert first.cwd == str(tmp_path)
    assert session.cwd == Path("/tmp")
    assert session.run("pwd", timeout=20).output_tail == "/tmp\n"
    assert session.run("true", timeout=20).cwd == "/tmp"


def test_bare_exit_ends_the_shell_and_it_restarts(session: PtySession) -> None:
    session.run("cd /tmp", timeout=20)
    result = session.run("exit 3", timeout=20)
    assert (result.shell_exited, result.exit_code) == (True, 3)
    assert not session.alive and session.exit_status == 3
    with pytest.raises(RuntimeError, match="not running"):
        session.run("true")
    session.start()
    again = session.run("pwd", timeout=20)
    assert (again.exit_code, again.output_tail) == (0, "/tmp\n")


def test_five_megabytes_keep_a_bounded_tail(tmp_path: Path) -> None:
    """480 000 lines of 11 bytes: 5.3 MB through the terminal."""
    with PtySession(cwd=tmp_path, tail_bytes=4096, backlog_bytes=8192,
                    env={"HISTFILE": str(tmp_path / "history")}) as session:
        result = session.run("yes 0123456789 | head -n 480000; echo END", timeout=120)
        assert result.exit_code == 0 and not result.timed_out
        assert len(result.output_tail.encode()) <= 4096
        assert result.output_tail.endswith("0123456789\nEND\n")
        assert len(session.read_available()) <= 8192


def test_invalid_utf8_survives(session: PtySession) -> None:
    result = session.run("printf 'ok \\377\\376 end\\n'", timeout=20)
    assert result.output_tail == "ok \ufffd\ufffd end\n"


def test_colours_kept_for_display_stripped_from_tail(session: PtySession) -> None:
    session.read_available()
    result = session.run("printf '\\033[31mred\\033[0m\\n'", timeout=20)
    assert result.output_tail == "red\n"
    display = session.read_available()
    assert b"\x1b[31mred\x1b[0m" in display
    assert MARKER_PREFIX not in display


def test_imitated_marker_does_not_end_the_command(session: PtySession) -> None:
    result = session.run("printf '\\033]7770;fake;d;0;/\\007'; sleep 0.2; echo after; false",
                         timeout=20)
    assert result.exit_code == 1
    assert result.output_tail.endswith("after\n")
    assert session.cwd != Path("/")


def test_timeout_interrupts_and_kills(session: PtySession, tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    result = session.run(f"sh -c 'echo $$ > {pid_file}; exec sleep 60'", timeout=1)
    assert result.timed_out and result.interrupted
    assert result.exit_code == 130
    assert result.duration_s < 10
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists()
    assert session.run("true", timeout=20).exit_code == 0


def test_timeout_escalates_to_sigkill_when_ctrl_c_is_ignored(session: PtySession) -> None:
    result = session.run("sh -c \"trap '' INT; sleep 60\"", timeout=1)
    assert result.timed_out
    assert result.exit_code == 137
    assert session.run("echo alive", timeout=20).output_tail == "alive\n"


def test_ctrl_c_interrupts(session: PtySession) -> None:
    timer = threading.Timer(0.5, session.interrupt)
    timer.start()
    result = session.run("sleep 60", timeout=30)
    timer.join()
    assert result.exit_code == 130
    assert result.interrupted and not result.timed_out


def test_typed_keys_and_a_busy_shell(bash: PtySession) -> None:
    bash.write(b"sleep 5\n")
    with pytest.raises(RuntimeError, match="busy"):
        bash.run("true")
    started = time.monotonic()
    while time.monotonic() - started < 0.5:  # let bash read the line: Ctrl+C flushes typeahead
        bash.read_available(0.05)
    bash.interrupt()
    deadline = time.monotonic() + 10
    while bash.last_exit_code != 130 and time.monotonic() < deadline:
        bash.read_available(0.1)
    assert bash.last_exit_code == 130
    bash.write(b"echo half-typed")
    result = bash.run("echo clean", timeout=20)
    assert result.output_tail == "clean\n"


def test_bad_input_gets_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        PtySession(tail_bytes=0)
    with pytest.raises(FileNotFoundError, match="working folder"):
        PtySession(cwd=tmp_path / "missing").start()
    with pytest.raises(FileNotFoundError, match="shell not found"):
        PtySession(cwd=tmp_path, shell="flywheel-no-such-shell").start()
    with PtySession(cwd=tmp_path, env={"HISTFILE": os.devnull}) as session:
        with pytest.raises(ValueError, match="empty"):
            session.run("  \n")
        with pytest.raises(RuntimeError, match="already running"):
            session.start()
    assert not session.alive
    session.close()
