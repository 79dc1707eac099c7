"""The Community page's *Imported* tab: skills from a hub, their trial, and the user's say.

Each imported skill shows where it came from and how its trial goes (see
:func:`app.skills.outcomes.trial_note`); the user can turn it off, delete it, or choose that
it applies to every request, which no hub can choose for them. Database work only, on the
store thread (:class:`StorePage`).
"""

from __future__ import annotations

import sqlite_utils
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.community.client import set_applies_always
from app.skills.library import SkillLibrary
from app.skills.outcomes import trial_note
from app.skills.skill import APPLIES_ALWAYS, Skill
from app.ui.markdown_view import MarkdownView
from app.ui.skills_page import skill_markdown
from app.ui.store_page import StorePage
from app.ui.workers import AsyncStore

SKILL_ROLE = Qt.ItemDataRole.UserRole


def imported_skills(db: sqlite_utils.Database) -> list[Skill]:
    return [s for s in SkillLibrary(db).list_skills() if s.community_origin]


def imported_label(skill: Skill) -> str:
    """``name (on trial: 1 of 5 uses judged)``, ``name (off)``, ``name (retired)``…"""
    state = ("retired" if skill.retired else "off" if not skill.enabled
             else trial_note(skill) or "kept")
    return f"{skill.name} ({state})"


class ImportedSkills(StorePage):
    """The list of imported skills with Turn off/on, Apply to every request, Delete."""

    changed = Signal()  # the skills library changed

    def __init__(self, parent: QWidget | None = None, store: AsyncStore | None = None) -> None:
        super().__init__(parent, store)
        self.list = QListWidget()
        self.view = MarkdownView()
        self.toggle_button = QPushButton("Turn off")
        self.always_button = QPushButton("Apply to every request…")
        self.delete_button = QPushButton("Delete…")
        self.list.currentItemChanged.connect(self._selected)
        self.toggle_button.clicked.connect(self.toggle_enabled)
        self.always_button.clicked.connect(self.toggle_always)
        self.delete_button.clicked.connect(self.delete)
        buttons = QHBoxLayout()
        for button in (self.toggle_button, self.always_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self.message)
        column.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)
        self._selected(None)

    def current(self) -> Skill | None:
        item = self.list.currentItem()
        return item.data(SKILL_ROLE) if item is not None else None

    def labels(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def refresh(self) -> None:
        self._run(imported_skills, self._fill)

    def _fill(self, skills: list[Skill]) -> None:
        """Replace the list, keeping the selected skill (by name) when it is still there."""
        kept = self.current()
        self.list.blockSignals(True)
        self.list.clear()
        chosen = None
        for skill in skills:
            item = QListWidgetItem(imported_label(skill))
            item.setData(SKILL_ROLE, skill)
            self.list.addItem(item)
            if kept is not None and skill.name == kept.name:
                chosen = item
        self.list.setCurrentItem(chosen)
        self.list.blockSignals(False)
        self._selected(chosen)

    def _selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        skill: Skill | None = item.data(SKILL_ROLE) if item is not None else None
        self.view.show_markdown(skill_markdown(skill) if skill else "")
        for button in (self.toggle_button, self.always_button, self.delete_button):
            button.setEnabled(skill is not None)
        if skill is not None:
            self.toggle_button.setText("Turn on" if not skill.enabled else "Turn off")
            self.always_button.setText("Apply only when relevant"
                                       if skill.applies == APPLIES_ALWAYS
                                       else "Apply to every request…")

    def _changed(self, note: str) -> None:
        self._say(note)
        self.changed.emit()
        self.refresh()

    def toggle_enabled(self) -> None:
        skill = self.current()
        if skill is None:
            return
        name, enabled = skill.name, not skill.enabled
        self._run(lambda db: SkillLibrary(db).set_enabled(name, enabled),
                  lambda _: self._changed("Turned on." if enabled else "Turned off."))

    def toggle_always(self) -> None:
        """A community skill applies to every request only when the user says so, here."""
        skill = self.current()
        if skill is None:
            return
        always = skill.applies != APPLIES_ALWAYS
        if always and not self._confirm(
                f"Put “{skill.name}” in every prompt, whatever you ask? A member of the "
                "community wrote it: do this only for a skill you have read and trust."):
            return
        name = skill.name
        self._run(lambda db: set_applies_always(db, name, always),
                  lambda _: self._changed("Applies to every request." if always
                                          else "Applies when relevant."))

    def delete(self) -> None:
        skill = self.current()
        if skill is None or not self._confirm(f"Delete the imported skill “{skill.name}”?"):
            return
        name = skill.name
        self._run(lambda db: SkillLibrary(db).delete(name),
                  lambda _: self._changed(f"Deleted {name}."))
