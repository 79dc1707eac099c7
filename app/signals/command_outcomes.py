"""What a finished command teaches: its exit code, the user's edit of a proposal, and a
failing command followed by the similar one that worked (a fix pair).

Split from :mod:`app.signals.capture` (the chat's signals), whose rules it follows: each call
checks that learning may happen, stores the signal with its provenance and builds its
examples in one transaction, and returns the ids of the signals it recorded. The terminal's
runner calls :func:`record_command_outcome` once a run's exit code is stored.
"""

from __future__ import annotations

import difflib
from typing import Any

import sqlite_utils

from app import settings as settings_mod
from app.signals.capture import UI, may_learn, record_with_examples
from app.signals.examples import build_for_signal
from app.store import conversations as conv
from app.store import signals as signals_store
from app.store.commands import bounded_tail, get_command, unfixed_failures
from app.store.db import transaction
from app.terminal.command_words import resolve
from app.terminal.pty_session import strip_ansi

TERMINAL = "terminal"  # a command's exit code
FIX_PAIR = "fix_pair"  # a failing command followed by a similar one that worked

# An edited proposal that then failed may have been edited for the user's setup only.
EDIT_FAILED_CONFIDENCE = 0.6
# thefuck-style fixes come within minutes; after that the similar command is a new task.
FIX_WINDOW_S = 300.0
FIX_MIN_SIMILARITY = 0.5
PROGRAM_MIN_SIMILARITY = 0.6
COMPARE_CHARS = 300
MAX_TAIL_CHARS = 600


def _conversation_of(db: sqlite_utils.Database, message_id: int | None) -> int | None:
    if message_id is None:
        return None
    try:
        return conv.get_message(db, message_id)["conversation_id"]
    except KeyError:
        return None


def failure_hint(command: str, exit_code: int, output_tail: str | None) -> str:
    """What went wrong, for the trainer and the skills: the command, its exit code and the
    end of its output (where the error usually is), bounded so a log dump stays small."""
    tail = bounded_tail(strip_ansi(output_tail or "").strip(), MAX_TAIL_CHARS)
    head = f"`{command.strip()}` failed with exit code {exit_code}"
    return f"{head}:\n{tail}" if tail else f"{head}."


def _command_edit(db: sqlite_utils.Database, command: dict[str, Any]) -> list[int]:
    original = (command["original_command"] or "").strip()
    if not original or original == command["command"].strip():
        return []
    if signals_store.has_signal(db, "command_edit", "command_id", command["id"]):
        return []
    provenance = {
        "original_command": original,
        "edited_command": command["command"],
        "exit_code": command["exit_code"],
    }
    return record_with_examples(
        db, "command_edit", message_id=command["message_id"], command_id=command["id"], score=-1,
        hint=f"Run `{command['command'].strip()}` instead of `{original}`.", detector=UI,
        confidence=1.0 if command["exit_code"] == 0 else EDIT_FAILED_CONFIDENCE,
        provenance=provenance,
    )


def _command_exit(db: sqlite_utils.Database, command: dict[str, Any]) -> list[int]:
    if signals_store.has_signal(db, "command_exit", "command_id", command["id"]):
        return []
    code = int(command["exit_code"])
    provenance = {"command": command["command"], "exit_code": code, "cwd": command["cwd"]}
    hint = None if code == 0 else failure_hint(command["command"], code, command["output_tail"])
    ids = record_with_examples(
        db, "command_exit", message_id=command["message_id"], command_id=command["id"],
        score=1 if code == 0 else -1, hint=hint, detector=TERMINAL, provenance=provenance,
    )
    if code == 0:
        # Earlier failures of this same command for this reply were the environment's
        # fault (a missing package, a wrong folder): rebuilding withdraws their examples.
        for earlier in signals_store.failed_runs_of(db, command["message_id"], command["command"]):
            build_for_signal(db, earlier)
    return ids


def record_command_outcome(
    db: sqlite_utils.Database,
    command_id: int,
    *,
    settings: settings_mod.Settings | None = None,
) -> list[int]:
    """Learn from a finished command (call it once ``exit_code`` is stored).

    - a proposal the user edited before running: ``command_edit`` (the edit is the lesson);
    - a proposal run as is: ``command_exit`` on the reply, +1 for exit 0, -1 otherwise with
      the error tail as the hint;
    - a command the user typed that worked right after a similar one failed: the fix pair
      (:func:`record_command_fix`).

    A command without an exit code (killed, timed out) teaches nothing.
    """
    with transaction(db):
        command = get_command(db, command_id)
        if command["exit_code"] is None:
            return []
        if not may_learn(db, settings, _conversation_of(db, command["message_id"])):
            return []
        origin = command["origin"]
        if origin == "edited":
            return _command_edit(db, command)
        if origin == "assistant" and command["message_id"] is not None:
            return _command_exit(db, command)
        if origin == "user" and command["exit_code"] == 0:
            failed = find_fix_pair(db, command_id)
            if failed is not None:
                return record_command_fix(db, failed, command_id, settings=settings)
    return []


def _program(command: str) -> str:
    return resolve(command.split()).name


def command_similarity(a: str, b: str) -> float:
    """How alike two command lines are, 0..1: the mean of their character similarity
    (catches typos: ``git comit``) and word overlap (catches added words: ``sudo``)."""
    a, b = a.strip()[:COMPARE_CHARS], b.strip()[:COMPARE_CHARS]
    if not a or not b:
        return 0.0
    chars = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    words_a, words_b = set(a.split()), set(b.split())
    words = len(words_a & words_b) / len(words_a | words_b)
    return (chars + words) / 2


def _fixes(failed: str, fixed: str) -> float:
    """The similarity of a candidate fix, or 0 when it runs another program or is a rerun."""
    if failed.strip() == fixed.strip():
        return 0.0
    program_a, program_b = _program(failed), _program(fixed)
    same_program = program_a == program_b or (
        difflib.SequenceMatcher(None, program_a, program_b).ratio() >= PROGRAM_MIN_SIMILARITY
    )
    return command_similarity(failed, fixed) if same_program else 0.0


def find_fix_pair(db: sqlite_utils.Database, command_id: int) -> int | None:
    """The failing command that ``command_id`` (typed by the user, exit 0) fixed, if any.

    Looks back ``FIX_WINDOW_S`` for failed commands that are not yet paired with a fix,
    run the same (or a misspelled) program and are similar enough; the most recent wins.
    """
    command = get_command(db, command_id)
    if command["origin"] != "user" or command["exit_code"] != 0:
        return None
    started = command["started"]
    for candidate in unfixed_failures(db, command_id, float(started) - FIX_WINDOW_S, started):
        if _fixes(candidate["command"], command["command"]) >= FIX_MIN_SIMILARITY:
            return int(candidate["id"])
    return None


def record_command_fix(
    db: sqlite_utils.Database,
    failed_command_id: int,
    fixed_command_id: int,
    *,
    settings: settings_mod.Settings | None = None,
) -> list[int]:
    """A failing command followed by the one that worked (-1 on the failing one).

    The provenance names both (``failed_command``, ``fixed_command``, ``fixed_command_id``)
    for skill synthesis; when the failing command was proposed by a reply, that reply with
    the fix in place becomes an example. Raises ``ValueError`` unless the first command
    failed and the second succeeded.
    """
    with transaction(db):
        failed, fixed = get_command(db, failed_command_id), get_command(db, fixed_command_id)
        if failed["exit_code"] in (None, 0) or fixed["exit_code"] != 0:
            raise ValueError("a fix pair needs a failed command and one that succeeded")
        if not may_learn(db, settings, _conversation_of(db, failed["message_id"])):
            return []
        if signals_store.has_signal(db, "command_fix", "command_id", failed_command_id):
            return []
        similarity = command_similarity(failed["command"], fixed["command"])
        provenance = {
            "failed_command": failed["command"],
            "failed_command_id": failed_command_id,
            "failed_exit_code": failed["exit_code"],
            "fixed_command": fixed["command"],
            "fixed_command_id": fixed_command_id,
            "seconds_apart": round(float(fixed["started"]) - float(failed["started"]), 1),
            "similarity": round(similarity, 4),
        }
        hint = f"`{failed['command'].strip()}` failed; `{fixed['command'].strip()}` worked."
        return record_with_examples(
            db, "command_fix", message_id=failed["message_id"], command_id=failed_command_id,
            score=-1, hint=hint, detector=FIX_PAIR, confidence=round(similarity, 4),
            provenance=provenance,
        )
