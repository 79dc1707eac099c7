"""The main window: conversations on the left, the chat on the right, status at the bottom.

This module builds the widgets and the menu bar, owns the session's state (which
conversation is shown, the settings in use) and wires the window's parts together: the
turns (:mod:`app.ui.chat_turns`), the served model's loads (:mod:`app.ui.model_loads`),
proposed commands (:mod:`app.ui.command_runs`), the chat list's actions
(:mod:`app.ui.conversation_actions`), the feedback dialogs
(:mod:`app.ui.feedback_dialogs`), the pages the menus open (:mod:`app.ui.window_pages`),
the idle trainer, the tray icon and the saved layout. It never waits for anything slow: the
model and the turn's database writes run on the model thread, feedback writes on the store
thread, and the window only reads (WAL readers never wait for writers) and reacts to their
signals.
"""

from __future__ import annotations

import copy
import importlib.util
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app import settings as settings_mod
from app.learning.supervisor import ActivityWatcher, TrainingSupervisor
from app.store import conversations as conv
from app.store.db import open_db
from app.ui import appearance, markdown
from app.ui import theme as theme_mod
from app.ui.banner import Banner
from app.ui.chat_history import message_views
from app.ui.chat_turns import ChatTurns
from app.ui.chat_view import ChatView
from app.ui.command_runs import CommandRuns
from app.ui.community_sync import CommunitySync
from app.ui.composer import Composer
from app.ui.conversation_actions import ConversationActions
from app.ui.conversation_list import ConversationList
from app.ui.feedback_dialogs import FeedbackDialogs
from app.ui.first_paint import after_first_paint
from app.ui.icons import app_icon
from app.ui.model_loads import ModelLoads
from app.ui.status_bar import StatusBar
from app.ui.terminal_pane import TerminalPane
from app.ui.tray import build_tray
from app.ui.window_layout import WindowLayout
from app.ui.window_pages import WindowPages
from app.ui.workers import AsyncStore, ModelThread, TurnRequest, model_settings_key

if TYPE_CHECKING:
    from app.ui.confirm_command import ConfirmCommandDialog
    from app.ui.correct_dialog import CorrectDialog
    from app.ui.thumb_dialog import ThumbDialog

SETTINGS_DIALOG_MODULE = "app.ui.settings_dialog"


class MainWindow(QMainWindow):
    """Flywheel's window. ``settings`` defaults to the user's saved settings."""

    turn_done = Signal(int)  # emitted after a finished or failed turn has been displayed

    def __init__(self, settings: settings_mod.Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or settings_mod.load()
        app = QApplication.instance()
        assert isinstance(app, QApplication), "create the QApplication first"
        self.theme = theme_mod.install(app, self.settings.ui.theme)
        appearance.apply_font_size(self.settings.ui.font_size)
        self.setWindowTitle("Flywheel")
        self.setWindowIcon(app_icon())
        self.db = open_db()
        self.store = AsyncStore(self)
        self.model = ModelThread(self)
        self.conversation_id: int | None = None
        self._closed = False
        self._quitting = False
        self.settings_dialog: QWidget | None = None
        self.community_sync = CommunitySync(lambda: self.settings, self)
        self._build_ui()
        self._connect_learning()
        self.pages = WindowPages(self, self.store, self.model, self.learning, self.community_sync,
                                 self.banner, lambda: self.db, lambda: self.settings,
                                 lambda: self.conversation_id, self.set_trust_endorsements)
        self._build_menus()
        self.tray = build_tray(self, self.quit)
        self.layout_state = WindowLayout(self, self.splitter)
        self._restore_state()
        self.theme.changed.connect(self._theme_changed)
        app.aboutToQuit.connect(self.shutdown)
        if self.settings.load_error:
            self.banner.show_message(self.settings.load_error, "Settings…")
        self.commands.check_sandbox()
        self._background_started = False
        after_first_paint(self, self._start_background_work)

    def _start_background_work(self) -> None:
        """Load the model and warm up Markdown, once: after the first paint (see first_paint),
        or at the first turn if one is asked for sooner."""
        if self._background_started or self._closed:
            return
        self._background_started = True
        self.loads.load(self.settings)
        self.community_sync.start()
        threading.Thread(target=markdown.warm_up, name="flywheel-warm-up", daemon=True).start()

    # -- construction ----------------------------------------------------------------------

    def _build_ui(self) -> None:
        colors = self.theme.colors
        self.conversations = ConversationList()
        self.chat = ChatView(colors)
        self.composer = Composer()
        self.banner = Banner(colors)
        self.status = StatusBar()
        self.setStatusBar(self.status)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.chat, 1)
        column.addWidget(self.composer)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.conversations)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 750])
        self.setCentralWidget(self.splitter)
        self.terminal = TerminalPane(self)
        self.terminal.settings = self.settings
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.terminal)
        self.terminal.hide()
        self.resize(1080, 740)
        self.conversations.selected.connect(self.open_conversation)
        self.conversations.new_requested.connect(self.new_chat)
        self.chat.branch_requested.connect(self.switch_branch)
        self.banner.action.connect(self.open_settings)
        self.store.error.connect(lambda message: self.banner.show_message(message))
        self.turns = ChatTurns(self.model, self.chat, self.composer, self.status, self.banner,
                               lambda: self.conversation_id, lambda: self.settings, self)
        self.turns.starting.connect(self._turn_starting)
        self.turns.conversation_created.connect(self._conversation_created)
        self.turns.ended.connect(self._turn_ended)
        self.loads = ModelLoads(self.model, self.status, self.banner, lambda: self.settings,
                                self._take_settings, self)
        self.feedback = FeedbackDialogs(self, self.chat, self.store, self.model,
                                        lambda: self.settings, self.reload_chat)
        self.commands = CommandRuns(self, self.chat, self.terminal, self.banner,
                                    lambda: self.db, lambda: self.settings)
        self.conversation_actions = ConversationActions(
            self, self.conversations, self.turns, self.store, self.status, self.banner,
            lambda: self.db, lambda: self.conversation_id, self.open_conversation,
            lambda: self.setWindowTitle(self._title()))

    def _action(
        self, text: str, shortcut: QKeySequence | str, slot: Callable[[], Any], menu: QMenu
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        """File, Chat, View, Learning and Help, with their keyboard shortcuts."""
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action(
            "&New chat", QKeySequence.StandardKey.New, self.new_chat, file_menu
        )
        self.search_action = self._action(
            "&Search chats",
            QKeySequence.StandardKey.Find,
            self.conversations.focus_search,
            file_menu,
        )
        self.rename_action = self._action(
            "&Rename chat", "F2", self.conversations.start_rename, file_menu
        )
        self.export_action = self._action(
            "&Export chat…", "Ctrl+Shift+E", self.conversation_actions.export_shown, file_menu
        )
        file_menu.addSeparator()
        self.settings_action = self._action("Se&ttings…", "Ctrl+,", self.open_settings, file_menu)
        self.settings_action.setEnabled(
            importlib.util.find_spec(SETTINGS_DIALOG_MODULE) is not None
        )
        self._action("S&hare skills…", "", self.pages.open_share_skills, file_menu)
        file_menu.addSeparator()
        self.quit_action = self._action(
            "&Quit", QKeySequence.StandardKey.Quit, self.quit, file_menu
        )
        chat_menu = bar.addMenu("&Chat")
        self.stop_action = self._action("&Stop reply", "Esc", self.turns.stop, chat_menu)
        self.regenerate_action = self._action(
            "&Regenerate last reply", "Ctrl+Shift+R", self.turns.regenerate_last, chat_menu
        )
        self.terminal_action = self.terminal.toggleViewAction()  # Ctrl+`
        self.terminal_action.setText("&Terminal")
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.terminal_action)
        self._action("&Skills…", "Ctrl+Shift+K", self.pages.open_skills, view_menu)
        self._action("&Community…", "Ctrl+Shift+M", self.pages.open_community, view_menu)
        self._action("What Flywheel &learned…", "Ctrl+Shift+W", self.pages.open_learned,
                     view_menu)
        view_menu.addSeparator()
        self.appearance_menu = appearance.AppearanceMenu(view_menu, self.settings.ui)
        self.appearance_menu.theme_chosen.connect(self.set_theme)
        self.appearance_menu.font_size_chosen.connect(self.set_font_size)
        learning_menu = bar.addMenu("&Learning")
        self._action("Learning &dashboard…", "Ctrl+Shift+L", self.pages.open_dashboard,
                     learning_menu)
        self._action("&Train now", "", self.learning.train_now, learning_menu)
        help_menu = bar.addMenu("&Help")
        self.about_action = self._action("&About Flywheel", "", self.pages.open_about, help_menu)
        self._update_actions()

    def _connect_learning(self) -> None:
        """Idle training: the supervisor, user activity that preempts it, the hot-swap."""
        self.learning = TrainingSupervisor(self.settings, parent=self)
        self.activity = ActivityWatcher(self)
        QApplication.instance().installEventFilter(self.activity)
        self.activity.activity.connect(self.learning.on_activity)
        self.learning.state_changed.connect(self.set_learning_state)
        self.learning.promoted.connect(lambda _version: self.model.use_active_adapter())
        self.model.worker.adapter_changed.connect(self.status.set_adapter)
        self.model.worker.adapter_failed.connect(self.banner.show_message)
        self.learning.start_monitoring()

    # -- window state ----------------------------------------------------------------------

    def _restore_state(self) -> None:
        """The layout as it was, and the conversation shown last (else the newest one)."""
        wanted = self.layout_state.restore()
        self.refresh_conversations()
        rows = conv.list_conversations(self.db)
        ids = {int(row["id"]) for row in rows}
        self.open_conversation(wanted if wanted in ids else (rows[0]["id"] if rows else None))

    def _theme_changed(self) -> None:
        if self._closed:  # the theme outlives a closed window (and its database connection)
            return
        colors = self.theme.colors
        self.chat.set_colors(colors)
        self.banner.set_colors(colors)
        self.reload_chat()

    # -- conversations ---------------------------------------------------------------------

    @Slot()
    def refresh_conversations(self) -> None:
        """Fill the sidebar: every conversation, or search results while searching."""
        self.conversation_actions.refresh()

    @Slot(int)
    def open_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        self.conversations.select(conversation_id)
        self.reload_chat()
        self._update_actions()

    def reload_chat(self) -> None:
        """Show the current conversation from the database (plus the live reply, if any)."""
        views = message_views(self.db, self.conversation_id) if self.conversation_id else []
        if self.running is not None and self.turns.conversation == self.conversation_id:
            text = self.chat.live_text
            self.chat.begin_live_reply(views)
            self.chat.append_live(text)
        else:
            self.chat.show_messages(views)
        self.commands.show_results()
        self.status.set_context(self.chat.context_usage())
        self.setWindowTitle(self._title())

    def _title(self) -> str:
        row = conv.get_conversation(self.db, self.conversation_id) if self.conversation_id else None
        return f"{row['title']} — Flywheel" if row else "Flywheel"

    @Slot()
    def new_chat(self) -> None:
        """An empty chat; the conversation is created with its first message."""
        self.open_conversation(None)
        self.composer.focus()

    @Slot(int)
    def switch_branch(self, message_id: int) -> None:
        if self.running is None:
            self.store.submit(
                lambda db: conv.switch_branch(db, message_id), lambda _: self.reload_chat()
            )

    # -- turns ------------------------------------------------------------------------------

    @property
    def running(self) -> TurnRequest | None:
        """The turn streaming now, if any."""
        return self.turns.running

    @Slot(str)
    def send_message(self, text: str) -> None:
        """Send ``text`` as the next user message of the shown conversation."""
        self.turns.send_message(text)

    @Slot()
    def _turn_starting(self) -> None:
        self._update_actions()
        self._start_background_work()  # the load is queued before the turn

    @Slot(int)
    def _conversation_created(self, conversation_id: int) -> None:
        if self.conversation_id is None:
            self.conversation_id = conversation_id
        self.refresh_conversations()
        self.setWindowTitle(self._title())

    @Slot(int, str, str)
    def _turn_ended(self, turn_id: int, unsaved: str, why: str) -> None:
        """Redraw the chat; ``unsaved``, a reply that streamed but could not be recorded (for
        reason ``why``), stays on screen: it is all there is of it."""
        self.reload_chat()
        if unsaved.strip():
            reason = "the disk is full — free some space" if "disk is full" in why else why
            self.chat.show_unsaved_reply(
                unsaved, f"Not saved: {reason}; copy the text if you need it."
            )
        self.refresh_conversations()
        self._update_actions()
        self.turn_done.emit(turn_id)

    def _update_actions(self) -> None:
        idle = self.running is None
        self.stop_action.setEnabled(not idle)
        self.regenerate_action.setEnabled(idle and self.conversation_id is not None)
        self.export_action.setEnabled(self.conversation_id is not None)

    # -- what tests, the screenshot script and the benches look up here, owned by the parts -

    @property
    def confirm_dialog(self) -> ConfirmCommandDialog | None:
        """The open confirmation of a proposed command."""
        return self.commands.confirm_dialog

    @property
    def correct_dialog(self) -> CorrectDialog | None:
        return self.feedback.correct_dialog

    @property
    def thumb_dialog(self) -> ThumbDialog | None:
        return self.feedback.thumb_dialog

    @property
    def skills_dialog(self) -> QDialog | None:
        return self.pages.skills_dialog

    @property
    def community_dialog(self) -> QDialog | None:
        return self.pages.community_dialog

    @property
    def learned_dialog(self) -> QDialog | None:
        return self.pages.learned_dialog

    @property
    def dashboard(self) -> QWidget | None:
        return self.pages.dashboard

    @property
    def about_dialog(self) -> QDialog | None:
        return self.pages.about_dialog

    @property
    def export_dialog(self) -> QDialog | None:
        return self.conversation_actions.export_dialog

    def _settings_closed(self, dialog: QWidget) -> None:
        if self.settings_dialog is dialog:
            self.settings_dialog = None
        dialog.deleteLater()

    # -- model and settings -----------------------------------------------------------------

    @property
    def model_ready(self) -> bool:
        """A model is loaded and answering (possibly the previous one after a failed switch)."""
        return self.loads.ready

    @Slot()
    def open_settings(self) -> None:
        if not self.settings_action.isEnabled():
            self.banner.show_message(
                f"Settings cannot be edited here yet; edit {paths.settings_path()} instead."
            )
            return
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.settings_changed.connect(self.apply_settings)
        dialog.data_deleted.connect(self.data_deleted)
        dialog.open_sharing_log_requested.connect(self.pages.open_sharing_log)
        dialog.finished.connect(lambda _result: self._settings_closed(dialog))
        self.settings_dialog = dialog
        dialog.open()

    @Slot(object)
    def apply_settings(self, new: settings_mod.Settings) -> None:
        """Take new settings; reload the model (in the background) only if its setup changed."""
        old = self.settings
        self._take_settings(new)
        if self._background_started and model_settings_key(old) != model_settings_key(new):
            self.loads.load(new)  # (not started yet: the first load will use the new settings)

    def set_trust_endorsements(self, value: int) -> None:
        """The Community page's trust threshold: saved and applied like the settings dialog's
        OK, and handed to an open settings dialog, whose OK would otherwise revert it."""
        from app.ui.settings_dialog import SettingsDialog

        new = copy.deepcopy(self.settings)
        new.community.trust_endorsements = value
        try:
            settings_mod.save(new)
        except OSError as exc:
            self.banner.show_message(f"The trust setting could not be saved: {exc}")
            return
        self.apply_settings(new)
        if isinstance(self.settings_dialog, SettingsDialog):
            self.settings_dialog.take_trust_endorsements(value)

    def _take_settings(self, new: settings_mod.Settings) -> None:
        """Use ``new`` everywhere but in the model, which the caller reloads if needed."""
        self.settings = new
        self.terminal.settings = new
        self.theme.set_choice(new.ui.theme)
        appearance.apply_font_size(new.ui.font_size)
        self.appearance_menu.show_settings(new.ui)
        self.learning.set_settings(new)

    @Slot(str)
    def set_theme(self, choice: str) -> None:
        """View → Theme: applied at once and saved."""
        self.settings.ui.theme = choice
        self.theme.set_choice(choice)
        self._save_appearance()

    @Slot(int)
    def set_font_size(self, size: int) -> None:
        """View → Larger / Smaller / Default text size: applied at once and saved."""
        self.settings.ui.font_size = size
        appearance.apply_font_size(size)
        self._save_appearance()

    def _save_appearance(self) -> None:
        self.appearance_menu.show_settings(self.settings.ui)
        try:
            settings_mod.save(self.settings)
        except OSError as exc:
            self.banner.show_message(f"The appearance could not be saved: {exc}")

    @Slot()
    def data_deleted(self) -> None:
        """All user data was deleted: drop every connection to the old files, start fresh."""
        self.turns.stop()
        self.learning.stop()  # a run on the deleted examples must not register an adapter
        self.learning.db.conn.close()
        self.learning.db = open_db()
        self.model.reopen_database()
        self.store.reopen()
        self.terminal.queue.reopen_database()
        self.db.conn.close()
        self.db = open_db()
        self.conversations.search.clear()
        self.open_conversation(None)
        self.refresh_conversations()
        self.apply_settings(settings_mod.load())

    @Slot(str)
    def set_learning_state(self, state: str) -> None:
        """Shown in the status bar: idle, waiting, training x %, new adapter active…"""
        self.status.set_learning_state(state)

    # -- closing ----------------------------------------------------------------------------

    @Slot()
    def quit(self) -> None:
        self._quitting = True
        self.close()
        QApplication.quit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings.ui.minimize_to_tray and self.tray is not None and not self._quitting:
            event.ignore()
            self.hide()
            return
        self.layout_state.save(self.conversation_id)
        self.shutdown()
        super().closeEvent(event)

    @Slot()
    def shutdown(self) -> None:
        """Stop the reply and the worker threads, close the database (safe to call twice)."""
        if self._closed:
            return
        self._closed = True
        running = self.turns.abandon()  # late signals of the turn are ignored
        self.commands.close()
        self.learning.shutdown()
        self.community_sync.stop()
        QApplication.instance().removeEventFilter(self.activity)
        self.model.shutdown(running)
        self.terminal.shutdown()
        self.store.shutdown()
        self.db.conn.close()
        if self.tray is not None:
            self.tray.hide()
