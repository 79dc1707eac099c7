"""The settings dialog's Privacy & sharing tab: what is shared, the hub, and the keyring.

The membership token and the signing key live in the system keyring, and a keyring call can
wait on an unlock prompt for as long as the user lets it. So each call runs on a
:class:`~app.ui.background_job.BackgroundJob`: the tab is disabled and shows a busy bar
meanwhile, the rest of the window keeps working, and a failing keyring is reported in words
instead of freezing or crashing the dialog.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.settings import CommunitySettings, field_help
from app.ui.background_job import BackgroundJob

SHARING_EXPLANATION = (
    "<p><b>What is shared:</b> skills only, that is the lesson text of a skill and its "
    "metadata (name, description, category, how often it helped), anonymized first. "
    "Each skill is shown to you for approval before it leaves this computer.</p>"
    "<p><b>What is never shared:</b> your conversations, command output, files, and anything "
    "that identifies you or this computer. Flywheel sends no telemetry.</p>"
)


class PrivacyPage(QWidget):
    """Sharing switch, hub address, membership token, contributor id, sharing log.

    ``busy_changed(bool)`` tells the dialog when a keyring call starts and ends (OK waits
    for it); ``problem(str)`` carries a failure to show.
    """

    busy_changed = Signal(bool)
    problem = Signal(str)

    def __init__(self, community: CommunitySettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._job: BackgroundJob | None = None
        self._on_done: Callable[[object], None] = lambda _result: None
        self._failure = ""
        self.share_check = QCheckBox("Share anonymized skills with the community")
        self.share_check.setToolTip(field_help(community, "share_enabled"))
        self.share_check.setChecked(community.share_enabled)
        explanation = QLabel(SHARING_EXPLANATION)
        explanation.setWordWrap(True)
        explanation.setTextFormat(Qt.TextFormat.RichText)
        self.hub_edit = QLineEdit(community.hub_url)
        self.hub_edit.setToolTip(field_help(community, "hub_url"))
        self.hub_edit.setPlaceholderText("https://hub.example.org")
        self.always_ask_check = QCheckBox("Always ask before sending")
        self.always_ask_check.setToolTip(field_help(community, "always_ask"))
        self.always_ask_check.setChecked(community.always_ask)
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("leave empty to keep the saved token")
        self.token_edit.setToolTip(
            "The membership token the hub's admin gave you. It is kept in the system keyring, "
            "never in a file."
        )
        self.rotate_button = QPushButton("New contributor id…")
        self.rotate_button.setToolTip(
            "Replace your signing key: later skills carry a new pseudonym that cannot be linked "
            "to the old one (skills shared under the old one can no longer be withdrawn)."
        )
        self.rotate_button.clicked.connect(self._rotate_identity)
        self.sharing_log_button = QPushButton("Open sharing log")
        self.sharing_status_label = QLabel("")
        self.keyring_label = QLabel("")
        self.keyring_bar = QProgressBar()
        self.keyring_bar.setRange(0, 0)  # a keyring call says nothing of its progress
        for widget in (self.hub_edit, self.always_ask_check, self.token_edit, self.rotate_button):
            widget.setEnabled(community.share_enabled)
            self.share_check.toggled.connect(widget.setEnabled)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.share_check)
        form.addRow(explanation)
        form.addRow("Hub address:", self.hub_edit)
        form.addRow("Membership token:", self.token_edit)
        form.addRow(self.always_ask_check)
        form.addRow(self.rotate_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.sharing_log_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.sharing_status_label)
        layout.addWidget(self.keyring_label)
        layout.addWidget(self.keyring_bar)
        layout.addStretch(1)
        self._show_busy("")

    def is_busy(self) -> bool:
        return self._job is not None

    def collect(self, community: CommunitySettings) -> None:
        """Write the page's choices into ``community``; raise ValueError, in words for the
        user, for a state the sharing flow would then refuse: sharing on without a hub, or
        an address the client will not talk to (it checks with the same rule)."""
        from app.community.client import check_hub_url

        hub = self.hub_edit.text().strip()
        share = self.share_check.isChecked()
        if share and not hub:
            raise ValueError(
                "Sharing needs the address of your community's hub (its admin gives it to "
                "you with the membership token): enter it, or turn sharing off."
            )
        try:
            hub = check_hub_url(hub) if hub else ""
        except ValueError as exc:
            raise ValueError(f"The hub address cannot be used: {exc}.") from None
        community.share_enabled = share
        community.hub_url = hub
        community.always_ask = self.always_ask_check.isChecked()

    def store_token(self, hub_url: str, token: str, on_saved: Callable[[], None]) -> None:
        """Keep ``token`` in the keyring for ``hub_url``, then call ``on_saved``."""
        from app.community.client import store_membership_token

        def saved(_result: object) -> None:
            self.token_edit.clear()
            on_saved()

        self._start(
            lambda: store_membership_token(hub_url, token),
            "Saving the membership token in the system keyring…",
            saved,
            "The membership token was not saved",
        )

    def _rotate_identity(self) -> None:
        from app.community.bundle import rotate_identity

        answer = QMessageBox.question(
            self,
            "New contributor id",
            "Replace your signing key? Skills you already shared keep the old pseudonym and "
            "can no longer be withdrawn from this computer.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._start(
            rotate_identity,
            "Storing a new signing key in the system keyring…",
            lambda identity: self.sharing_status_label.setText(
                f"Your new contributor id: {identity.contributor}"
            ),
            "No new contributor id",
        )

    def _start(
        self, call: Callable[[], object], busy_text: str, on_done: Callable[[object], None],
        failure: str,
    ) -> None:
        """Run one keyring ``call`` on a worker; ``on_done(result)`` runs back on this thread."""
        if self._job is not None:
            return
        job = BackgroundJob(lambda _progress, _cancel: call())
        job.report_to(lambda _done, _total: None, self._succeeded, self._failed)
        self._job, self._on_done, self._failure = job, on_done, failure
        self._show_busy(busy_text)
        job.launch()

    def _show_busy(self, text: str) -> None:
        busy = bool(text)
        self.keyring_label.setText(text)
        self.keyring_label.setVisible(busy)
        self.keyring_bar.setVisible(busy)
        self.form.setEnabled(not busy)
        self.busy_changed.emit(busy)

    def _succeeded(self, result: object) -> None:
        self._job = None
        self._show_busy("")
        self._on_done(result)

    def _failed(self, error: Exception) -> None:
        self._job = None
        self._show_busy("")
        self.problem.emit(f"{self._failure}: {str(error) or type(error).__name__}")

    def abandon(self) -> None:
        """Stop listening to a keyring call (the dialog is closing); it finishes alone."""
        job, self._job = self._job, None
        if job is not None:
            job.abandon()
