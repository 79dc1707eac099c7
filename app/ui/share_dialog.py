"""Consent before sharing, and the log of what was shared.

:class:`ShareDialog` shows each candidate skill exactly as it would leave the machine, with
every placeholder the anonymizer put in highlighted and a count of what was removed; the
user approves or skips each one. :class:`SharingLogDialog` lists every export, when and to
which hub it went, with a Withdraw button per item. Both dialogs only emit signals;
:func:`open_share_flow` and :func:`open_sharing_log` connect them to the signing, queueing
and network work, which runs off the UI thread.

Preparing the offer runs off the UI thread too: anonymizing skills of up to 256 KB takes a
moment, and the signing key comes from the system keyring, which may wait on an unlock
prompt. Each skill is checked on its own, down to building its signed bundle, so one that
cannot be shared (broken by anonymization, longer than a bundle may carry) is listed with
its reason while the others are still offered.
"""

from __future__ import annotations

import html
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.community.bundle import Identity, IdentityError, load_identity
from app.community.client import (
    HubClient,
    HubError,
    HubUnreachableError,
    SharingDisabledError,
    check_hub_url,
    drain_queue,
    ensure_sharing_allowed,
)
from app.community.sharing import (
    ExportRecord,
    ShareError,
    SharePreview,
    approve,
    candidates,
    prepare,
    sharing_log,
    signed_bundle,
    skip,
    withdraw,
)
from app.settings import Settings
from app.skills.skill import Skill
from app.store.db import open_db
from app.ui.background_job import BackgroundJob

log = logging.getLogger(__name__)

HIGHLIGHT = "#ffe08a"
HIGHLIGHT_TEXT = "#3b2f00"


def preview_html(preview: SharePreview) -> str:
    """The shared text as HTML, each removal's placeholder on a coloured background."""
    pieces, cursor = [], 0
    for start, end, kind in preview.highlights():
        pieces.append(html.escape(preview.text[cursor:start]))
        pieces.append(f'<span style="background-color:{HIGHLIGHT};color:{HIGHLIGHT_TEXT}" '
                      f'title="removed: {kind.lower()}">{html.escape(preview.text[start:end])}'
                      "</span>")
        cursor = end
    pieces.append(html.escape(preview.text[cursor:]))
    return f'<pre style="white-space:pre-wrap">{"".join(pieces)}</pre>'


@dataclass(frozen=True)
class ShareOffer:
    """What preparing found: the skills to review, those that cannot be shared (name, why),
    and the key approvals are signed with."""

    previews: list[SharePreview]
    refused: list[tuple[str, str]]
    identity: Identity


def prepare_offer(skills: list[Skill], settings: Settings) -> ShareOffer:
    """Anonymize each skill and check that its bundle can be built; slow, and it reads the
    keyring: run it off the UI thread."""
    identity = load_identity()
    previews, refused = [], []
    for skill in skills:
        try:
            preview = prepare(skill)
            signed_bundle(preview, settings, identity)
        except ValueError as exc:  # ShareError, BundleError, SkillFormatError: this skill only
            refused.append((skill.name, str(exc)))
        else:
            previews.append(preview)
    return ShareOffer(previews, refused, identity)


class ShareDialog(QDialog):
    """One skill at a time: what would be sent, what was removed, Approve or Skip.

    Made with ``previews=None`` it shows a busy bar until :meth:`load` has prepared the
    offer; the skills that cannot be shared are listed with their reasons.
    """

    approved = Signal(object)  # SharePreview
    skipped = Signal(object)  # SharePreview

    def __init__(self, previews: list[SharePreview] | None, hub_url: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Share skills with the community")
        self.resize(720, 560)
        self._previews, self._index = list(previews or []), 0
        self.offer: ShareOffer | None = None
        self._job: BackgroundJob | None = None
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.note = QLabel(f"Only the text below is sent to {hub_url}, signed with this "
                           "install's key. Highlighted parts were removed.")
        self.note.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(previews is None)
        self.refused_label = QLabel()
        self.refused_label.setWordWrap(True)
        self.refused_label.setTextFormat(Qt.TextFormat.RichText)
        self.refused_label.hide()
        self.text = QTextEdit(readOnly=True)
        self.summary = QLabel()
        self.approve_button = QPushButton("Approve")
        self.skip_button = QPushButton("Skip")
        close = QPushButton("Close")
        self.approve_button.clicked.connect(self._approve)
        self.skip_button.clicked.connect(self._skip)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.skip_button, self.approve_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.note, self.progress, self.refused_label, self.text,
                       self.summary):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        if previews is None:
            self.title.setText("Preparing your skills for sharing…")
            self._set_reviewing(False)
        else:
            self._show_current()

    def load(self, work: Callable[[], ShareOffer]) -> None:
        """Prepare the offer with ``work`` on a background job, then show it."""
        job = BackgroundJob(lambda _progress, _cancel: work())
        job.report_to(lambda _done, _total: None, self._offered, self._failed)
        self._job = job
        job.launch()

    def _offered(self, offer: ShareOffer) -> None:
        self._job, self.offer = None, offer
        self.progress.hide()
        self._previews, self._index = list(offer.previews), 0
        if offer.refused:
            items = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(reason)}</li>"
                            for name, reason in offer.refused)
            self.refused_label.setText("Not offered, they cannot be shared as they are:"
                                       f"<ul>{items}</ul>")
            self.refused_label.show()
        if self._previews:
            self._set_reviewing(True)
            self._show_current()
        else:
            self.title.setText("None of your new skills can be shared.")

    def _failed(self, error: Exception) -> None:
        self._job = None
        self.progress.hide()
        reason = html.escape(str(error) or type(error).__name__)
        self.title.setText(f"Sharing cannot start: {reason}")

    def _set_reviewing(self, reviewing: bool) -> None:
        self.approve_button.setEnabled(reviewing)
        self.skip_button.setEnabled(reviewing)

    def done(self, result: int) -> None:
        """Closing while the offer is prepared stops listening for it."""
        job, self._job = self._job, None
        if job is not None:
            job.abandon()
        super().done(result)

    def current(self) -> SharePreview | None:
        return self._previews[self._index] if self._index < len(self._previews) else None

    def _show_current(self) -> None:
        preview = self.current()
        if preview is None:
            self.accept()
            return
        self.title.setText(f"<b>{html.escape(preview.skill_name)}</b> "
                           f"({self._index + 1} of {len(self._previews)})")
        self.text.setHtml(preview_html(preview))
        self.summary.setText(preview.removed_summary().capitalize())

    def _approve(self) -> None:
        preview = self.current()
        if preview is not None:
            self.approved.emit(preview)
            self._index += 1
            self._show_current()

    def _skip(self) -> None:
        preview = self.current()
        if preview is not None:
            self.skipped.emit(preview)
            self._index += 1
            self._show_current()


def _when(moment: float | None) -> str:
    return datetime.fromtimestamp(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class SharingLogDialog(QDialog):
    """Everything approved for sharing, and the endorsements and reports sent about imported
    skills: status, when, where, and Withdraw (a skill) or Cancel (waiting feedback)."""

    withdraw_requested = Signal(int)  # export id
    COLUMNS = ("Skill", "Hub", "Status", "Approved", "Sent", "")

    def __init__(self, records: list[ExportRecord], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sharing log")
        self.resize(820, 420)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.empty = QLabel("Nothing has been shared.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.set_records(records)

    def set_records(self, records: list[ExportRecord]) -> None:
        """Show ``records`` (call again after a withdrawal to refresh)."""
        self.empty.setVisible(not records)
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            status = record.status + (f": {record.error}" if record.error else "")
            cells = (record.label, record.hub_url, status, _when(record.created),
                     _when(record.sent))
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))
            if record.can_withdraw:
                button = QPushButton("Cancel" if record.is_feedback else "Withdraw")
                button.clicked.connect(lambda _=False, i=record.id: self.withdraw_requested.emit(i))
                self.table.setCellWidget(row, len(cells), button)
            else:
                self.table.removeCellWidget(row, len(cells))
                self.table.setItem(row, len(cells), QTableWidgetItem(""))
        self.table.resizeColumnsToContents()


class _Done(QObject):
    """Carries a background job's message back to the UI thread (queued signal)."""

    finished = Signal(str)


def _in_background(job: Callable[[sqlite_utils.Database], str], on_done: Callable[[str], None],
                   parent: QObject) -> None:
    """Run network work off the UI thread, on its own database connection."""
    done = _Done(parent)
    done.finished.connect(on_done)

    def run() -> None:
        db = open_db()
        try:
            message = job(db)
        except (HubError, HubUnreachableError, SharingDisabledError, IdentityError,
                ShareError, ValueError) as exc:
            message = str(exc)
        finally:
            db.close()
        done.finished.emit(message)

    threading.Thread(target=run, name="community-sync", daemon=True).start()


def _drain(settings: Settings) -> Callable[[sqlite_utils.Database], str]:
    def job(db: sqlite_utils.Database) -> str:
        report = drain_queue(db, HubClient(settings))
        return f"Shared {len(report.sent)} skill(s); {report.still_queued} waiting for the hub."

    return job


def open_share_flow(parent: QWidget, db: sqlite_utils.Database, settings: Settings,
                    notify: Callable[[str], None]) -> ShareDialog | None:
    """The "Share skills…" action: previews (prepared in the background), consent, then
    sending in the background."""
    try:
        ensure_sharing_allowed(settings)
    except SharingDisabledError as exc:
        notify(f"{exc}. Turn sharing on and set the hub in Settings → Privacy.")
        return None
    try:
        check_hub_url(settings.community.hub_url)
    except ValueError as exc:
        notify(f"Sharing is on, but the hub address cannot be used ({exc}): "
               "set it in Settings → Privacy.")
        return None
    skills = candidates(db)
    if not skills:
        notify("No new skills to share.")
        return None
    dialog = ShareDialog(None, settings.community.hub_url, parent)

    def approve_one(preview: SharePreview) -> None:
        assert dialog.offer is not None  # Approve is enabled only once the offer is shown
        try:
            approve(db, preview, settings, dialog.offer.identity)
        except (ValueError, PermissionError, sqlite3.Error) as exc:
            log.warning("approved skill not queued: %s", exc)
            notify(f"{preview.skill_name} was not queued for sharing: {exc}")

    dialog.approved.connect(approve_one)
    dialog.skipped.connect(lambda p: skip(db, p, settings))
    dialog.finished.connect(lambda _r: _in_background(_drain(settings), notify, dialog))
    dialog.load(lambda: prepare_offer(skills, settings))
    dialog.open()
    return dialog


def open_sharing_log(parent: QWidget, db: sqlite_utils.Database, settings: Settings,
                     notify: Callable[[str], None]) -> SharingLogDialog:
    """The sharing log; Withdraw works in the background and refreshes the list."""
    dialog = SharingLogDialog(sharing_log(db), parent)

    def withdraw_one(export_id: int) -> None:
        def job(job_db: sqlite_utils.Database) -> str:
            client = HubClient(settings) if settings.community.share_enabled else None
            try:
                identity = load_identity(create=False)
            except IdentityError:
                identity = None  # enough to cancel what waits; withdrawing a sent skill says so
            return withdraw(job_db, export_id, client, identity)

        def done(message: str) -> None:
            dialog.set_records(sharing_log(db))
            notify(message)

        _in_background(job, done, dialog)

    dialog.withdraw_requested.connect(withdraw_one)
    dialog.open()
    return dialog
