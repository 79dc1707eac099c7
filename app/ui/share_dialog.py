"""Consent before sharing, and the log of what was shared.

:class:`ShareDialog` shows each candidate skill exactly as it would leave the machine, with
every placeholder the anonymizer put in highlighted and a count of what was removed; the
user approves or skips each one. :class:`SharingLogDialog` lists every export, when and to
which hub it went, with a Withdraw button per item. Both dialogs only emit signals;
:func:`open_share_flow` and :func:`open_sharing_log` connect them to the signing, queueing
and network work, which runs off the UI thread.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from datetime import datetime

import sqlite_utils
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.community.bundle import IdentityError, load_identity
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
    skip,
    withdraw,
)
from app.settings import Settings
from app.store.db import open_db

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


class ShareDialog(QDialog):
    """One skill at a time: what would be sent, what was removed, Approve or Skip."""

    approved = Signal(object)  # SharePreview
    skipped = Signal(object)  # SharePreview

    def __init__(self, previews: list[SharePreview], hub_url: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Share skills with the community")
        self.resize(720, 560)
        self._previews, self._index = list(previews), 0
        self.title = QLabel()
        self.note = QLabel(f"Only the text below is sent to {hub_url}, signed with this "
                           "install's key. Highlighted parts were removed.")
        self.note.setWordWrap(True)
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
        for widget in (self.title, self.note, self.text, self.summary):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self._show_current()

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
    """Everything approved for sharing: status, when, where, and Withdraw per item."""

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
            cells = (record.skill_name, record.hub_url, status, _when(record.created),
                     _when(record.sent))
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))
            if record.can_withdraw:
                button = QPushButton("Withdraw")
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
                    notify: Callable[[str], None]) -> QDialog | None:
    """The "Share skills…" action: previews, consent, then sending in the background."""
    try:
        ensure_sharing_allowed(settings)
        check_hub_url(settings.community.hub_url)
        previews = [prepare(skill) for skill in candidates(db)]
        identity = load_identity()
    except (SharingDisabledError, ValueError, IdentityError) as exc:
        notify(f"{exc}. Turn sharing on and set the hub in Settings → Privacy.")
        return None
    if not previews:
        notify("No new skills to share.")
        return None
    dialog = ShareDialog(previews, settings.community.hub_url, parent)
    dialog.approved.connect(lambda p: approve(db, p, settings, identity))
    dialog.skipped.connect(lambda p: skip(db, p, settings))
    dialog.finished.connect(lambda _r: _in_background(_drain(settings), notify, dialog))
    dialog.open()
    return dialog


def open_sharing_log(parent: QWidget, db: sqlite_utils.Database, settings: Settings,
                     notify: Callable[[str], None]) -> SharingLogDialog:
    """The sharing log; Withdraw works in the background and refreshes the list."""
    dialog = SharingLogDialog(sharing_log(db), parent)

    def withdraw_one(export_id: int) -> None:
        def job(job_db: sqlite_utils.Database) -> str:
            client = HubClient(settings) if settings.community.share_enabled else None
            withdraw(job_db, export_id, client, load_identity(create=False))
            return "Withdrawn."

        def done(message: str) -> None:
            dialog.set_records(sharing_log(db))
            notify(message)

        _in_background(job, done, dialog)

    dialog.withdraw_requested.connect(withdraw_one)
    dialog.open()
    return dialog
