"""The `flywheel` command as a user runs it: real processes, real model, real database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.errors

from app.doctor import report
from bench.memory_keyring import MemoryKeyring

FLYWHEEL = [sys.executable, "-m", "app"]


def run(args: list[str], home: Path, stdin: str = "", env: dict | None = None, timeout=300):
    full_env = {**os.environ, "FLYWHEEL_HOME": str(home), **(env or {})}
    return subprocess.run(
        FLYWHEEL + args, input=stdin, capture_output=True, text=True, env=full_env,
        timeout=timeout,
    )


def test_entry_points_do_not_import_torch() -> None:
    code = (
        "import sys, app.__main__, app.cli, app.assistant, app.ui.app, app.ui.main_window\n"
        "heavy = [m for m in ('torch', 'transformers', 'peft') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_gui_without_display_points_to_terminal_chat(flywheel_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        FLYWHEEL, capture_output=True, text=True, timeout=60,
        env={**env, "FLYWHEEL_HOME": str(flywheel_home)},
    )
    assert result.returncode == 2
    assert "needs a display" in result.stderr
    assert "flywheel chat" in result.stderr


WORKING_KEYRING = {"PYTHON_KEYRING_BACKEND": "bench.memory_keyring.MemoryKeyring"}


def test_doctor_reports_everything(flywheel_home: Path) -> None:
    result = run(["doctor"], flywheel_home, env=WORKING_KEYRING)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for label in ("model path", "model sha256", "llama.cpp", "threads", "data folder",
                  "schema version", "keyring backend", "torch"):
        assert label in out
    assert "SmolLM2-135M-Instruct" in out
    assert str(flywheel_home) in out


def test_doctor_flags_a_missing_or_broken_keyring(flywheel_home: Path) -> None:
    result = run(["doctor"], flywheel_home,
                 env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 1
    (line,) = [x for x in result.stdout.splitlines() if "keyring backend" in x]
    assert line.startswith("!!") and "no secret store" in line

    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise keyring.errors.KeyringLocked("the collection is locked")

    keyring.set_keyring(Locked())  # (the autouse fixture restores the test keyring)
    checks = {label: (value, good) for label, value, good in report()}
    value, good = checks["keyring backend"]
    assert not good and "the collection is locked" in value


def test_doctor_flags_a_corrupt_model(flywheel_home: Path) -> None:
    bad = flywheel_home / "bad.gguf"
    flywheel_home.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"GGUF" + b"\0" * 10)
    (flywheel_home / "settings.toml").write_text(f'[model]\npath = "{bad}"\n')
    result = run(["doctor"], flywheel_home)
    assert result.returncode == 1
    assert "bad.gguf" in result.stdout


def test_piped_chat_streams_a_reply_and_records_the_turn(flywheel_home: Path) -> None:
    result = run(["chat"], flywheel_home, stdin="Say hello\n/quit\n")
    assert result.returncode == 0, result.stderr
    reply = result.stdout.split("flywheel> ", 1)[1].strip()
    assert reply
    conn = sqlite3.connect(flywheel_home / "flywheel.db")
    rows = conn.execute("SELECT role, content, prompt FROM messages ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["user", "assistant"]
    assert rows[0][1] == "Say hello"
    assert rows[1][1].strip() == reply
    assert "Say hello" in rows[1][2]


def test_chat_refuses_a_non_gguf_model_clearly(flywheel_home: Path) -> None:
    flywheel_home.mkdir(parents=True, exist_ok=True)
    bad = flywheel_home / "notes.txt"
    bad.write_text("hello")
    (flywheel_home / "settings.toml").write_text(f'[model]\npath = "{bad}"\n')
    result = run(["chat"], flywheel_home, stdin="hi\n")
    assert result.returncode == 1
    assert "notes.txt" in result.stderr


def test_models_add_and_list(flywheel_home: Path) -> None:
    from app.model.catalog import embedded_model_path

    result = run(["models", "add", str(embedded_model_path())], flywheel_home)
    assert result.returncode == 0, result.stderr
    listing = run(["models"], flywheel_home)
    assert "SmolLM2" in listing.stdout and "llama" in listing.stdout
