"""The Community page: search a hub, preview, import; subscriptions, the inbox, imported skills.

Everything that talks to the hub runs as a :class:`BackgroundJob` on its own database
connection, and its outcome comes back to the page as a queued signal (through a
:class:`_Reply` owned by the page, so a closed page is simply not called); the page's
database-only work (lists, dismiss, disable, delete, subscriptions) runs on the window's
store thread. A hub that is down, slow or answers nonsense becomes one sentence in the page.
With sharing off the page says that receiving needs it and asks the hub nothing at all.
The logic lives in :mod:`app.community.browse` and :mod:`app.community.subscriptions`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import settings as settings_mod
from app.community import subscriptions
from app.community.browse import Listing, Preview, hub_problem, preview, preview_of, search
from app.community.bundle import BundleError, verify_bundle
from app.community.client import HubClient, ensure_sharing_allowed
from app.settings import Settings
from app.skills.outcomes import trial_note
from app.skills.skill import Skill
from app.store.community import Received
from app.store.db import open_db
from app.ui.background_job import BackgroundJob, Progress
from app.ui.community_sync import CommunitySync
from app.ui.imported_skills import ImportedSkills
from app.ui.markdown_view import MarkdownView
from app.ui.store_page import StorePage
from app.ui.workers import AsyncStore

DATA_ROLE = Qt.ItemDataRole.UserRole
SHARING_OFF = ("Receiving skills needs community sharing on: Settings → Privacy → <i>Share "
               "anonymized skills</i>. While it is off, Flywheel asks the hub nothing, not even "
               "a search. (With it on, each skill of yours is shown to you before it is sent, "
               "and endorsements or reports of skills you imported wait an hour in the sharing "
               "log, where you can cancel them.)")


@dataclass(frozen=True)
class InboxEntry:
    """An inbox item and its preview, built from the bundle kept with it (no network)."""

    item: Received
    preview: Preview | None

    @property
    def label(self) -> str:
        if self.item.status == "refused":
            return f"{self.item.name} (refused)"
        return f"{self.item.name} — {self.item.endorsements} endorsement(s)"


def _inbox(db: sqlite_utils.Database, hub_url: str) -> list[InboxEntry]:
    entries = []
    for item in subscriptions.inbox(db, hub_url):
        shown = None
        if item.bundle is not None:
            try:
                skill = verify_bundle(item.bundle)
            except BundleError:
                skill = None
            if skill is not None:
                shown = preview_of(hub_url, item.remote_id, {
                    "bundle": item.bundle, "endorsements": item.endorsements}, skill)
        entries.append(InboxEntry(item, shown))
    return entries


class _Reply(QObject):
    """One hub job's outcome, delivered on the UI thread to a page that still exists (a
    child of the page: when the page goes, its connections go with it)."""

    def __init__(self, page: CommunityPage, on_done: Callable[[Any], None]) -> None:
        super().__init__(page)
        self._page, self._on_done = page, on_done

    def done(self, result: object) -> None:
        self.deleteLater()
        self._page._hub_finished()
        self._on_done(result)

    def failed(self, exc: object) -> None:
        self.deleteLater()
        self._page._hub_finished()
        self._page._say(hub_problem(exc) if isinstance(exc, BaseException) else str(exc),
                        error=True)

    def progress(self, _done: int, _total: int | None) -> None:
        """Hub jobs report no progress."""


def _list_panel(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        grows = isinstance(widget, (QListWidget, QTextBrowser, QSplitter))
        layout.addWidget(widget, 1 if grows else 0)
    return holder


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return holder


class CommunityPage(StorePage):
    """The page; ``settings`` returns the window's current settings (they are replaced when
    the user applies the settings dialog). ``sync`` is the window's background sync;
    ``set_trust`` takes a new trust threshold (the window's applies it like the settings
    dialog does; alone, the page saves it itself)."""

    changed = Signal()  # the skills library changed (imported, enabled, disabled, deleted)

    def __init__(self, settings: Callable[[], Settings], parent: QWidget | None = None,
                 store: AsyncStore | None = None, sync: CommunitySync | None = None,
                 set_trust: Callable[[int], None] | None = None) -> None:
        super().__init__(parent, store)
        self._settings = settings
        self._set_trust = set_trust or self.set_trust
        self.sync = sync or CommunitySync(settings, self)
        self._hub_jobs = 0
        self.previewed: Preview | None = None
        self.sharing_note = QLabel(SHARING_OFF)
        self.sharing_note.setWordWrap(True)
        self.sharing_note.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._browse_tab(), "Browse")
        self.tabs.addTab(self._inbox_tab(), "Inbox")
        self.imported = ImportedSkills(store=self.store)
        self.imported.changed.connect(self.changed)
        self.tabs.addTab(self.imported, "Imported")
        self.tabs.addTab(self._subscriptions_tab(), "Subscriptions")
        layout = QVBoxLayout(self)
        layout.addWidget(self.sharing_note)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        self.sync.started.connect(self._sync_started)
        self.sync.synced.connect(self._synced)
        self.sync.failed.connect(self._sync_failed)
        self.update_sharing()
        self.refresh_local()

    # --- construction --------------------------------------------------------------------

    def _browse_tab(self) -> QWidget:
        self.domain_edit = QLineEdit(placeholderText="Domain (e.g. git, shell)")
        self.text_edit = QLineEdit(placeholderText="Words in the name or description")
        self.search_button = QPushButton("Search")
        self.results = QListWidget()
        self.preview_view = MarkdownView()
        self.import_button = QPushButton("Import")
        self.import_button.setToolTip("Add it to your skills, enabled and on trial")
        for edit in (self.domain_edit, self.text_edit):
            edit.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.results.currentItemChanged.connect(self._result_selected)
        self.import_button.clicked.connect(self.import_selected)
        splitter = QSplitter()
        splitter.addWidget(_list_panel(self.results))
        splitter.addWidget(_list_panel(self.preview_view, _row(self.import_button)))
        splitter.setStretchFactor(1, 2)
        return _list_panel(_row(self.domain_edit, self.text_edit, self.search_button), splitter)

    def _inbox_tab(self) -> QWidget:
        self.inbox_list = QListWidget()
        self.inbox_view = MarkdownView()
        self.enable_button = QPushButton("Enable")
        self.dismiss_button = QPushButton("Dismiss")
        self.check_button = QPushButton("Check now")
        self.sync_note = QLabel(self.sync.last_note)
        self.sync_note.setWordWrap(True)
        self.inbox_list.currentItemChanged.connect(self._inbox_selected)
        self.enable_button.clicked.connect(self.enable_selected)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.check_button.clicked.connect(self.check_now)
        splitter = QSplitter()
        splitter.addWidget(_list_panel(self.inbox_list))
        splitter.addWidget(_list_panel(self.inbox_view,
                                       _row(self.enable_button, self.dismiss_button)))
        splitter.setStretchFactor(1, 2)
        return _list_panel(_row(self.check_button, self.sync_note), splitter)

    def _subscriptions_tab(self) -> QWidget:
        self.subscription_list = QListWidget()
        self.subscribe_edit = QLineEdit(placeholderText="Domain to subscribe to")
        self.subscribe_button = QPushButton("Subscribe")
        self.unsubscribe_button = QPushButton("Unsubscribe")
        self.trust_spin = QSpinBox()
        self.trust_spin.setRange(0, 1000)
        self.trust_spin.setSpecialValueText("never")
        self.trust_spin.setValue(self._settings().community.trust_endorsements)
        explain = QLabel("New skills of your domains wait in the inbox. Enable them at once "
                         "when at least this many members endorsed them:")
        explain.setWordWrap(True)
        self.subscription_list.currentItemChanged.connect(self._update_buttons)
        self.subscribe_edit.returnPressed.connect(self.subscribe)
        self.subscribe_button.clicked.connect(self.subscribe)
        self.unsubscribe_button.clicked.connect(self.unsubscribe)
        self.trust_spin.editingFinished.connect(self.trust_edited)
        return _list_panel(self.subscription_list,
                           _row(self.subscribe_edit, self.subscribe_button,
                                self.unsubscribe_button),
                           explain, _row(self.trust_spin))

    # --- sharing gate and jobs -----------------------------------------------------------

    def sharing_on(self) -> bool:
        return self._settings().community.share_enabled

    def update_sharing(self) -> None:
        """Show the explanation and turn the hub's buttons off while sharing is off."""
        on = self.sharing_on()
        self.sharing_note.setVisible(not on)
        for button in (self.search_button, self.check_button):
            button.setEnabled(on and not self._hub_jobs)
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the page (from the settings dialog, say) shows the sharing setting
        as it is now."""
        if event.type() == QEvent.Type.ActivationChange:
            self.update_sharing()
        super().changeEvent(event)

    def _update_buttons(self, *_: object) -> None:
        on, idle = self.sharing_on(), not self._hub_jobs
        self.import_button.setEnabled(on and idle and self.previewed is not None
                                      and not self.previewed.refusal)
        inbox: InboxEntry | None = self._current(self.inbox_list)
        self.enable_button.setEnabled(on and idle and inbox is not None
                                      and inbox.item.status == "inbox"
                                      and not (inbox.preview and inbox.preview.refusal))
        self.dismiss_button.setEnabled(inbox is not None)
        self.unsubscribe_button.setEnabled(self.subscription_list.currentItem() is not None)

    def _hub(self, work: Callable[[sqlite_utils.Database, HubClient], Any],
             on_done: Callable[[Any], None], busy: str) -> bool:
        """Run ``work`` against the hub off the UI thread, saying ``busy`` meanwhile (if not
        empty); False (no request) when sharing is off or the hub address cannot be used."""
        settings = self._settings()
        try:
            ensure_sharing_allowed(settings)
            client = HubClient(self._settings, retries=1, timeout_s=15.0)
        except (PermissionError, ValueError) as exc:
            self.update_sharing()
            self._say(f"No request made: {exc}.", error=True)
            return False

        def run(_progress: Progress, _cancel: threading.Event) -> Any:
            db = open_db()
            try:
                return work(db, client)
            finally:
                db.close()

        reply = _Reply(self, on_done)
        job = BackgroundJob(run)
        job.report_to(reply.progress, reply.done, reply.failed)
        self._hub_jobs += 1
        self.update_sharing()
        if busy:
            self._say(busy)
        job.launch()
        return True

    def _hub_finished(self) -> None:
        self._hub_jobs -= 1
        self.update_sharing()

    @staticmethod
    def _current(widget: QListWidget) -> Any:
        item = widget.currentItem()
        return item.data(DATA_ROLE) if item is not None else None

    @staticmethod
    def _fill(widget: QListWidget, entries: list[tuple[str, Any]],
              key: Callable[[Any], object] = lambda data: data) -> Any:
        """Replace a list's items, keeping the selected one (by ``key``) if it is still
        there; returns its new data, or None. No signal is sent: a selection the user did
        not make must not start a request."""
        kept = widget.currentItem()
        wanted = key(kept.data(DATA_ROLE)) if kept is not None else None
        widget.blockSignals(True)
        widget.clear()
        chosen = None
        for label, data in entries:
            item = QListWidgetItem(label)
            item.setData(DATA_ROLE, data)
            widget.addItem(item)
            if wanted is not None and key(data) == wanted:
                chosen = item
        widget.setCurrentItem(chosen)
        widget.blockSignals(False)
        return chosen.data(DATA_ROLE) if chosen is not None else None

    # --- browse --------------------------------------------------------------------------

    def search(self) -> None:
        domain = self.domain_edit.text().strip() or None
        text = self.text_edit.text().strip() or None
        self._hub(lambda _db, client: search(client, domain, text), self._found, "Searching…")

    def _found(self, found: list[Listing]) -> None:
        self._fill(self.results, [(f.label, f) for f in found])
        self._say(f"{len(found)} skill(s) found." if found else "No skills found.")

    def _result_selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self.previewed = None
        self.preview_view.clear()
        self._update_buttons()
        if item is not None:
            found: Listing = item.data(DATA_ROLE)
            self._hub(lambda _db, client: preview(client, found.remote_id), self._show_preview,
                      f"Fetching {found.name}…")

    def _show_preview(self, shown: Preview) -> None:
        selected = self._current(self.results)
        if selected is None or selected.remote_id != shown.remote_id:
            return  # the user moved on while it was fetched
        self.previewed = shown
        self.preview_view.show_markdown(shown.markdown())
        self._say("")
        self._update_buttons()

    def import_selected(self) -> None:
        if self.previewed is None:
            return
        remote_id = self.previewed.remote_id
        self._hub(lambda db, client: subscriptions.import_remote(db, client, remote_id),
                  self._imported, "Importing…")

    def _imported(self, skill: Skill) -> None:
        self._say(f"Imported {skill.name}: enabled, {trial_note(skill)}.")
        self.changed.emit()
        self.refresh_local()

    # --- inbox ---------------------------------------------------------------------------

    def check_now(self) -> None:
        if not self.sharing_on():
            self.update_sharing()
            return
        self.sync.sync_now()

    def _sync_started(self) -> None:
        self.check_button.setEnabled(False)
        self.sync_note.setText("Checking your domains…")

    def _synced(self, _report: object) -> None:
        self.sync_note.setText(self.sync.last_note)
        self.update_sharing()
        self.changed.emit()
        self.refresh_local()

    def _sync_failed(self, note: str) -> None:
        self.sync_note.setText(self.sync.last_note)
        self.update_sharing()
        self._say(note, error=True)

    def _inbox_selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        entry: InboxEntry | None = item.data(DATA_ROLE) if item is not None else None
        self._show_inbox_entry(entry)
        if entry is not None and entry.preview is not None and entry.item.status == "inbox" \
                and self.sharing_on():
            remote_id = entry.item.remote_id
            self._hub(lambda _db, client: preview(client, remote_id), self._refreshed, "")

    def _show_inbox_entry(self, entry: InboxEntry | None) -> None:
        """An inbox item as stored (no request)."""
        if entry is None:
            self.inbox_view.clear()
        elif entry.preview is not None:
            self.inbox_view.show_markdown(entry.preview.markdown())
        else:
            self.inbox_view.setPlainText(f"{entry.item.name}\n\nNot imported: "
                                         f"{entry.item.reason or 'its bundle does not verify'}")
        self._update_buttons()

    def _refreshed(self, shown: Preview) -> None:
        """The hub's current word on an inbox item (endorsements, reports, contributor)."""
        entry: InboxEntry | None = self._current(self.inbox_list)
        if entry is not None and entry.item.remote_id == shown.remote_id:
            self.inbox_view.show_markdown(shown.markdown())

    def enable_selected(self) -> None:
        entry: InboxEntry | None = self._current(self.inbox_list)
        if entry is None or entry.item.id is None:
            return
        item_id = entry.item.id
        self._hub(lambda db, client: subscriptions.enable(db, client, item_id),
                  self._imported, f"Enabling {entry.item.name}…")

    def dismiss_selected(self) -> None:
        entry: InboxEntry | None = self._current(self.inbox_list)
        if entry is None or entry.item.id is None:
            return
        item_id = entry.item.id
        self._run(lambda db: subscriptions.dismiss(db, item_id),
                  lambda _: (self._say(f"Dismissed {entry.item.name}."), self.refresh_local()))

    # --- subscriptions -------------------------------------------------------------------

    def subscribe(self) -> None:
        text = self.subscribe_edit.text()
        try:
            subscriptions.domain_of(text)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        self._run(lambda db: subscriptions.subscribe(db, text), self._subscribed)

    def _subscribed(self, domain: str) -> None:
        self.subscribe_edit.clear()
        self._say(f"Subscribed to {domain}." + (" Checking it now…" if self.sharing_on() else ""))
        self.refresh_local()
        self.check_now()

    def unsubscribe(self) -> None:
        domain = self._current(self.subscription_list)
        if domain is None:
            return
        self._run(lambda db: subscriptions.unsubscribe(db, domain),
                  lambda _: (self._say(f"Unsubscribed from {domain}."), self.refresh_local()))

    def trust_edited(self) -> None:
        """Take the threshold once the user is done with it (Enter or leaving the box), not at
        every keystroke: typing 12 must not enable skills with 1 endorsement meanwhile."""
        value = self.trust_spin.value()
        if value != self._settings().community.trust_endorsements:
            self._set_trust(value)

    def set_trust(self, value: int) -> None:
        """Without a window: saved in the settings object and in settings.toml."""
        settings = self._settings()
        settings.community.trust_endorsements = value
        settings_mod.save(settings)

    # --- local lists ---------------------------------------------------------------------

    def refresh_local(self) -> None:
        """Reload the inbox, imported skills and subscriptions (store thread, no network)."""
        hub_url = self._settings().community.hub_url.strip().rstrip("/")
        self._run(lambda db: (_inbox(db, hub_url) if hub_url else [],
                              subscriptions.subscribed(db)), self._show_local)
        self.imported.refresh()

    def _show_local(self, lists: tuple[list[InboxEntry], list[str]]) -> None:
        inbox, domains = lists
        kept = self._fill(self.inbox_list, [(e.label, e) for e in inbox],
                          key=lambda entry: entry.item.remote_id)
        self._fill(self.subscription_list, [(d, d) for d in domains])
        self.tabs.setTabText(1, f"Inbox ({len(inbox)})" if inbox else "Inbox")
        if kept is None or kept.item.status != "inbox":
            self._show_inbox_entry(kept)  # (one still waiting keeps its fresher preview)
        self._update_buttons()
