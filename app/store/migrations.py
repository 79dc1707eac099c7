"""Append-only, numbered schema migrations.

Never edit a migration that has shipped: add ``m00N_...`` instead. The list order is the
schema version, and a database that has applied a migration this code does not know comes
from a newer Flywheel and is refused before anything touches it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def execute_script(db: sqlite_utils.Database, script: str) -> None:
    """Run several statements inside the caller's transaction.

    ``sqlite3.executescript`` commits first on Python 3.11, which would make a failed
    migration half-applied; splitting on complete statements keeps it atomic.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement.strip()[:80]}")


def m001_initial(db: sqlite_utils.Database) -> None:
    """Conversations as message trees, learning signals and everything built from them."""
    execute_script(
        db,
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT 'New chat',
            created REAL NOT NULL,
            updated REAL NOT NULL,
            current_leaf_id INTEGER,
            excluded_from_learning INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL,
            corrected TEXT,
            prompt TEXT,
            model TEXT,
            adapter_version TEXT,
            skills_used TEXT NOT NULL DEFAULT '[]',
            completion_tokens INTEGER,
            tok_s REAL,
            finish_reason TEXT,
            created REAL NOT NULL
        );
        CREATE INDEX messages_conversation ON messages(conversation_id);
        CREATE INDEX messages_parent ON messages(parent_id);

        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, corrected, content='messages', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts(rowid, content, corrected)
            VALUES (new.id, new.content, coalesce(new.corrected, ''));
        END;
        CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content, corrected)
            VALUES ('delete', old.id, old.content, coalesce(old.corrected, ''));
        END;
        CREATE TRIGGER messages_au AFTER UPDATE OF content, corrected ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content, corrected)
            VALUES ('delete', old.id, old.content, coalesce(old.corrected, ''));
            INSERT INTO messages_fts(rowid, content, corrected)
            VALUES (new.id, new.content, coalesce(new.corrected, ''));
        END;

        CREATE TABLE signals (
            id INTEGER PRIMARY KEY,
            message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            command_id INTEGER REFERENCES commands(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            score REAL NOT NULL DEFAULT 0,
            hint TEXT,
            detector TEXT NOT NULL,
            confidence REAL NOT NULL DEFAULT 1,
            provenance TEXT NOT NULL DEFAULT '{}',
            created REAL NOT NULL
        );
        CREATE INDEX signals_message ON signals(message_id);

        CREATE TABLE commands (
            id INTEGER PRIMARY KEY,
            message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
            command TEXT NOT NULL,
            original_command TEXT,
            cwd TEXT,
            origin TEXT NOT NULL CHECK (origin IN ('assistant', 'user', 'edited')),
            sandboxed INTEGER NOT NULL DEFAULT 0,
            exit_code INTEGER,
            duration_s REAL,
            output_tail TEXT,
            timed_out INTEGER NOT NULL DEFAULT 0,
            started REAL NOT NULL,
            finished REAL
        );

        CREATE TABLE examples (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('sft', 'pair', 'unpaired', 'hinted')),
            dedup_key TEXT NOT NULL UNIQUE,
            prompt TEXT NOT NULL,
            target TEXT,
            chosen TEXT,
            rejected TEXT,
            reply TEXT,
            label REAL,
            hint TEXT,
            weight REAL NOT NULL DEFAULT 1,
            created REAL NOT NULL
        );
        CREATE TABLE example_signals (
            example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
            signal_id INTEGER NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
            PRIMARY KEY (example_id, signal_id)
        );

        CREATE TABLE skills (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL,
            body TEXT NOT NULL,
            category TEXT,
            path TEXT,
            enabled INTEGER NOT NULL DEFAULT 1,
            retired INTEGER NOT NULL DEFAULT 0,
            uses INTEGER NOT NULL DEFAULT 0,
            successes INTEGER NOT NULL DEFAULT 0,
            origin_signals TEXT NOT NULL DEFAULT '[]',
            community_origin TEXT,
            created REAL NOT NULL,
            updated REAL NOT NULL
        );
        CREATE VIRTUAL TABLE skills_fts USING fts5(
            name, description, body, content='skills', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER skills_ai AFTER INSERT ON skills BEGIN
            INSERT INTO skills_fts(rowid, name, description, body)
            VALUES (new.id, new.name, new.description, new.body);
        END;
        CREATE TRIGGER skills_ad AFTER DELETE ON skills BEGIN
            INSERT INTO skills_fts(skills_fts, rowid, name, description, body)
            VALUES ('delete', old.id, old.name, old.description, old.body);
        END;
        CREATE TRIGGER skills_au AFTER UPDATE OF name, description, body ON skills BEGIN
            INSERT INTO skills_fts(skills_fts, rowid, name, description, body)
            VALUES ('delete', old.id, old.name, old.description, old.body);
            INSERT INTO skills_fts(rowid, name, description, body)
            VALUES (new.id, new.name, new.description, new.body);
        END;
        CREATE TABLE skill_uses (
            id INTEGER PRIMARY KEY,
            skill_id INTEGER NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            outcome REAL,
            created REAL NOT NULL
        );

        CREATE TABLE training_runs (
            id INTEGER PRIMARY KEY,
            started REAL NOT NULL,
            finished REAL,
            status TEXT NOT NULL,
            base_sha256 TEXT NOT NULL,
            n_examples INTEGER NOT NULL DEFAULT 0,
            config TEXT NOT NULL DEFAULT '{}',
            metrics TEXT NOT NULL DEFAULT '{}',
            error TEXT
        );
        CREATE TABLE adapters (
            id INTEGER PRIMARY KEY,
            base_sha256 TEXT NOT NULL,
            version INTEGER NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('candidate', 'active', 'rejected', 'retired')),
            run_id INTEGER REFERENCES training_runs(id) ON DELETE SET NULL,
            metrics TEXT NOT NULL DEFAULT '{}',
            created REAL NOT NULL,
            UNIQUE (base_sha256, version)
        );

        CREATE TABLE exports (
            id INTEGER PRIMARY KEY,
            skill_id INTEGER REFERENCES skills(id) ON DELETE SET NULL,
            hub_url TEXT NOT NULL,
            status TEXT NOT NULL,
            payload_sha256 TEXT,
            remote_id TEXT,
            created REAL NOT NULL,
            sent REAL,
            withdrawn REAL
        );
        """
    )


def m002_skill_uses_indexes(db: sqlite_utils.Database) -> None:
    """Skill outcomes are looked up by message on every signal, and deleting a skill
    cascades to its uses; both scanned the whole table without these."""
    execute_script(
        db,
        """
        CREATE INDEX skill_uses_message ON skill_uses(message_id);
        CREATE INDEX skill_uses_skill ON skill_uses(skill_id);
        """,
    )


def m003_examples_follow_signals(db: sqlite_utils.Database) -> None:
    """An example must not outlive the evidence it was built from, nor come back once the
    user deleted it.

    Signals disappear by cascade too (a deleted conversation takes its messages, their
    signals and the commands' signals with it). The link rows cascaded, but the examples
    stayed, holding the deleted conversation's prompt text; the trigger deletes every
    example that rested on a signal before the signal goes. The indexes make that lookup
    and the command cascade cheap. ``deleted_examples`` remembers the content keys of
    examples the user deleted by hand, so rebuilding from the signals does not restore them.
    """
    execute_script(
        db,
        """
        CREATE TABLE deleted_examples (dedup_key TEXT PRIMARY KEY, deleted REAL NOT NULL);
        CREATE INDEX example_signals_signal ON example_signals(signal_id);
        CREATE INDEX signals_command ON signals(command_id);
        CREATE TRIGGER signals_bd_examples BEFORE DELETE ON signals BEGIN
            DELETE FROM examples WHERE id IN
                (SELECT example_id FROM example_signals WHERE signal_id = old.id);
        END;
        """,
    )


def m004_export_queue(db: sqlite_utils.Database) -> None:
    """Community exports wait in this table until the hub is reachable, so the approved
    bundle itself is kept (``payload``, signed JSON); ``skill_name`` keeps the sharing log
    readable after the skill is deleted, and ``error`` says why a hub refused one."""
    execute_script(
        db,
        """
        ALTER TABLE exports ADD COLUMN skill_name TEXT;
        ALTER TABLE exports ADD COLUMN payload TEXT;
        ALTER TABLE exports ADD COLUMN error TEXT;
        CREATE INDEX exports_status ON exports(status);
        """,
    )


def m005_standing_skills(db: sqlite_utils.Database) -> None:
    """A skill that ``applies`` ``always`` (a tone, a format, a fact about the user) is put
    in every turn's prompt; the column lets retrieval find those few without a scan."""
    execute_script(
        db,
        """
        ALTER TABLE skills ADD COLUMN applies TEXT NOT NULL DEFAULT 'relevant';
        CREATE INDEX skills_applies ON skills(applies) WHERE applies = 'always';
        """,
    )


def m006_prompt_without_skills(db: sqlite_utils.Database) -> None:
    """A reply written with skills in its prompt also keeps the prompt it would have had
    without them, and so do its examples: the trainer teaches the lesson both ways, so an
    adapter does not depend on the skills' worked examples being retrieved."""
    execute_script(
        db,
        """
        ALTER TABLE messages ADD COLUMN prompt_plain TEXT;
        ALTER TABLE examples ADD COLUMN prompt_plain TEXT;
        """,
    )


def m007_command_network(db: sqlite_utils.Database) -> None:
    """Whether a sandboxed run had the network: the card shows how each run went, and a run
    that only worked with the network is not the same evidence as one that worked without."""
    execute_script(db, "ALTER TABLE commands ADD COLUMN network INTEGER NOT NULL DEFAULT 0;")


def m008_reply_context(db: sqlite_utils.Database) -> None:
    """What fitting a reply's prompt into the model's context cost, so the window can say it
    under the reply and show how full the chat's context is: the prompt's tokens, the
    context size, tokens left out of the middle of the user's message, and the oldest
    messages left out."""
    execute_script(
        db,
        """
        ALTER TABLE messages ADD COLUMN prompt_tokens INTEGER;
        ALTER TABLE messages ADD COLUMN context_size INTEGER;
        ALTER TABLE messages ADD COLUMN cut_tokens INTEGER;
        ALTER TABLE messages ADD COLUMN dropped_messages INTEGER;
        """,
    )


def m009_community_received(db: sqlite_utils.Database) -> None:
    """Receiving from a hub: the domains the user subscribed to, and every hub skill this
    install has seen (waiting in the inbox, imported, dismissed or refused), so a skill is
    fetched once and a dismissed or deleted one never comes back by itself. A waiting
    skill keeps its verified bundle, so the inbox previews it without the network."""
    execute_script(
        db,
        """
        CREATE TABLE community_subscriptions (
            domain TEXT PRIMARY KEY,
            created REAL NOT NULL
        );
        CREATE TABLE community_received (
            id INTEGER PRIMARY KEY,
            hub_url TEXT NOT NULL,
            remote_id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            domains TEXT NOT NULL DEFAULT '[]',
            contributor TEXT NOT NULL DEFAULT '',
            endorsements INTEGER NOT NULL DEFAULT 0,
            bundle TEXT,
            status TEXT NOT NULL,
            reason TEXT,
            skill_name TEXT,
            received REAL NOT NULL,
            decided REAL,
            UNIQUE (hub_url, remote_id)
        );
        CREATE INDEX community_received_status ON community_received(status);
        """,
    )


def m010_outcome_feedback(db: sqlite_utils.Database) -> None:
    """Endorsements and reports this install sends about imported skills go through the
    sharing log like the skills it shares (``kind`` says which: ``skill``, ``endorse`` or
    ``report``), so the user sees each one and can cancel it while it waits. At most one per
    hub skill and verdict, ever: a cancelled or sent one is never queued again."""
    execute_script(
        db,
        """
        ALTER TABLE exports ADD COLUMN kind TEXT NOT NULL DEFAULT 'skill';
        CREATE UNIQUE INDEX exports_feedback_once ON exports(hub_url, remote_id, kind)
            WHERE kind != 'skill';
        """,
    )


def m012_skill_vectors(db: sqlite_utils.Database) -> None:
    """Where an imported skill came from (another agent's folder), so the library lists it
    with its origin; and each skill's sentence embedding, computed when the skill is
    written, so retrieval by meaning embeds only the request. ``model`` names the embedding
    model version (a new one makes a vector stale); ``text_sha256`` is the text that was
    embedded (a save that changes only counters does not embed again).
    ``skill_vectors_version`` counts every change to the vectors, so a process keeps the
    whole matrix in memory and rereads it only then."""
    execute_script(
        db,
        """
        ALTER TABLE skills ADD COLUMN imported_from TEXT;
        CREATE TABLE skill_vectors (
            skill_id INTEGER PRIMARY KEY REFERENCES skills(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            vector BLOB NOT NULL
        );
        CREATE TABLE skill_vectors_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO skill_vectors_version (id, version) VALUES (1, 0);
        CREATE TRIGGER skill_vectors_ai AFTER INSERT ON skill_vectors BEGIN
            UPDATE skill_vectors_version SET version = version + 1;
        END;
        CREATE TRIGGER skill_vectors_au AFTER UPDATE ON skill_vectors BEGIN
            UPDATE skill_vectors_version SET version = version + 1;
        END;
        CREATE TRIGGER skill_vectors_ad AFTER DELETE ON skill_vectors BEGIN
            UPDATE skill_vectors_version SET version = version + 1;
        END;
        """,
    )


def m013_skill_reach(db: sqlite_utils.Database) -> None:
    """How close in meaning a request must be to a habit skill taught on several requests
    (``reach``: the cosine its least typical taught request has to the centre of the
    others); ``NULL`` for a skill embedded from one text."""
    execute_script(db, "ALTER TABLE skill_vectors ADD COLUMN reach REAL;")


def m014_teacher_texts_out_of_run_metrics(db: sqlite_utils.Database) -> None:
    """Each run's metrics without the hint and teacher reply it logged per hinted example:
    the user's words (a secret typed in a hint) stayed there after the example was deleted.
    Runs since keep only the verdicts (``trainer.teacher.TeacherReport.as_dict``)."""
    execute_script(
        db,
        """
        UPDATE training_runs SET metrics = json_set(metrics, '$.teacher.examples', (
            SELECT json_group_array(json(json_remove(value, '$.hint', '$.reply')))
            FROM json_each(metrics, '$.teacher.examples')
        ))
        WHERE json_valid(metrics) AND json_type(metrics, '$.teacher.examples') = 'array';
        """,
    )


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_skill_uses_indexes,
    m003_examples_follow_signals,
    m004_export_queue,
    m005_standing_skills,
    m006_prompt_without_skills,
    m007_command_network,
    m008_reply_context,
    m009_community_received,
    m010_outcome_feedback,
    m012_skill_vectors,
    m013_skill_reach,
    m014_teacher_texts_out_of_run_metrics,
]
