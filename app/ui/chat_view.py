"""The scrolling conversation: message bubbles, plus the reply that is streaming in.

Three things keep it fast however long the conversation gets. Only the last ``PAGE``
messages get widgets until the user asks for earlier ones. ``show_messages`` reuses the
widget of every message whose :class:`MessageView` did not change, so finishing a turn
builds two bubbles, not fifty. And streamed tokens only mark the live bubble dirty: it is
re-rendered at most every ``LIVE_RENDER_MS`` (Markdown of one reply, not the conversation).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.ui.message_widget import MessageView, MessageWidget
from app.ui.theme import Colors

LIVE_RENDER_MS = 50
PROGRESS_MIN_TOKENS = 256  # a shorter prompt is read too fast for a progress to help
STICKY_BOTTOM_PX = 48
EDITOR_MARGIN_PX = 12
PAGE = 40  # messages built per page: opening a long conversation builds only the last ones
EMPTY_TEXT = (
    "<h2>Ask Flywheel anything</h2>"
    "<p>Replies come from a model running on this computer. "
    "If a reply is wrong, click <b>✎ Correct</b> and write what it should have said: "
    "Flywheel learns from your corrections, thumbs and regenerations while you are away.</p>"
    "<p><b>Enter</b> sends · <b>Shift+Enter</b> new line · <b>Esc</b> stops a reply</p>"
)


class ChatView(QScrollArea):
    """Shows one conversation path; forwards the bubbles' requests as its own signals."""

    correct_requested = Signal(int)
    thumb_requested = Signal(int, bool)
    regenerate_requested = Signal(int)
    edit_submitted = Signal(int, str)
    branch_requested = Signal(int)
    command_run_requested = Signal(object, str, bool)
    fix_requested = Signal(int, str)  # reply id, the user turn that asks to fix its command

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = colors
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._container = QWidget()
        self._container.setObjectName("chatContainer")
        self._layout = QVBoxLayout(self._container)
        self._layout.setContentsMargins(16, 16, 16, 16)
        self._layout.setSpacing(10)
        self.earlier_button = QPushButton()
        self.earlier_button.setFlat(True)
        self.earlier_button.clicked.connect(self._show_earlier)
        self.earlier_button.hide()
        self._layout.addWidget(self.earlier_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._empty = QLabel(EMPTY_TEXT)
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setContentsMargins(48, 48, 48, 48)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self.setWidget(self._container)
        self._widgets: list[MessageWidget] = []
        self._views: list[MessageView] = []
        self._limit = PAGE
        self._live: MessageWidget | None = None
        self._live_text = ""
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_RENDER_MS)
        self._live_timer.timeout.connect(self._render_live)
        self._stick_to_bottom = True
        self._revealing: MessageWidget | None = None
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._remember_position)
        bar.rangeChanged.connect(self._keep_bottom)
        self.set_colors(colors)

    # -- appearance -----------------------------------------------------------------------

    def set_colors(self, colors: Colors) -> None:
        """Apply a (new) theme: bubbles are rebuilt because their HTML embeds colours."""
        self.colors = colors
        palette = self._empty.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colors.muted_text))
        self._empty.setPalette(palette)
        self._clear()
        self.show_messages(self._views)

    # -- content --------------------------------------------------------------------------

    def views(self) -> list[MessageView]:
        """Every message of the shown path, including earlier ones not built yet."""
        return list(self._views)

    def message_widgets(self) -> list[MessageWidget]:
        """The bubbles on screen (the last ``PAGE`` messages unless more were asked for)."""
        return list(self._widgets)

    @property
    def live_widget(self) -> MessageWidget | None:
        return self._live

    def show_messages(self, views: list[MessageView]) -> None:
        """Display ``views`` (ends any live reply), keeping the bubbles that did not change."""
        self._drop_live()
        self._revealing = None
        if not views or not self._views or views[0].message_id != self._views[0].message_id:
            self._limit = PAGE  # another conversation: start again from its last page
        self._views = list(views)
        hidden = max(0, len(views) - self._limit)
        reusable = {widget.view: widget for widget in self._widgets}
        widgets = [reusable.pop(view, None) or self._make(view) for view in views[hidden:]]
        for stale in reusable.values():
            self._discard(stale)
        first = 1  # layout slot 0 holds the "earlier messages" button
        for index, widget in enumerate(widgets, start=first):
            if self._layout.indexOf(widget) != index:
                self._layout.removeWidget(widget)
                self._layout.insertWidget(index, widget)
        self._widgets = widgets
        self.earlier_button.setText(f"Show {min(hidden, PAGE)} earlier messages")
        self.earlier_button.setVisible(hidden > 0)
        self._empty.setVisible(not widgets)

    def _show_earlier(self) -> None:
        self._limit += PAGE
        self._stick_to_bottom = False
        self.show_messages(self._views)
        self.verticalScrollBar().setValue(0)

    def begin_live_reply(self, prefix: list[MessageView]) -> None:
        """Show ``prefix`` (the path the reply continues) and an empty streaming bubble."""
        self.show_messages(prefix)
        self._live_text = ""
        self._live = self._make(MessageView(None, "assistant", ""))
        self._layout.insertWidget(len(self._widgets) + 1, self._live)
        self._empty.hide()
        self._stick_to_bottom = True
        self.scroll_to_bottom()

    def append_live(self, piece: str) -> None:
        """Add streamed text; the bubble is re-rendered on the next throttle tick."""
        if self._live is None:
            return
        self._live_text += piece
        if not self._live_timer.isActive():
            self._live_timer.start()

    @property
    def live_text(self) -> str:
        return self._live_text

    def show_unsaved_reply(self, text: str, note: str) -> MessageWidget:
        """After the shown messages, a reply that streamed but could not be recorded, with
        ``note`` saying so; it stays until the chat is next redrawn."""
        widget = self._make(MessageView(None, "assistant", text))
        widget.mark_unsaved(note)
        self._layout.insertWidget(len(self._widgets) + 1, widget)
        self._widgets.append(widget)
        self._empty.hide()
        self.scroll_to_bottom()
        return widget

    def set_prompt_progress(self, done: int, total: int) -> None:
        """While a long prompt is read, the live bubble says how far (instead of "…")."""
        if self._live is not None and total >= PROGRESS_MIN_TOKENS:
            self._live.set_status(f"Reading your message… {100 * done // total}%")

    def context_usage(self) -> tuple[int, int] | None:
        """(tokens, context size) of the chat as the model last saw it: the prompt of the
        shown path's latest reply plus that reply; ``None`` before any reply."""
        for view in reversed(self._views):
            if view.role == "assistant" and view.context_tokens and view.context_size:
                return view.context_tokens, view.context_size
        return None

    def _render_live(self) -> None:
        if self._live is not None:
            self._live.set_live_text(self._live_text)

    def _drop_live(self) -> None:
        self._live_timer.stop()
        if self._live is not None:
            self._discard(self._live)
            self._live = None

    def _clear(self) -> None:
        self._drop_live()
        for widget in self._widgets:
            self._discard(widget)
        self._widgets = []

    def _discard(self, widget: MessageWidget) -> None:
        """Take a bubble off screen now; Qt deletes it once its pending events are done."""
        self._layout.removeWidget(widget)
        widget.hide()
        widget.deleteLater()

    def _make(self, view: MessageView) -> MessageWidget:
        widget = MessageWidget(view, self.colors)
        widget.correct_requested.connect(self.correct_requested)
        widget.thumb_requested.connect(self.thumb_requested)
        widget.regenerate_requested.connect(self.regenerate_requested)
        widget.edit_submitted.connect(self.edit_submitted)
        widget.branch_requested.connect(self.branch_requested)
        widget.command_run_requested.connect(self.command_run_requested)
        widget.fix_requested.connect(self.fix_requested)
        widget.edit_started.connect(lambda: self._show_editor(widget))
        return widget

    def _show_editor(self, widget: MessageWidget) -> None:
        """Scroll a just-opened edit box, with its Send button, into view once the chat has
        laid it out (and stop following the bottom, which would push an earlier message's
        box off the top)."""
        self._stick_to_bottom = False
        self._revealing = widget
        QTimer.singleShot(0, self._reveal_editor)

    def _reveal_editor(self) -> None:
        """Scroll just enough for the whole box, editor to Send button, to be in view (its
        top wins when it is taller than the view)."""
        widget = self._revealing
        if widget is None or widget.editor is None or widget.edit_row is None:
            self._revealing = None
            return
        top = widget.editor.mapTo(self._container, QPoint(0, 0)).y() - EDITOR_MARGIN_PX
        row = widget.edit_row
        bottom = row.mapTo(self._container, QPoint(0, row.height())).y() + EDITOR_MARGIN_PX
        bar = self.verticalScrollBar()
        if bottom - bar.value() > self.viewport().height():
            bar.setValue(bottom - self.viewport().height())
        if top < bar.value():
            bar.setValue(top)

    def widget_for(self, message_id: int) -> MessageWidget | None:
        return next((w for w in self._widgets if w.view.message_id == message_id), None)

    # -- scrolling ------------------------------------------------------------------------

    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _remember_position(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - STICKY_BOTTOM_PX

    def _keep_bottom(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_bottom:
            self.verticalScrollBar().setValue(maximum)
        elif self._revealing is not None:
            self._reveal_editor()  # the box grew the chat: it may have moved
