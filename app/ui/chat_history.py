"""The visible path of a conversation, read from the database as the chat view draws it."""

from __future__ import annotations

import json

import sqlite_utils

from app.store import conversations as conv
from app.store import signals as signal_store
from app.ui.message_widget import MessageView


def message_views(db: sqlite_utils.Database, conversation_id: int) -> list[MessageView]:
    """The visible path of a conversation, with what each bubble needs to draw itself.

    Three queries whatever the length (path, tree shape, thumbs), so that finishing a
    turn in a long conversation does not stall the window on per-message look-ups.
    """
    rows = [r for r in conv.current_path(db, conversation_id) if r["role"] != "system"]
    children: dict[int | None, list[int]] = {}
    for node_id, parent_id in conv.tree_shape(db, conversation_id):
        children.setdefault(parent_id, []).append(int(node_id))
    thumbs = signal_store.latest_thumbs(db, conversation_id)
    last = len(rows) - 1
    return [
        MessageView(
            message_id=int(row["id"]),
            role=row["role"],
            content=row["content"],
            corrected=row["corrected"],
            sibling_ids=tuple(children.get(row["parent_id"], [row["id"]])),
            tok_s=row["tok_s"],
            finish_reason=row["finish_reason"],
            thumb=thumbs.get(int(row["id"]), 0),
            can_regenerate=row["role"] == "assistant" and index == last,
            skills_used=tuple(s["name"] for s in json.loads(row["skills_used"] or "[]")),
            context_tokens=(row["prompt_tokens"] or 0) + (row["completion_tokens"] or 0),
            context_size=row["context_size"],
            cut_tokens=row["cut_tokens"] or 0,
            dropped_messages=row["dropped_messages"] or 0,
        )
        for index, row in enumerate(rows)
    ]
