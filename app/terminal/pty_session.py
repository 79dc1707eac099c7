"""A real interactive shell in a pseudo-terminal that knows when each command has finished.

Why a PTY and prompt markers: programs run exactly as in a terminal (colours, line editing,
Ctrl+C through the line discipline, job control), and the shell itself reports, through an
invisible OSC sequence printed by its prompt hook, the exit code and working folder after
every command. Flywheel learns from that exit code. Each session's markers carry a random
token, so output that merely imitates a marker cannot end a command early or fake a folder.

Markers (`ESC ] 7770 ; token ; kind … BEL`), stripped from everything handed out:
- `d;RC;CWD` — a command finished (bash: PROMPT_COMMAND; sh: expanded inside PS1);
- `s` — a command starts running (bash PS0), so the echoed command line is not output;
- `p` — the prompt is drawn and line editing is ready (bash PS1), so input sent from now on
  is not echoed twice.
Bash is used when present (`--noprofile --norc`), else POSIX sh. Not thread-hostile: one
lock guards the state, so a reader thread may call `read_available` while another waits in
`run`.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import secrets
import selectors
import shutil
import signal
import struct
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

MARKER_PREFIX = b"\x1b]7770;"
KILL_GRACE_S = 2.0
START_TIMEOUT_S = 10.0
_MARKER_LIMIT = 8192
_READ_CHUNK = 65536
_PUMP_LIMIT = 1 << 20
# Python ignores these; an ignored signal survives exec, and `yes | head` would then complain.
_IGNORED_BY_PYTHON = (signal.SIGPIPE, signal.SIGXFSZ)
_ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, bracketed-paste toggles
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC strings
    r"|\x1b[()*+][0-9A-Za-z]"  # character set selection
    r"|\x1b[@-Z\\-_=>78]"  # other two-byte escapes
)


def strip_ansi(text: str) -> str:
    """Plain text for storage and learning: escape sequences removed, CRLF made LF."""
    return _ANSI_RE.sub("", text).replace("\r\n", "\n")


@dataclass
class CommandResult:
    """What happened to one command run through `PtySession.run`.

    `cwd` is the folder the command started in. `exit_code` is None when it is unknown (the
    shell had to be killed). `shell_exited` is True when the command ended the shell itself
    (`exit 3`): `exit_code` is then the shell's exit status and `start()` restarts it.
    """

    command: str
    cwd: str
    exit_code: int | None
    duration_s: float
    output_tail: str
    timed_out: bool = False
    interrupted: bool = False
    shell_exited: bool = False


class _Tail:
    """Keeps the last `limit` bytes appended, so huge output costs bounded memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()

    def append(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > 2 * self.limit:
            del self.data[: len(self.data) - self.limit]

    def text(self) -> str:
        return strip_ansi(bytes(self.data[-self.limit:]).decode("utf-8", errors="replace"))


@dataclass
class _Capture:
    """Collects a running command's output between its start and finish markers."""

    tail: _Tail
    started: bool
    skip_lines: int = 0
    finished: bool = False
    pending: list[bytes] = field(default_factory=list)

    def add(self, chunk: bytes) -> None:
        """Appends output; sh has no start marker, so its echoed command lines are skipped."""
        while self.skip_lines and chunk:
            newline = chunk.find(b"\n")
            if newline < 0:
                return
            chunk = chunk[newline + 1:]
            self.skip_lines -= 1
        self.tail.append(chunk)


def _partial_prefix(buf: bytes, start: int) -> int:
    """Length of the longest tail of `buf` that could begin a marker split across reads."""
    for size in range(min(len(MARKER_PREFIX) - 1, len(buf) - start), 0, -1):
        if buf.endswith(MARKER_PREFIX[:size]):
            return size
    return 0


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


class PtySession:
    """An interactive shell in a PTY, usable both as a terminal and to run single commands.

    `env` entries are added to (and override) the inherited environment. `tail_bytes` bounds
    the output kept per command; `backlog_bytes` bounds display bytes not yet collected with
    `read_available` (the oldest are dropped first).
    """

    def __init__(self, cwd: Path | None = None, env: dict[str, str] | None = None,
                 tail_bytes: int = 64 * 1024, shell: str | None = None,
                 backlog_bytes: int = 1 << 20) -> None:
        if tail_bytes <= 0 or backlog_bytes <= 0:
            raise ValueError("tail_bytes and backlog_bytes must be positive")
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self.tail_bytes = tail_bytes
        self.last_exit_code: int | None = None
        self.exit_status: int | None = None
        self._env = dict(env or {})
        self._shell = shell or shutil.which("bash") or "/bin/sh"
        self._bash = Path(self._shell).name.startswith("bash")
        self._backlog_limit = max(backlog_bytes, tail_bytes)
        self._token = secrets.token_hex(8).encode()
        self._lock = threading.RLock()
        self._fd: int | None = None
        self._pid: int | None = None
        self._selector: selectors.BaseSelector | None = None
        self._reset_state()

    def _reset_state(self) -> None:
        self._pending = b""
        self._outbox = bytearray()
        self._display = bytearray()
        self._capture: _Capture | None = None
        self._finished = 0
        self._at_prompt = False
        self._ready = False
        self._typed = False
        self._interrupted = False

    @property
    def home(self) -> Path:
        """The shell's home folder, what `~` means to it: HOME from `env`, else inherited."""
        return Path(self._env.get("HOME") or os.environ.get("HOME") or Path.home())

    @property
    def alive(self) -> bool:
        """True while the shell process runs."""
        return self._fd is not None and self.exit_status is None

    def __enter__(self) -> PtySession:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def _child_env(self) -> dict[str, str]:
        hidden = ("PROMPT_COMMAND", "PS0", "PS1", "PS2", "ENV", "BASH_ENV")
        env = {k: v for k, v in os.environ.items() if k not in hidden}
        env.update(self._env)
        env.setdefault("TERM", "xterm-256color")
        token = self._token.decode()
        if self._bash:
            env["PS0"] = f"\x1b]7770;{token};s\x07"
            env["PS1"] = f"\\[\\e]7770;{token};p\\a\\]\\w\\$ "
            env["PROMPT_COMMAND"] = (
                "__fw_rc=$?; export -n PS0 PS1 PROMPT_COMMAND; "
                f'printf "\\033]7770;{token};d;%s;%s\\007" "$__fw_rc" "$PWD"; unset __fw_rc'
            )
        else:
            env["PS1"] = f"\x1b]7770;{token};d;$?;$PWD\x07$ "
            env["PS2"] = ""
        return env

    def start(self) -> None:
        """Starts the shell in `cwd` (after an exit: in the last folder it reported)."""
        with self._lock:
            if self.alive:
                raise RuntimeError("the shell is already running")
            executable = shutil.which(self._shell)
            if executable is None:
                raise FileNotFoundError(f"shell not found: {self._shell}")
            if not self.cwd.is_dir():
                raise FileNotFoundError(f"working folder not found: {self.cwd}")
            argv = [executable, "--noprofile", "--norc", "-i"] if self._bash \
                else [executable, "-i"]
            env, cwd = self._child_env(), str(self.cwd)
            pid, fd = pty.fork()
            if pid == 0:
                try:
                    for inherited in _IGNORED_BY_PYTHON:
                        signal.signal(inherited, signal.SIG_DFL)
                    os.chdir(cwd)
                    os.execve(executable, argv, env)
                finally:
                    os._exit(127)
            os.set_blocking(fd, False)
            self._fd, self._pid, self.exit_status = fd, pid, None
            self._selector = selectors.DefaultSelector()
            self._selector.register(fd, selectors.EVENT_READ)
            self._reset_state()
            self.resize(24, 120)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._ready:
            if not self.alive or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the shell {executable} did not show a prompt")
            self._pump(0.05)

    def resize(self, rows: int, cols: int) -> None:
        """Tells the shell and its programs the terminal size (they wrap and draw by it)."""
        with self._lock:
            if self._fd is not None:
                fcntl.ioctl(self._fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def write(self, data: bytes) -> None:
        """Sends raw keystrokes typed by the user."""
        with self._lock:
            if not self.alive:
                raise RuntimeError("the shell is not running; call start() first")
            submitted = max(data.rfind(b"\r"), data.rfind(b"\n"))
            if submitted >= 0:
                self._at_prompt = self._ready = False
            self._typed = submitted < len(data) - 1 or (self._typed and submitted < 0)
            self._send(data)

    def interrupt(self) -> None:
        """Ctrl+C: the terminal sends SIGINT to the foreground process group.

        Input still queued for the terminal is dropped first, as the line discipline does.
        """
        with self._lock:
            self._interrupted = True
            self._typed = False
            self._outbox.clear()
            if self.alive:
                self._send(b"\x03")

    def read_available(self, timeout: float = 0.0) -> bytes:
        """Display bytes received so far (ANSI kept, markers removed); waits up to `timeout`."""
        self._pump(timeout)
        self._check_exited()
        with self._lock:
            data = bytes(self._display)
            self._display.clear()
        return data

    def run(self, command: str, timeout: float | None = None) -> CommandResult:
        """Runs one command as if typed at the prompt and waits for it to finish.

        On timeout it sends Ctrl+C, then SIGKILLs the foreground process group after
        `KILL_GRACE_S`, then kills the shell as a last resort.
        """
        text = command.strip("\n")
        if not text.strip():
            raise ValueError("the command is empty")
        if "\x00" in text:
            raise ValueError("the command contains a NUL character")
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be positive")
        line = f"{{\n{text}\n}}" if "\n" in text else text
        with self._lock:
            self._pump(0)
            if not self.alive:
                raise RuntimeError("the shell is not running; call start() first")
            if not self._at_prompt:
                raise RuntimeError("the shell is busy: a command is still running")
        self._wait_until_ready()
        with self._lock:
            clear = (b"\x05\x15" if self._bash else b"\x15") if self._typed else b""
            self._capture = _Capture(_Tail(self.tail_bytes), started=not self._bash,
                                     skip_lines=0 if self._bash else line.count("\n") + 1)
            self._interrupted = self._typed = False
            self._at_prompt = self._ready = False
            finished, started_in, begin = self._finished, str(self.cwd), time.monotonic()
            self._send(clear + line.encode() + b"\n")
        timed_out, killed_shell = self._wait_for_finish(finished, timeout)
        with self._lock:
            capture, self._capture = self._capture, None
            exited = not self.alive
            code = None if killed_shell else self.exit_status if exited else self.last_exit_code
            return CommandResult(
                command=command, cwd=started_in, exit_code=code,
                duration_s=time.monotonic() - begin,
                output_tail=capture.tail.text() if capture else "",
                timed_out=timed_out, interrupted=self._interrupted or timed_out,
                shell_exited=exited)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.alive and not self._ready and time.monotonic() < deadline:
            self._pump(0.02)

    def _wait_for_finish(self, finished: int, timeout: float | None) -> tuple[bool, bool]:
        """Pumps output until the finish marker; escalates on timeout. (timed_out, killed)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        stage = 0
        while self._finished == finished and self.alive:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                if stage == 0:
                    self.interrupt()
                elif stage == 1:
                    self._kill_foreground()
                else:
                    self.close()
                    return True, True
                stage += 1
                deadline = now + KILL_GRACE_S
            self._pump(0.05 if deadline is None else min(0.05, max(0.0, deadline - now)))
            self._check_exited()
        return stage > 0, False

    def _kill_foreground(self) -> None:
        """SIGKILLs the foreground job (never the shell itself), for commands ignoring Ctrl+C."""
        with self._lock:
            if self._fd is None:
                return
            try:
                group = os.tcgetpgrp(self._fd)
                if group > 0 and group != self._pid:
                    os.killpg(group, signal.SIGKILL)
            except OSError:
                return

    def close(self) -> None:
        """Hangs up the terminal and ends the shell; idempotent."""
        with self._lock:
            self._close_fd()
            if self._pid is not None and self.exit_status is None:
                self._reap(kill_after=1.0)

    def _close_fd(self) -> None:
        """Closes the terminal (a hang-up for the shell) and its selector."""
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _reap(self, kill_after: float) -> None:
        """Collects the shell's exit status, killing it if it lingers past `kill_after`."""
        assert self._pid is not None
        deadline = time.monotonic() + kill_after
        while True:
            try:
                pid, status = os.waitpid(self._pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self._pid, 0
            if pid:
                self.exit_status = _exit_code(status)
                self._pid = None
                return
            if time.monotonic() >= deadline:
                try:
                    os.killpg(self._pid, signal.SIGKILL)
                except OSError:
                    os.kill(self._pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.01)

    def _check_exited(self) -> None:
        """Notices a shell that exited while something else keeps the terminal open."""
        with self._lock:
            if self._pid is None or self.exit_status is not None:
                return
            pid, status = os.waitpid(self._pid, os.WNOHANG)
            if pid:
                self.exit_status = _exit_code(status)
                self._pid = None
                self._pump(0)
                self._close_fd()

    def _send(self, data: bytes) -> None:
        """Queues input and writes what the terminal accepts now; never blocks.

        A program that does not read its input (or a huge paste) would otherwise block the
        caller; the rest goes out as the terminal drains, on later reads.
        """
        self._outbox += data
        self._flush()

    def _flush(self) -> None:
        while self._outbox and self._fd is not None:
            try:
                written = os.write(self._fd, self._outbox)
            except BlockingIOError:
                return
            del self._outbox[:written]

    def _pump(self, timeout: float) -> None:
        """Reads what the terminal has (waiting up to `timeout`) and processes it."""
        fd, selector = self._fd, self._selector
        if fd is None or selector is None:
            return
        if self._outbox:
            with self._lock:
                self._flush()
        try:
            if not selector.select(timeout):
                return
        except (OSError, ValueError, KeyError):
            return
        with self._lock:
            if self._fd != fd:
                return
            chunks: list[bytes] = []
            total = 0
            while total < _PUMP_LIMIT:
                try:
                    chunk = os.read(fd, _READ_CHUNK)
                except BlockingIOError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EIO:
                        raise
                    chunk = b""
                if not chunk:
                    self._feed(b"".join(chunks))
                    self._close_fd()
                    if self._pid is not None:
                        self._reap(kill_after=1.0)
                    return
                chunks.append(chunk)
                total += len(chunk)
            self._feed(b"".join(chunks))

    def _feed(self, data: bytes) -> None:
        """Splits incoming bytes into display output and markers, in order."""
        buf = self._pending + data
        self._pending = b""
        pos = 0
        while True:
            start = buf.find(MARKER_PREFIX, pos)
            if start < 0:
                keep = _partial_prefix(buf, pos)
                self._emit(buf[pos:len(buf) - keep])
                self._pending = buf[len(buf) - keep:]
                return
            self._emit(buf[pos:start])
            end = buf.find(b"\x07", start, start + _MARKER_LIMIT)
            if end < 0 and len(buf) - start < _MARKER_LIMIT:
                self._pending = buf[start:]
                return
            if end < 0 or not self._on_marker(buf[start + len(MARKER_PREFIX):end]):
                self._emit(buf[start:start + len(MARKER_PREFIX)])
                pos = start + len(MARKER_PREFIX)
            else:
                pos = end + 1

    def _emit(self, chunk: bytes) -> None:
        if not chunk:
            return
        self._display += chunk
        if len(self._display) > self._backlog_limit:
            del self._display[: len(self._display) - self._backlog_limit]
        capture = self._capture
        if capture is not None and capture.started and not capture.finished:
            capture.add(chunk)

    def _on_marker(self, payload: bytes) -> bool:
        """Applies one of our markers; False when the token does not match (not ours)."""
        token, _, rest = payload.partition(b";")
        if token != self._token:
            return False
        kind, _, rest = rest.partition(b";")
        if kind == b"s" and self._capture is not None:
            self._capture.started = True
        elif kind == b"p":
            self._ready = self._at_prompt
        elif kind == b"d":
            code, _, cwd = rest.partition(b";")
            self.last_exit_code = int(code) if code.isdigit() else None
            if cwd:
                self.cwd = Path(os.fsdecode(cwd))
            if self._capture is not None:
                self._capture.finished = True
            self._finished += 1
            self._at_prompt = True
            self._ready = not self._bash
        return True
