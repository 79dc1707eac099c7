"""One chat written out as Markdown (to read or paste) or JSON (to process), and
``flywheel export``.

What is exported is the branch the user sees: the conversation's current path, as the window
shows it. A reply the user corrected is written as corrected (that is what the chat now
says), with the model's original kept beside it, so nothing the database holds about the
visible turns is hidden. The exact prompts the model saw are left out: they repeat the whole
history at every turn and hold the learned skills, not the chat.

Files are written atomically (:mod:`app.atomic`): an export interrupted half-way never
leaves a truncated file where the user expects a chat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

import sqlite_utils

from app.atomic import write_text_atomic
from app.store import conversations as conv

FORMATS = ("md", "json")
JSON_FORMAT_NAME = "flywheel-chat"
JSON_FORMAT_VERSION = 1
ROLE_TITLES = {"user": "You", "assistant": "Flywheel"}


class ExportError(ValueError):
    """The chat cannot be exported as asked (unknown chat, unknown format)."""


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


def chat_record(db: sqlite_utils.Database, conversation_id: int) -> dict[str, Any]:
    """The chat as plain data: its title and times, and each message of the visible branch."""
    conversation = conv.get_conversation(db, conversation_id)
    if conversation is None:
        raise ExportError(f"there is no chat with id {conversation_id}")
    messages = []
    for row in conv.current_path(db, conversation_id):
        if row["role"] == "system":
            continue
        messages.append(
            {
                "id": row["id"],
                "role": row["role"],
                "content": row["corrected"] or row["content"],
                "original": row["content"] if row["corrected"] else None,
                "created": _iso(row["created"]),
                "model": row["model"],
                "adapter_version": row["adapter_version"],
                "skills_used": [s["name"] for s in json.loads(row["skills_used"] or "[]")],
            }
        )
    return {
        "format": JSON_FORMAT_NAME,
        "version": JSON_FORMAT_VERSION,
        "id": conversation["id"],
        "title": conversation["title"],
        "created": _iso(conversation["created"]),
        "updated": _iso(conversation["updated"]),
        "messages": messages,
    }


def to_json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _fence_for(text: str) -> str:
    """A code fence longer than any backtick run in ``text``, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def to_markdown(record: dict[str, Any]) -> str:
    """A readable document: the title, then each turn under a heading naming its author.

    Replies are Markdown already and are written as they are; the user's own messages are
    shown verbatim in the window, so they are fenced here to stay verbatim when rendered.
    """
    lines = [f"# {record['title']}", "", f"*Exported from Flywheel, chat {record['id']}, "
             f"started {record['created']}.*", ""]
    for message in record["messages"]:
        title = ROLE_TITLES.get(message["role"], message["role"])
        if message["model"]:
            version = message["adapter_version"]
            title += f" ({message['model']}{f', adapter v{version}' if version else ''})"
        lines += [f"## {title}", ""]
        text = message["content"]
        if message["role"] == "user":
            fence = _fence_for(text)
            lines += [f"{fence}text", text, fence]
        else:
            lines.append(text)
        if message["original"] is not None:
            fence = _fence_for(message["original"])
            lines += ["", "*Corrected by you. The model first wrote:*", "",
                      f"{fence}markdown", message["original"], fence]
        lines.append("")
    return "\n".join(lines)


def format_for(path: Path, fallback: str = "md") -> str:
    """``json`` for a ``.json`` file, ``md`` for ``.md`` / ``.markdown``, else ``fallback``."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".md", ".markdown"):
        return "md"
    return fallback


def render(db: sqlite_utils.Database, conversation_id: int, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (use md or json)")
    record = chat_record(db, conversation_id)
    return to_json(record) if fmt == "json" else to_markdown(record)


def export_chat(db: sqlite_utils.Database, conversation_id: int, path: Path,
                fmt: str | None = None) -> Path:
    """Write the chat to ``path`` atomically, in ``fmt`` or the format its suffix names."""
    write_text_atomic(path, render(db, conversation_id, fmt or format_for(path)))
    return path


def suggested_file_name(title: str, fmt: str = "md") -> str:
    """A file name from the chat's title, safe on every file system."""
    stem = re.sub(r"[^\w\- ]+", "", title).strip().replace(" ", "-")[:60] or "chat"
    return f"{stem}.{fmt}"


# -- flywheel export -------------------------------------------------------------------------


def add_parser(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export", help="write one chat as Markdown or JSON (without an id: list the chats)"
    )
    export.add_argument("chat_id", nargs="?", type=int, help="the chat's id (see the list)")
    export.add_argument("--format", choices=FORMATS,
                        help="md or json (default: from the output file's name, else md)")
    export.add_argument("-o", "--output", help="file to write (default: print the chat)")
    export.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """List the chats, or print / write one; every failure is one line on stderr, exit 1."""
    from app.cli import open_db_or_report

    db = open_db_or_report()
    if db is None:
        return 1
    try:
        if args.chat_id is None:
            rows = conv.list_conversations(db)
            if not rows:
                print("no chats yet")
            for row in rows:
                when = dt.datetime.fromtimestamp(row["updated"]).strftime("%Y-%m-%d %H:%M")
                print(f"{row['id']:>5}  {when}  {row['title']}")
            return 0
        if args.output:
            path = Path(args.output).expanduser()
            export_chat(db, args.chat_id, path, args.format)
            print(f"wrote {path}")
        else:
            sys.stdout.write(render(db, args.chat_id, args.format or "md"))
        return 0
    except (ExportError, sqlite3.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        db.conn.close()
