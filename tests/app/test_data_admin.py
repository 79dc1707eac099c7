"""Exporting and deleting the user's data folder, with a live WAL database."""

from __future__ import annotations

import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from app import paths, settings
from app.data_admin import DataAdminError, ExportCancelled, delete_all_data, export_all_data
from app.store.conversations import add_message, create_conversation
from app.store.db import open_db
from app.store.signals import record_signal


@pytest.fixture
def live_db() -> Iterator[sqlite_utils.Database]:
    """A database with a conversation and a signal, still open (its pages sit in the WAL)."""
    db = open_db()
    conversation = create_conversation(db, "Private trip planning")
    message = add_message(db, conversation, "user", "my passport number is X123")
    record_signal(db, "thumb", message_id=message, score=1.0, detector="test")
    yield db
    db.conn.close()


@pytest.fixture
def data_folder(live_db: sqlite_utils.Database) -> Path:
    """A data folder holding one of everything Flywheel writes."""
    home = paths.user_dir()
    settings.save(settings.Settings())
    (paths.skills_dir() / "use-rg").mkdir(parents=True)
    (paths.skills_dir() / "use-rg" / "SKILL.md").write_text("---\nname: use-rg\n---\nUse rg.\n")
    adapter = paths.adapters_dir() / "abc123" / "v1"
    adapter.mkdir(parents=True)
    (adapter / "adapter.gguf").write_bytes(b"GGUF" + bytes(3000))
    (paths.logs_dir() / "app.log").write_text("started\n" * 1000)
    paths.models_dir().mkdir()
    (paths.models_dir() / "big.gguf").write_bytes(b"GGUF" + bytes(5000))
    return home


def test_export_contains_a_readable_db_snapshot(data_folder: Path, tmp_path: Path) -> None:
    assert paths.db_path().with_name("flywheel.db-wal").stat().st_size > 0
    calls: list[tuple[int, int]] = []
    dest = export_all_data(tmp_path / "out" / "export.zip", lambda d, t: calls.append((d, t)))
    assert dest == (tmp_path / "out" / "export.zip").resolve()
    with zipfile.ZipFile(dest) as archive:
        names = set(archive.namelist())
        assert {
            "flywheel.db",
            "settings.toml",
            "skills/use-rg/SKILL.md",
            "adapters/abc123/v1/adapter.gguf",
            "logs/app.log",
        } <= names
        assert not any(name.endswith(("-wal", "-shm")) for name in names)
        assert not any(name.startswith("models/") for name in names)
        assert archive.read("skills/use-rg/SKILL.md").startswith(b"---\nname: use-rg")
        archive.extract("flywheel.db", tmp_path / "unpacked")
    snapshot = sqlite3.connect(tmp_path / "unpacked" / "flywheel.db")
    assert snapshot.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert snapshot.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert snapshot.execute("SELECT title FROM conversations").fetchall() == [
        ("Private trip planning",)
    ]
    assert snapshot.execute("SELECT content FROM messages").fetchall() == [
        ("my passport number is X123",)
    ]
    assert snapshot.execute("SELECT count(*) FROM signals").fetchone()[0] == 1
    snapshot.close()
    assert calls[-1][0] == calls[-1][1] > 0
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert list(dest.parent.iterdir()) == [dest]


def test_export_can_include_models(data_folder: Path, tmp_path: Path) -> None:
    dest = export_all_data(tmp_path / "with-models.zip", include_models=True)
    with zipfile.ZipFile(dest) as archive:
        assert "models/big.gguf" in archive.namelist()


def test_export_refuses_a_destination_inside_the_data_folder(data_folder: Path) -> None:
    with pytest.raises(DataAdminError, match="outside the data folder"):
        export_all_data(data_folder / "export.zip")
    assert not (data_folder / "export.zip").exists()


def test_cancelled_export_leaves_no_file(data_folder: Path, tmp_path: Path) -> None:
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done > 0:
            cancel.set()

    with pytest.raises(ExportCancelled):
        export_all_data(tmp_path / "out" / "export.zip", progress, cancel=cancel)
    assert list((tmp_path / "out").iterdir()) == []


def test_delete_removes_everything_and_nothing_outside(data_folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not Flywheel's")
    (paths.adapters_dir() / "linked-folder").symlink_to(outside, target_is_directory=True)
    (paths.skills_dir() / "linked-file").symlink_to(outside / "keep.txt")
    neighbour = data_folder.parent / "neighbour.txt"
    neighbour.write_text("next door")

    delete_all_data()

    assert list(data_folder.iterdir()) == []
    assert (outside / "keep.txt").read_text() == "not Flywheel's"
    assert neighbour.read_text() == "next door"
    fresh = open_db()
    assert fresh.execute("SELECT count(*) FROM conversations").fetchone()[0] == 0
    fresh.conn.close()


def test_delete_leaves_files_flywheel_did_not_write(data_folder: Path) -> None:
    """FLYWHEEL_HOME may point at a shared folder: only Flywheel's own entries go."""
    (data_folder / "thesis.docx").write_text("years of work")
    (data_folder / "photos").mkdir()
    (data_folder / "photos" / "a.jpg").write_bytes(b"jpg")
    (data_folder / "shell_history").write_text("ls\n")

    delete_all_data()

    assert sorted(entry.name for entry in data_folder.iterdir()) == ["photos", "thesis.docx"]
    assert (data_folder / "thesis.docx").read_text() == "years of work"


def test_delete_can_keep_downloaded_models(data_folder: Path) -> None:
    delete_all_data(keep_models=True)
    assert [p.name for p in data_folder.iterdir()] == ["models"]
    assert (paths.models_dir() / "big.gguf").exists()


def test_delete_refuses_a_folder_that_is_not_flywheels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = tmp_path / "documents"
    stranger.mkdir()
    (stranger / "thesis.tex").write_text("years of work")
    monkeypatch.setenv("FLYWHEEL_HOME", str(stranger))
    with pytest.raises(DataAdminError, match="does not look like a Flywheel data folder"):
        delete_all_data()
    assert (stranger / "thesis.tex").exists()


def test_delete_refuses_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_home = tmp_path / "home"
    fake_home.mkdir()
    (fake_home / "settings.toml").write_text("# someone's own file\n")
    monkeypatch.setenv("HOME", str(fake_home))
    monkeypatch.setenv("FLYWHEEL_HOME", str(fake_home))
    with pytest.raises(DataAdminError, match="not a Flywheel data folder"):
        delete_all_data()
    assert (fake_home / "settings.toml").exists()
