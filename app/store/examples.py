"""Training examples and their links to the signals they were built from.

An example is identified by its content (``dedup_key``), not by the signal that produced
it: the same lesson reached twice (a correction and a later rebuild, or two signals that
imply the same pair) is one row with two links, so the trainer never sees it twice and
deleting either piece of evidence removes it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from app.store.db import transaction

KINDS = ("sft", "pair", "unpaired", "hinted")
CONTENT_FIELDS = ("prompt", "target", "chosen", "rejected", "reply", "label", "hint")


@dataclass(frozen=True)
class ExampleContent:
    """What an example teaches: its kind, the rendered prompt, the texts the kind uses, its weight.

    Shared by the example being saved (:class:`NewExample`) and the row the trainer reads, so
    the two can never disagree about what an example holds. ``prompt_plain`` is the prompt
    without the skills that were put into it (``None`` when there were none); it follows
    from ``prompt``, so it is not part of an example's identity.
    """

    kind: str
    prompt: str
    target: str | None = None
    chosen: str | None = None
    rejected: str | None = None
    reply: str | None = None
    label: float | None = None
    hint: str | None = None
    weight: float = 1.0
    prompt_plain: str | None = None


@dataclass(frozen=True)
class NewExample(ExampleContent):
    """An example as built from a signal, before it has a row.

    ``weight`` is left out of the identity on purpose: two signals of different strength
    that teach the same thing are one example, weighted by the stronger.
    """

    @property
    def dedup_key(self) -> str:
        fields = asdict(self)
        content = {name: fields[name] for name in CONTENT_FIELDS}
        payload = json.dumps([self.kind, content], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def save_example(
    db: sqlite_utils.Database, example: NewExample, signal_id: int, created: float
) -> int | None:
    """Insert the example (or find the existing one) and link it to ``signal_id``.

    Re-saving never duplicates: the row is found by ``dedup_key``, its weight becomes the
    larger of the two, and the link is added once. Returns ``None`` for an example the user
    deleted (it stays deleted).
    """
    if example.kind not in KINDS:
        raise ValueError(f"unknown example kind {example.kind!r}")
    if not example.weight > 0:
        raise ValueError("an example's weight must be positive")
    key = example.dedup_key
    with transaction(db):
        if db.execute("SELECT 1 FROM deleted_examples WHERE dedup_key = ?", [key]).fetchone():
            return None
        row = db.execute("SELECT id, weight FROM examples WHERE dedup_key = ?", [key]).fetchone()
        if row is None:
            fields = asdict(example)
            columns = ["kind", "dedup_key", *CONTENT_FIELDS, "weight", "created", "prompt_plain"]
            values = [example.kind, key, *(fields[n] for n in CONTENT_FIELDS)]
            values += [example.weight, created, example.prompt_plain]
            cursor = db.execute(
                f"INSERT INTO examples ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                values,
            )
            example_id = int(cursor.lastrowid)
        else:
            example_id = int(row[0])
            if example.weight > row[1]:
                db.execute(
                    "UPDATE examples SET weight = ? WHERE id = ?", [example.weight, example_id]
                )
            if example.prompt_plain is not None:  # a row saved before it was known
                db.execute(
                    "UPDATE examples SET prompt_plain = COALESCE(prompt_plain, ?) WHERE id = ?",
                    [example.prompt_plain, example_id],
                )
        db.execute(
            "INSERT OR IGNORE INTO example_signals (example_id, signal_id) VALUES (?, ?)",
            [example_id, signal_id],
        )
    return example_id


def all_examples(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every example row, oldest first: what the trainer learns from, in a stable order (the
    order feeds its checkpoint fingerprint and its schedule)."""
    return list(db.query("SELECT * FROM examples ORDER BY id"))


def dedup_keys(db: sqlite_utils.Database) -> set[str]:
    """The content key of every example (what a rebuild compares its plan with)."""
    return {row[0] for row in db.execute("SELECT dedup_key FROM examples")}


def count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM examples").fetchone()[0])


def count_created_after(db: sqlite_utils.Database, since: float) -> int:
    return int(db.execute("SELECT COUNT(*) FROM examples WHERE created > ?", [since]).fetchone()[0])


def created_since(db: sqlite_utils.Database, since: float) -> list[float]:
    """When each example made since ``since`` was made."""
    return [r[0] for r in db.execute("SELECT created FROM examples WHERE created >= ?", [since])]


def examples_for_signal(db: sqlite_utils.Database, signal_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT e.* FROM examples e JOIN example_signals es ON es.example_id = e.id "
            "WHERE es.signal_id = ? ORDER BY e.id",
            [signal_id],
        )
    )


def signal_ids_of_example(db: sqlite_utils.Database, example_id: int) -> list[int]:
    return [
        row[0]
        for row in db.execute(
            "SELECT signal_id FROM example_signals WHERE example_id = ? ORDER BY signal_id",
            [example_id],
        )
    ]


def recent_examples(db: sqlite_utils.Database, limit: int = 500) -> list[dict[str, Any]]:
    """The newest examples, each with the kinds of the signals behind it (comma-separated)
    and the user request that led to the reply it is about (to show it in plain words)."""
    return list(
        db.query(
            """
            SELECT e.*,
                   (SELECT group_concat(DISTINCT s.kind) FROM example_signals es
                    JOIN signals s ON s.id = es.signal_id WHERE es.example_id = e.id)
                       AS signal_kinds,
                   (SELECT req.content FROM example_signals es
                    JOIN signals s ON s.id = es.signal_id
                    JOIN messages m ON m.id = s.message_id
                    JOIN messages req ON req.id = m.parent_id
                    WHERE es.example_id = e.id LIMIT 1) AS request
            FROM examples e ORDER BY e.created DESC, e.id DESC LIMIT ?
            """,
            [limit],
        )
    )


def delete_example(db: sqlite_utils.Database, example_id: int) -> bool:
    """Delete one example for good (its signals stay); returns whether it existed.

    Its content key is remembered so that rebuilding from the signals does not bring back
    what the user chose to remove.
    """
    with transaction(db):
        row = db.execute("SELECT dedup_key FROM examples WHERE id = ?", [example_id]).fetchone()
        if row is None:
            return False
        db.execute(
            "INSERT OR REPLACE INTO deleted_examples (dedup_key, deleted) VALUES (?, ?)",
            [row[0], time.time()],
        )
        db.execute("DELETE FROM examples WHERE id = ?", [example_id])
    return True


def unlink(db: sqlite_utils.Database, example_id: int, signal_id: int) -> None:
    """Detach an example from a signal; an example left without any signal is deleted."""
    with transaction(db):
        db.execute(
            "DELETE FROM example_signals WHERE example_id = ? AND signal_id = ?",
            [example_id, signal_id],
        )
        db.execute(
            "DELETE FROM examples WHERE id = ? AND NOT EXISTS "
            "(SELECT 1 FROM example_signals WHERE example_id = ?)",
            [example_id, example_id],
        )


def delete_examples_except(db: sqlite_utils.Database, keep_keys: set[str]) -> int:
    """Delete every example whose ``dedup_key`` is not in ``keep_keys``; returns the count."""
    doomed = [
        row[0]
        for row in db.execute("SELECT id, dedup_key FROM examples")
        if row[1] not in keep_keys
    ]
    with transaction(db):
        for example_id in doomed:
            db.execute("DELETE FROM examples WHERE id = ?", [example_id])
    return len(doomed)


def unlink_except(db: sqlite_utils.Database, keep: set[tuple[int, int]]) -> int:
    """Remove links ``(example_id, signal_id)`` not in ``keep``; returns the count."""
    doomed = [
        (row[0], row[1])
        for row in db.execute("SELECT example_id, signal_id FROM example_signals")
        if (row[0], row[1]) not in keep
    ]
    with transaction(db):
        for example_id, signal_id in doomed:
            db.execute(
                "DELETE FROM example_signals WHERE example_id = ? AND signal_id = ?",
                [example_id, signal_id],
            )
    return len(doomed)
