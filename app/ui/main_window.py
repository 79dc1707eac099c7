"""The main window: conversations on the left, the chat on the right, status at the bottom.

This module wires the pieces together and owns the session's state (which conversation is
shown, which reply is streaming). It never waits for anything slow: the model and the turn's
database writes run on the model thread, feedback writes on the store thread, and the window
only reads (WAL readers never wait for writers) and reacts to their signals.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMenu,
    QSplitter,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app import settings as settings_mod
from app.learning.supervisor import ActivityWatcher, TrainingSupervisor
from app.store import commands as command_store
from app.store import conversations as conv
from app.store import signals as signal_store
from app.store.db import open_db
from app.terminal.policy import Approval, Decision, decide
from app.terminal.runner import (
    RunOutcome,
    RunRequest,
    hub_guarded,
    known_sandbox_status,
    sandbox_status,
    session_refusal,
)
from app.ui import appearance, feedback, markdown
from app.ui import theme as theme_mod
from app.ui.background_job import BackgroundJob
from app.ui.banner import Banner
from app.ui.chat_view import ChatView
from app.ui.command_card import CommandCard
from app.ui.community_sync import CommunitySync
from app.ui.composer import Composer
from app.ui.confirm_command import ConfirmCommandDialog
from app.ui.conversation_list import ConversationList
from app.ui.correct_dialog import CorrectDialog
from app.ui.first_paint import after_first_paint
from app.ui.icons import app_icon
from app.ui.message_widget import MessageView
from app.ui.status_bar import StatusBar
from app.ui.terminal_pane import TerminalPane
from app.ui.thumb_dialog import ThumbDialog
from app.ui.workers import AsyncStore, ModelThread, TurnRequest, model_settings_key

if TYPE_CHECKING:
    from app.community.subscriptions import SyncReport

STATE_FILE = "window.ini"
OUTSIDE_REASON = ("you chose to run it outside the sandbox: it runs as you, and can change any "
                  "of your files and use the network")
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
        self.running: TurnRequest | None = None
        self._running_conversation: int | None = None
        self._turn_counter = 0
        self._model_name = ""
        self._loads: deque[str] = deque()  # settings' model path of each load asked for
        self._serving_path: str | None = None  # that of the model answering now
        self._closed = False
        self._quitting = False
        self.correct_dialog: CorrectDialog | None = None
        self.thumb_dialog: ThumbDialog | None = None
        self.settings_dialog: QWidget | None = None
        self.confirm_dialog: ConfirmCommandDialog | None = None
        self.skills_dialog: QDialog | None = None
        self.community_dialog: QDialog | None = None
        self.community_sync = CommunitySync(lambda: self.settings, self)
        self.community_sync.synced.connect(self._community_synced)
        self.learned_dialog: QDialog | None = None
        self.export_dialog: QDialog | None = None
        self.about_dialog: QDialog | None = None
        self._commands: dict[int, tuple[tuple[int, str], str]] = {}  # job: (card key, command)
        self._build_ui()
        self._build_actions()
        self._connect_workers()
        self._connect_learning()
        self._build_help_menu()
        self.tray = self._build_tray()
        self._state = QSettings(str(paths.user_dir() / STATE_FILE), QSettings.Format.IniFormat)
        self._restore_state()
        self.theme.changed.connect(self._theme_changed)
        app.aboutToQuit.connect(self.shutdown)
        if self.settings.load_error:
            self.banner.show_message(self.settings.load_error, "Settings…")
        self._check_sandbox()
        self._background_started = False
        after_first_paint(self, self._start_background_work)

    def _start_background_work(self) -> None:
        """Load the model and warm up Markdown, once: after the first paint (see first_paint),
        or at the first turn if one is asked for sooner."""
        if self._background_started or self._closed:
            return
        self._background_started = True
        self._load_model(self.settings)
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
        self.conversations.rename_requested.connect(self.rename_conversation)
        self.conversations.delete_requested.connect(self.delete_conversation)
        self.conversations.export_requested.connect(self.export_chat)
        self.conversations.search_changed.connect(self.refresh_conversations)
        self.composer.send_requested.connect(self.send_message)
        self.composer.stop_requested.connect(self.stop)
        self.chat.correct_requested.connect(self.open_correct_dialog)
        self.chat.thumb_requested.connect(self.open_thumb_dialog)
        self.chat.regenerate_requested.connect(self.regenerate)
        self.chat.edit_submitted.connect(self.edit_and_resend)
        self.chat.branch_requested.connect(self.switch_branch)
        self.chat.command_run_requested.connect(self.run_proposed_command)
        self.chat.fix_requested.connect(self.ask_to_fix)
        self.terminal.command_finished.connect(self._command_finished)
        self.terminal.command_failed.connect(self._command_failed)
        self.banner.action.connect(self.open_settings)
        self.store.error.connect(lambda message: self.banner.show_message(message))

    def _action(
        self, text: str, shortcut: QKeySequence | str, slot: Callable[[], Any], menu: QMenu
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_actions(self) -> None:
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
            "&Export chat…", "Ctrl+Shift+E", self.export_current_chat, file_menu
        )
        file_menu.addSeparator()
        self.settings_action = self._action("Se&ttings…", "Ctrl+,", self.open_settings, file_menu)
        self.settings_action.setEnabled(
            importlib.util.find_spec(SETTINGS_DIALOG_MODULE) is not None
        )
        self._action("S&hare skills…", "", self.open_share_skills, file_menu)
        file_menu.addSeparator()
        self.quit_action = self._action(
            "&Quit", QKeySequence.StandardKey.Quit, self.quit, file_menu
        )
        chat_menu = bar.addMenu("&Chat")
        self.stop_action = self._action("&Stop reply", "Esc", self.stop, chat_menu)
        self.regenerate_action = self._action(
            "&Regenerate last reply", "Ctrl+Shift+R", self.regenerate_last, chat_menu
        )
        self.terminal_action = self.terminal.toggleViewAction()  # Ctrl+`
        self.terminal_action.setText("&Terminal")
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.terminal_action)
        self._action("&Skills…", "Ctrl+Shift+K", self.open_skills, view_menu)
        self._action("&Community…", "Ctrl+Shift+M", self.open_community, view_menu)
        self._action("What Flywheel &learned…", "Ctrl+Shift+W", self.open_learned, view_menu)
        view_menu.addSeparator()
        self.appearance_menu = appearance.AppearanceMenu(view_menu, self.settings.ui)
        self.appearance_menu.theme_chosen.connect(self.set_theme)
        self.appearance_menu.font_size_chosen.connect(self.set_font_size)
        self._update_actions()

    def _build_help_menu(self) -> None:
        """Last in the menu bar, after the Learning menu."""
        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = self._action("&About Flywheel", "", self.open_about, help_menu)

    def _connect_workers(self) -> None:
        worker = self.model.worker
        worker.model_loading.connect(self._model_loading)
        worker.model_loaded.connect(self._model_loaded)
        worker.model_failed.connect(self._model_failed)
        worker.turn_started.connect(self._turn_started)
        worker.token.connect(self._token)
        worker.prompt_progress.connect(self._prompt_progress)
        worker.turn_finished.connect(self._turn_finished)
        worker.turn_failed.connect(self._turn_failed)
        worker.user_message_unsaved.connect(self._user_message_unsaved)

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
        self.dashboard: QWidget | None = None
        menu = self.menuBar().addMenu("&Learning")
        self._action("Learning &dashboard…", "Ctrl+Shift+L", self.open_dashboard, menu)
        self._action("&Train now", "", self.learning.train_now, menu)
        self.learning.start_monitoring()

    def _open_page(self, title: str, page: QWidget) -> QDialog:
        """Show a page (skills, what was learned) in its own non-modal window."""
        dialog = QDialog(self)
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

        page = CommunityPage(lambda: self.settings, store=self.store, sync=self.community_sync,
                             set_trust=self.set_trust_endorsements)
        self.community_dialog = self._open_page("Community", page)

    def _community_synced(self, report: SyncReport) -> None:
        if report.waiting or report.enabled:
            self.banner.show_message(f"Community: {report.summary()} See View → Community…")

    @Slot()
    def open_learned(self) -> None:
        from app.ui.learned_view import LearnedView

        view = LearnedView(store=self.store, settings=self.settings)
        view.set_conversation(self.conversation_id)
        view.learning_paused_changed.connect(self._learning_paused_changed)
        self.learned_dialog = self._open_page("What Flywheel learned", view)

    @Slot(bool)
    def _learning_paused_changed(self, paused: bool) -> None:
        self.settings.learning.paused = paused

    @Slot()
    def open_dashboard(self) -> None:
        """The Learning page, for the model being served (its adapters are per base model)."""
        from app.assistant import configured_model_path
        from app.model.catalog import ModelFileError
        from app.ui.dashboard import LearningDashboard

        try:
            model_path = configured_model_path(self.settings)
        except ModelFileError as exc:
            self.banner.show_message(f"The learning page needs a model: {exc}")
            return
        dialog = LearningDashboard(self.db, model_path, self.learning, self)
        dialog.adapter_changed.connect(self.model.use_active_adapter)
        dialog.finished.connect(dialog.deleteLater)
        dialog.destroyed.connect(lambda: setattr(self, "dashboard", None))
        self.dashboard = dialog
        dialog.open()

    def _build_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(app_icon(), self)
        tray.setToolTip("Flywheel")
        menu = QMenu(self)
        menu.addAction("Show Flywheel", self._show_from_tray)
        menu.addAction("Quit", self.quit)
        tray.setContextMenu(menu)
        tray.activated.connect(self._tray_activated)
        tray.show()
        return tray

    # -- window state ----------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self._state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self._state.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        docks = self._state.value("docks")
        if docks is not None:
            self.restoreState(docks)
        self.refresh_conversations()
        last = self._state.value("conversation")
        rows = conv.list_conversations(self.db)
        ids = {int(row["id"]) for row in rows}
        wanted = int(last) if last is not None and str(last).isdigit() else None
        self.open_conversation(wanted if wanted in ids else (rows[0]["id"] if rows else None))

    def _save_state(self) -> None:
        self._state.setValue("geometry", self.saveGeometry())
        self._state.setValue("splitter", self.splitter.saveState())
        self._state.setValue("docks", self.saveState())
        self._state.setValue("conversation", self.conversation_id or "")
        self._state.sync()

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
        query = self.conversations.query()
        if not query:
            rows = conv.list_conversations(self.db)
            self.conversations.show_conversations(rows, self.conversation_id)
            return
        lowered = query.lower()
        results: dict[int, dict[str, Any]] = {}
        for row in conv.list_conversations(self.db):
            if lowered in row["title"].lower():
                results[int(row["id"])] = {"conversation_id": row["id"], "title": row["title"]}
        for row in conv.search_messages(self.db, query):
            results.setdefault(int(row["conversation_id"]), row)
        self.conversations.show_results(list(results.values()), self.conversation_id)

    @Slot(int)
    def open_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        self.conversations.select(conversation_id)
        self.reload_chat()
        self._update_actions()

    def reload_chat(self) -> None:
        """Show the current conversation from the database (plus the live reply, if any)."""
        views = self.message_views(self.conversation_id) if self.conversation_id else []
        if self.running is not None and self._running_conversation == self.conversation_id:
            text = self.chat.live_text
            self.chat.begin_live_reply(views)
            self.chat.append_live(text)
        else:
            self.chat.show_messages(views)
        self._show_command_results()
        self.status.set_context(self.chat.context_usage())
        self.setWindowTitle(self._title())

    def _title(self) -> str:
        row = conv.get_conversation(self.db, self.conversation_id) if self.conversation_id else None
        return f"{row['title']} — Flywheel" if row else "Flywheel"

    def message_views(self, conversation_id: int) -> list[MessageView]:
        """The visible path of a conversation, with what each bubble needs to draw itself.

        Three queries whatever the length (path, tree shape, thumbs), so that finishing a
        turn in a long conversation does not stall the window on per-message look-ups.
        """
        rows = [r for r in conv.current_path(self.db, conversation_id) if r["role"] != "system"]
        children: dict[int | None, list[int]] = {}
        for node_id, parent_id in conv.tree_shape(self.db, conversation_id):
            children.setdefault(parent_id, []).append(int(node_id))
        thumbs = signal_store.latest_thumbs(self.db, conversation_id)
        last = len(rows) - 1
        return [
            MessageView(
                message_id=int(row["id"]),
                role=row["role"],
                content=row["content"],
                corrected=row["corrected"],
                sibling_ids=tuple(children.get(row["parent_id"], [row["id"]])),
                tok_s=row["tok_s"],
                finish_reason=row["finish_reason"],
                thumb=thumbs.get(int(row["id"]), 0),
                can_regenerate=row["role"] == "assistant" and index == last,
                skills_used=tuple(s["name"] for s in json.loads(row["skills_used"] or "[]")),
                context_tokens=(row["prompt_tokens"] or 0) + (row["completion_tokens"] or 0),
                context_size=row["context_size"],
                cut_tokens=row["cut_tokens"] or 0,
                dropped_messages=row["dropped_messages"] or 0,
            )
            for index, row in enumerate(rows)
        ]

    @Slot()
    def new_chat(self) -> None:
        """An empty chat; the conversation is created with its first message."""
        self.open_conversation(None)
        self.composer.focus()

    @Slot(int, str)
    def rename_conversation(self, conversation_id: int, title: str) -> None:
        self.store.submit(
            lambda db: conv.rename_conversation(db, conversation_id, title),
            lambda _: self._renamed(),
        )

    def _renamed(self) -> None:
        self.refresh_conversations()
        self.setWindowTitle(self._title())

    @Slot(int)
    def delete_conversation(self, conversation_id: int) -> None:
        if self._running_conversation == conversation_id and self.running is not None:
            self.banner.show_message("Stop the reply before deleting its conversation.")
            return
        if conversation_id == self.conversation_id:
            self.open_conversation(None)
        self.store.submit(
            lambda db: conv.delete_conversation(db, conversation_id),
            lambda _: self.refresh_conversations(),
        )

    @Slot()
    def export_current_chat(self) -> None:
        if self.conversation_id is not None:
            self.export_chat(self.conversation_id)

    @Slot(int)
    def export_chat(self, conversation_id: int) -> None:
        """Ask where to save one chat (File → Export chat…, or the chat list's menu)."""
        from app.ui.export_dialog import ExportChatDialog

        row = conv.get_conversation(self.db, conversation_id)
        if row is None:
            return
        dialog = ExportChatDialog(conversation_id, row["title"], self)
        dialog.chosen.connect(lambda path, fmt: self._write_export(conversation_id, path, fmt))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.export_dialog = dialog
        dialog.open()

    def _write_export(self, conversation_id: int, path: Path, fmt: str) -> None:
        """Write the file on the store thread; say where it went, or why it could not."""
        from app.chat_export import export_chat

        self.store.submit(
            lambda db: export_chat(db, conversation_id, path, fmt),
            lambda written: self.status.showMessage(f"Chat exported to {written}", 10_000),
            lambda message: self.banner.show_message(f"The chat was not exported: {message}"),
        )

    @Slot(int)
    def switch_branch(self, message_id: int) -> None:
        if self.running is None:
            self.store.submit(
                lambda db: conv.switch_branch(db, message_id), lambda _: self.reload_chat()
            )

    # -- turns ------------------------------------------------------------------------------

    def _start_turn(self, prefix: list[MessageView], **kind: Any) -> None:
        if self.running is not None:
            return
        self._turn_counter += 1
        self.running = TurnRequest(self._turn_counter, self.conversation_id, self.settings, **kind)
        self._running_conversation = self.conversation_id
        self.composer.set_generating(True)
        self.chat.begin_live_reply(prefix)
        self._update_actions()
        self._start_background_work()  # the load is queued before the turn
        self.model.run_turn(self.running)

    @Slot(str)
    def send_message(self, text: str) -> None:
        """Send ``text`` as the next user message of the shown conversation."""
        text = text.strip()
        if text and self.running is None:
            self._start_turn([*self.chat.views(), MessageView(None, "user", text)], user_text=text)

    @Slot(int, str)
    def ask_to_fix(self, reply_id: int, text: str) -> None:
        """Send a command card's "Ask to fix" as the answer to that card's reply, on its
        branch: right after the reply, whatever the conversation's current leaf is."""
        views = self.chat.views()
        index = next((i for i, v in enumerate(views) if v.message_id == reply_id), None)
        if index is not None and self.running is None:
            prefix = [*views[: index + 1], MessageView(None, "user", text)]
            self._start_turn(prefix, user_text=text, reply_to=reply_id)

    @Slot(int)
    def regenerate(self, message_id: int) -> None:
        """Write a new reply beside ``message_id``; the discarded one gets a negative signal."""
        views = self.chat.views()
        index = next((i for i, v in enumerate(views) if v.message_id == message_id), None)
        if index is not None and views[index].role == "assistant":
            self._start_turn(views[:index], regenerate_of=message_id)

    @Slot()
    def regenerate_last(self) -> None:
        views = self.chat.views()
        if views and views[-1].can_regenerate and views[-1].message_id is not None:
            self.regenerate(views[-1].message_id)

    @Slot(int, str)
    def edit_and_resend(self, message_id: int, text: str) -> None:
        """Send an edited version of an earlier user message as a new branch."""
        views = self.chat.views()
        index = next((i for i, v in enumerate(views) if v.message_id == message_id), None)
        if index is not None and views[index].role == "user":
            prefix = [*views[:index], MessageView(None, "user", text)]
            self._start_turn(prefix, user_text=text, edit_of=message_id)

    @Slot()
    def stop(self) -> None:
        """Stop the streaming reply; what was written so far is kept."""
        if self.running is not None:
            self.running.cancel.set()

    def _is_running(self, turn_id: int) -> bool:
        return self.running is not None and self.running.turn_id == turn_id

    @Slot(int, int)
    def _turn_started(self, turn_id: int, conversation_id: int) -> None:
        if not self._is_running(turn_id):
            return
        if self._running_conversation is None:
            self._running_conversation = conversation_id
            if self.conversation_id is None:
                self.conversation_id = conversation_id
            self.refresh_conversations()
            self.setWindowTitle(self._title())

    @Slot(int, str)
    def _token(self, turn_id: int, piece: str) -> None:
        if self._is_running(turn_id) and self._running_conversation == self.conversation_id:
            self.chat.append_live(piece)

    @Slot(int, int, int)
    def _prompt_progress(self, turn_id: int, done: int, total: int) -> None:
        if self._is_running(turn_id) and self._running_conversation == self.conversation_id:
            self.chat.set_prompt_progress(done, total)

    @Slot(int, dict)
    def _turn_finished(self, turn_id: int, result: dict) -> None:
        if not self._is_running(turn_id):
            return
        stats = result.get("stats") or {}
        self.status.set_speed(stats.get("decode_tok_s"))
        self.status.set_adapter(result.get("adapter_version") or "")
        self._end_turn(turn_id)

    @Slot(int)
    def _user_message_unsaved(self, turn_id: int) -> None:
        """The typed message could not be recorded: give it back to the composer (unless
        the user has started typing the next one)."""
        if self._is_running(turn_id) and not self.composer.edit.toPlainText().strip():
            self.composer.edit.setPlainText(self.running.user_text or "")

    @Slot(int, str)
    def _turn_failed(self, turn_id: int, message: str) -> None:
        if not self._is_running(turn_id):
            return
        self.banner.show_message(f"The reply failed: {message}")
        shown = self._running_conversation == self.conversation_id
        self._end_turn(turn_id, unsaved=self.chat.live_text if shown else "", why=message)

    def _end_turn(self, turn_id: int, unsaved: str = "", why: str = "") -> None:
        """Back to idle and redraw the chat; ``unsaved``, a reply that streamed but could
        not be recorded (for reason ``why``), stays on screen: it is all there is of it."""
        self.running = None
        self._running_conversation = None
        self.composer.set_generating(False)
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

    # -- feedback ---------------------------------------------------------------------------

    @Slot(int)
    def open_correct_dialog(self, message_id: int) -> None:
        widget = self.chat.widget_for(message_id)
        if widget is None:
            return
        dialog = CorrectDialog(message_id, widget.view.corrected or widget.view.content, self)
        dialog.accepted.connect(lambda: self._save_correction(dialog))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.correct_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: QWidget) -> None:
        """Forget a closed dialog (tests and the screenshot script look them up)."""
        for name in ("correct_dialog", "thumb_dialog", "settings_dialog", "confirm_dialog",
                     "export_dialog", "about_dialog"):
            if getattr(self, name) is dialog:
                setattr(self, name, None)
        dialog.deleteLater()

    def _save_correction(self, dialog: CorrectDialog) -> None:
        message_id, text, settings = dialog.message_id, dialog.corrected_text(), self.settings
        word = self.model.worker.word if settings.learning.model_words_skills else None
        self.store.submit(
            lambda db: feedback.save_correction(db, message_id, text, settings, word),
            lambda _: self.reload_chat(),
        )

    @Slot(int, bool)
    def open_thumb_dialog(self, message_id: int, up: bool) -> None:
        dialog = ThumbDialog(message_id, up, self)
        dialog.accepted.connect(lambda: self._save_thumb(dialog))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.thumb_dialog = dialog
        dialog.open()

    def _save_thumb(self, dialog: ThumbDialog) -> None:
        message_id, up, reason = dialog.message_id, dialog.up, dialog.reason_text()
        settings = self.settings
        self.store.submit(
            lambda db: feedback.save_thumb(db, message_id, up, reason, settings),
            lambda _: self.reload_chat(),
        )

    # -- proposed commands ------------------------------------------------------------------

    @Slot(object, str, bool)
    def run_proposed_command(self, card: CommandCard, command: str, sandboxed: bool) -> None:
        """A command card's Run: in the sandbox by default (with the network if the card's
        box is ticked), or outside it when the user chose that, which always needs a click
        in a dialog (the typed word for the deny list) even when allow rules match. Ask as
        the policy says (allow rules from the user's settings only), then run it in the
        terminal dock. A refusal or an error is written in the card."""
        status = known_sandbox_status()
        can_sandbox = bool(status and status[0])
        if sandboxed and not can_sandbox:
            card.show_error(f"The sandbox is not available: {status[1] if status else 'checking'}")
            return
        if sandboxed and (refusal := session_refusal(self.terminal.session)):
            card.show_error(refusal)
            return
        network = sandboxed and card.allow_network
        # Whitespace does not make an edit: the edit box turns no-break spaces and line
        # separators into plain ones, which must not turn a proposal into "the user's own".
        edited = command.split() != card.proposed.split()
        try:
            decision = decide(command, "user" if edited else "assistant",
                              self.settings.terminal.allow_rules, sandboxed=sandboxed)
        except ValueError as exc:
            card.show_error(str(exc))
            return
        if not edited:
            try:
                used = conv.community_skills_used(self.db, card.message_id)
            except KeyError:
                card.show_error("This reply no longer exists, so its command is not run.")
                return
            decision = hub_guarded(decision, used)
        if can_sandbox and not sandboxed:  # leaving the sandbox is always confirmed
            reasons = tuple(r for r in decision.reasons if r != "you wrote this command yourself")
            approval = (decision.approval if decision.approval is Approval.TYPED_CONFIRMATION
                        else Approval.ASK)
            decision = Decision(approval, (OUTSIDE_REASON, *reasons))
        timeout = self.settings.terminal.command_timeout_s
        request = RunRequest(command, "edited" if edited else "assistant",
                             message_id=card.message_id,
                             original_command=card.proposed if edited else None,
                             sandboxed=sandboxed, network=network,
                             timeout_s=timeout if timeout > 0 else None)
        key = (card.message_id, card.proposed)
        if decision.approval is Approval.AUTO_RUN:
            self._start_command(key, request)
            return
        dialog = ConfirmCommandDialog(command, decision, cwd=str(self.terminal.session.cwd),
                                      sandboxed=sandboxed, network=network, parent=self)
        dialog.accepted.connect(lambda: self._start_command(key, request))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.confirm_dialog = dialog
        dialog.open()

    def _check_sandbox(self) -> None:
        """Probe the sandbox off the UI thread; where it cannot work, say so once."""
        job = BackgroundJob(lambda _progress, _cancel: sandbox_status())
        job.report_to(lambda _done, _total: None, self._sandbox_known,
                      lambda error: self._sandbox_known((False, str(error))))
        job.launch()

    def _sandbox_known(self, status: object) -> None:
        available, reason = status  # type: ignore[misc]
        if not available and not self._closed:
            self.banner.show_message(
                f"Proposed commands run without a sandbox on this system: {reason}. "
                "Flywheel asks before each one, and it runs as you.")

    def _start_command(self, key: tuple[int, str], request: RunRequest) -> None:
        self._commands[self.terminal.run(request)] = (key, request.command)
        self._show_command_results()

    def _card(self, key: tuple[int, str]) -> CommandCard | None:
        widget = self.chat.widget_for(key[0])
        return widget.card_for(key[1]) if widget is not None else None

    def _show_command_results(self) -> None:
        """Show on the visible cards what their commands did (cards are rebuilt with the chat,
        so the state comes from the database and the runs still going)."""
        cards = [card for widget in self.chat.message_widgets() for card in widget.command_cards]
        if not cards:
            return
        runs = command_store.latest_runs(self.db, sorted({card.message_id for card in cards}))
        running = dict(self._commands.values())
        for card in cards:
            key = (card.message_id, card.proposed)
            if key in running:
                card.show_running(running[key])
            elif key in runs:
                row = runs[key]
                card.show_result(row["command"], row["exit_code"], row["output_tail"] or "",
                                 bool(row["timed_out"]), sandboxed=bool(row["sandboxed"]),
                                 network=bool(row["network"]))

    @Slot(int, object)
    def _command_finished(self, job: int, _outcome: RunOutcome) -> None:
        if self._commands.pop(job, None) is not None:
            self._show_command_results()

    @Slot(int, str)
    def _command_failed(self, job: int, message: str) -> None:
        entry = self._commands.pop(job, None)
        if entry is None:
            return  # a line typed in the terminal: the pane handles it
        card = self._card(entry[0])
        if card is not None:
            card.show_error(message)
        self.banner.show_message(f"The command could not run: {message}")

    # -- model and settings -----------------------------------------------------------------

    @property
    def model_ready(self) -> bool:
        """A model is loaded and answering (possibly the previous one after a failed switch)."""
        return bool(self._model_name)

    @Slot(str)
    def _model_loading(self, name: str) -> None:
        self.status.set_model_loading(name)

    @Slot(str)
    def _load_model(self, settings: settings_mod.Settings) -> None:
        """Ask the model thread for a load; each load answers once, in order (see below)."""
        self._loads.append(settings.model.path)
        self.model.load(settings)

    @Slot(str)
    def _model_loaded(self, name: str) -> None:
        self._serving_path = self._loads.popleft() if self._loads else self.settings.model.path
        self._model_name = name
        self.status.set_model(name)
        self.status.set_adapter("")

    @Slot(str, bool)
    def _model_failed(self, message: str, file_refused: bool) -> None:
        refused = self._loads.popleft() if self._loads else None
        if self._model_name:
            self.status.set_model(self._model_name)
            message += f"\nStill using {self._model_name}."
            if file_refused and refused is not None and not self._loads:
                message += self._forget_refused_model(refused)
        else:
            self.status.set_model_error(message)
        self.banner.show_message(message, "Settings…")

    def _forget_refused_model(self, refused: str) -> str:
        """A model file llama.cpp refused while another model serves: the settings go back to
        the serving one and stop listing the refused file, so they say what is in use and the
        next start does not try it again. Returns what to add to the message."""
        from app.model.catalog import forget_local_model

        if self._serving_path is None or refused in ("", self._serving_path):
            return ""
        if self.settings.model.path != refused:
            return ""
        new = copy.deepcopy(self.settings)
        new.model.path = self._serving_path
        new.model.local_models = forget_local_model(new.model.local_models, refused)
        try:
            settings_mod.save(new)
        except OSError as exc:
            return f"\nThe settings could not be updated: {exc}"
        self._take_settings(new)  # (the model serving is already the one they name)
        return " The settings were set back to it and no longer list the refused file."

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
        dialog.open_sharing_log_requested.connect(self.open_sharing_log)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.settings_dialog = dialog
        dialog.open()

    def open_share_skills(self) -> None:
        """Preview and approve skills for the community hub (nothing leaves without consent)."""
        from app.ui.share_dialog import open_share_flow

        self.share_dialog = open_share_flow(self, self.db, self.settings, self.banner.show_message)

    def open_sharing_log(self) -> None:
        from app.ui.share_dialog import open_sharing_log

        self.sharing_log_dialog = open_sharing_log(
            self, self.db, self.settings, self.banner.show_message
        )

    @Slot(object)
    def apply_settings(self, new: settings_mod.Settings) -> None:
        """Take new settings; reload the model (in the background) only if its setup changed."""
        old = self.settings
        self._take_settings(new)
        if self._background_started and model_settings_key(old) != model_settings_key(new):
            self._load_model(new)  # (not started yet: the first load will use the new settings)

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
    def open_about(self) -> None:
        from app.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self.settings, self)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.about_dialog = dialog
        dialog.open()

    @Slot()
    def data_deleted(self) -> None:
        """All user data was deleted: drop every connection to the old files, start fresh."""
        self.stop()
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

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._show_from_tray()

    def _show_from_tray(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

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
        self._save_state()
        self.shutdown()
        super().closeEvent(event)

    @Slot()
    def shutdown(self) -> None:
        """Stop the reply and the worker threads, close the database (safe to call twice)."""
        if self._closed:
            return
        self._closed = True
        running, self.running = self.running, None  # late signals of the turn are ignored
        self.learning.shutdown()
        self.community_sync.stop()
        QApplication.instance().removeEventFilter(self.activity)
        self.model.shutdown(running)
        self.terminal.shutdown()
        self.store.shutdown()
        self.db.conn.close()
        if self.tray is not None:
            self.tray.hide()
