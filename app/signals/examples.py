"""Training examples implied by signals.

Every example starts from the exact context the model saw: the ``prompt`` stored with the
assistant message (system prompt, injected skills, history, rendered by the runtime). The
trainer appends targets to that text, so what it teaches is what the model continues when
serving. When skills were injected, the example also carries the message's ``prompt_plain``
(the same context without them), which the trainer teaches as well. A signal on a reply
whose prompt was not recorded yields no example (the signal stays, for skills and for the
user to see).

What each signal teaches:

==================  =====================================================================
correction          sft(prompt -> corrected) and pair(corrected over original)
command_edit/_fix   the reply with the user's command in place of the proposed one: sft and
                    pair (only for assistant-proposed commands: a user's own command has no
                    prompt)
regenerate_kept     pair(kept over each discarded sibling); the discarded reply's
                    ``regenerate`` signal links to the same pairs
thumb               unpaired(reply, +-1); a thumb down with a reason also hinted(reason)
requery             unpaired(reply, -1)
verbal_correction   hinted(reply, what the user said to change); unpaired -1 without one
acceptance          unpaired(reply, +1), weak
command_exit        unpaired(reply, +-1); a failure also hinted(the command's error tail),
                    unless the same command later succeeded for that reply (the environment
                    failed, not the reply); nothing for a command the model did not write
                    (one from the user's correction of the reply)
==================  =====================================================================

An example's weight is the signal's strength, ``|score| x confidence``. Building is
deterministic and idempotent: examples are found again by their content, so rebuilding
links instead of duplicating.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.store import conversations as conv
from app.store import examples as store
from app.store import signals as signals_store
from app.store.commands import find_command
from app.store.db import transaction
from app.store.examples import NewExample
from app.store.signals import all_signal_ids, get_signal
from app.terminal.proposals import extract_commands

KEPT_KIND = "regenerate_kept"


@dataclass(frozen=True)
class RebuildReport:
    """What :func:`rebuild_all` changed; all zeros but ``kept`` on a second run."""

    added: int
    kept: int
    removed: int


def _message(db: sqlite_utils.Database, message_id: int | None) -> dict[str, Any] | None:
    if message_id is None:
        return None
    try:
        return conv.get_message(db, message_id)
    except KeyError:
        return None


def _weight(signal: dict[str, Any]) -> float:
    return abs(float(signal["score"])) * float(signal["confidence"])


def with_command(reply: str, before: str, after: str) -> str | None:
    """The reply as it should have been: the proposed command replaced by the one that was
    right. ``None`` when the command is not in the reply word for word (nothing to fix)."""
    before, after = before.strip(), after.strip()
    if not before or not after or before == after or before not in reply:
        return None
    return reply.replace(before, after)


def _corrections(
    message: dict[str, Any], original: str, corrected: str, weight: float
) -> list[NewExample]:
    """The sft and pair examples of ``message``'s reply corrected to ``corrected``."""
    if not corrected.strip() or corrected.strip() == original.strip():
        return []
    prompt, plain = message["prompt"], message["prompt_plain"]
    return [
        NewExample("sft", prompt, target=corrected, weight=weight, prompt_plain=plain),
        NewExample(
            "pair", prompt, chosen=corrected, rejected=original, weight=weight, prompt_plain=plain
        ),
    ]


def _regeneration_pairs(db: sqlite_utils.Database, kept: dict[str, Any]) -> list[NewExample]:
    """Pairs for a kept regeneration: the reply the user went on with over each sibling."""
    reply = _message(db, kept["message_id"])
    if reply is None or not reply["prompt"]:
        return []
    others = [
        row for row in conv.siblings(db, reply["id"])
        if row["role"] == "assistant" and row["id"] != reply["id"]
    ]
    return [
        NewExample(
            "pair",
            reply["prompt"],
            chosen=reply["content"],
            rejected=row["content"],
            weight=_weight(kept),
            prompt_plain=reply["prompt_plain"],
        )
        for row in others
        if row["content"].strip() and row["content"].strip() != reply["content"].strip()
    ]


def _kept_siblings_pairs(db: sqlite_utils.Database, discarded_id: int) -> list[NewExample]:
    """The pairs in which the discarded reply is the rejected one (for its own link)."""
    discarded = _message(db, discarded_id)
    if discarded is None:
        return []
    pairs = []
    for kept in signals_store.of_kind_on_siblings(db, KEPT_KIND, discarded):
        pairs += [p for p in _regeneration_pairs(db, kept) if p.rejected == discarded["content"]]
    return pairs


def _proposed_in(reply: str, command: str) -> bool:
    """Whether ``reply`` (the model's own text) proposes ``command``."""
    return command.strip() in {proposal.command.strip() for proposal in extract_commands(reply)}


def _later_success(db: sqlite_utils.Database, signal: dict[str, Any], command: str) -> bool:
    """Whether the same command, proposed by the same reply, succeeded after this failure."""
    later = signals_store.later_successes(db, signal["message_id"], signal["id"])
    return any(done.strip() == command.strip() for done in later)


def _command_fix(
    db: sqlite_utils.Database,
    signal: dict[str, Any],
    message: dict[str, Any],
) -> list[NewExample]:
    reply = message["content"]
    command = find_command(db, signal["command_id"])
    if command is None:
        return []
    if signal["kind"] == "command_edit":
        before, after = command["original_command"] or "", command["command"]
    else:
        provenance = json.loads(signal["provenance"] or "{}")
        fixed = find_command(db, provenance.get("fixed_command_id"))
        before = command["command"]
        after = fixed["command"] if fixed else str(provenance.get("fixed_command") or "")
    fixed_reply = with_command(reply, before, after)
    if fixed_reply is None:
        return []
    return _corrections(message, reply, fixed_reply, _weight(signal))


def plan_for_signal(db: sqlite_utils.Database, signal: dict[str, Any]) -> list[NewExample]:
    """The examples a signal implies now, without writing anything."""
    kind = signal["kind"]
    if kind == KEPT_KIND:
        return _regeneration_pairs(db, signal)
    if kind == "regenerate":
        return _kept_siblings_pairs(db, signal["message_id"])
    message = _message(db, signal["message_id"])
    if message is None or message["role"] != "assistant" or not message["prompt"]:
        return []
    prompt, reply, weight = message["prompt"], message["content"], _weight(signal)
    plain = message["prompt_plain"]
    hint = (signal["hint"] or "").strip()
    negative = float(signal["score"]) < 0
    label = -1.0 if negative else 1.0
    unpaired = NewExample(
        "unpaired", prompt, reply=reply, label=label, weight=weight, prompt_plain=plain
    )
    hinted = NewExample("hinted", prompt, reply=reply, hint=hint, weight=weight, prompt_plain=plain)
    if kind == "correction":
        original = json.loads(signal["provenance"] or "{}").get("original") or reply
        return _corrections(message, original, hint or message["corrected"] or "", weight)
    if kind in ("command_edit", "command_fix"):
        return _command_fix(db, signal, message)
    if weight <= 0:
        return []
    if kind == "command_exit":
        command = find_command(db, signal["command_id"])
        if command is None or not _proposed_in(reply, command["command"]):
            return []  # a command of the user's correction says nothing of the model's text
        if negative and _later_success(db, signal, command["command"]):
            return []
    if kind in ("thumb", "command_exit"):
        return [unpaired, hinted] if negative and hint else [unpaired]
    if kind == "verbal_correction":
        return [hinted] if hint else [unpaired]
    if kind in ("requery", "acceptance"):
        return [unpaired]
    return []


def build_for_signal(db: sqlite_utils.Database, signal_id: int) -> list[int]:
    """Bring the examples of one signal up to date; returns their ids.

    New examples are added (or linked, if another signal already built them); examples
    this signal no longer implies lose its link and are deleted when nothing else backs
    them. Runs inside the caller's transaction when there is one.
    """
    with transaction(db):
        signal = get_signal(db, signal_id)
        if signal is None:
            raise KeyError(f"no signal {signal_id}")
        saved = [
            store.save_example(db, example, signal_id, signal["created"])
            for example in plan_for_signal(db, signal)
        ]
        ids = [example_id for example_id in saved if example_id is not None]
        for stale in store.examples_for_signal(db, signal_id):
            if stale["id"] not in ids:
                store.unlink(db, stale["id"], signal_id)
    return list(dict.fromkeys(ids))


def rebuild_all(db: sqlite_utils.Database) -> RebuildReport:
    """Make the examples table exactly what the stored signals imply.

    Existing examples that are still implied keep their rows (ids, creation time); missing
    ones are added (except those the user deleted), and examples no signal implies any more
    are deleted. Running it twice changes nothing the second time.
    """
    with transaction(db):
        before = store.dedup_keys(db)
        planned: set[str] = set()
        links: set[tuple[int, int]] = set()
        for signal_id in all_signal_ids(db):
            signal = get_signal(db, signal_id)
            assert signal is not None  # listed inside this transaction
            for example in plan_for_signal(db, signal):
                example_id = store.save_example(db, example, signal_id, signal["created"])
                if example_id is not None:  # None: the user deleted this one
                    planned.add(example.dedup_key)
                    links.add((example_id, signal_id))
        store.unlink_except(db, links)
        removed = store.delete_examples_except(db, planned)
    return RebuildReport(added=len(planned - before), kept=len(planned & before), removed=removed)
