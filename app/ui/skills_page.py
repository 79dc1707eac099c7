"""The skills page: browse, read, edit, switch off, delete, import and export skills.

Every disk and database operation runs on the store thread (:class:`AsyncStore`), so a slow
disk or a big import never freezes the window; the page only renders results. Skills come
from other tools and the community too, so their Markdown is shown through the same safe
renderer as model replies. Edits are validated as SKILL.md before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app.skills.library import ImportReport, SkillLibrary
from app.skills.outcomes import on_trial, trial_note
from app.skills.skill import APPLIES_ALWAYS, Skill, SkillFormatError, parse_skill
from app.ui.markdown_view import MarkdownView
from app.ui.store_page import StorePage
from app.ui.workers import AsyncStore

NAME_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class SkillEntry:
    """One row of the list, as the store thread read it."""

    name: str
    description: str
    enabled: bool
    retired: bool
    community: bool = False
    on_trial: bool = False
    imported: bool = False  # from another agent's skill folder

    @property
    def label(self) -> str:
        notes = ["community"] if self.community else []
        notes += ["imported"] if self.imported else []
        notes += ["retired"] if self.retired else [] if self.enabled else ["off"]
        notes += ["on trial"] if self.on_trial else []
        return f"{self.name} ({', '.join(notes)})" if notes else self.name


@dataclass(frozen=True)
class SkillDetail:
    skill: Skill
    text: str


def _entries(db: sqlite_utils.Database, query: str) -> list[SkillEntry]:
    library = SkillLibrary(db)
    skills = library.search(query) if query.strip() else library.list_skills()
    return [SkillEntry(s.name, s.description, s.enabled, s.retired, bool(s.community_origin),
                       on_trial(s), bool(s.imported_from)) for s in skills]


def _detail(db: sqlite_utils.Database, name: str) -> SkillDetail:
    library = SkillLibrary(db)
    skill = library.get(name)
    return SkillDetail(skill, library.text(name))


def _save(db: sqlite_utils.Database, old_name: str, text: str) -> str:
    skill = parse_skill(text, f"{old_name}/SKILL.md", folder_name=old_name)
    SkillLibrary(db).rename(old_name, skill)
    return skill.name


def skill_markdown(skill: Skill) -> str:
    """What the view shows: name, description, bookkeeping, then the skill's own body."""
    status = "retired" if skill.retired else "on" if skill.enabled else "off"
    scope = "every request" if skill.applies == APPLIES_ALWAYS else "related requests"
    facts = [
        f"status: {status}",
        f"applies to: {scope}",
        f"used {skill.uses} times, helped {skill.successes}",
    ]
    if skill.category:
        facts.insert(0, f"category: {skill.category}")
    if skill.community_origin:
        facts.append(f"from the community: {skill.community_origin}")
    if skill.imported_from:
        facts.append(f"imported from: {skill.imported_from}")
    if on_trial(skill):
        facts.append(trial_note(skill))
    return f"# {skill.name}\n\n*{skill.description}*\n\n{' · '.join(facts)}\n\n{skill.body}"


class SkillsPage(StorePage):
    """The skills library as a page of the main window (see :class:`StorePage` for ``store``)."""

    changed = Signal()  # the library changed (saved, switched, deleted, imported)

    def __init__(self, parent: QWidget | None = None, store: AsyncStore | None = None) -> None:
        super().__init__(parent, store)
        self.current: SkillDetail | None = None

        self.search = QLineEdit(placeholderText="Search skills")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.import_button = QPushButton("Import folder…")
        self.export_button = QPushButton("Export…")
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        left.addLayout(row)

        self.viewer = MarkdownView()
        self.editor = QPlainTextEdit()
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.viewer)
        self.stack.addWidget(self.editor)
        self.edit_button = QPushButton("Edit")
        self.save_button = QPushButton("Save")
        self.cancel_button = QPushButton("Cancel")
        self.toggle_button = QPushButton("Turn off")
        self.restore_button = QPushButton("Restore")
        self.delete_button = QPushButton("Delete…")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actions = QHBoxLayout()
        for button in (
            self.edit_button,
            self.save_button,
            self.cancel_button,
            self.toggle_button,
            self.restore_button,
            self.delete_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        right.addWidget(self.message)
        right.addLayout(actions)

        splitter = QSplitter()
        for layout in (left, right):
            holder = QWidget()
            layout.setContentsMargins(0, 0, 0, 0)
            holder.setLayout(layout)
            splitter.addWidget(holder)
        splitter.setStretchFactor(1, 2)
        outer = QVBoxLayout(self)
        outer.addWidget(splitter)

        self.search.textChanged.connect(self.refresh)
        self.list.currentItemChanged.connect(self._selected)
        self.edit_button.clicked.connect(self.start_edit)
        self.save_button.clicked.connect(self.save_edit)
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.toggle_button.clicked.connect(self.toggle_enabled)
        self.restore_button.clicked.connect(self.restore)
        self.delete_button.clicked.connect(self.delete)
        self.import_button.clicked.connect(self.import_folder)
        self.export_button.clicked.connect(self.export)
        self._show_detail(None)
        self.refresh()

    # --- plumbing ------------------------------------------------------------------------

    def _choose_folder(self, title: str) -> str:
        return QFileDialog.getExistingDirectory(self, title, str(paths.dialog_start_dir()))

    def _changed(self, name: str | None = None, note: str = "") -> None:
        self._say(note)
        self.changed.emit()
        self.refresh(select=name)

    # --- list and view -------------------------------------------------------------------

    def refresh(self, *_: object, select: str | None = None) -> None:
        """Reload the list for the search text, keeping (or moving to) a selection."""
        keep = select or (self.current.skill.name if self.current else None)
        query = self.search.text()
        self._run(lambda db: _entries(db, query), lambda entries: self._fill(entries, keep))

    def _fill(self, entries: list[SkillEntry], keep: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        chosen = None
        for entry in entries:
            item = QListWidgetItem(entry.label)
            item.setData(NAME_ROLE, entry.name)
            item.setToolTip(entry.description)
            self.list.addItem(item)
            if entry.name == keep:
                chosen = item
        self.list.blockSignals(False)
        if chosen is not None:
            self.list.setCurrentItem(chosen)
        else:
            self._show_detail(None)

    def names(self) -> list[str]:
        return [self.list.item(i).data(NAME_ROLE) for i in range(self.list.count())]

    def select(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(NAME_ROLE) == name:
                self.list.setCurrentRow(i)
                return

    def _selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            self._show_detail(None)
            return
        name = item.data(NAME_ROLE)
        self._run(lambda db: _detail(db, name), self._show_detail)

    def _show_detail(self, detail: SkillDetail | None) -> None:
        self.current = detail
        self.stack.setCurrentWidget(self.viewer)
        has = detail is not None
        self.viewer.show_markdown(skill_markdown(detail.skill) if detail else "")
        for button in (self.edit_button, self.toggle_button, self.delete_button):
            button.setEnabled(has)
        self.save_button.setVisible(False)
        self.cancel_button.setVisible(False)
        self.edit_button.setVisible(True)
        retired = bool(detail and detail.skill.retired)
        self.restore_button.setVisible(retired)
        self.toggle_button.setText("Turn on" if has and not detail.skill.enabled else "Turn off")

    # --- actions -------------------------------------------------------------------------

    def start_edit(self) -> None:
        if self.current is None:
            return
        self.editor.setPlainText(self.current.text)
        self.stack.setCurrentWidget(self.editor)
        self.edit_button.setVisible(False)
        self.save_button.setVisible(True)
        self.cancel_button.setVisible(True)
        self._say("")

    def cancel_edit(self) -> None:
        self._show_detail(self.current)
        self._say("")

    def save_edit(self) -> None:
        """Validate the edited SKILL.md here (instant feedback), then write it off-thread."""
        if self.current is None:
            return
        old, text = self.current.skill.name, self.editor.toPlainText()
        try:
            parse_skill(text, f"{old}/SKILL.md", folder_name=old)
        except SkillFormatError as exc:
            self._say(f"Not saved: {exc.problem}", error=True)
            return
        self._run(lambda db: _save(db, old, text), lambda name: self._changed(name, "Saved."))

    def toggle_enabled(self) -> None:
        if self.current is None:
            return
        name, enabled = self.current.skill.name, not self.current.skill.enabled
        self._run(
            lambda db: SkillLibrary(db).set_enabled(name, enabled),
            lambda _: self._changed(name, "Turned on." if enabled else "Turned off."),
        )

    def restore(self) -> None:
        if self.current is None:
            return
        name = self.current.skill.name
        self._run(lambda db: SkillLibrary(db).restore(name), lambda _: self._changed(name))

    def delete(self) -> None:
        if self.current is None:
            return
        name = self.current.skill.name
        if not self._confirm(f"Delete the skill “{name}” and its folder?"):
            return
        self.current = None
        self._run(lambda db: SkillLibrary(db).delete(name), lambda _: self._changed(None))

    def import_folder(self) -> None:
        folder = self._choose_folder("Import skills from a folder")
        if not folder:
            return
        self._run(lambda db: SkillLibrary(db).import_path(Path(folder)), self._imported)

    def _imported(self, report: ImportReport) -> None:
        lines = [f"Imported {len(report.imported)} skill(s)."]
        lines += [f"Skipped {path}: {problem}" for path, problem in report.problems[:5]]
        if len(report.problems) > 5:
            lines.append(f"…and {len(report.problems) - 5} more problems.")
        first = report.imported[0] if report.imported else None
        self._changed(first, "\n".join(lines))
        if report.problems:
            self._say("\n".join(lines), error=True)

    def export(self) -> None:
        folder = self._choose_folder("Export skills to a folder")
        if not folder:
            return
        self._run(
            lambda db: SkillLibrary(db).export(Path(folder)),
            lambda written: self._say(f"Exported {len(written)} skill(s) to {folder}."),
        )
