""" "What Flywheel learned": every signal and training example, in plain words, deletable.

A user who cannot see what is learned from them cannot trust it, so every recorded signal
and every example built from it is listed newest first, described as a sentence rather
than as table rows, and any of them can be deleted (a signal takes its examples with it;
an example goes alone and is not rebuilt). Learning can be paused from here and the
current conversation excluded, which also forgets what it taught.

Database work runs on the store thread (:class:`AsyncStore`); the page only renders.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import settings as settings_mod
from app.signals.capture import set_excluded
from app.store import conversations as conv
from app.store.examples import delete_example, examples_for_signal, recent_examples
from app.store.signals import delete_signal, recent_signals
from app.ui.store_page import StorePage
from app.ui.workers import AsyncStore

LIMIT = 500  # newest signals and newest examples shown; older ones stay in the database
ABOUT_CHARS = 60
QUOTE_CHARS = 80
KEY_ROLE = Qt.ItemDataRole.UserRole

GROUPS = {
    "correction": "Corrections",
    "verbal_correction": "Corrections",
    "thumb": "Thumbs",
    "requery": "Re-asked questions",
    "regenerate": "Regenerations",
    "regenerate_kept": "Regenerations",
    "acceptance": "Thanks and moving on",
    "command_exit": "Commands",
    "command_edit": "Commands",
    "command_fix": "Commands",
}
ALL, SIGNALS, EXAMPLES = "Everything", "All signals", "Training examples"
FILTERS = [ALL, SIGNALS, EXAMPLES, *dict.fromkeys(GROUPS.values())]


@dataclass(frozen=True)
class Entry:
    """One line of the list: a signal or an example, already put into words."""

    kind: str  # "signal" or "example"
    id: int
    created: float
    group: str
    text: str
    detail: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    @property
    def label(self) -> str:
        return f"{time.strftime('%b %d %H:%M', time.localtime(self.created))}  {self.text}"


@dataclass(frozen=True)
class Snapshot:
    entries: list[Entry]
    excluded: bool | None  # the current conversation's flag; None without one


def _short(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _about(row: dict[str, Any]) -> str:
    """The request a signal or example is about, quoted and shortened, for its sentence."""
    return f"“{_short(row.get('request'), ABOUT_CHARS)}”" if row.get("request") else "a request"


def describe_signal(row: dict[str, Any]) -> str:
    """A signal as a sentence a user recognises (what they did, what will be learned)."""
    about = _about(row)
    hint = _short(row.get("hint"), QUOTE_CHARS)
    command = _short(row.get("command"), QUOTE_CHARS)
    provenance = json.loads(row.get("provenance") or "{}")
    kind, positive = row["kind"], row["score"] > 0
    if kind == "correction":
        text = f"You corrected a reply about {about} — the corrected answer will be learned."
    elif kind == "thumb" and positive:
        text = f"You liked a reply about {about}."
    elif kind == "thumb":
        reason = f" because “{hint}”" if hint else ""
        text = f"You disliked a reply about {about}{reason}."
    elif kind == "regenerate":
        text = f"You asked for another reply about {about} — the first one counts against it."
    elif kind == "regenerate_kept":
        text = f"You went on with a regenerated reply about {about} — it is preferred."
    elif kind == "requery":
        text = f"You asked again about {about} — the reply seems to have missed."
    elif kind == "verbal_correction":
        said = f": “{hint}”" if hint else ""
        text = f"You told it what was wrong in a reply about {about}{said}."
    elif kind == "acceptance":
        text = f"You moved on happily after a reply about {about}."
    elif kind == "command_exit" and positive:
        text = f"A command it proposed worked: {command}"
    elif kind == "command_exit":
        text = f"A command it proposed failed (exit {row.get('exit_code')}): {command}"
    elif kind == "command_edit":
        original = _short(row.get("original_command"), QUOTE_CHARS)
        text = f"You edited a command it proposed before running it: {original} → {command}"
    elif kind == "command_fix":
        fixed = _short(provenance.get("fixed_command"), QUOTE_CHARS)
        text = f"You fixed a failing command: {command} → {fixed}"
    else:
        text = f"Signal “{kind}” on a reply about {about}."
    count = row.get("n_examples") or 0
    return f"{text} ({count} training example{'s' if count != 1 else ''})"


def describe_example(row: dict[str, Any]) -> str:
    """A training example as a sentence: what the model will be nudged towards or from."""
    about = _about(row)
    kind = row["kind"]
    if kind == "sft":
        text = f"learn to answer {about} with “{_short(row['target'], QUOTE_CHARS)}”"
    elif kind == "pair":
        chosen, rejected = _short(row["chosen"], 40), _short(row["rejected"], 40)
        text = f"for {about}, prefer “{chosen}” over “{rejected}”"
    elif kind == "hinted":
        text = f"improve the reply to {about} with the hint “{_short(row['hint'], 60)}”"
    elif (row["label"] or 0) > 0:
        text = f"a good reply to {about}: “{_short(row['reply'], QUOTE_CHARS)}”"
    else:
        text = f"a reply to avoid for {about}: “{_short(row['reply'], QUOTE_CHARS)}”"
    return f"Example: {text}"


def _signal_detail(row: dict[str, Any]) -> str:
    lines = [
        describe_signal(row),
        "",
        f"Kind: {row['kind']}   score: {row['score']:+g}   confidence: {row['confidence']:.2f}",
        f"Decided by: {row['detector']}",
    ]
    for label, key in (("Request", "request"), ("Reply", "reply"), ("Hint", "hint")):
        if row.get(key):
            lines += ["", f"{label}:", str(row[key])]
    return "\n".join(lines)


def _example_detail(row: dict[str, Any]) -> str:
    lines = [describe_example(row), "", f"Kind: {row['kind']}   weight: {row['weight']:.2f}"]
    lines.append(f"From signals: {row.get('signal_kinds') or 'none'}")
    for key in ("target", "chosen", "rejected", "reply", "hint"):
        if row.get(key):
            lines += ["", f"{key.capitalize()}:", str(row[key])]
    return "\n".join(lines)


def load_snapshot(db: sqlite_utils.Database, conversation_id: int | None) -> Snapshot:
    """Everything the page shows, read in one job on the store thread."""
    entries = [
        Entry(
            "signal",
            r["id"],
            r["created"],
            GROUPS.get(r["kind"], SIGNALS),
            describe_signal(r),
            _signal_detail(r),
        )
        for r in recent_signals(db, LIMIT)
    ]
    entries += [
        Entry("example", r["id"], r["created"], EXAMPLES, describe_example(r), _example_detail(r))
        for r in recent_examples(db, LIMIT)
    ]
    entries.sort(key=lambda e: (e.created, e.kind == "signal", e.id), reverse=True)
    conversation = conv.get_conversation(db, conversation_id) if conversation_id else None
    excluded = bool(conversation["excluded_from_learning"]) if conversation else None
    return Snapshot(entries, excluded)


def _delete(db: sqlite_utils.Database, key: tuple[str, int]) -> str:
    kind, item_id = key
    if kind == "example":
        delete_example(db, item_id)
        return "Deleted the training example. The signal behind it stays."
    examples = len(examples_for_signal(db, item_id))
    delete_signal(db, item_id)
    return f"Deleted the signal and {examples} training example(s) built from it."


class LearnedView(StorePage):
    """The page of the main window that shows what Flywheel learned from the user.

    Pass the window's :class:`AsyncStore` and :class:`Settings` to share them (the pause
    toggle then changes the window's settings object too); without them the page starts
    its own store thread and reads the saved settings.
    """

    changed = Signal()  # signals or examples were deleted, or a conversation excluded
    learning_paused_changed = Signal(bool)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        store: AsyncStore | None = None,
        settings: settings_mod.Settings | None = None,
    ) -> None:
        super().__init__(parent, store)
        self.settings = settings or settings_mod.load()
        self.conversation_id: int | None = None
        self.entries: list[Entry] = []

        title = QLabel("<b>What Flywheel learned</b>")
        self.pause_check = QCheckBox("Pause learning")
        self.pause_check.setToolTip("While paused, nothing you do is recorded or learned.")
        self.pause_check.setChecked(self.settings.learning.paused)
        self.exclude_button = QPushButton("Exclude this conversation…")
        top = QHBoxLayout()
        for widget in (title, self.pause_check, self.exclude_button):
            top.addWidget(widget)
        top.insertStretch(1, 1)

        self.filter = QComboBox()
        self.filter.addItems(FILTERS)
        self.search = QLineEdit(placeholderText="Search")
        self.search.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        filters.addWidget(self.filter)
        filters.addWidget(self.search, 1)

        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setPlaceholderText(
            "Corrections, thumbs, re-asked questions and command results appear above; "
            "select one to see the details."
        )
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)

        self.delete_button = QPushButton("Delete")
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.pause_check.toggled.connect(self.set_paused)
        self.exclude_button.clicked.connect(self.toggle_excluded)
        self.filter.currentTextChanged.connect(self._fill)
        self.search.textChanged.connect(self._fill)
        self.list.currentItemChanged.connect(self._selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self._excluded: bool | None = None
        self._show_conversation_state()
        self._selected(None)
        self.refresh()

    # --- list ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload signals, examples and the current conversation's state."""
        conversation_id = self.conversation_id
        self._run(lambda db: load_snapshot(db, conversation_id), self._loaded)

    def _loaded(self, snapshot: Snapshot) -> None:
        self.entries = snapshot.entries
        self._excluded = snapshot.excluded
        self._show_conversation_state()
        self._fill()

    def visible_entries(self) -> list[Entry]:
        """The entries the filter and the search text let through, newest first."""
        choice, needle = self.filter.currentText(), self.search.text().strip().lower()
        shown = []
        for entry in self.entries:
            if choice == SIGNALS and entry.kind != "signal":
                continue
            if choice not in (ALL, SIGNALS) and entry.group != choice:
                continue
            if needle and needle not in entry.detail.lower():
                continue
            shown.append(entry)
        return shown

    def _fill(self, *_: object) -> None:
        keep = self.list.currentItem().data(KEY_ROLE) if self.list.currentItem() else None
        self.list.blockSignals(True)
        self.list.clear()
        chosen = None
        for entry in self.visible_entries():
            item = QListWidgetItem(entry.label)
            item.setData(KEY_ROLE, entry.key)
            self.list.addItem(item)
            if entry.key == keep:
                chosen = item
        self.list.blockSignals(False)
        self.list.setCurrentItem(chosen)
        self._selected(chosen)

    def _selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        entry = next((e for e in self.entries if item and e.key == item.data(KEY_ROLE)), None)
        self.detail.setPlainText(entry.detail if entry else "")
        self.delete_button.setEnabled(entry is not None)

    def select(self, key: tuple[str, int]) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(KEY_ROLE) == key:
                self.list.setCurrentRow(row)
                return

    # --- actions -------------------------------------------------------------------------

    def delete_selected(self) -> None:
        """Delete the selected signal (with its examples) or example (alone)."""
        item = self.list.currentItem()
        if item is None:
            return
        key = tuple(item.data(KEY_ROLE))
        self._run(lambda db: _delete(db, key), self._deleted)

    def _deleted(self, note: str) -> None:
        self._say(note)
        self.changed.emit()
        self.refresh()

    def set_paused(self, paused: bool) -> None:
        """Pause or resume learning and save the setting at once."""
        if paused == self.settings.learning.paused:
            return
        self.settings.learning.paused = paused
        try:
            settings_mod.save(self.settings)
        except OSError as exc:
            self.settings.learning.paused = not paused
            self.pause_check.blockSignals(True)
            self.pause_check.setChecked(not paused)
            self.pause_check.blockSignals(False)
            self._say(f"Could not save the setting: {exc}", error=True)
            return
        self._say("Learning is paused." if paused else "Learning is on again.")
        self.learning_paused_changed.emit(paused)

    def set_conversation(self, conversation_id: int | None) -> None:
        """Tell the page which conversation the window shows (for the exclude button)."""
        self.conversation_id = conversation_id
        self.refresh()

    def _show_conversation_state(self) -> None:
        self.exclude_button.setEnabled(self._excluded is not None)
        self.exclude_button.setText(
            "Include this conversation again" if self._excluded else "Exclude this conversation…"
        )

    def toggle_excluded(self) -> None:
        """Exclude the current conversation (after confirmation) or include it again."""
        conversation_id, exclude = self.conversation_id, not self._excluded
        if conversation_id is None or self._excluded is None:
            return
        if exclude and not self._confirm(
            "Exclude this conversation from learning? What was already learned from it "
            "(its signals and training examples) will be deleted."
        ):
            return

        def done(deleted: int) -> None:
            self._say(
                f"Excluded; forgot {deleted} signal(s) from it." if exclude else "Included again."
            )
            self.changed.emit()
            self.refresh()

        self._run(lambda db: set_excluded(db, conversation_id, exclude), done)
