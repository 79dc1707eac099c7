"""The packaged app's smoke test, run in-process on the real window and model."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store.conversations import current_path
from app.store.db import open_db
from app.ui.smoke import run_smoke


def test_smoke_sends_one_message_and_reports_the_reply(
    qtbot: QtBot, ui_settings: settings_mod.Settings
) -> None:
    result = run_smoke(ui_settings, "Say hello.", timeout_s=120)
    assert result.ok, result.error
    assert result.reply_chars > 0 and result.reply_tokens
    assert result.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert result.adapter == ""  # nothing trained yet: the base model answered
    assert 0 < result.window_s <= result.first_token_s <= result.reply_s
    assert result.model_s is not None and result.model_s <= result.first_token_s
    assert result.embedder, "the sentence embedder loaded before the turn"
    data = result.to_json_dict()
    assert data["ok"] is True and data["error"] == ""
    db = open_db()
    (conversation_id,) = db.execute("SELECT id FROM conversations").fetchone()
    roles = [m["role"] for m in current_path(db, conversation_id)]
    assert roles == ["user", "assistant"]  # the turn went through the window and was recorded


def test_smoke_fails_with_the_reason_when_the_model_cannot_load(
    qtbot: QtBot, ui_settings: settings_mod.Settings, flywheel_home
) -> None:
    flywheel_home.mkdir(parents=True, exist_ok=True)
    ui_settings.model.path = str(flywheel_home / "missing.gguf")
    result = run_smoke(ui_settings, "Say hello.", timeout_s=60)
    assert not result.ok
    assert "could not be loaded" in result.error and "missing.gguf" in result.error
