"""Conversations and their message trees.

Messages form a tree: an edited user message or a regenerated reply is a *sibling* of the
one it replaces (same parent), so older branches stay reachable. A conversation remembers
the leaf the user is looking at; the visible chat is the path from the root to that leaf.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import sqlite_utils

from app.store.db import transaction


def create_conversation(db: sqlite_utils.Database, title: str = "New chat") -> int:
    now = time.time()
    cursor = db.execute(
        "INSERT INTO conversations (title, created, updated) VALUES (?, ?, ?)", (title, now, now)
    )
    return int(cursor.lastrowid)


def get_conversation(db: sqlite_utils.Database, conversation_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM conversations WHERE id = ?", [conversation_id]))
    return rows[0] if rows else None


def list_conversations(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """All conversations, most recently active first."""
    return list(db.query("SELECT * FROM conversations ORDER BY updated DESC, id DESC"))


def rename_conversation(db: sqlite_utils.Database, conversation_id: int, title: str) -> None:
    title = " ".join(title.split())[:200] or "New chat"
    db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))


def delete_conversation(db: sqlite_utils.Database, conversation_id: int) -> None:
    """Delete a conversation with its messages and everything learned from them."""
    with transaction(db):
        db.execute(
            "UPDATE conversations SET current_leaf_id = NULL WHERE id = ?", [conversation_id]
        )
        db.execute("DELETE FROM messages WHERE conversation_id = ?", [conversation_id])
        db.execute("DELETE FROM conversations WHERE id = ?", [conversation_id])


def set_excluded_from_learning(
    db: sqlite_utils.Database, conversation_id: int, excluded: bool
) -> None:
    db.execute(
        "UPDATE conversations SET excluded_from_learning = ? WHERE id = ?",
        (int(excluded), conversation_id),
    )


def add_message(
    db: sqlite_utils.Database,
    conversation_id: int,
    role: str,
    content: str,
    parent_id: int | None = None,
    *,
    as_sibling_of: int | None = None,
    **meta: Any,
) -> int:
    """Append a message and make it the conversation's current leaf.

    ``parent_id`` defaults to the current leaf. ``as_sibling_of`` creates an alternative to an
    existing message (edit-and-resend, regenerate) under the same parent.
    """
    if "skills_used" in meta and not isinstance(meta["skills_used"], str):
        meta["skills_used"] = json.dumps(meta["skills_used"])
    with transaction(db):
        if as_sibling_of is not None:
            parent_id = get_message(db, as_sibling_of)["parent_id"]
        elif parent_id is None:
            conversation = get_conversation(db, conversation_id)
            if conversation is None:
                raise KeyError(f"no conversation {conversation_id}")
            parent_id = conversation["current_leaf_id"]
        now = time.time()
        columns = ["conversation_id", "parent_id", "role", "content", "created", *meta]
        values = [conversation_id, parent_id, role, content, now, *meta.values()]
        cursor = db.execute(
            f"INSERT INTO messages ({', '.join(columns)}) VALUES ({', '.join('?' * len(values))})",
            values,
        )
        message_id = int(cursor.lastrowid)
        db.execute(
            "UPDATE conversations SET current_leaf_id = ?, updated = ? WHERE id = ?",
            (message_id, now, conversation_id),
        )
    return message_id


def update_message(db: sqlite_utils.Database, message_id: int, **fields: Any) -> None:
    """Update columns of a message (e.g. the streamed content once a reply completes)."""
    if not fields:
        return
    if "skills_used" in fields and not isinstance(fields["skills_used"], str):
        fields["skills_used"] = json.dumps(fields["skills_used"])
    assignments = ", ".join(f"{name} = ?" for name in fields)
    db.execute(f"UPDATE messages SET {assignments} WHERE id = ?", [*fields.values(), message_id])


def get_message(db: sqlite_utils.Database, message_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM messages WHERE id = ?", [message_id]))
    if not rows:
        raise KeyError(f"no message {message_id}")
    return rows[0]


def tree_shape(db: sqlite_utils.Database, conversation_id: int) -> list[tuple[int, int | None]]:
    """``(id, parent_id)`` of every message of a conversation, oldest first: the whole tree in
    one query, for drawing each bubble's alternatives."""
    return [
        (row["id"], row["parent_id"])
        for row in db.query(
            "SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY id",
            [conversation_id],
        )
    ]


def all_prompts(db: sqlite_utils.Database) -> list[str | None]:
    """The prompt recorded with every message (``None`` where none was): all the text the
    model was ever shown, for checking what reached it."""
    return [row[0] for row in db.execute("SELECT prompt FROM messages")]


def community_skills_used(db: sqlite_utils.Database, message_id: int) -> list[str]:
    """Names of the skills from a community hub that were in this reply's prompt.

    Matched by id or by name (a deleted skill's id may be reused; a name that now belongs to
    a hub skill counts too): the answer errs towards "yes", because a reply steered by a hub
    skill never runs a command without the user's click."""
    used = json.loads(get_message(db, message_id)["skills_used"] or "[]")
    ids = [int(s["id"]) for s in used if isinstance(s, dict) and s.get("id") is not None]
    names = [str(s["name"]) for s in used if isinstance(s, dict) and s.get("name")]
    if not ids and not names:
        return []
    id_marks, name_marks = (", ".join("?" * len(v)) or "NULL" for v in (ids, names))
    rows = db.query(
        f"SELECT name FROM skills WHERE community_origin IS NOT NULL "
        f"AND (id IN ({id_marks}) OR name IN ({name_marks})) ORDER BY name", [*ids, *names])
    return [row["name"] for row in rows]


def set_correction(db: sqlite_utils.Database, message_id: int, corrected: str | None) -> None:
    """Keep the original reply and store the user's corrected text beside it."""
    db.execute("UPDATE messages SET corrected = ? WHERE id = ?", (corrected, message_id))


def path_to(db: sqlite_utils.Database, message_id: int | None) -> list[dict[str, Any]]:
    """Messages from the root down to ``message_id`` (the visible chat for that leaf)."""
    if message_id is None:
        return []
    rows = list(
        db.query(
            """
            WITH RECURSIVE chain(id, depth) AS (
                SELECT ?, 0
                UNION ALL
                SELECT m.parent_id, chain.depth + 1 FROM messages m JOIN chain ON m.id = chain.id
                WHERE m.parent_id IS NOT NULL
            )
            SELECT messages.* FROM chain JOIN messages ON messages.id = chain.id
            ORDER BY chain.depth DESC
            """,
            [message_id],
        )
    )
    return rows


def current_path(db: sqlite_utils.Database, conversation_id: int) -> list[dict[str, Any]]:
    conversation = get_conversation(db, conversation_id)
    return path_to(db, conversation["current_leaf_id"]) if conversation else []


def siblings(db: sqlite_utils.Database, message_id: int) -> list[dict[str, Any]]:
    """The alternatives at this message's place in the tree (itself included), oldest first."""
    message = get_message(db, message_id)
    if message["parent_id"] is None:
        return list(
            db.query(
                "SELECT * FROM messages WHERE conversation_id = ? AND parent_id IS NULL "
                "ORDER BY id",
                [message["conversation_id"]],
            )
        )
    return list(
        db.query("SELECT * FROM messages WHERE parent_id = ? ORDER BY id", [message["parent_id"]])
    )


def latest_leaf_under(db: sqlite_utils.Database, message_id: int) -> int:
    """Follow the newest child down to a leaf: where the user was on that branch."""
    current = message_id
    while True:
        rows = list(
            db.query(
                "SELECT id FROM messages WHERE parent_id = ? ORDER BY id DESC LIMIT 1", [current]
            )
        )
        if not rows:
            return current
        current = rows[0]["id"]


def switch_branch(db: sqlite_utils.Database, message_id: int) -> int:
    """Show the branch through ``message_id``; return the new current leaf."""
    message = get_message(db, message_id)
    leaf = latest_leaf_under(db, message_id)
    db.execute(
        "UPDATE conversations SET current_leaf_id = ? WHERE id = ?",
        (leaf, message["conversation_id"]),
    )
    return leaf


_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """Turn free user text into a safe FTS5 query (prefix match on every word)."""
    words = _FTS_TOKEN.findall(text)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:16])


def search_messages(db: sqlite_utils.Database, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Full-text search over message contents and corrections, best matches first."""
    query = fts_query(text)
    if query is None:
        return []
    return list(
        db.query(
            """
            SELECT m.id AS message_id, m.conversation_id, c.title, m.role,
                   snippet(messages_fts, -1, '[', ']', '…', 12) AS snippet
            FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
            JOIN conversations c ON c.id = m.conversation_id
            WHERE messages_fts MATCH ? ORDER BY bm25(messages_fts) LIMIT ?
            """,
            [query, limit],
        )
    )
