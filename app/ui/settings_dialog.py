"""The settings dialog: model, learning, privacy & sharing, commands, system prompt,
appearance, and the user's data.

The dialog edits a copy of the settings; OK validates, saves atomically and emits
``settings_changed(Settings)``, Cancel throws the copy away. Everything slow (a model
download, exporting or deleting the data folder, a keyring call that may wait on an unlock
prompt) runs on a :class:`~app.ui.background_job.BackgroundJob`, so the window stays
responsive; the Data tab lives in :mod:`app.ui.data_page` and the Privacy tab in
:mod:`app.ui.privacy_page`. Tooltips come from the settings' own field help, so the
words in the dialog and in ``settings.toml`` cannot drift apart.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEvent, QMetaMethod, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import paths, settings
from app.model.catalog import ModelFileError, remember_local_model
from app.settings import Settings, field_help
from app.ui.appearance import AppearancePage
from app.ui.data_page import ConfirmDeleteDialog, DataPage
from app.ui.download_dialog import DownloadPanel
from app.ui.privacy_page import PrivacyPage
from app.ui.prompt_page import SystemPromptPage

# ConfirmDeleteDialog is re-exported: callers import it along with the dialog that opens it.
__all__ = ["ConfirmDeleteDialog", "SettingsDialog"]

COMMANDS_NOTE = (
    "Commands the assistant proposes that match one of these patterns run without asking. "
    "Commands on the built-in deny list (deleting a whole disk, formatting, and the like) "
    "always ask you to type a confirmation, whatever these rules say."
)
W = TypeVar("W", bound=QWidget)


def _spin(low: int, high: int, value: int, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def _with_tip(widget: W, section: object, name: str) -> W:
    widget.setToolTip(field_help(section, name))
    return widget


class SettingsDialog(QDialog):
    """Edit a copy of ``current``; OK saves it and emits ``settings_changed``."""

    settings_changed = Signal(object)
    open_sharing_log_requested = Signal()
    data_deleted = Signal()

    def __init__(self, current: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Flywheel settings")
        self.resize(680, 600)
        self._settings = copy.deepcopy(current)
        self._local_models = list(current.model.local_models)
        self._data_gone = False

        self.load_error_label = QLabel(current.load_error or "")
        self.load_error_label.setWordWrap(True)
        self.load_error_label.setStyleSheet("color: #a40000; font-weight: bold;")
        self.load_error_label.setVisible(bool(current.load_error))
        self.tabs = QTabWidget()
        self.tabs.addTab(self._model_page(), "Model")
        self.tabs.addTab(self._learning_page(), "Learning")
        self.privacy = PrivacyPage(self._settings.community)
        self.privacy.sharing_log_button.clicked.connect(self._open_sharing_log)
        self.privacy.busy_changed.connect(self._keyring_busy)
        self.privacy.problem.connect(self._show_problem)
        self.tabs.addTab(self.privacy, "Privacy && sharing")
        self.tabs.addTab(self._commands_page(), "Commands")
        self.prompt_page = SystemPromptPage(self._settings.model)
        self.tabs.addTab(self.prompt_page, "System prompt")
        self.appearance_page = AppearancePage(self._settings.ui)
        self.tabs.addTab(self.appearance_page, "Appearance")
        self.data_page = DataPage(self.download_panel.is_busy)
        self.data_page.deleted.connect(self._data_deleted)
        self.tabs.addTab(self.data_page, "Data")
        self.problem_label = QLabel("")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #a40000;")
        self.problem_label.hide()
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.load_error_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.button_box)

    # Pages -------------------------------------------------------------------------------

    def _model_page(self) -> QWidget:
        m = self._settings.model
        self.embedded_radio = QRadioButton(
            "Embedded default model (SmolLM2 135M, always available)"
        )
        self.local_radio = QRadioButton("A GGUF file on this computer:")
        group = QButtonGroup(self)
        group.addButton(self.embedded_radio)
        group.addButton(self.local_radio)
        self.path_edit = _with_tip(QLineEdit(m.path), m, "path")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_model)
        (self.local_radio if m.path else self.embedded_radio).setChecked(True)
        self.path_edit.setEnabled(bool(m.path))
        self.local_radio.toggled.connect(self.path_edit.setEnabled)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.download_panel = DownloadPanel()
        self.download_panel.downloaded.connect(self._use_model_file)
        download_box = QGroupBox("Download from Hugging Face")
        QVBoxLayout(download_box).addWidget(self.download_panel)

        self.threads_spin = _with_tip(_spin(0, 256, m.threads), m, "threads")
        self.threads_spin.setSpecialValueText("Auto (free cores)")
        self.context_spin = _with_tip(_spin(256, 262_144, m.context_size, 256), m, "context_size")
        self.gpu_spin = _with_tip(_spin(0, 999, m.gpu_layers), m, "gpu_layers")
        self.max_tokens_spin = _with_tip(
            _spin(1, 131_072, m.max_reply_tokens, 64), m, "max_reply_tokens"
        )
        self.temperature_spin = _with_tip(QDoubleSpinBox(), m, "temperature")
        self.temperature_spin.setRange(0.0, 2.0)
        self.temperature_spin.setSingleStep(0.05)
        self.temperature_spin.setValue(m.temperature)
        form = QFormLayout()
        form.addRow("CPU threads:", self.threads_spin)
        form.addRow("Context size (tokens):", self.context_spin)
        form.addRow("GPU layers:", self.gpu_spin)
        form.addRow("Longest reply (tokens):", self.max_tokens_spin)
        form.addRow("Temperature:", self.temperature_spin)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.embedded_radio)
        layout.addWidget(self.local_radio)
        layout.addLayout(path_row)
        layout.addWidget(download_box)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _learning_page(self) -> QWidget:
        s = self._settings.learning
        self.learning_check = _with_tip(QCheckBox("Learn from how I respond"), s, "enabled")
        self.learning_check.setChecked(s.enabled)
        self.paused_check = _with_tip(QCheckBox("Pause learning for now"), s, "paused")
        self.paused_check.setChecked(s.paused)
        self.idle_spin = _with_tip(_spin(1, 24 * 60, s.idle_minutes), s, "idle_minutes")
        self.idle_spin.setSuffix(" min")
        self.ac_check = _with_tip(QCheckBox("Train only on AC power"), s, "ac_power_only")
        self.ac_check.setChecked(s.ac_power_only)
        self.min_examples_spin = _with_tip(
            _spin(1, 100_000, s.min_new_examples), s, "min_new_examples"
        )
        self.community_check = _with_tip(
            QCheckBox("Also learn from community skills I enabled"), s, "learn_from_community"
        )
        self.community_check.setChecked(s.learn_from_community)
        self.words_check = _with_tip(
            QCheckBox("The model is capable: let it word habits and check unclear next messages"),
            s,
            "model_words_skills",
        )
        self.words_check.setChecked(s.model_words_skills)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(self.learning_check)
        form.addRow(self.paused_check)
        form.addRow("Idle time before training:", self.idle_spin)
        form.addRow(self.ac_check)
        form.addRow("New examples before training:", self.min_examples_spin)
        form.addRow(self.community_check)
        form.addRow(self.words_check)
        return page

    def _commands_page(self) -> QWidget:
        t = self._settings.terminal
        note = QLabel(COMMANDS_NOTE)
        note.setWordWrap(True)
        self.rules_list = _with_tip(QListWidget(), t, "allow_rules")
        for rule in t.allow_rules:
            self._add_rule_item(rule)
        self.new_rule_edit = QLineEdit()
        self.new_rule_edit.setPlaceholderText("e.g. git status*")
        add = QPushButton("Add")
        remove = QPushButton("Remove selected")
        add.clicked.connect(self._add_rule)
        self.new_rule_edit.installEventFilter(self)
        remove.clicked.connect(self._remove_selected_rules)
        self.timeout_spin = _with_tip(_spin(1, 86_400, t.command_timeout_s), t, "command_timeout_s")
        self.timeout_spin.setSuffix(" s")
        row = QHBoxLayout()
        row.addWidget(self.new_rule_edit, 1)
        row.addWidget(add)
        row.addWidget(remove)
        form = QFormLayout()
        form.addRow("Stop a running command after:", self.timeout_spin)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addWidget(self.rules_list, 1)
        layout.addLayout(row)
        layout.addLayout(form)
        return page

    # Model -------------------------------------------------------------------------------

    def _browse_model(self) -> None:
        start = str(paths.dialog_start_dir(self.path_edit.text() or paths.models_dir()))
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a GGUF model", start, "GGUF models (*.gguf);;All files (*)"
        )
        if name:
            self._use_model_file(Path(name))

    def _use_model_file(self, path: Path) -> None:
        """Put a browsed or downloaded file in the path field; it is checked, and remembered
        as a local model, when the settings are saved."""
        self.local_radio.setChecked(True)
        self.path_edit.setText(str(path))

    # Privacy -----------------------------------------------------------------------------

    def _open_sharing_log(self) -> None:
        signal = QMetaMethod.fromSignal(self.open_sharing_log_requested)
        if self.isSignalConnected(signal):
            self.open_sharing_log_requested.emit()
        else:
            self.privacy.sharing_status_label.setText("Nothing has been shared yet.")

    def _keyring_busy(self, busy: bool) -> None:
        """OK waits for a keyring call; after a delete it stays off (see ``_data_deleted``)."""
        ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not busy and not self._data_gone)
        if not busy:
            self.tabs.setEnabled(True)

    # Commands ----------------------------------------------------------------------------

    def _add_rule_item(self, rule: str) -> None:
        item = QListWidgetItem(rule)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.rules_list.addItem(item)

    def _add_rule(self) -> None:
        rule = self.new_rule_edit.text().strip()
        if rule and rule not in self._rules():
            self._add_rule_item(rule)
        self.new_rule_edit.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Return in the new-rule field adds the rule instead of pressing OK."""
        if (
            watched is self.new_rule_edit
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._add_rule()
            return True
        return super().eventFilter(watched, event)

    def _remove_selected_rules(self) -> None:
        for item in self.rules_list.selectedItems():
            self.rules_list.takeItem(self.rules_list.row(item))

    def _rules(self) -> list[str]:
        rules = (self.rules_list.item(i).text().strip() for i in range(self.rules_list.count()))
        return list(dict.fromkeys(rule for rule in rules if rule))

    # Data --------------------------------------------------------------------------------

    # The Data tab is a DataPage; these give the dialog's callers its controls and actions.

    @property
    def export_button(self) -> QPushButton:
        return self.data_page.export_button

    @property
    def data_status_label(self) -> QLabel:
        return self.data_page.status_label

    def start_export(self, dest: Path) -> None:
        """Export the data folder to ``dest`` on a worker thread."""
        self.data_page.start_export(dest)

    def start_delete(self, *, keep_models: bool) -> None:
        """Delete the data folder's contents on a worker thread (after the user confirmed)."""
        self.data_page.start_delete(keep_models=keep_models)

    def _data_deleted(self) -> None:
        # The edited copy would re-create settings.toml on OK: nothing personal may come back.
        self._data_gone = True
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.data_deleted.emit()

    # OK / Cancel -------------------------------------------------------------------------

    def take_trust_endorsements(self, value: int) -> None:
        """The Community page changed the trust threshold while this dialog is open: OK keeps
        it (the dialog has no field of its own for it)."""
        self._settings.community.trust_endorsements = value

    def _collect(self) -> Settings:
        """The edited settings; raises ValueError with a message for the user."""
        new = copy.deepcopy(self._settings)
        model_path = self.path_edit.text().strip() if self.local_radio.isChecked() else ""
        new.model.local_models = list(self._local_models)
        if self.local_radio.isChecked():
            if not model_path:
                raise ValueError("Choose a GGUF file, or use the embedded default model.")
            try:
                new.model.local_models = remember_local_model(new.model.local_models, model_path)
            except ModelFileError as exc:
                raise ValueError(f"The model file cannot be used: {exc}") from None
        new.model.path = model_path
        new.model.threads = self.threads_spin.value()
        new.model.context_size = self.context_spin.value()
        new.model.gpu_layers = self.gpu_spin.value()
        new.model.max_reply_tokens = self.max_tokens_spin.value()
        new.model.temperature = round(self.temperature_spin.value(), 2)
        if new.model.max_reply_tokens > new.model.context_size // 2:
            raise ValueError(
                f"The longest reply ({new.model.max_reply_tokens} tokens) must be at most half "
                f"the context size ({new.model.context_size}), or no history would fit."
            )
        new.learning.enabled = self.learning_check.isChecked()
        new.learning.paused = self.paused_check.isChecked()
        new.learning.idle_minutes = self.idle_spin.value()
        new.learning.ac_power_only = self.ac_check.isChecked()
        new.learning.min_new_examples = self.min_examples_spin.value()
        new.learning.learn_from_community = self.community_check.isChecked()
        new.learning.model_words_skills = self.words_check.isChecked()
        self.privacy.collect(new.community)
        new.terminal.allow_rules = self._rules()
        new.terminal.command_timeout_s = self.timeout_spin.value()
        new.model.system_prompt = self.prompt_page.value()
        self.appearance_page.collect(new.ui)
        return new

    def accept(self) -> None:
        """Validate; a typed membership token goes to the keyring (on a worker) for the hub it
        belongs to, never to a file; then save."""
        from app.community.client import check_hub_url

        if self.privacy.is_busy():
            return
        if self.download_panel.is_busy():
            self._show_problem("A model is downloading: wait for it to finish, or cancel it.")
            return
        token = self.privacy.token_edit.text().strip()
        try:
            new = self._collect()
            if token and not new.community.hub_url:
                raise ValueError("Enter the hub address the membership token belongs to.")
            hub = check_hub_url(new.community.hub_url) if token else ""
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        if not token:
            self._save(new)
            return
        self.tabs.setEnabled(False)  # what is being saved was read from them just now
        self.tabs.setCurrentWidget(self.privacy)
        self.privacy.store_token(hub, token, lambda: self._save(new))

    def _save(self, new: Settings) -> None:
        try:
            settings.save(new)
        except OSError as exc:
            self._show_problem(str(exc))
            return
        self.settings_changed.emit(new)
        super().accept()

    def _show_problem(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.show()

    def done(self, result: int) -> None:
        """Closing cancels a running download or export and stops listening to a keyring
        call; it waits for a delete to finish."""
        if self.data_page.must_stay_open():
            return
        self.download_panel.abandon()
        self.data_page.abandon()
        self.privacy.abandon()
        super().done(result)
