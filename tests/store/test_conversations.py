from app.store import conversations as conv
from app.store.db import open_db


def test_messages_form_a_tree_with_reachable_branches() -> None:
    db = open_db()
    cid = conv.create_conversation(db, "Shell help")
    q1 = conv.add_message(db, cid, "user", "how do I list files?")
    a1 = conv.add_message(db, cid, "assistant", "Use `ls`.")
    edited = conv.add_message(db, cid, "user", "how do I list hidden files?", as_sibling_of=q1)
    a2 = conv.add_message(db, cid, "assistant", "Use `ls -a`.")
    assert [m["id"] for m in conv.current_path(db, cid)] == [edited, a2]
    assert [m["id"] for m in conv.siblings(db, edited)] == [q1, edited]
    conv.switch_branch(db, q1)
    assert [m["id"] for m in conv.current_path(db, cid)] == [q1, a1]


def test_regenerate_is_a_sibling_reply() -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    conv.add_message(db, cid, "user", "hi")
    first = conv.add_message(db, cid, "assistant", "hello")
    second = conv.add_message(db, cid, "assistant", "hey there", as_sibling_of=first)
    assert [m["id"] for m in conv.siblings(db, first)] == [first, second]
    assert conv.current_path(db, cid)[-1]["content"] == "hey there"


def test_correction_keeps_original_and_is_searchable() -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    conv.add_message(db, cid, "user", "which tool for json?")
    reply = conv.add_message(db, cid, "assistant", "use sed")
    conv.set_correction(db, reply, "use jq")
    stored = conv.get_message(db, reply)
    assert (stored["content"], stored["corrected"]) == ("use sed", "use jq")
    hits = conv.search_messages(db, "jq")
    assert [h["message_id"] for h in hits] == [reply]


def test_search_handles_fts_syntax_in_user_text() -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    conv.add_message(db, cid, "user", 'grep "AND" OR NOT files*')
    assert conv.search_messages(db, 'grep "AND" OR (') != []
    assert conv.search_messages(db, '"*()') == []


def test_delete_conversation_removes_messages() -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    conv.add_message(db, cid, "user", "secret plans")
    conv.delete_conversation(db, cid)
    assert conv.list_conversations(db) == []
    assert conv.search_messages(db, "secret") == []
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
