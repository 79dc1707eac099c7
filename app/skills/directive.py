"""What a negative signal says should have happened: the request, what was done, the fix.

Three kinds of signal carry one: a click-correction (the request, the original reply, the
user's corrected reply), a verbal correction or a thumbs-down with a reason (the user's own
words), and a failing command followed by its fix. Skills are written from directives
(:mod:`app.skills.synthesize` for one, :mod:`app.skills.habit` for a lesson that recurs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from app.store import conversations as conv
from app.store.commands import find_command
from app.store.signals import get_signal


@dataclass(frozen=True)
class Directive:
    """What a negative signal with a directive says: the request, what was done, the fix."""

    kind: str  # "correction", "verbal_correction" or "command_fix"
    request: str = ""
    original: str = ""  # the assistant's reply, or the failing command
    corrected: str = ""  # the corrected reply, or the command that worked
    hint: str = ""  # the user's own words about what to change
    error: str = ""  # the failing command's output tail
    signal_ids: tuple[int, ...] = ()


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for names, examples and prompts."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def flatten(text: str) -> str:
    """``text`` on one line without its code fences: a reply quoted in a line of prose (an
    anti-pattern) must open no code block that would swallow the sections after it."""
    return " ".join(text.replace("```", " ").replace("~~~", " ").split())


def sentence(text: str) -> str:
    """``text`` on one line, capitalised and ended like a sentence: the user's words as a
    lesson line."""
    text = " ".join(text.split()).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?`…" else text + "."


def _request_before(db: sqlite_utils.Database, message_id: int | None) -> str:
    if message_id is None:
        return ""
    message = conv.get_message(db, message_id)
    if message["role"] == "user":
        return str(message["content"])
    if message["parent_id"] is None:
        return ""
    return str(conv.get_message(db, message["parent_id"])["content"])


def directive_from_signal(db: sqlite_utils.Database, signal_id: int) -> Directive | None:
    """The directive a stored signal carries, or ``None`` if it carries none.

    A ``command_fix`` signal points at the failing command (``command_id``) and names the
    fix in its provenance as ``fixed_command_id`` or ``fixed_command``; ``command_edit``
    compares the proposed command with what the user ran.
    """
    signal = get_signal(db, signal_id)
    if signal is None or signal["score"] >= 0:
        return None
    provenance = json.loads(signal["provenance"] or "{}")
    kind, hint = signal["kind"], (signal["hint"] or "").strip()
    message_id = signal["message_id"]
    if kind == "correction" and message_id is not None:
        message = conv.get_message(db, message_id)
        corrected = message["corrected"] or hint
        original = provenance.get("original") or message["content"]
        if not corrected:
            return None
        request = _request_before(db, message_id)
        return Directive("correction", request, original, corrected, signal_ids=(signal_id,))
    if kind in ("verbal_correction", "thumb") and hint and message_id is not None:
        original = conv.get_message(db, message_id)["content"]
        request = _request_before(db, message_id)
        return Directive("verbal_correction", request, original, hint=hint, signal_ids=(signal_id,))
    if kind in ("command_fix", "command_edit") and signal["command_id"] is not None:
        failing = find_command(db, signal["command_id"])
        if failing is None:
            return None
        if kind == "command_edit":
            before, after = failing["original_command"] or "", failing["command"]
        else:
            fixed = find_command(db, provenance.get("fixed_command_id"))
            before = failing["command"]
            after = fixed["command"] if fixed else str(provenance.get("fixed_command") or "")
        if not before or not after or before.strip() == after.strip():
            return None
        return Directive(
            "command_fix",
            _request_before(db, failing["message_id"] or message_id),
            before,
            after,
            error=failing["output_tail"] or "",
            signal_ids=(signal_id,),
        )
    return None
