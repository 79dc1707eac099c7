"""``flywheel chat`` and ``flywheel adapters`` as a new user meets them (issue 15 item 8):
the active adapter is served, storage faults are one clear line, an idle chat leaves nothing."""

from __future__ import annotations

import io
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app import cli, paths
from app.learning.registry import BASE_SHA_KEY, AdapterRegistry
from app.model.catalog import embedded_model_path, file_sha256, read_gguf_header
from app.store.db import open_db, schema_version
from tests.app.test_cli import run
from tests.tiny_disk import fill, mounted
from trainer.adapter_file import write_adapter


def _active_adapter(tmp_path: Path) -> None:
    """Register and promote a real (random) LoRA adapter for the embedded model."""
    base = embedded_model_path()
    header = read_gguf_header(base)
    shapes = {t.name: t.shape for t in header.tensors}
    rng = np.random.default_rng(0)
    tensors = {}
    for target in ("attn_q", "attn_v"):
        name = f"blk.0.{target}.weight"
        n_in, n_out = shapes[name]
        tensors[f"{name}.lora_a"] = rng.normal(0, 0.05, (4, n_in)).astype(np.float32)
        tensors[f"{name}.lora_b"] = rng.normal(0, 0.05, (n_out, 4)).astype(np.float32)
    sha = file_sha256(base)
    adapter = write_adapter(tmp_path / "a.gguf", header.architecture, 8.0, tensors,
                            metadata={BASE_SHA_KEY: sha})
    db = open_db()
    registry = AdapterRegistry(db)
    record = registry.register(sha, adapter, "{}", {})
    registry.promote(sha, record.version)
    db.conn.close()


def test_chat_serves_the_active_adapter_and_records_its_version(
    flywheel_home: Path, tmp_path: Path
) -> None:
    _active_adapter(tmp_path)
    result = run(["chat"], flywheel_home, stdin="Say hello\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert "with adapter v1" in result.stdout
    conn = sqlite3.connect(paths.db_path())
    versions = conn.execute(
        "SELECT adapter_version FROM messages WHERE role = 'assistant'").fetchall()
    conn.close()
    assert versions == [("1",)]


def test_chat_with_only_quit_leaves_no_empty_chat(flywheel_home: Path) -> None:
    result = run(["chat"], flywheel_home, stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(paths.db_path())
    assert conn.execute("SELECT count(*) FROM conversations").fetchone()[0] == 0
    conn.close()


def _damaged() -> None:
    paths.db_path().write_bytes(b"this is not a database" * 200)


def _newer() -> None:
    db = open_db()
    db.execute(f"PRAGMA user_version = {schema_version() + 5}")
    db.conn.close()


@pytest.mark.parametrize("fault", [_damaged, _newer], ids=["damaged", "newer"])
@pytest.mark.parametrize("command", [["chat"], ["adapters"]], ids=["chat", "adapters"])
def test_storage_faults_are_one_clear_line(flywheel_home: Path, fault, command) -> None:
    fault()
    result = run(command, flywheel_home, stdin="hi\n/quit\n")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "database" in errors[0]


@pytest.mark.parametrize("fault", [_damaged, _newer], ids=["damaged", "newer"])
@pytest.mark.parametrize("command", [["export"], ["community", "inbox"]],
                         ids=["export", "community"])
def test_a_database_that_cannot_be_opened_is_one_line(
    fault, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    fault()
    assert cli.run(command) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and errors[0].startswith("error: cannot open the database: ")


class _FillsDiskOnFirstToken(io.StringIO):
    """stdout that fills the disk as soon as the reply's first token is printed."""

    def __init__(self, mount: Path) -> None:
        super().__init__()
        self.mount = mount
        self.filled = False

    def write(self, text: str) -> int:
        written = super().write(text)
        replying = "flywheel> " in self.getvalue() and text.strip() not in ("", "flywheel>")
        if replying and not self.filled:
            self.filled = True
            fill(self.mount)
        return written


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted(tmp_path) as mount:
        yield mount


def test_a_reply_streamed_while_the_disk_fills_is_reported_and_stays_on_screen(
    tiny_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLYWHEEL_HOME", str(tiny_disk / "home"))
    paths.settings_path().write_text("[model]\nthreads = 1\nmax_reply_tokens = 24\n"
                                     "temperature = 0.0\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("Say hello in French.\n/quit\n"))
    out = _FillsDiskOnFirstToken(tiny_disk)
    monkeypatch.setattr("sys.stdout", out)
    code = cli.run(["chat"])
    stderr = capsys.readouterr().err
    assert out.filled
    assert code == 1
    reply = out.getvalue().split("flywheel> ", 1)[1].strip()
    assert reply, "the streamed text stays on screen"
    assert "error: the disk is full" in stderr and "not saved" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "command", [["chat"], ["adapters", "rollback", "0"]], ids=["chat", "adapters-rollback"]
)
def test_a_read_only_data_folder_is_one_clear_line(tiny_disk: Path, command) -> None:
    home = tiny_disk / "home"
    env = {"FLYWHEEL_HOME": str(home)}
    assert run(["chat"], home, stdin="/quit\n", env=env).returncode == 0  # the database exists
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], capture_output=True)
    assert remount.returncode == 0, remount.stderr
    result = run(command, home, stdin="hi\n/quit\n", env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
