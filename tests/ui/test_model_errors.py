"""A broken model file is reported in the window, which keeps working."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.main_window import MainWindow
from tests.model.lora_fixture import write_unknown_architecture_model

from .conftest import MODEL_TIMEOUT_MS, TURN_TIMEOUT_MS


def _garbage_model(folder: Path) -> Path:
    path = folder / "broken-model.gguf"
    path.write_bytes(b"this is not a model\x00" * 512)
    return path


def test_corrupt_model_shows_error_and_window_keeps_working(
    qtbot: QtBot, tmp_path: Path, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    db = open_db()
    old = conv.create_conversation(db, "Earlier chat")
    conv.add_message(db, old, "user", "an earlier question")
    conv.add_message(db, old, "assistant", "an earlier answer")
    ui_settings.model.path = str(_garbage_model(tmp_path))

    window: MainWindow = make_window(ui_settings, wait_model=False)
    qtbot.waitUntil(lambda: "broken-model.gguf" in window.banner.text(), timeout=MODEL_TIMEOUT_MS)
    assert not window.model_ready
    assert window.status.model_label.text() == "model: not loaded"

    assert window.conversations.list.count() == 1
    window.conversations.list.setCurrentRow(0)
    assert [v.content for v in window.chat.views()] == ["an earlier question", "an earlier answer"]

    window.new_action.trigger()
    assert window.chat.views() == [] and window.conversation_id is None
    window.banner.hide()
    with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
        window.send_message("are you there?")
    assert "could not be loaded" in window.banner.text()
    assert window.running is None and window.composer.button.text() == "Send"
    assert len(conv.list_conversations(db)) == 1, "a failed turn must not leave debris"


def test_switching_to_a_corrupt_model_keeps_the_previous_one(
    qtbot: QtBot,
    tmp_path: Path,
    make_window: Callable,
    ui_settings: settings_mod.Settings,
    send: Callable,
) -> None:
    window: MainWindow = make_window(ui_settings)
    broken = copy.deepcopy(ui_settings)
    broken.model.path = str(_garbage_model(tmp_path))

    window.apply_settings(broken)
    qtbot.waitUntil(lambda: "broken-model.gguf" in window.banner.text(), timeout=MODEL_TIMEOUT_MS)
    assert "Still using SmolLM2" in window.banner.text()
    assert window.status.model_label.text().startswith("model: SmolLM2")

    send(window, "Still there?")
    assert window.chat.views()[-1].role == "assistant"
    assert window.chat.views()[-1].content


def test_unchanged_model_settings_do_not_reload(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    window: MainWindow = make_window(ui_settings)
    loads: list[str] = []
    window.model.worker.model_loading.connect(loads.append)
    other = copy.deepcopy(ui_settings)
    other.model.temperature = 0.3
    other.ui.theme = "dark"
    window.apply_settings(other)
    qtbot.wait(300)
    assert loads == []
    assert window.theme.dark and window.settings.model.temperature == 0.3


def test_a_model_file_llama_cpp_refuses_is_not_kept_in_the_settings(
    qtbot: QtBot, tmp_path: Path, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    settings_mod.save(ui_settings)
    window: MainWindow = make_window(settings_mod.load())
    refused = write_unknown_architecture_model(tmp_path / "unknown-architecture.gguf")
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.download_panel.downloaded.emit(refused)  # as Browse… fills it in
    dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "unknown-architecture.gguf" in window.banner.text(),
                    timeout=MODEL_TIMEOUT_MS)
    assert "Still using SmolLM2" in window.banner.text()
    saved = settings_mod.load()
    assert saved.model.path == "" and window.settings.model.path == ""
    assert str(refused.resolve()) not in saved.model.local_models
    assert window.status.model_label.text().startswith("model: SmolLM2")


def test_a_model_that_fails_for_want_of_memory_stays_in_the_settings(
    qtbot: QtBot, tmp_path: Path, make_window: Callable, ui_settings: settings_mod.Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a file llama.cpp refuses is forgotten: running out of memory (which cannot be
    produced here, hence the patch) says nothing about the file, which the user keeps."""
    from PySide6.QtWidgets import QDialogButtonBox

    from app.model.catalog import embedded_model_path
    from app.model.runtime import ModelRuntime

    settings_mod.save(ui_settings)
    window: MainWindow = make_window(settings_mod.load())
    qtbot.waitUntil(lambda: window.status.model_label.text().startswith("model: SmolLM2"),
                    timeout=MODEL_TIMEOUT_MS)
    bigger = tmp_path / "bigger-model.gguf"
    shutil.copyfile(embedded_model_path(), bigger)
    real_load = ModelRuntime.load

    def load(runtime: ModelRuntime) -> None:
        if runtime.path.name == bigger.name:
            raise MemoryError("cannot allocate 12 GB")
        real_load(runtime)

    monkeypatch.setattr(ModelRuntime, "load", load)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.download_panel.downloaded.emit(bigger)
    dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "cannot allocate" in window.banner.text(), timeout=MODEL_TIMEOUT_MS)
    assert "Still using SmolLM2" in window.banner.text()
    saved = settings_mod.load()
    assert saved.model.path == str(bigger.resolve())
    assert str(bigger.resolve()) in saved.model.local_models
