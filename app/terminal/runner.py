"""Runs a command in the terminal's shell, records how it ended, and turns that into signals.

Why one path for every front end: the desktop pane, the command cards and `flywheel chat`
must store runs the same way, because the learning loop reads the exit code of a proposed
command as a verdict on the reply that proposed it, and a failing typed command followed by
a similar one that worked as a fix. Nothing here imports Qt; `CommandQueue` gives the window
a background thread (with its own database connection) to run commands on.

Approval happens before this module: `run_proposal` asks `policy.decide` with the user's
allow rules and, unless they allow the command, a `confirm` callback (a dialog, a y/N
prompt). Nothing in a reply's text can make a command run. A proposed command runs in the
bubblewrap sandbox by default (`default_sandboxed`); a run outside it is the user's
explicit choice, confirmed separately by the front end.
"""

from __future__ import annotations

import logging
import queue
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from app import paths
from app.settings import Settings
from app.signals import command_outcomes
from app.store import commands as store
from app.store.db import open_db, transaction
from app.terminal.policy import Approval, Decision, decide
from app.terminal.pty_session import PtySession
from app.terminal.sandbox import (
    SandboxRefusedError,
    sandbox_available,
    sandbox_refusal,
    wrap_for_sandbox,
)

log = logging.getLogger(__name__)

CONFIRM_WORD = "RUN"  # typed to approve a command on the deny list
_START_LOCK = threading.Lock()


class SandboxUnavailableError(RuntimeError):
    """A sandboxed run was asked for on a system where bubblewrap cannot work."""


class _SandboxProbe:
    """`sandbox_available()`, probed once per process: the probe starts a bwrap process and
    may take seconds, so a caller that needs the answer waits for the one probe, and the UI
    thread only ever asks whether it is known yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._result: tuple[bool, str] | None = None

    def status(self) -> tuple[bool, str]:
        with self._lock:
            if self._result is None:
                try:
                    self._result = sandbox_available()
                except TimeoutError as exc:  # not a verdict: the next caller probes again
                    return False, f"{exc}; Flywheel will check again at the next run"
            return self._result

    def known(self) -> tuple[bool, str] | None:
        return self._result


_SANDBOX = _SandboxProbe()


def sandbox_status() -> tuple[bool, str]:
    """Whether commands can be sandboxed, and why not; blocks for the probe the first time."""
    return _SANDBOX.status()


def known_sandbox_status() -> tuple[bool, str] | None:
    """The sandbox status if the probe has finished, else None; never blocks."""
    return _SANDBOX.known()


def session_refusal(session: PtySession) -> str | None:
    """Why the session's current folder cannot be the sandbox's writable folder, or None.
    Both homes count: the shell's `~` and the user's own."""
    return sandbox_refusal(session.cwd, dict.fromkeys([session.home, Path.home()]))


@dataclass(frozen=True)
class RunRequest:
    """A command to run. `origin` is assistant (as proposed), edited (a proposal the user
    changed: `original_command` is the proposal) or user (typed in the terminal).
    `sandboxed` runs it in bubblewrap, with the host's network only if `network`.
    `timeout_s` None means no limit (typed commands may be interactive programs)."""

    command: str
    origin: str
    message_id: int | None = None
    original_command: str | None = None
    sandboxed: bool = False
    network: bool = False
    timeout_s: float | None = None


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, its stored row, and the learning signals recorded from it."""

    command_id: int
    command: str
    cwd: str
    exit_code: int | None
    duration_s: float
    output_tail: str
    timed_out: bool
    interrupted: bool
    shell_restarted: bool
    signal_ids: list[int] = field(default_factory=list)
    sandboxed: bool = False
    network: bool = False


def ensure_running(session: PtySession) -> bool:
    """Starts the shell unless it runs; True when it had to (first use, or after `exit`).

    The terminal pane's reader and the command thread may both notice a dead shell; the
    lock makes sure only one of them starts a new one.
    """
    with _START_LOCK:
        if session.alive:
            return False
        session.start()
        return True


def run_and_record(db: sqlite_utils.Database, session: PtySession, request: RunRequest, *,
                   settings: Settings | None = None) -> RunOutcome:
    """Runs `request` in `session` (already approved), stores the run, records its signals.

    Signals follow `command_outcomes.record_command_outcome`: the exit code of a proposal is a
    verdict on its reply, an edit is a correction, a typed command that fixed a recent
    failure is a fix pair; none while learning is off or paused in `settings` (None: the
    saved settings).

    Raises ValueError for an empty command or unknown origin, SandboxUnavailableError when a
    sandbox was asked for and cannot be had, SandboxRefusedError when the shell's folder
    cannot be the sandbox's writable folder (the home folder, `/`), and RuntimeError when
    the shell is busy with another command; nothing is stored in those cases. A command
    that ends the shell (`exit 3`) is recorded with the shell's status and a new shell is
    started.
    """
    if request.origin not in store.ORIGINS:
        raise ValueError(f"unknown command origin {request.origin!r}")
    if not request.command.strip():
        raise ValueError("the command is empty")
    ensure_running(session)
    line = request.command
    if request.sandboxed:
        available, reason = sandbox_status()
        if not available:
            raise SandboxUnavailableError(reason)
        refusal = session_refusal(session)
        if refusal:
            raise SandboxRefusedError(refusal)
        line = wrap_for_sandbox(request.command, session.cwd, network=request.network,
                                home=session.home)
    result = session.run(line, timeout=request.timeout_s)
    restarted = ensure_running(session)
    run = store.CommandRun(
        command=request.command, origin=request.origin, cwd=result.cwd,
        exit_code=result.exit_code, duration_s=result.duration_s,
        output_tail=result.output_tail, message_id=request.message_id,
        original_command=request.original_command, sandboxed=request.sandboxed,
        network=request.sandboxed and request.network, timed_out=result.timed_out)
    with transaction(db):  # a run is never stored without the signals it gives, or vice versa
        command_id = store.record_command(db, run)
        signal_ids = command_outcomes.record_command_outcome(db, command_id, settings=settings)
    return RunOutcome(command_id=command_id, command=request.command, cwd=result.cwd,
                      exit_code=result.exit_code, duration_s=result.duration_s,
                      output_tail=store.bounded_tail(result.output_tail),
                      timed_out=result.timed_out, interrupted=result.interrupted,
                      shell_restarted=restarted, signal_ids=list(signal_ids),
                      sandboxed=run.sandboxed, network=run.network)


def hub_guarded(decision: Decision, community_skills: Sequence[str]) -> Decision:
    """`decision`, except that a reply written with community hub skills in its prompt never
    runs a command without a click: a hub skill is someone else's text, and allow rules are
    the user's trust in their own assistant, not in strangers' lessons."""
    if decision.approval is not Approval.AUTO_RUN or not community_skills:
        return decision
    names = ", ".join(community_skills)
    return Decision(Approval.ASK, (f"the reply had skills from the community hub in its prompt "
                                   f"({names}): its commands always ask",))


def approved(command: str, allow_rules: Sequence[str],
             confirm: Callable[[str, Decision], bool], *, sandboxed: bool = False,
             community_skills: Sequence[str] = ()) -> bool:
    """Whether a command a reply proposed may run: at once when it runs `sandboxed`, every
    part of it matches one of the user's allow rules and no `community_skills` were in the
    reply's prompt; else only if `confirm(command, decision)` returns True."""
    decision = hub_guarded(decide(command, "assistant", allow_rules, sandboxed=sandboxed),
                           community_skills)
    return decision.approval is Approval.AUTO_RUN or confirm(command, decision)


def run_proposal(db: sqlite_utils.Database, session: PtySession, command: str, *,
                 message_id: int | None, allow_rules: Sequence[str],
                 confirm: Callable[[str, Decision], bool], timeout_s: float | None = None,
                 settings: Settings | None = None, sandboxed: bool = False) -> RunOutcome | None:
    """Runs a command a reply proposed if `approved`; None when the user declined."""
    if not approved(command, allow_rules, confirm, sandboxed=sandboxed):
        return None
    request = RunRequest(command, "assistant", message_id=message_id, sandboxed=sandboxed,
                         timeout_s=timeout_s)
    return run_and_record(db, session, request, settings=settings)


def run_mode_text(sandboxed: bool, network: bool) -> str:
    """How a run went, as the cards and `flywheel chat` say it next to the exit code."""
    if not sandboxed:
        return "outside sandbox"
    return "sandboxed, network allowed" if network else "sandboxed"


def visible_command(command: str) -> str:
    """The command with control and format characters written out as `<U+XXXX>`.

    What the user approves must be what runs: newlines and tabs stay (they show as layout),
    but a carriage return, an escape sequence, a zero-width or right-to-left mark could hide
    or reorder part of the command on screen, so each becomes a visible code.
    """
    shown = []
    for char in command:
        category = unicodedata.category(char)
        if char in "\n\t" or (category[0] != "C" and category not in ("Zl", "Zp")):
            shown.append(char)
        else:
            shown.append(f"<U+{ord(char):04X}>")
    return "".join(shown)


def shell_environment() -> dict[str, str]:
    """Flywheel's shells keep their own history, so commands it ran stay out of the user's."""
    return {"HISTFILE": str(paths.user_dir() / "shell_history")}


@dataclass
class _Job:
    job_id: int
    request: RunRequest
    settings: Settings | None


class CommandQueue:
    """Runs requests one after another on a background thread with its own connection.

    The callbacks are called on that thread: `on_started(job_id)`, then either
    `on_finished(job_id, outcome)` or `on_failed(job_id, message)`. `busy` is True while a
    job is queued or running, so a front end can send keystrokes to the program running
    instead of queueing behind it.
    """

    def __init__(self, session: PtySession, *,
                 on_started: Callable[[int], None],
                 on_finished: Callable[[int, RunOutcome], None],
                 on_failed: Callable[[int, str], None],
                 open_database: Callable[[], sqlite_utils.Database] = open_db) -> None:
        self.session = session
        self._on_started, self._on_finished, self._on_failed = on_started, on_finished, on_failed
        self._open_database = open_database
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._next_id = 0
        self._active = 0
        self._closing = threading.Event()
        self._reopen = threading.Event()
        self._thread = threading.Thread(target=self._work, name="flywheel-commands",
                                        daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._active > 0

    def submit(self, request: RunRequest, *, settings: Settings | None = None) -> int:
        """Queues `request`; returns the job id the callbacks will carry."""
        with self._lock:
            self._next_id += 1
            self._active += 1
            job = _Job(self._next_id, request, settings)
        self._jobs.put(job)
        return job.job_id

    def reopen_database(self) -> None:
        """The next job opens the database anew (after the user deleted all data)."""
        self._reopen.set()

    def close(self, timeout: float = 10.0) -> None:
        """Drops queued jobs, cuts the running one off by closing the shell, ends the thread."""
        self._closing.set()
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        self._jobs.put(None)
        self.session.close()
        self._thread.join(timeout)
        self.session.close()  # in case the job that was cut off started a new shell

    def _work(self) -> None:
        db: sqlite_utils.Database | None = None
        try:
            while (job := self._jobs.get()) is not None and not self._closing.is_set():
                self._on_started(job.job_id)
                try:
                    if self._reopen.is_set() and db is not None:
                        db.conn.close()
                        db = None
                    self._reopen.clear()
                    if db is None:
                        db = self._open_database()
                    outcome = run_and_record(db, self.session, job.request,
                                             settings=job.settings)
                except Exception as exc:  # a busy or dead shell, a full disk: report it
                    log.warning("command %r failed to run: %s", job.request.command, exc)
                    self._done()
                    self._on_failed(job.job_id, str(exc) or type(exc).__name__)
                    continue
                self._done()
                self._on_finished(job.job_id, outcome)
        finally:
            if db is not None:
                db.conn.close()

    def _done(self) -> None:
        with self._lock:
            self._active -= 1
