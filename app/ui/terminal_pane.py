"""The terminal dock: a real shell in a PTY, drawn with its colours, typed into directly.

Why it is built this way:
- The PTY is read on a background thread and drawn on the main thread from a bounded inbox,
  so a command printing megabytes never freezes the window: only what fits in the last
  `MAX_LINES` lines is ever drawn, and older bytes are dropped before they reach Qt.
- It is a line-oriented terminal: SGR colours (16, 256 and 24-bit, bold, italic, underline,
  inverse) and the cursor moves line editing uses (carriage return, backspace, erase,
  insert, delete) are honoured on the current line; full-screen programs (vim, top) run but
  are not drawn faithfully.
- A command typed at the prompt with plain editing keys goes through the runner, so its exit
  code is recorded and a failing command followed by its fix is learned from. Anything the
  pane cannot follow exactly (Tab completion, history keys) is sent as typed and not recorded.
- Every key goes to the shell while the terminal has focus (Ctrl+C interrupts), except the
  dock's own toggle, Ctrl+`. Pastes are bracketed when the shell asks for it, so pasted text
  never runs before the user presses Enter.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QDockWidget, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.settings import Settings
from app.terminal.pty_session import PtySession
from app.terminal.runner import (
    CommandQueue,
    RunRequest,
    ensure_running,
    sandbox_status,
    shell_environment,
)
from app.terminal.shell_syntax import ShellSyntaxError, parse

MAX_LINES = 5000
DRAW_SLICE_CHARS = 16 * 1024  # output drawn per event-loop turn: keeps the window responsive
LIVE_ROWS = 50  # rows line editing may still redraw (a wrapped command line)
INBOX_BYTES = 512 * 1024
READ_WAIT_S = 0.05
TOGGLE_SHORTCUT = "Ctrl+`"
FOREGROUND, BACKGROUND = "#d0d0d0", "#1c1c1c"
# The xterm palette for colours 0–15; 16–255 are computed (6×6×6 cube, then greys).
BASIC_COLORS = ("#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd",
                "#e5e5e5", "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff",
                "#00ffff", "#ffffff")
_ESCAPE_RE = re.compile(r"\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)"
                        r"|[PX^_][^\x1b]*\x1b\\|[()*+#%].|[^\[\]PX^_()*+#%])")
_TOKEN_RE = re.compile(_ESCAPE_RE.pattern + r"|([\x00-\x1a\x1c-\x1f\x7f])|\x1b")
_SGR_RE = re.compile(r"\x1b\[([0-9;:]*)m")
_CONTINUES_RE = re.compile(r"(\\|\||&&|\{|\b(then|do|else|in))\s*$|<<|"
                           r"^\s*(if|for|while|until|case|select|function)\b")
_KEYS = {Qt.Key.Key_Backspace: b"\x7f", Qt.Key.Key_Tab: b"\t", Qt.Key.Key_Backtab: b"\x1b[Z",
         Qt.Key.Key_Escape: b"\x1b", Qt.Key.Key_Up: b"\x1b[A", Qt.Key.Key_Down: b"\x1b[B",
         Qt.Key.Key_Right: b"\x1b[C", Qt.Key.Key_Left: b"\x1b[D", Qt.Key.Key_Home: b"\x1b[H",
         Qt.Key.Key_End: b"\x1b[F", Qt.Key.Key_Delete: b"\x1b[3~", Qt.Key.Key_Insert: b"\x1b[2~",
         Qt.Key.Key_PageUp: b"\x1b[5~", Qt.Key.Key_PageDown: b"\x1b[6~"}


def color_of(index: int) -> str:
    """The RGB of xterm colour `index` (0–255)."""
    if index < 16:
        return BASIC_COLORS[index]
    if index < 232:
        levels = (0, 95, 135, 175, 215, 255)
        index -= 16
        r, g, b = levels[index // 36], levels[index // 6 % 6], levels[index % 6]
    else:
        r = g = b = 8 + 10 * (index - 232)
    return f"#{r:02x}{g:02x}{b:02x}"


class _Row:
    """One screen row: its characters and their style keys, cell by cell."""

    __slots__ = ("chars", "styles")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.styles: list[tuple] = []


class AnsiRenderer:
    """Draws terminal output into a QPlainTextEdit: scrolled-off rows, then the live rows.

    The last `LIVE_ROWS` rows stay editable cell by cell, with a cursor that wraps at
    `columns`, because line editing redraws them in place (`\\r`, `\\b`, cursor up over a
    wrapped command line, `ESC[K`, `ESC[P` …); older rows are final and drawn once. Style
    keys are tuples (fg, bg, bold, italic, underline, inverse); a colour is a hex string or
    None for the default.
    """

    def __init__(self, view: QPlainTextEdit, max_lines: int = MAX_LINES) -> None:
        self.view = view
        self.max_lines = max_lines
        self.columns = 120
        view.setMaximumBlockCount(max_lines)
        self.bracketed_paste = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._queued = ""
        self._style: tuple = (None, None, False, False, False, False)
        self._formats: dict[tuple, QTextCharFormat] = {}
        self._rows = [_Row()]
        self._row = self._col = 0
        self._drawn_live = 1  # blocks at the end of the document that show the live rows
        self._finished: list[_Row] = []
        self._clear = False

    @property
    def busy(self) -> bool:
        """True while queued output waits to be drawn (see `draw_some`)."""
        return bool(self._queued)

    def write(self, data: bytes) -> None:
        """Queues output (invalid UTF-8 becomes U+FFFD); what can never be seen is skipped:
        of a flood, only the rows that fit in the scrollback are drawn."""
        text = self._queued + self._decoder.decode(data)
        if text.count("\n") > self.max_lines:
            cut = len(text)
            for _ in range(self.max_lines + 1):
                cut = text.rfind("\n", 0, cut)
            for sgr in _SGR_RE.finditer(text, 0, cut):  # colours still apply after the cut
                self._apply_sgr(sgr.group(1))
            text = text[cut + 1:]
            self._clear_screen()
        self._queued = text

    def draw_some(self, budget: int = DRAW_SLICE_CHARS) -> bool:
        """Draws about `budget` characters of queued output, ending at a line break when
        one is near, so no single call keeps the window busy; True while more is queued."""
        text = self._queued
        if len(text) > budget:
            newline = text.rfind("\n", budget // 2, budget)
            cut = newline + 1 if newline >= 0 else budget
        else:
            cut = len(text)
        escape = text.rfind("\x1b", 0, cut)
        if escape >= 0 and cut - escape < 4096 and not _ESCAPE_RE.match(text, escape):
            cut = escape  # an escape sequence split across reads: finish it with the next one
        chunk, self._queued = text[:cut], text[cut:]
        pos = 0
        for match in _TOKEN_RE.finditer(chunk):
            if match.start() > pos:
                self._put(chunk[pos:match.start()])
            pos = match.end()
            if match.group(3) is not None:
                self._control(match.group(3))
            elif match.group(2) is not None:
                self._csi(match.group(1), match.group(2))
        if pos < len(chunk):
            self._put(chunk[pos:])
        self._draw()
        return cut > 0 and bool(self._queued)

    def feed(self, data: bytes) -> None:
        """Queues `data` and draws everything that can be drawn now."""
        self.write(data)
        while self.draw_some():
            pass

    # -- the screen model ------------------------------------------------------------------

    def _clear_screen(self) -> None:
        self._rows, self._row, self._col = [_Row()], 0, 0
        self._finished, self._clear = [], True

    def _line_feed(self) -> None:
        self._row += 1
        self._col = min(self._col, self.columns - 1)
        if self._row == len(self._rows):
            self._rows.append(_Row())
            if len(self._rows) > LIVE_ROWS:
                self._finished.append(self._rows.pop(0))
                self._row -= 1

    def _put(self, text: str) -> None:
        while text:
            if self._col >= self.columns:  # the last column was written: wrap now
                self._line_feed()
                self._col = 0
            row = self._rows[self._row]
            piece, text = text[:self.columns - self._col], text[self.columns - self._col:]
            if self._col > len(row.chars):
                gap = self._col - len(row.chars)
                row.chars += [" "] * gap
                row.styles += [self._style] * gap
            end = self._col + len(piece)
            row.chars[self._col:end] = piece
            row.styles[self._col:end] = [self._style] * len(piece)
            self._col = end

    def _control(self, char: str) -> None:
        if char == "\n":
            self._line_feed()
        elif char == "\r":
            self._col = 0
        elif char == "\b":
            self._col = max(0, min(self._col, self.columns - 1) - 1)
        elif char == "\t":
            self._put(" " * (8 - self._col % 8))

    def _csi(self, params: str, final: str) -> None:
        if final == "m":
            self._apply_sgr(params)
            return
        # Counts are clamped to the screen: output is untrusted, and ``ESC[2000000000@`` or a
        # 5,000-digit parameter must neither allocate without bound nor stop the renderer.
        numbers = [
            min(int(p), 99_999) if p.isdigit() and len(p) <= 6 else 0
            for p in params.lstrip("?").split(";")
        ]
        if params.startswith("?"):
            if 2004 in numbers and final in "hl":
                self.bracketed_paste = final == "h"
            return
        n, row = min(max(numbers[0], 1), self.columns), self._rows[self._row]
        col = self._col = min(self._col, self.columns - 1) if final in "ABCDKPX@" else self._col
        if final == "A":
            self._row = max(0, self._row - n)
        elif final == "B":
            self._row = min(len(self._rows) - 1, self._row + n)
        elif final in "CD":
            self._col = min(col + n, self.columns - 1) if final == "C" else max(0, col - n)
        elif final == "G":
            self._col = min(n, self.columns) - 1
        elif final == "K" and numbers[0] == 1:
            row.chars[:col + 1] = [" "] * len(row.chars[:col + 1])
        elif final == "K":
            start = 0 if numbers[0] == 2 else col
            del row.chars[start:], row.styles[start:]
        elif final == "J" and numbers[0] in (2, 3):
            self._clear_screen()
        elif final == "J" and numbers[0] == 0:
            del row.chars[col:], row.styles[col:], self._rows[self._row + 1:]
        elif final == "P":
            del row.chars[col:col + n], row.styles[col:col + n]
        elif final == "@" and col < len(row.chars):
            row.chars[col:col] = [" "] * n
            row.styles[col:col] = [self._style] * n
            del row.chars[self.columns:], row.styles[self.columns:]
        elif final == "X":
            self._put(" " * min(n, self.columns - col))
            self._col = col

    def _apply_sgr(self, params: str) -> None:
        fg, bg, bold, italic, underline, inverse = self._style
        codes = [int(p) if p.isdigit() and len(p) <= 6 else 0 for p in re.split("[;:]", params)]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code == 0:
                fg, bg, bold, italic, underline, inverse = None, None, False, False, False, False
            elif code in (1, 22):
                bold = code == 1
            elif code in (3, 23):
                italic = code == 3
            elif code in (4, 24):
                underline = code == 4
            elif code in (7, 27):
                inverse = code == 7
            elif 30 <= code <= 37 or 90 <= code <= 97:
                fg = color_of(code - 30 if code < 90 else code - 82)
            elif 40 <= code <= 47 or 100 <= code <= 107:
                bg = color_of(code - 40 if code < 100 else code - 92)
            elif code in (39, 49):
                fg, bg = (None, bg) if code == 39 else (fg, None)
            elif code in (38, 48) and i + 1 < len(codes):
                color, i = self._extended_color(codes, i)
                fg, bg = (color, bg) if code == 38 else (fg, color)
            i += 1
        self._style = (fg, bg, bold, italic, underline, inverse)

    @staticmethod
    def _extended_color(codes: list[int], i: int) -> tuple[str | None, int]:
        """`38;5;N` (256 colours) or `38;2;R;G;B` (24-bit); returns it and the last index."""
        if codes[i + 1] == 5 and i + 2 < len(codes):
            return color_of(min(codes[i + 2], 255)), i + 2
        if codes[i + 1] == 2 and i + 4 < len(codes):
            r, g, b = (min(c, 255) for c in codes[i + 2:i + 5])
            return f"#{r:02x}{g:02x}{b:02x}", i + 4
        return None, i + 1

    def _format(self, style: tuple) -> QTextCharFormat:
        fmt = self._formats.get(style)
        if fmt is None:
            fg, bg, bold, italic, underline, inverse = style
            fg, bg = fg or FOREGROUND, bg or BACKGROUND
            if inverse:
                fg, bg = bg, fg
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(fg))
            if bg != BACKGROUND:
                fmt.setBackground(QColor(bg))
            fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
            fmt.setFontItalic(italic)
            fmt.setFontUnderline(underline)
            self._formats[style] = fmt
        return fmt

    def _runs(self, rows: list[_Row]) -> list[tuple[tuple, str]]:
        """The rows as (style, text) runs, rows joined by newlines, equal styles merged: a
        flood of plain lines becomes one insertion instead of thousands."""
        runs: list[tuple[tuple, list[str]]] = []

        def add(style: tuple, text: str) -> None:
            if runs and runs[-1][0] == style:
                runs[-1][1].append(text)
            else:
                runs.append((style, [text]))

        for index, row in enumerate(rows):
            chars, styles = row.chars, row.styles
            if styles and styles.count(styles[0]) == len(styles):
                add(styles[0], "".join(chars))
            else:
                start = 0
                for end in range(1, len(styles) + 1):
                    if end == len(styles) or styles[end] != styles[start]:
                        add(styles[start], "".join(chars[start:end]))
                        start = end
            if index < len(rows) - 1:
                add(runs[-1][0] if runs else self._style, "\n")
        return [(style, "".join(parts)) for style, parts in runs]

    def _draw(self) -> None:
        """Replaces the live rows at the end of the document; appends the rows that left."""
        bar = self.view.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        document = self.view.document()
        if self._clear:
            document.clear()
            self._drawn_live, self._clear = 1, False
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.movePosition(QTextCursor.MoveOperation.PreviousBlock,
                            QTextCursor.MoveMode.KeepAnchor, self._drawn_live - 1)
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock,
                            QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        for style, text in self._runs([*self._finished[-self.max_lines:], *self._rows]):
            cursor.insertText(text, self._format(style))
        cursor.endEditBlock()
        self._drawn_live, self._finished = len(self._rows), []
        if at_bottom:
            bar.setValue(bar.maximum())


class LineTracker:
    """Follows what the user types at the prompt, as readline edits it, for the keys whose
    effect is certain; anything else (Tab, history, Ctrl+W …) makes the line unknown."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.chars: list[str] = []
        self.pos = 0
        self.known = True

    @property
    def line(self) -> str | None:
        return "".join(self.chars) if self.known else None

    def feed(self, data: bytes) -> None:
        if not self.known:
            return
        if data in (b"\x1b[D", b"\x1b[C"):
            step = 1 if data == b"\x1b[C" else -1
            self.pos = min(max(self.pos + step, 0), len(self.chars))
        elif data in (b"\x1b[H", b"\x01"):
            self.pos = 0
        elif data in (b"\x1b[F", b"\x05"):
            self.pos = len(self.chars)
        elif data == b"\x7f":
            if self.pos:
                del self.chars[self.pos - 1]
                self.pos -= 1
        elif data == b"\x1b[3~":
            del self.chars[self.pos:self.pos + 1]
        elif data == b"\x15":
            del self.chars[:self.pos]
            self.pos = 0
        elif data == b"\x0b":
            del self.chars[self.pos:]
        else:
            text = data.decode("utf-8", errors="replace")
            if not text.isprintable():
                self.known = False
                return
            self.chars[self.pos:self.pos] = text
            self.pos += len(text)


def recordable(line: str) -> bool:
    """True for a complete one-line command (no continuation, no here-document)."""
    if not line.strip() or _CONTINUES_RE.search(line):
        return False
    try:
        parse(line)
    except ShellSyntaxError:
        return False
    return True


class TerminalView(QPlainTextEdit):
    """The drawn terminal; turns keys into bytes for the PTY instead of editing text."""

    typed = Signal(bytes)
    enter_pressed = Signal()
    interrupt_requested = Signal()
    paste_requested = Signal(str)
    resized = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(BACKGROUND))
        palette.setColor(QPalette.ColorRole.Text, QColor(FOREGROUND))
        self.setPalette(palette)
        self._toggle = QKeySequence(TOGGLE_SHORTCUT)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if pressed.matches(self._toggle) != QKeySequence.SequenceMatch.ExactMatch:
                event.accept()  # the shell gets the key, not a window shortcut
                return True
        return super().event(event)

    def focusNextPrevChild(self, _next: bool) -> bool:
        return False  # Tab completes in the shell; it does not move the focus

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if ctrl and shift and key in (Qt.Key.Key_C, Qt.Key.Key_V):
            if key == Qt.Key.Key_C:
                self.copy()
            else:
                self.paste_requested.emit(QGuiApplication.clipboard().text())
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
        elif ctrl and key == Qt.Key.Key_C:
            self.interrupt_requested.emit()
        elif key in _KEYS:
            self.typed.emit(_KEYS[key])
        elif ctrl and Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
            self.typed.emit(bytes([key - Qt.Key.Key_A + 1]))
        elif ctrl and key == Qt.Key.Key_Space:
            self.typed.emit(b"\x00")
        elif event.text():
            prefix = b"\x1b" if mods & Qt.KeyboardModifier.AltModifier else b""
            self.typed.emit(prefix + event.text().encode("utf-8"))
        else:
            return
        event.accept()

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        if event.commitString():
            self.typed.emit(event.commitString().encode("utf-8"))
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        metrics = self.fontMetrics()
        width = self.viewport().width() - 2 * int(self.document().documentMargin()) - 4
        cols = max(width // max(metrics.horizontalAdvance("M"), 1), 20)
        rows = max(self.viewport().height() // max(metrics.lineSpacing(), 1), 4)
        self.resized.emit(rows, cols)


class _Inbox(QObject):
    """Bytes from the reader thread, bounded; `ready` is emitted once per batch."""

    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._data = bytearray()

    def put(self, data: bytes) -> None:
        with self._lock:
            notify = not self._data
            self._data += data
            if len(self._data) > INBOX_BYTES:
                del self._data[: len(self._data) - INBOX_BYTES]
        if notify:
            self.ready.emit()

    def take(self) -> bytes:
        with self._lock:
            data = bytes(self._data)
            self._data.clear()
        return data


class TerminalPane(QDockWidget):
    """The terminal dock. `run(request)` runs an approved command in its shell; the job's
    `command_started`, `command_finished` (with a RunOutcome) or `command_failed` follow."""

    command_started = Signal(int)
    command_finished = Signal(int, object)
    command_failed = Signal(int, str)

    def __init__(self, parent: QWidget | None = None, *, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        super().__init__("Terminal", parent)
        self.setObjectName("terminalDock")
        self.toggleViewAction().setShortcut(QKeySequence(TOGGLE_SHORTCUT))
        self.settings: Settings | None = None  # the window's; None reads the saved ones
        environment = {**shell_environment(), **(env or {})}
        self.session = PtySession(cwd=cwd or Path.home(), env=environment)
        self.cwd_label = QLabel()
        self.cwd_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.view = TerminalView()
        self.renderer = AnsiRenderer(self.view)
        self.tracker = LineTracker()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.cwd_label)
        layout.addWidget(self.view, 1)
        self.setWidget(body)
        self._typed_jobs: set[int] = set()
        self._size = (24, 120)
        self._stop = threading.Event()
        self._inbox = _Inbox()
        self._inbox.ready.connect(self._drain)
        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(0)
        self._draw_timer.timeout.connect(self._drain)
        self.view.typed.connect(self._type)
        self.view.enter_pressed.connect(self._enter)
        self.view.interrupt_requested.connect(self.interrupt)
        self.view.paste_requested.connect(self.paste)
        self.view.resized.connect(self._resize)
        self.command_failed.connect(self._typed_job_failed)
        self.command_finished.connect(lambda job, _outcome: self._typed_jobs.discard(job))
        self.queue = CommandQueue(
            self.session, on_started=self.command_started.emit,
            on_finished=self.command_finished.emit, on_failed=self.command_failed.emit)
        self._reader = threading.Thread(target=self._read, name="flywheel-terminal-reader",
                                        daemon=True)
        self._reader.start()
        self._show_cwd()

    # -- the shell -------------------------------------------------------------------------

    def _read(self) -> None:
        """Reader thread: starts the shell, forwards its output, restarts it after `exit`."""
        try:
            ensure_running(self.session)
            self.session.resize(*self._size)
            sandbox_status()  # probe once here, so command cards never wait for it
            while not self._stop.is_set():
                data = self.session.read_available(READ_WAIT_S)
                if data:
                    self._inbox.put(data)
                if not self.session.alive and not self._stop.is_set():
                    status = self.session.exit_status
                    if ensure_running(self.session):
                        self.session.resize(*self._size)
                        self._note(f"[the shell exited ({status}); a new one was started]")
        except Exception as exc:  # no shell, no folder: say so in the pane, keep the app
            if not self._stop.is_set():
                self._note(f"[the terminal stopped: {exc}]")
        finally:
            if self._stop.is_set():
                self.session.close()  # a shell restarted while shutting down must not linger

    def _note(self, text: str) -> None:
        self._inbox.put(f"\r\n\x1b[2m{text}\x1b[0m\r\n".encode())

    def _drain(self) -> None:
        """Draws a slice of the output; the rest after other events (a flood never freezes
        the window, and Ctrl+C still gets through)."""
        data = self._inbox.take()
        if data:
            self.renderer.write(data)
        if self.renderer.busy and self.renderer.draw_some():
            self._draw_timer.start()
        self._show_cwd()

    def _show_cwd(self) -> None:
        cwd = str(self.session.cwd)
        home = str(Path.home())
        shown = "~" + cwd[len(home):] if cwd == home or cwd.startswith(home + "/") else cwd
        code = self.session.last_exit_code
        text = shown if code is None else f"{shown}   ·   last exit {code}"
        if self.cwd_label.text() != text:
            self.cwd_label.setText(text)

    def _resize(self, rows: int, cols: int) -> None:
        """The view changed size: programs (and the wrapping of drawn rows) follow it."""
        self._size = (rows, cols)
        self.renderer.columns = cols
        if self.session.alive:
            self.session.resize(rows, cols)

    # -- input -----------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        with contextlib.suppress(RuntimeError):  # the shell just ended: the reader restarts it
            self.session.write(data)

    def _type(self, data: bytes) -> None:
        self.tracker.feed(data)
        self._write(data)

    def _enter(self) -> None:
        """Enter at the prompt runs the tracked line through the runner (so it is recorded);
        otherwise, or when a command is running, it goes to the terminal as typed."""
        line = self.tracker.line
        self.tracker.reset()
        if line is not None and recordable(line) and not self.queue.busy:
            job = self.queue.submit(RunRequest(line.strip(), "user"), settings=self.settings)
            self._typed_jobs.add(job)
        else:
            self._write(b"\r")

    def _typed_job_failed(self, job: int, _message: str) -> None:
        """The shell was busy with a program: the Enter was meant for that program."""
        if job in self._typed_jobs:
            self._typed_jobs.discard(job)
            self._write(b"\r")

    def paste(self, text: str) -> None:
        data = text.replace("\r\n", "\r").replace("\n", "\r").encode("utf-8")
        if self.renderer.bracketed_paste:
            data = b"\x1b[200~" + data.replace(b"\x1b", b"") + b"\x1b[201~"
        self.tracker.known = False
        self._write(data)

    def interrupt(self) -> None:
        """Ctrl+C: interrupts the running program (or abandons the typed line)."""
        self.tracker.reset()
        self.session.interrupt()

    # -- for the window --------------------------------------------------------------------

    def run(self, request: RunRequest) -> int:
        """Queues an approved command; returns the job id carried by the result signals."""
        self.show()
        self.raise_()
        return self.queue.submit(request, settings=self.settings)

    def text(self) -> str:
        """What the terminal shows, as plain text."""
        return self.view.toPlainText()

    def shutdown(self) -> None:
        """Ends the shell and the threads (a running command is cut off); safe to repeat."""
        if self._stop.is_set():
            return
        self._stop.set()
        self.queue.close()
        self._reader.join(timeout=5)
        self.session.close()

