"""The membership token goes to the keyring (never settings.toml), and the contributor id can
be rotated from the settings dialog; every keyring call runs off the UI thread, because a
real keyring may wait on an unlock prompt for as long as the user lets it."""

from __future__ import annotations

import threading

import keyring
import keyring.errors
import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from app import paths, settings
from app.community.client import membership_token
from app.ui.settings_dialog import SettingsDialog
from tests.ui.gated_keyring import KEYRING_WAIT_S, GatedKeyring, event_loop_runs

HUB = "https://hub.example.org"
OK = QDialogButtonBox.StandardButton.Ok


def dialog_with_sharing(qtbot: QtBot) -> SettingsDialog:
    dialog = SettingsDialog(settings.Settings())
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentWidget(dialog.privacy)
    dialog.privacy.share_check.setChecked(True)
    dialog.privacy.hub_edit.setText(HUB)
    return dialog


def say_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def test_membership_token_is_kept_in_the_keyring_only(qtbot: QtBot) -> None:
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.token_edit.setText("  tok-123  ")
    with qtbot.waitSignal(dialog.settings_changed):
        dialog.accept()
    assert membership_token(HUB) == "tok-123"
    assert "tok-123" not in paths.settings_path().read_text(encoding="utf-8")
    assert settings.load().community.hub_url == HUB


def test_a_token_without_a_hub_is_refused(qtbot: QtBot) -> None:
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.hub_edit.setText("")
    dialog.privacy.token_edit.setText("tok-123")
    dialog.accept()
    assert dialog.problem_label.isVisibleTo(dialog)
    assert not paths.settings_path().exists()


def test_saving_the_token_waits_for_the_keyring_off_the_ui_thread(
    qtbot: QtBot, gated: GatedKeyring
) -> None:
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.token_edit.setText("tok-123")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted  # still waiting for the keyring
    assert not dialog.button_box.button(OK).isEnabled() and not dialog.tabs.isEnabled()
    assert dialog.privacy.keyring_bar.isVisibleTo(dialog)
    assert "keyring" in dialog.privacy.keyring_label.text()
    event_loop_runs(qtbot)
    assert not paths.settings_path().exists()
    with qtbot.waitSignal(dialog.settings_changed, timeout=KEYRING_WAIT_S * 1000):
        gated.gate.set()
    assert gated.callers and threading.main_thread() not in gated.callers
    assert gated.entries and "tok-123" in gated.entries.values()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert settings.load().community.hub_url == HUB


def test_a_failing_keyring_is_reported_and_nothing_is_saved(
    qtbot: QtBot, gated: GatedKeyring
) -> None:
    gated.failure = keyring.errors.PasswordSetError("the keyring is locked")
    gated.gate.set()
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.token_edit.setText("tok-123")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.problem_label.isVisibleTo(dialog))
    assert dialog.problem_label.text() == (
        "The membership token was not saved: the keyring is locked"
    )
    assert dialog.button_box.button(OK).isEnabled() and dialog.tabs.isEnabled()
    assert dialog.privacy.token_edit.text() == "tok-123"  # nothing typed is lost
    assert not dialog.privacy.keyring_bar.isVisibleTo(dialog)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not paths.settings_path().exists()


def test_rotating_gives_a_new_contributor_id(qtbot: QtBot, monkeypatch) -> None:
    from app.community.bundle import load_identity

    before = load_identity().contributor
    say_yes(monkeypatch)
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.rotate_button.click()
    qtbot.waitUntil(lambda: "contributor id" in dialog.privacy.sharing_status_label.text())
    after = load_identity().contributor
    assert after != before
    assert after in dialog.privacy.sharing_status_label.text()
    assert keyring.get_keyring().__class__.__name__ == "MemoryKeyring"


def test_rotating_waits_for_the_keyring_while_the_dialog_stays_usable(
    qtbot: QtBot, gated: GatedKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    say_yes(monkeypatch)
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.rotate_button.click()
    assert not dialog.privacy.rotate_button.isEnabled()
    assert not dialog.button_box.button(OK).isEnabled()
    assert dialog.privacy.keyring_bar.isVisibleTo(dialog)
    event_loop_runs(qtbot)
    dialog.threads_spin.setValue(3)  # the other tabs keep working meanwhile
    assert dialog.threads_spin.value() == 3 and dialog.tabs.isEnabled()
    gated.gate.set()
    qtbot.waitUntil(lambda: "contributor id" in dialog.privacy.sharing_status_label.text())
    assert threading.main_thread() not in gated.callers
    assert dialog.privacy.rotate_button.isEnabled() and dialog.button_box.button(OK).isEnabled()
    assert not dialog.privacy.keyring_bar.isVisibleTo(dialog)


def test_a_failed_rotation_says_why(
    qtbot: QtBot, gated: GatedKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated.failure = keyring.errors.PasswordSetError("no keyring daemon")
    gated.gate.set()
    say_yes(monkeypatch)
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.rotate_button.click()
    qtbot.waitUntil(lambda: dialog.problem_label.isVisibleTo(dialog))
    assert dialog.problem_label.text().startswith("No new contributor id: ")
    assert "no keyring daemon" in dialog.problem_label.text()
    assert dialog.privacy.rotate_button.isEnabled()
    assert dialog.privacy.sharing_status_label.text() == ""


def test_closing_while_the_keyring_waits_drops_its_answer(
    qtbot: QtBot, gated: GatedKeyring
) -> None:
    dialog = dialog_with_sharing(qtbot)
    dialog.privacy.token_edit.setText("tok-123")
    dialog.accept()
    with qtbot.assertNotEmitted(dialog.settings_changed, wait=200):
        dialog.reject()
        gated.gate.set()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not paths.settings_path().exists()


def test_a_reply_limit_above_half_the_context_is_refused(qtbot: QtBot) -> None:
    dialog = SettingsDialog(settings.Settings())
    qtbot.addWidget(dialog)
    dialog.context_spin.setValue(2048)
    dialog.max_tokens_spin.setValue(1500)
    dialog.accept()
    assert "half" in dialog.problem_label.text()
    assert not paths.settings_path().exists()
