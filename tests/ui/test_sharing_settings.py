"""The membership token goes to the keyring (never settings.toml), and the contributor id can
be rotated from the settings dialog."""

from __future__ import annotations

import keyring
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app import paths, settings
from app.community.client import membership_token
from app.ui.settings_dialog import SettingsDialog

HUB = "https://hub.example.org"


def dialog_with_sharing(qtbot: QtBot) -> SettingsDialog:
    dialog = SettingsDialog(settings.Settings())
    qtbot.addWidget(dialog)
    dialog.share_check.setChecked(True)
    dialog.hub_edit.setText(HUB)
    return dialog


def test_membership_token_is_kept_in_the_keyring_only(qtbot: QtBot) -> None:
    dialog = dialog_with_sharing(qtbot)
    dialog.token_edit.setText("  tok-123  ")
    dialog.accept()
    assert membership_token(HUB) == "tok-123"
    assert "tok-123" not in paths.settings_path().read_text(encoding="utf-8")
    assert settings.load().community.hub_url == HUB


def test_a_token_without_a_hub_is_refused(qtbot: QtBot) -> None:
    dialog = dialog_with_sharing(qtbot)
    dialog.hub_edit.setText("")
    dialog.token_edit.setText("tok-123")
    dialog.accept()
    assert dialog.problem_label.isVisibleTo(dialog)
    assert not paths.settings_path().exists()


def test_rotating_gives_a_new_contributor_id(qtbot: QtBot, monkeypatch) -> None:
    from app.community.bundle import load_identity

    before = load_identity().contributor
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog = dialog_with_sharing(qtbot)
    dialog.rotate_button.click()
    after = load_identity().contributor
    assert after != before
    assert after in dialog.sharing_status_label.text()
    assert keyring.get_keyring().__class__.__name__ == "MemoryKeyring"


def test_a_reply_limit_above_half_the_context_is_refused(qtbot: QtBot) -> None:
    dialog = SettingsDialog(settings.Settings())
    qtbot.addWidget(dialog)
    dialog.context_spin.setValue(2048)
    dialog.max_tokens_spin.setValue(1500)
    dialog.accept()
    assert "half" in dialog.problem_label.text()
    assert not paths.settings_path().exists()
