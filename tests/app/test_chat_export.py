"""Exporting one chat: the visible branch, as Markdown or JSON, from the library and from
`flywheel export` (a real process on a real database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.chat_export import ExportError, export_chat, format_for, render, suggested_file_name
from app.store import conversations as conv
from app.store.db import open_db
from tests.app.test_cli import run


def branched_chat() -> tuple[int, dict[str, int]]:
    """A chat whose first reply was regenerated (two branches) and whose shown reply was
    corrected; the user message holds a code fence of its own."""
    db = open_db()
    cid = conv.create_conversation(db, "Listing files")
    ids = {"user": conv.add_message(db, cid, "user", "How do I list files?\n```\nls?\n```")}
    ids["old"] = conv.add_message(db, cid, "assistant", "Use dir.", model="m.gguf")
    ids["new"] = conv.add_message(
        db, cid, "assistant", "Use `ls`:\n\n```bash\nls -la\n```", as_sibling_of=ids["old"],
        model="m.gguf", adapter_version="3", skills_used=[{"id": 1, "name": "use-ls"}],
    )
    conv.set_correction(db, ids["new"], "Use `ls -la`.")
    ids["follow"] = conv.add_message(db, cid, "user", "Thanks!")
    return cid, ids


def test_json_holds_the_visible_branch_with_corrections_and_their_originals() -> None:
    cid, ids = branched_chat()
    record = json.loads(render(open_db(), cid, "json"))
    assert record["format"] == "flywheel-chat" and record["version"] == 1
    assert record["title"] == "Listing files" and record["id"] == cid
    assert [m["id"] for m in record["messages"]] == [ids["user"], ids["new"], ids["follow"]]
    reply = record["messages"][1]
    assert reply["content"] == "Use `ls -la`."
    assert reply["original"] == "Use `ls`:\n\n```bash\nls -la\n```"
    assert reply["model"] == "m.gguf" and reply["adapter_version"] == "3"
    assert reply["skills_used"] == ["use-ls"]
    assert record["messages"][0]["original"] is None


def test_markdown_reads_as_the_chat_and_keeps_user_text_verbatim() -> None:
    cid, _ = branched_chat()
    text = render(open_db(), cid, "md")
    assert text.startswith("# Listing files\n")
    assert "Use dir." not in text  # the other branch is not the chat the user sees
    assert "## Flywheel (m.gguf, adapter v3)\n\nUse `ls -la`." in text
    # The user's own fence cannot close the fence around it.
    assert "````text\nHow do I list files?\n```\nls?\n```\n````" in text
    assert "*Corrected by you. The model first wrote:*" in text
    assert text.index("## You") < text.index("## Flywheel") < text.rindex("Thanks!")


def test_export_writes_the_format_its_file_name_says(tmp_path: Path) -> None:
    cid, _ = branched_chat()
    db = open_db()
    out = tmp_path / "exports"
    export_chat(db, cid, out / "chat.json")
    assert json.loads((out / "chat.json").read_text())["id"] == cid
    export_chat(db, cid, out / "chat.md")
    assert (out / "chat.md").read_text().startswith("# Listing files")
    assert sorted(p.name for p in out.iterdir()) == ["chat.json", "chat.md"]  # no temp left
    assert format_for(Path("x.MARKDOWN")) == "md" and format_for(Path("x"), "json") == "json"


def test_bad_requests_are_refused_clearly() -> None:
    db = open_db()
    with pytest.raises(ExportError, match="no chat with id 99"):
        render(db, 99, "md")
    cid, _ = branched_chat()
    with pytest.raises(ExportError, match="unknown export format"):
        render(db, cid, "pdf")


def test_file_names_come_from_the_title_safely() -> None:
    assert suggested_file_name("How do I: list/files?", "json") == "How-do-I-listfiles.json"
    assert suggested_file_name("../..", "md") == "chat.md"


def test_flywheel_export_lists_prints_and_writes(flywheel_home: Path, tmp_path: Path) -> None:
    cid, _ = branched_chat()
    listed = run(["export"], flywheel_home)
    assert listed.returncode == 0 and f"{cid}" in listed.stdout and "Listing files" in listed.stdout
    printed = run(["export", str(cid)], flywheel_home)
    assert printed.returncode == 0 and printed.stdout.startswith("# Listing files")
    out = tmp_path / "out.json"
    written = run(["export", str(cid), "-o", str(out)], flywheel_home)
    assert written.returncode == 0, written.stderr
    assert json.loads(out.read_text())["title"] == "Listing files"
    forced = run(["export", str(cid), "--format", "json"], flywheel_home)
    assert json.loads(forced.stdout)["id"] == cid
    missing = run(["export", "4242"], flywheel_home)
    assert missing.returncode == 1 and "no chat with id 4242" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_flywheel_export_on_a_damaged_database_says_so(flywheel_home: Path) -> None:
    flywheel_home.mkdir(parents=True, exist_ok=True)
    (flywheel_home / "flywheel.db").write_bytes(b"this is not a database" * 100)
    result = run(["export"], flywheel_home)
    assert result.returncode == 1 and "error:" in result.stderr
    assert "Traceback" not in result.stderr
