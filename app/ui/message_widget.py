"""One message in the chat: its text, branch arrows and the buttons that act on it.

A message is displayed from an immutable :class:`MessageView`; the chat view compares views
to decide which widgets to keep, so after a turn only the messages that changed are built
again. Every action is a signal carrying the message id: the window decides what it means
(record a signal, start a turn), the widget only draws and asks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTextCursor,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui import markdown
from app.ui.command_card import CommandCard
from app.ui.composer import ComposerEdit
from app.ui.icons import line_icon
from app.ui.theme import Colors

ROLE_NAMES = {"user": "You", "assistant": "Flywheel", "system": "System"}
FINISH_NOTES = {
    "cancelled": "stopped",
    "length": "cut at the length limit",
    "loop": "stopped: the reply was repeating itself",
}
# A user message longer than this (characters or lines) is shown collapsed: a 50 KB paste
# would otherwise fill screens of the chat and take long to lay out.
COLLAPSE_CHARS = 4000
COLLAPSE_LINES = 40
COLLAPSED_LINES = 12  # what a collapsed message shows: its first lines…
COLLAPSED_CHARS = 1200  # …at most this many characters of them


@dataclass(frozen=True)
class MessageView:
    """Everything a message widget shows; equal views render identically."""

    message_id: int | None
    role: str
    content: str
    corrected: str | None = None
    sibling_ids: tuple[int, ...] = ()
    tok_s: float | None = None
    finish_reason: str | None = None
    thumb: int = 0
    can_regenerate: bool = False
    skills_used: tuple[str, ...] = ()
    context_tokens: int | None = None  # the reply's prompt and the reply itself, in tokens
    context_size: int | None = None
    cut_tokens: int = 0  # tokens left out of the middle of the user's message to fit
    dropped_messages: int = 0  # oldest messages left out to fit

    @property
    def sibling_index(self) -> int:
        return self.sibling_ids.index(self.message_id) if self.message_id in self.sibling_ids else 0


class MessageText(QTextBrowser):
    """Read-only rich text that is exactly as tall as its content (the chat scrolls, not it).

    A code block's *Copy* link is reported as ``copy_code_requested(index)``; other links
    open only if they are web or mail addresses.
    """

    copy_code_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._link_clicked)
        # The bubble shows through. (Through the palette: the first ``viewport()`` call costs
        # milliseconds per widget in PySide, which adds up over a conversation.)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(Qt.GlobalColor.transparent))
        self.setPalette(palette)
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() == markdown.COPY_SCHEME and url.path().isdigit():
            self.copy_code_requested.emit(int(url.path()))
        else:
            open_safe_link(url)

    def _fit_height(self, *_: object) -> None:
        height = math.ceil(self.document().size().height()) + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # let the chat's scroll area scroll

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())


def open_safe_link(url: QUrl) -> None:
    """Open web and mail links in the user's browser; ignore anything else."""
    if url.scheme() in ("http", "https", "mailto"):
        QDesktopServices.openUrl(url)


def _tinted(widget: QWidget, color: str, role: QPalette.ColorRole) -> QWidget:
    """Recolour one widget through its palette (style sheets would slow down every bubble)."""
    palette = widget.palette()
    palette.setColor(role, QColor(color))
    widget.setPalette(palette)
    return widget


def _muted(label: QLabel, colors: Colors) -> QLabel:
    _tinted(label, colors.muted_text, QPalette.ColorRole.WindowText)
    return label


def size_text(text: str) -> str:
    """A message's size as people say it: "50 KB", "1.2 MB"."""
    size = len(text.encode("utf-8"))
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def is_huge(text: str) -> bool:
    return len(text) > COLLAPSE_CHARS or text.count("\n") >= COLLAPSE_LINES


def collapsed(text: str) -> str:
    """The first lines of a huge message, as shown until the user asks for all of it."""
    head = "\n".join(text.split("\n", COLLAPSED_LINES)[:COLLAPSED_LINES])
    return head[:COLLAPSED_CHARS].rstrip() + " …"


def context_notes(view: MessageView) -> list[str]:
    """What was left out of a reply's prompt to fit the model's context, in words."""
    if not view.context_size:
        return []
    fit = f"to fit the model's context of {view.context_size:,} tokens"
    notes = []
    dropped = view.dropped_messages
    if dropped == 1:
        notes.append(f"The oldest message of this chat was left out {fit}.")
    elif dropped > 1:
        notes.append(f"The {dropped} oldest messages of this chat were left out {fit}.")
    if view.cut_tokens:
        notes.append(f"The middle of your message ({view.cut_tokens:,} tokens) was left out {fit}.")
    return notes


def _tool_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setAutoRaise(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class MessageWidget(QWidget):
    """A chat bubble. ``view.message_id is None`` means a reply still streaming in."""

    correct_requested = Signal(int)
    thumb_requested = Signal(int, bool)
    regenerate_requested = Signal(int)
    edit_submitted = Signal(int, str)
    branch_requested = Signal(int)
    command_run_requested = Signal(object, str, bool)  # card, command, sandboxed
    fix_requested = Signal(int, str)  # reply id, the user turn that asks to fix its command
    edit_started = Signal()  # the edit box is open: the chat scrolls it into view

    def __init__(self, view: MessageView, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.colors = colors
        self._background = QColor(
            colors.user_bubble if view.role == "user" else colors.assistant_bubble
        )
        self._border = QColor(colors.bubble_border)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.showing_original = False
        self.status = ""  # what the live reply is waiting for ("Reading your message… 40%")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 6)
        layout.setSpacing(4)
        layout.addLayout(self._header())
        self.text = MessageText()
        self.text.copy_code_requested.connect(self.copy_code)
        layout.addWidget(self.text)
        self.expand_button: QToolButton | None = None
        self.expanded = False
        if view.role == "user" and is_huge(view.content):
            self.expand_button = _tool_button(
                f"Show all ({size_text(view.content)})", "Show the whole message"
            )
            self.expand_button.clicked.connect(self._toggle_expanded)
            layout.addWidget(self.expand_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.notes_label: QLabel | None = None
        notes = context_notes(view) if view.role == "assistant" else []
        if notes:
            self.notes_label = _muted(QLabel("\n".join(notes)), self.colors)
            self.notes_label.setWordWrap(True)
            layout.addWidget(self.notes_label)
        self.editor: ComposerEdit | None = None
        self.edit_row: QWidget | None = None
        self.edit_send_button: QPushButton | None = None
        self.correction_row: QWidget | None = None
        self.original_toggle: QToolButton | None = None
        if view.corrected:
            self.correction_row = self._correction_row()
            layout.addWidget(self.correction_row)
        self.skills_toggle: QToolButton | None = None
        self.skills_list: QLabel | None = None
        if view.role == "assistant" and view.skills_used:
            layout.addWidget(self._skills_row())
            layout.addWidget(self.skills_list)
        self.command_cards = self._command_cards()
        for card in self.command_cards:
            layout.addWidget(card)
        self.actions = self._actions()
        layout.addWidget(self.actions)
        self._render()

    # -- construction ----------------------------------------------------------------------

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        role = QLabel(ROLE_NAMES.get(self.view.role, self.view.role))
        font = role.font()
        font.setBold(True)
        role.setFont(font)
        row.addWidget(role)
        row.addStretch(1)
        self.prev_button = _tool_button("‹", "Previous version")
        self.branch_label = QLabel()
        self.next_button = _tool_button("›", "Next version")
        self.prev_button.clicked.connect(lambda: self._go_sibling(-1))
        self.next_button.clicked.connect(lambda: self._go_sibling(1))
        count = len(self.view.sibling_ids)
        self.branch_label.setText(f"{self.view.sibling_index + 1}/{count}")
        _muted(self.branch_label, self.colors)
        for widget in (self.prev_button, self.branch_label, self.next_button):
            if count < 2:
                widget.hide()  # (never setVisible(True) before showing: it forces a polish)
            row.addWidget(widget)
        self.prev_button.setEnabled(self.view.sibling_index > 0)
        self.next_button.setEnabled(self.view.sibling_index < count - 1)
        return row

    def _correction_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        note = _muted(QLabel("✎ corrected —"), self.colors)
        self.original_toggle = _tool_button(
            "show original", "Switch between your correction and what the model originally wrote"
        )
        self.original_toggle.setCheckable(True)
        self.original_toggle.toggled.connect(self._toggle_original)
        layout.addWidget(note)
        layout.addWidget(self.original_toggle)
        layout.addStretch(1)
        return row

    def _skills_row(self) -> QWidget:
        """ "used N skills": which learned lessons were in the prompt, shown on demand."""
        count = len(self.view.skills_used)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.skills_toggle = _tool_button(
            f"used {count} skill{'s' if count != 1 else ''} ▸",
            "Lessons Flywheel learned earlier that were added to the prompt of this reply",
        )
        self.skills_toggle.setCheckable(True)
        self.skills_list = _muted(
            QLabel("\n".join(f"• {n}" for n in self.view.skills_used)), self.colors
        )
        self.skills_list.hide()
        self.skills_toggle.toggled.connect(self.skills_list.setVisible)
        layout.addWidget(self.skills_toggle)
        layout.addStretch(1)
        return row

    def _command_cards(self) -> list[CommandCard]:
        """A card per distinct shell command a saved reply proposes in its current text: the
        user's correction when there is one (the chat and the model show that text too)."""
        if self.view.role != "assistant" or self.view.message_id is None:
            return []
        from app.terminal.proposals import extract_commands  # markdown-it: at the first reply

        cards = []
        proposals = extract_commands(self.view.corrected or self.view.content)
        for command in dict.fromkeys(proposal.command for proposal in proposals):
            card = CommandCard(self.view.message_id, command)
            card.run_requested.connect(self.command_run_requested)
            card.fix_requested.connect(self.fix_requested)
            cards.append(card)
        return cards

    def card_for(self, proposed: str) -> CommandCard | None:
        return next((card for card in self.command_cards if card.proposed == proposed), None)

    def _actions(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.copy_button = _tool_button("Copy", "Copy this message")
        self.copy_button.clicked.connect(self._copy)
        row.addWidget(self.copy_button)
        self.correct_button = self.edit_button = self.regenerate_button = None
        self.thumb_up = self.thumb_down = None
        if self.view.role == "assistant":
            self._assistant_actions(row)
        elif self.view.role == "user":
            self.edit_button = _tool_button("Edit", "Edit this message and send it again")
            self.edit_button.clicked.connect(self.start_edit)
            row.addWidget(self.edit_button)
        row.addStretch(1)
        self.meta_label = _muted(QLabel(self._meta_text()), self.colors)
        row.addWidget(self.meta_label)
        if self.view.message_id is None:
            bar.hide()
        return bar

    def _assistant_actions(self, row: QHBoxLayout) -> None:
        self.correct_button = QPushButton("✎ Correct")
        self.correct_button.setToolTip(
            "Rewrite this reply the way it should have been: Flywheel learns from it"
        )
        self.correct_button.setCursor(Qt.CursorShape.PointingHandCursor)
        _tinted(self.correct_button, self.colors.accent, QPalette.ColorRole.ButtonText)
        font = self.correct_button.font()
        font.setBold(True)
        self.correct_button.setFont(font)
        self.correct_button.clicked.connect(lambda: self._emit_id(self.correct_requested))
        row.addWidget(self.correct_button)
        color = self.colors.muted_text
        self.thumb_up = _tool_button("", "Good reply")
        self.thumb_up.setIcon(line_icon("thumb", color))
        self.thumb_down = _tool_button("", "Bad reply")
        self.thumb_down.setIcon(line_icon("thumb", color, flipped=True))
        for button, up in ((self.thumb_up, True), (self.thumb_down, False)):
            button.setCheckable(True)
            button.setChecked(self.view.thumb == (1 if up else -1))
            button.clicked.connect(lambda _=False, up=up: self._thumb(up))
            row.addWidget(button)
        if self.view.can_regenerate:
            self.regenerate_button = _tool_button("↻ Regenerate", "Write a different reply")
            self.regenerate_button.clicked.connect(lambda: self._emit_id(self.regenerate_requested))
            row.addWidget(self.regenerate_button)

    def _meta_text(self) -> str:
        parts = []
        if self.view.tok_s:
            parts.append(f"{self.view.tok_s:.0f} tok/s")
        note = FINISH_NOTES.get(self.view.finish_reason or "")
        if note:
            parts.append(note)
        return " · ".join(parts)

    # -- display ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self._border, 1))
        painter.setBrush(self._background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
        super().paintEvent(event)

    def shown_text(self) -> str:
        """The text on screen: the correction unless the user asked to see the original."""
        if self.view.corrected and not self.showing_original:
            return self.view.corrected
        return self.view.content

    def _render(self) -> None:
        text = self.shown_text()
        if self.view.role == "user":
            shown = text if self.expand_button is None or self.expanded else collapsed(text)
            self.text.setHtml(markdown.user_to_html(shown, self.colors.html))
        elif not text:
            live = self.status or "…"
            placeholder = live if self.view.message_id is None else "(empty reply)"
            self.text.setHtml(f'<p style="color:{self.colors.muted_text};">{placeholder}</p>')
        elif self.view.message_id is None:
            self.text.setHtml(markdown.to_html(text, self.colors.html))
        else:
            self.text.setHtml(markdown.cached_html(text, self.colors.html))

    def set_live_text(self, text: str) -> None:
        """Show the reply streamed so far (only for the live, unsaved message)."""
        self.view = MessageView(None, self.view.role, text)
        self._render()

    def mark_unsaved(self, note: str) -> None:
        """Turn a streamed reply that could not be recorded into a bubble that says so and
        offers only Copy (there is no saved message to correct, rate or regenerate)."""
        if self.notes_label is None:
            self.notes_label = _muted(QLabel(), self.colors)
            self.notes_label.setWordWrap(True)
            layout = self.layout()
            layout.insertWidget(layout.indexOf(self.actions), self.notes_label)
        self.notes_label.setText(note)
        for button in (self.correct_button, self.thumb_up, self.thumb_down):
            if button is not None:
                button.hide()
        self.actions.show()

    def set_status(self, status: str) -> None:
        """What the live reply is waiting for, shown until its first words arrive."""
        self.status = status
        if not self.view.content:
            self._render()

    def _toggle_expanded(self) -> None:
        assert self.expand_button is not None  # only huge messages have the button
        self.expanded = not self.expanded
        self.expand_button.setText(
            "Show less" if self.expanded else f"Show all ({size_text(self.view.content)})"
        )
        self._render()

    def _toggle_original(self, checked: bool) -> None:
        self.showing_original = checked
        assert self.original_toggle is not None  # only corrected replies have the toggle
        self.original_toggle.setText("show correction" if checked else "show original")
        self._render()

    # -- actions ---------------------------------------------------------------------------

    def _emit_id(self, signal: Signal) -> None:
        if self.view.message_id is not None:
            signal.emit(self.view.message_id)

    def _go_sibling(self, step: int) -> None:
        index = self.view.sibling_index + step
        if 0 <= index < len(self.view.sibling_ids):
            self.branch_requested.emit(self.view.sibling_ids[index])

    def _thumb(self, up: bool) -> None:
        # The button shows pressed only once the signal is stored and the view rebuilt.
        for button in (self.thumb_up, self.thumb_down):
            if button is not None:
                button.setChecked(self.view.thumb == (1 if button is self.thumb_up else -1))
        if self.view.message_id is not None:
            self.thumb_requested.emit(self.view.message_id, up)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.shown_text())

    def copy_code(self, index: int) -> None:
        """Put the code of the message's ``index``-th code block on the clipboard."""
        text = self.shown_text()
        user = self.view.role == "user"
        blocks = markdown.user_code_blocks(text) if user else markdown.code_blocks(text)
        if 0 <= index < len(blocks):
            QGuiApplication.clipboard().setText(blocks[index])

    def start_edit(self) -> None:
        """Swap the text for an editor that behaves as the composer (Enter sends, Shift+Enter
    breaks the line); sending creates a new branch from this point."""
        if self.editor is not None:
            return
        self.editor = ComposerEdit()
        self.editor.setPlaceholderText("Enter to send, Shift+Enter for a new line")
        self.editor.setPlainText(self.view.content)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.editor.submitted.connect(self._submit_edit)
        send = self.edit_send_button = QPushButton("Send")
        send.setDefault(True)
        cancel = QPushButton("Cancel")
        send.clicked.connect(self._submit_edit)
        cancel.clicked.connect(self._cancel_edit)
        self.edit_row = QWidget()
        row = QHBoxLayout(self.edit_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(send)
        layout = self.layout()
        index = layout.indexOf(self.text)
        layout.insertWidget(index + 1, self.editor)
        layout.insertWidget(index + 2, self.edit_row)
        self.text.hide()
        self.actions.hide()
        if self.expand_button is not None:
            self.expand_button.hide()
        self.editor.setFocus()
        self.edit_started.emit()

    def _submit_edit(self) -> None:
        if self.editor is None:
            return
        text = self.editor.toPlainText().strip()
        if text and self.view.message_id is not None:
            self.edit_submitted.emit(self.view.message_id, text)
        self._cancel_edit()

    def _cancel_edit(self) -> None:
        for widget in (self.editor, self.edit_row):
            if widget is not None:
                widget.deleteLater()
        self.editor = self.edit_row = None
        self.text.show()
        self.actions.show()
        if self.expand_button is not None:
            self.expand_button.show()
