"""A real store and a small driver that records conversations the way a Turn does."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlite_utils

from app.model.prompt import DEFAULT_SYSTEM_PROMPT, render_chat
from app.store import conversations as conv
from app.store.commands import CommandRun, record_command
from app.store.db import open_db


class Chat:
    """One conversation in the real database; replies carry the prompt the model would see."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.id = conv.create_conversation(db, "test chat")

    def say(self, text: str, **parent: Any) -> int:
        """A user message at the current leaf (or ``as_sibling_of=`` an earlier one)."""
        return conv.add_message(self.db, self.id, "user", text, **parent)

    def reply(self, text: str, *, to: int | None = None, prompt: bool = True, **where: Any) -> int:
        """An assistant reply to user message ``to`` (default: the current leaf)."""
        parent = (
            to if to is not None else conv.get_conversation(self.db, self.id)["current_leaf_id"]
        )
        if "as_sibling_of" in where:
            parent = conv.get_message(self.db, where["as_sibling_of"])["parent_id"]
        path = conv.path_to(self.db, parent)
        messages = [{"role": "system", "content": DEFAULT_SYSTEM_PROMPT}]
        messages += [{"role": m["role"], "content": m["corrected"] or m["content"]} for m in path]
        rendered = render_chat(messages) if prompt else None
        return conv.add_message(
            self.db, self.id, "assistant", text, parent_id=parent, prompt=rendered
        )

    def ask(self, text: str, answer: str, *, prompt: bool = True) -> tuple[int, int]:
        user = self.say(text)
        return user, self.reply(answer, to=user, prompt=prompt)

    def prompt_of(self, message_id: int) -> str:
        return conv.get_message(self.db, message_id)["prompt"]

    def run(
        self,
        command: str,
        exit_code: int | None,
        *,
        origin: str = "assistant",
        message_id: int | None = None,
        original: str | None = None,
        output: str = "",
        finished: float | None = None,
    ) -> int:
        """A finished command run, stored as the terminal stores it."""
        run = CommandRun(
            command=command,
            origin=origin,
            cwd="/tmp",
            exit_code=exit_code,
            duration_s=0.5,
            output_tail=output,
            message_id=message_id,
            original_command=original,
        )
        return record_command(self.db, run, finished=finished or time.time())


@pytest.fixture
def db() -> sqlite_utils.Database:
    return open_db()


@pytest.fixture
def chat(db: sqlite_utils.Database) -> Chat:
    return Chat(db)
