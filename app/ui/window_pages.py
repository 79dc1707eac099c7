"""The pages the menus open over the main window, each in its own non-modal window: skills,
the community, what Flywheel learned, the learning dashboard, sharing and About.

Each page module is imported when its page first opens, so that the window's start-up does
not pay for them. The open pages are kept here, where tests and the screenshot script look
them up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import sqlite_utils
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from app import settings as settings_mod
from app.learning.supervisor import TrainingSupervisor
from app.ui.banner import Banner
from app.ui.community_sync import CommunitySync
from app.ui.workers import AsyncStore, ModelThread

if TYPE_CHECKING:
    from app.community.subscriptions import SyncReport


class WindowPages(QObject):
    """Opens the pages; ``db``, ``settings`` and ``conversation`` (the one shown) are read
    when a page opens, since the window replaces them."""

    def __init__(self, window: QWidget, store: AsyncStore, model: ModelThread,
                 learning: TrainingSupervisor, sync: CommunitySync, banner: Banner,
                 db: Callable[[], sqlite_utils.Database],
                 settings: Callable[[], settings_mod.Settings],
                 conversation: Callable[[], int | None],
                 set_trust: Callable[[int], None]) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.model = model
        self.learning = learning
        self.sync = sync
        self.banner = banner
        self._db = db
        self._settings = settings
        self._conversation = conversation
        self._set_trust = set_trust
        self.skills_dialog: QDialog | None = None
        self.community_dialog: QDialog | None = None
        self.learned_dialog: QDialog | None = None
        self.dashboard: QWidget | None = None
        self.about_dialog: QDialog | None = None
        self.share_dialog: QDialog | None = None
        self.sharing_log_dialog: QDialog | None = None
        sync.synced.connect(self._community_synced)

    def _open_page(self, title: str, page: QWidget) -> QDialog:
        """Show a page (skills, what was learned) in its own non-modal window."""
        dialog = QDialog(self.window)
        dialog.setWindowTitle(title)
        dialog.resize(820, 560)
        layout = QVBoxLayout(dialog)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    @Slot()
    def open_skills(self) -> None:
        from app.ui.skills_page import SkillsPage

        self.skills_dialog = self._open_page("Skills", SkillsPage(store=self.store))

    @Slot()
    def open_community(self) -> None:
        from app.ui.community_page import CommunityPage

        page = CommunityPage(self._settings, store=self.store, sync=self.sync,
                             set_trust=self._set_trust)
        self.community_dialog = self._open_page("Community", page)

    def _community_synced(self, report: SyncReport) -> None:
        if report.waiting or report.enabled:
            self.banner.show_message(f"Community: {report.summary()} See View → Community…")

    @Slot()
    def open_learned(self) -> None:
        from app.ui.learned_view import LearnedView

        view = LearnedView(store=self.store, settings=self._settings())
        view.set_conversation(self._conversation())
        view.learning_paused_changed.connect(self._learning_paused_changed)
        self.learned_dialog = self._open_page("What Flywheel learned", view)

    @Slot(bool)
    def _learning_paused_changed(self, paused: bool) -> None:
        self._settings().learning.paused = paused

    @Slot()
    def open_dashboard(self) -> None:
        """The Learning page, for the model being served (its adapters are per base model)."""
        from app.assistant import configured_model_path
        from app.model.catalog import ModelFileError
        from app.ui.dashboard import LearningDashboard

        try:
            model_path = configured_model_path(self._settings())
        except ModelFileError as exc:
            self.banner.show_message(f"The learning page needs a model: {exc}")
            return
        dialog = LearningDashboard(self._db(), model_path, self.learning, self.window)
        dialog.adapter_changed.connect(self.model.use_active_adapter)
        dialog.finished.connect(dialog.deleteLater)
        dialog.destroyed.connect(lambda: setattr(self, "dashboard", None))
        self.dashboard = dialog
        dialog.open()

    def open_share_skills(self) -> None:
        """Preview and approve skills for the community hub (nothing leaves without consent)."""
        from app.ui.share_dialog import open_share_flow

        self.share_dialog = open_share_flow(self.window, self._db(), self._settings(),
                                            self.banner.show_message)

    def open_sharing_log(self) -> None:
        from app.ui.share_dialog import open_sharing_log

        self.sharing_log_dialog = open_sharing_log(self.window, self._db(), self._settings(),
                                                   self.banner.show_message)

    @Slot()
    def open_about(self) -> None:
        from app.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self._settings(), self.window)
        dialog.finished.connect(lambda _result: self._about_closed(dialog))
        self.about_dialog = dialog
        dialog.open()

    def _about_closed(self, dialog: QDialog) -> None:
        if self.about_dialog is dialog:
            self.about_dialog = None
        dialog.deleteLater()
