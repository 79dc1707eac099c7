"""The settings dialog, driven like a user would (offscreen Qt, real files, real HTTP)."""

from __future__ import annotations

import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gguf
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app import paths, settings
from app.settings import ModelSettings, Settings, field_help
from app.ui.download_dialog import BackgroundJob
from app.ui.settings_dialog import ConfirmDeleteDialog, SettingsDialog

OK = QDialogButtonBox.StandardButton.Ok
CANCEL = QDialogButtonBox.StandardButton.Cancel


class _Handler(BaseHTTPRequestHandler):
    """Serves ``tiny.gguf`` (a valid model) and ``slow.gguf`` (trickles, for cancelling)."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        body = self.server.model if name == "tiny.gguf" else None
        chunks = 250 if name == "slow.gguf" else 0
        if body is None and not chunks:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) if body else 4 + chunks * 4096))
        self.end_headers()
        try:
            if body:
                self.wfile.write(body)
                return
            self.wfile.write(b"GGUF")
            for _ in range(chunks):  # stops by itself after about 5 s
                self.wfile.write(b"\0" * 4096)
                self.wfile.flush()
                time.sleep(0.02)
        except (BrokenPipeError, ConnectionResetError):
            return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    model: bytes


@pytest.fixture
def hub_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    """A stand-in Hugging Face endpoint on 127.0.0.1, set through HF_ENDPOINT."""
    model = tmp_path / "tiny.gguf"
    writer = gguf.GGUFWriter(str(model), "llama")
    writer.add_tensor("token_embd.weight", np.ones((256, 1024), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.model = model.read_bytes()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{httpd.server_port}")
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def no_jobs_left_behind() -> Iterator[None]:
    yield
    assert BackgroundJob.finish_all(10_000)


@pytest.fixture
def dialog(qtbot: QtBot) -> SettingsDialog:
    dlg = SettingsDialog(settings.load())
    qtbot.addWidget(dlg)
    return dlg


def test_sharing_is_off_by_default_and_persists_when_turned_on(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    assert not dialog.privacy.share_check.isChecked()
    assert not dialog.privacy.hub_edit.isEnabled()
    assert not dialog.load_error_label.isVisibleTo(dialog)
    dialog.privacy.share_check.click()
    assert dialog.privacy.hub_edit.isEnabled()
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.button_box.button(OK).click()  # sharing on with no hub: nothing could be shared
    problem = dialog.problem_label.text()
    assert "hub" in problem and "turn sharing off" in problem
    assert not paths.settings_path().exists()
    dialog.privacy.hub_edit.setText("https://hub.example.org/")
    with qtbot.waitSignal(dialog.settings_changed) as changed:
        dialog.button_box.button(OK).click()
    assert changed.args[0].community.share_enabled is True
    assert changed.args[0].community.hub_url == "https://hub.example.org"
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert "share_enabled = true" in paths.settings_path().read_text(encoding="utf-8")
    assert settings.load().community.share_enabled is True


def test_cancel_discards_changes(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.privacy.share_check.click()
    dialog.threads_spin.setValue(3)
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.button_box.button(CANCEL).click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not paths.settings_path().exists()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_edits_on_every_page_are_saved(qtbot: QtBot, dialog: SettingsDialog) -> None:
    assert dialog.threads_spin.toolTip() == field_help(ModelSettings(), "threads")
    dialog.threads_spin.setValue(2)
    dialog.temperature_spin.setValue(0.25)
    dialog.idle_spin.setValue(30)
    dialog.ac_check.setChecked(False)
    assert dialog.community_check.isChecked()  # on by default
    dialog.community_check.setChecked(False)
    assert not dialog.words_check.isChecked(), "the embedded model does not word skills"
    dialog.words_check.setChecked(True)
    dialog.show()
    dialog.tabs.setCurrentIndex(3)
    with qtbot.assertNotEmitted(dialog.finished):
        for _ in range(2):  # a duplicate is not added twice; Return adds, it does not close
            qtbot.keyClicks(dialog.new_rule_edit, "git status*")
            qtbot.keyClick(dialog.new_rule_edit, Qt.Key.Key_Return)
    assert dialog.rules_list.count() == 1
    with qtbot.waitSignal(dialog.settings_changed):
        dialog.button_box.button(OK).click()
    saved = settings.load()
    assert saved.model.threads == 2
    assert saved.model.temperature == 0.25
    assert saved.learning.idle_minutes == 30
    assert saved.learning.ac_power_only is False
    assert saved.learning.learn_from_community is False
    assert saved.learning.model_words_skills is True
    assert saved.terminal.allow_rules == ["git status*"]
    assert saved.community.share_enabled is False


def test_broken_settings_file_is_shown_at_the_top(qtbot: QtBot) -> None:
    paths.settings_path().write_text("[model\nthreads = = 3\n", encoding="utf-8")
    loaded = settings.load()
    dlg = SettingsDialog(loaded)
    qtbot.addWidget(dlg)
    assert dlg.load_error_label.isVisibleTo(dlg)
    assert "broken" in dlg.load_error_label.text()
    with qtbot.waitSignal(dlg.settings_changed):
        dlg.button_box.button(OK).click()
    assert settings.load().load_error is None
    assert list(paths.user_dir().glob("settings.toml.broken-*"))


def test_invalid_input_keeps_the_dialog_open(
    qtbot: QtBot, dialog: SettingsDialog, tmp_path: Path
) -> None:
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_text("hello")
    dialog.local_radio.setChecked(True)
    dialog.path_edit.setText(str(not_a_model))
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.button_box.button(OK).click()
    assert "not a GGUF file" in dialog.problem_label.text()
    dialog.embedded_radio.setChecked(True)
    dialog.privacy.share_check.click()
    dialog.privacy.hub_edit.setText("hub.example.org")
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.button_box.button(OK).click()
    assert "https://" in dialog.problem_label.text()
    assert not paths.settings_path().exists()


def test_sharing_log_button(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.privacy.sharing_log_button.click()
    assert dialog.privacy.sharing_status_label.text() == "Nothing has been shared yet."
    with qtbot.waitSignal(dialog.open_sharing_log_requested, timeout=1000):
        dialog.privacy.sharing_log_button.click()


def test_download_through_the_dialog(
    qtbot: QtBot, dialog: SettingsDialog, hub_server: _Server
) -> None:
    panel = dialog.download_panel
    seen: list[int] = []
    panel.progress_bar.valueChanged.connect(seen.append)
    panel.repo_edit.setText("owner/repo")
    panel.file_edit.setText("tiny.gguf")
    with qtbot.waitSignal(panel.downloaded, timeout=20_000) as done:
        panel.download_button.click()
        assert panel.is_busy() and panel.cancel_button.isEnabled()
        with qtbot.assertNotEmitted(dialog.settings_changed):
            dialog.button_box.button(OK).click()
        assert "downloading" in dialog.problem_label.text()
    path = done.args[0]
    assert path == paths.models_dir() / "tiny.gguf"
    assert path.read_bytes() == hub_server.model
    assert any(0 < value < 1000 for value in seen)
    assert panel.progress_bar.value() == 1000
    assert "tiny.gguf" in panel.status_label.text()
    assert dialog.local_radio.isChecked()
    assert dialog.path_edit.text() == str(path)
    with qtbot.waitSignal(dialog.settings_changed):
        dialog.button_box.button(OK).click()
    saved = settings.load()
    assert saved.model.path == str(path)
    assert saved.model.local_models == [str(path)]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_cancel_a_download(qtbot: QtBot, dialog: SettingsDialog, hub_server: _Server) -> None:
    panel = dialog.download_panel
    dialog.show()
    panel.repo_edit.setText("owner/repo")
    qtbot.keyClicks(panel.file_edit, "slow.gguf")
    with qtbot.assertNotEmitted(dialog.finished):
        qtbot.keyClick(panel.file_edit, Qt.Key.Key_Return)  # starts the download, keeps the dialog
    qtbot.waitUntil(lambda: panel.progress_bar.value() > 0, timeout=10_000)
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10_000)
    assert "cancelled" in panel.status_label.text()
    assert panel.download_button.isEnabled()
    assert list(paths.models_dir().iterdir()) == []


def test_bad_repository_is_reported_without_a_download(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    dialog.download_panel.repo_edit.setText("not a repo")
    dialog.download_panel.file_edit.setText("m.gguf")
    dialog.download_panel.download_button.click()
    assert not dialog.download_panel.is_busy()
    assert "owner/name" in dialog.download_panel.status_label.text()


def test_export_through_the_dialog(qtbot: QtBot, dialog: SettingsDialog, tmp_path: Path) -> None:
    settings.save(Settings())
    dest = tmp_path / "export.zip"
    dialog.start_export(dest)
    assert not dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: "Exported" in dialog.data_status_label.text(), timeout=10_000)
    with zipfile.ZipFile(dest) as archive:
        assert "settings.toml" in archive.namelist()
    assert dialog.export_button.isEnabled()


def test_delete_needs_the_typed_word(qtbot: QtBot) -> None:
    confirm = ConfirmDeleteDialog()
    qtbot.addWidget(confirm)
    assert not confirm.delete_button.isEnabled()
    confirm.word_edit.setText("delete")
    assert not confirm.delete_button.isEnabled()
    confirm.word_edit.setText("DELETE")
    assert confirm.delete_button.isEnabled()
    assert confirm.keep_models is False


def test_delete_through_the_dialog(qtbot: QtBot, dialog: SettingsDialog) -> None:
    settings.save(Settings())
    (paths.skills_dir() / "a").mkdir(parents=True)
    with qtbot.waitSignal(dialog.data_deleted, timeout=10_000):
        dialog.start_delete(keep_models=False)
    assert list(paths.user_dir().iterdir()) == []
    assert not dialog.button_box.button(OK).isEnabled()


def test_closing_the_dialog_cancels_a_download(
    qtbot: QtBot, dialog: SettingsDialog, hub_server: _Server
) -> None:
    panel = dialog.download_panel
    panel.repo_edit.setText("owner/repo")
    panel.file_edit.setText("slow.gguf")
    panel.download_button.click()
    qtbot.waitUntil(lambda: panel.progress_bar.value() > 0, timeout=10_000)
    dialog.button_box.button(CANCEL).click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not panel.is_busy()
    assert BackgroundJob.finish_all(10_000)
    qtbot.wait(50)  # let the finished job's queued signals arrive (they must be harmless)
    assert list(paths.models_dir().iterdir()) == []


def test_a_refused_model_file_is_not_remembered(
    qtbot: QtBot, dialog: SettingsDialog, tmp_path: Path, embedded_model: Path
) -> None:
    from tests.learning.adapter_files import write_adapter

    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    adapter = write_adapter(tmp_path / "adapter.gguf", None)
    for refused, reason in ((broken, "corrupt"), (adapter, "adapter")):
        dialog.download_panel.downloaded.emit(refused)  # as Browse… or a download fills it in
        with qtbot.assertNotEmitted(dialog.settings_changed):
            dialog.button_box.button(OK).click()
        assert reason in dialog.problem_label.text()
    dialog.embedded_radio.setChecked(True)
    with qtbot.waitSignal(dialog.settings_changed) as changed:
        dialog.button_box.button(OK).click()
    assert changed.args[0].model.local_models == []
    assert settings.load().model.local_models == []

    again = SettingsDialog(settings.load())
    qtbot.addWidget(again)
    again.download_panel.downloaded.emit(embedded_model)
    with qtbot.waitSignal(again.settings_changed):
        again.button_box.button(OK).click()
    assert settings.load().model.local_models == [str(embedded_model.resolve())]
