"""The terminal dock with a real shell: typing, colours, Ctrl+C, bounded scrollback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QKeySequence, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import commands as store
from app.store import conversations as conv
from app.store.db import open_db
from app.store.signals import signals_for_message
from app.terminal.policy import decide
from app.terminal.runner import CONFIRM_WORD, RunRequest, known_sandbox_status, sandbox_status
from app.ui.command_card import FAILURE_COLOR, SANDBOX_CHECKING, SUCCESS_COLOR, CommandCard
from app.ui.confirm_command import ConfirmCommandDialog
from app.ui.main_window import MainWindow
from app.ui.message_widget import MessageView, MessageWidget
from app.ui.terminal_pane import MAX_LINES, AnsiRenderer, LineTracker, TerminalPane, color_of
from app.ui.theme import LIGHT_COLORS
from tests.terminal.held_bwrap import hold_the_sandbox_probe

TURN_TIMEOUT_MS = 120_000

SHELL_TIMEOUT_MS = 20_000


def at_prompt(pane: TerminalPane) -> bool:
    return pane.text().rstrip().endswith(("$", "#"))


@pytest.fixture
def pane(qtbot: QtBot, tmp_path: Path) -> Iterator[TerminalPane]:
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    terminal = TerminalPane(cwd=work, env={"HISTFILE": str(tmp_path / "history")})
    qtbot.addWidget(terminal)
    terminal.resize(900, 400)
    terminal.show()
    qtbot.waitUntil(lambda: at_prompt(terminal), timeout=SHELL_TIMEOUT_MS)
    yield terminal
    terminal.shutdown()


def type_line(qtbot: QtBot, pane: TerminalPane, text: str) -> None:
    qtbot.keyClicks(pane.view, text)
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)


def format_at(pane: TerminalPane, text: str) -> tuple[QColor, bool]:
    """Foreground colour and boldness of the first character of the last `text` shown."""
    document = pane.view.document()
    found = document.find(text, document.characterCount(), document.FindFlag.FindBackward)
    assert not found.isNull(), f"{text!r} is not on screen"
    cursor = QTextCursor(document)
    cursor.setPosition(found.selectionStart() + 1)
    fmt = cursor.charFormat()
    return fmt.foreground().color(), fmt.fontWeight() == QFont.Weight.Bold


def test_typed_command_shows_output_and_cwd_and_is_recorded(qtbot: QtBot,
                                                            pane: TerminalPane) -> None:
    type_line(qtbot, pane, "cd sub && echo hello-from-the-pane")
    qtbot.waitUntil(lambda: "\nhello-from-the-pane\n" in pane.text(), timeout=SHELL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: pane.cwd_label.text().startswith(str(pane.session.cwd)),
                    timeout=SHELL_TIMEOUT_MS)
    assert pane.session.cwd.name == "sub"
    assert "last exit 0" in pane.cwd_label.text()
    db = open_db()
    qtbot.waitUntil(lambda: bool(list(db.query("SELECT * FROM commands"))))
    (row,) = db.query("SELECT * FROM commands")
    assert (row["command"], row["origin"], row["exit_code"]) == (
        "cd sub && echo hello-from-the-pane", "user", 0)
    assert row["output_tail"] == "hello-from-the-pane\n"
    db.conn.close()


def test_ansi_colours_are_drawn(qtbot: QtBot, pane: TerminalPane) -> None:
    type_line(qtbot, pane, r"printf 'A\033[1;31mRED\033[0m B\033[38;5;208mORANGE\033[0m\n'")
    qtbot.waitUntil(lambda: "\nARED BORANGE\n" in pane.text(), timeout=SHELL_TIMEOUT_MS)
    assert format_at(pane, "RED") == (QColor(color_of(1)), True)
    assert format_at(pane, "ORANGE") == (QColor(color_of(208)), False)
    assert color_of(208) == "#ff8700"


def test_ctrl_c_interrupts_the_running_program(qtbot: QtBot, pane: TerminalPane) -> None:
    type_line(qtbot, pane, "sleep 60")
    qtbot.wait(500)
    qtbot.keyClick(pane.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "last exit 130" in pane.cwd_label.text(), timeout=SHELL_TIMEOUT_MS)
    db = open_db()
    qtbot.waitUntil(lambda: [row["exit_code"] for row in db.query("SELECT * FROM commands")]
                    == [130])
    db.conn.close()


def test_invalid_utf8_and_binary_output_survive(qtbot: QtBot, pane: TerminalPane) -> None:
    type_line(qtbot, pane, r"printf 'A\377B\000C\001D\n'; head -c 3000 /dev/urandom | tr -d '\033'"
                           r"; echo; echo after-binary")
    qtbot.waitUntil(lambda: "\nafter-binary\n" in pane.text(), timeout=SHELL_TIMEOUT_MS)
    assert "\nA\ufffdBCD\n" in pane.text()
    type_line(qtbot, pane, "echo still-alive")
    qtbot.waitUntil(lambda: "\nstill-alive\n" in pane.text(), timeout=SHELL_TIMEOUT_MS)


def test_scrollback_is_bounded_and_keeps_the_tail(qtbot: QtBot, pane: TerminalPane) -> None:
    type_line(qtbot, pane, "seq 1 30000")
    qtbot.waitUntil(lambda: "\n30000\n" in pane.text() and at_prompt(pane),
                    timeout=SHELL_TIMEOUT_MS)
    assert pane.view.document().blockCount() <= MAX_LINES
    lines = pane.text().split("\n")
    assert "1" not in lines and "29000" in lines


def test_a_line_that_needs_more_input_goes_to_the_shell_as_typed(qtbot: QtBot,
                                                                 pane: TerminalPane) -> None:
    type_line(qtbot, pane, "echo 'two")
    type_line(qtbot, pane, "lines'")
    qtbot.waitUntil(lambda: "\ntwo\nlines\n" in pane.text(), timeout=SHELL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: at_prompt(pane), timeout=SHELL_TIMEOUT_MS)


def test_exit_starts_a_new_shell(qtbot: QtBot, pane: TerminalPane) -> None:
    type_line(qtbot, pane, "exit 4")
    qtbot.waitUntil(lambda: pane.session.alive and "exit 4" in pane.text()
                    and at_prompt(pane), timeout=SHELL_TIMEOUT_MS)
    type_line(qtbot, pane, "echo reborn")
    qtbot.waitUntil(lambda: "\nreborn\n" in pane.text(), timeout=SHELL_TIMEOUT_MS)


# -- the renderer and the line tracker, without a shell -------------------------------------


def rendered(qtbot: QtBot, *chunks: bytes, columns: int = 20) -> str:
    view = QPlainTextEdit()
    qtbot.addWidget(view)
    renderer = AnsiRenderer(view)
    renderer.columns = columns
    for chunk in chunks:
        renderer.feed(chunk)
    return view.toPlainText()


def test_renderer_follows_line_editing(qtbot: QtBot) -> None:
    assert rendered(qtbot, b"progress 10%\rprogress 99%\r\n") == "progress 99%\n"
    assert rendered(qtbot, b"abcdef\b\b\x1b[K!\r\n") == "abcd!\n"
    assert rendered(qtbot, b"abcdef\r\x1b[2C\x1b[2P") == "abef"
    assert rendered(qtbot, b"x" * 25 + b"\x1b[A\r\x1b[K$ ") == "$ \n" + "x" * 5
    assert rendered(qtbot, b"one\r\ntwo\x1b[H\x1b[2J", b"three") == "three"
    assert rendered(qtbot, b"split \xe2\x82", b"\xac sign \x1b[3", b"1mred") == \
        "split \u20ac sign red"


def test_hostile_escape_counts_are_clamped(qtbot: QtBot) -> None:
    """Untrusted output: a huge insert count or a 5,000-digit parameter changes nothing."""
    assert rendered(qtbot, b"ab\r\x1b[2000000000@cd\r\n").startswith("cd")
    huge = b"\x1b[" + b"9" * 5000 + b"mstill drawn\r\n"
    assert rendered(qtbot, huge) == "still drawn\n"


def test_line_tracker_follows_plain_editing_only() -> None:
    tracker = LineTracker()
    for key in (b"ech", b"x", b"\x7f", b"o", b"\x1b[D", b"\x1b[D", b"\x1b[D", b"\x1b[D",
                b"\x1b[3~", b"e", b"\x05", b" hi"):
        tracker.feed(key)
    assert tracker.line == "echo hi"
    tracker.feed(b"\t")
    assert tracker.line is None
    tracker.reset()
    tracker.feed(b"ls")
    tracker.feed(b"\x1b[A")
    assert tracker.line is None


# -- proposed commands in the real main window -----------------------------------------------


def reply_proposing(command: str) -> tuple[int, int]:
    """A stored conversation whose assistant reply proposes `command` in a bash block."""
    db = open_db()
    conversation = conv.create_conversation(db, "Terminal help")
    conv.add_message(db, conversation, "user", "What should I run?")
    reply = conv.add_message(db, conversation, "assistant",
                             f"Try this:\n\n```bash\n{command}\n```\n")
    db.conn.close()
    return conversation, reply


def card_of(window: MainWindow, reply: int) -> CommandCard:
    widget = window.chat.widget_for(reply)
    assert widget is not None
    (card,) = widget.command_cards
    return card


needs_sandbox = pytest.mark.skipif(not sandbox_status()[0],
                                   reason=f"no sandbox here: {sandbox_status()[1]}")


def move_terminal(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    """`cd` the window's terminal into `folder` (the sandbox refuses the home folder)."""
    window.terminal.queue.submit(RunRequest(f"cd '{folder}'", "user"))
    qtbot.waitUntil(lambda: window.terminal.session.cwd == folder
                    and not window.terminal.queue.busy, timeout=SHELL_TIMEOUT_MS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def open_window(make_window: Callable, settings: settings_mod.Settings, conversation: int,
                wait_model: bool = False) -> MainWindow:
    window: MainWindow = make_window(settings, wait_model=wait_model)
    window.open_conversation(conversation)
    return window


@needs_sandbox
def test_run_a_proposed_command_after_approval(qtbot: QtBot, make_window: Callable,
                                               ui_settings: settings_mod.Settings,
                                               project: Path) -> None:
    conversation, reply = reply_proposing("echo hello-from-a-card")
    window = open_window(make_window, ui_settings, conversation)
    assert not window.terminal.isVisible()
    move_terminal(qtbot, window, project)
    card = card_of(window, reply)
    assert card.proposed == "echo hello-from-a-card" and card.badge.isHidden()

    card.run_button.click()
    dialog = window.confirm_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.typed
    assert dialog.command_view.toPlainText() == "echo hello-from-a-card"
    assert "proposed by the assistant" in dialog.reasons_label.text()
    assert dialog.run_button.isEnabled()
    dialog.run_button.click()

    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 0 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)
    badge = card_of(window, reply).badge
    assert badge.palette().color(badge.foregroundRole()) == QColor(SUCCESS_COLOR)
    assert card_of(window, reply).fix_button.isHidden()
    assert window.terminal.isVisible()
    qtbot.waitUntil(lambda: "\nhello-from-a-card\n" in window.terminal.text(),
                    timeout=SHELL_TIMEOUT_MS)
    db = open_db()
    (run,) = store.commands_for_message(db, reply)
    assert (run["origin"], run["exit_code"], run["output_tail"], run["sandboxed"]) == (
        "assistant", 0, "hello-from-a-card\n", 1)
    (signal,) = signals_for_message(db, reply)
    assert (signal["kind"], signal["score"], signal["command_id"]) == (
        "command_exit", 1, run["id"])
    db.conn.close()

    window.reload_chat()  # the badge survives the chat being redrawn
    assert card_of(window, reply).badge.text() == "exit 0 · sandboxed"


@needs_sandbox
def test_failed_command_offers_ask_to_fix(qtbot: QtBot, make_window: Callable,
                                          ui_settings: settings_mod.Settings,
                                          project: Path) -> None:
    ui_settings.terminal.allow_rules = ["ls *"]
    conversation, reply = reply_proposing("ls /flywheel-missing-folder")
    window = open_window(make_window, ui_settings, conversation, wait_model=True)
    move_terminal(qtbot, window, project)
    card_of(window, reply).run_button.click()
    assert window.confirm_dialog is None, "an allow rule runs a sandboxed command at once"
    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 2 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)
    card = card_of(window, reply)
    assert card.badge.palette().color(card.badge.foregroundRole()) == QColor(FAILURE_COLOR)
    assert card.network_button.isHidden(), "a missing file is not a missing network"
    db = open_db()
    (signal,) = signals_for_message(db, reply)
    assert signal["score"] == -1 and "No such file or directory" in signal["hint"]
    db.conn.close()

    assert card.fix_button.isVisible()
    with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
        card.fix_button.click()
    asked = [view for view in window.chat.views() if view.role == "user"][-1].content
    assert asked.startswith(
        "This command failed with exit code 2:\n```bash\nls /flywheel-missing-folder\n```\n")
    assert "No such file or directory" in asked and asked.endswith("```\nPlease fix it.")


@needs_sandbox
def test_dangerous_command_needs_the_typed_word(qtbot: QtBot, make_window: Callable,
                                               ui_settings: settings_mod.Settings,
                                               project: Path) -> None:
    ui_settings.terminal.allow_rules = ["*", "re:.*"]  # the deny list outranks allow rules
    conversation, reply = reply_proposing("rm -rf ~")
    window = open_window(make_window, ui_settings, conversation)
    move_terminal(qtbot, window, project)
    for button in (card_of(window, reply).run_button, card_of(window, reply).outside_button):
        button.click()
        dialog = window.confirm_dialog
        assert dialog is not None and dialog.typed and dialog.confirm_edit is not None
        assert not dialog.run_button.isEnabled()
        dialog.confirm_edit.setText("run")
        assert not dialog.run_button.isEnabled()
        dialog.confirm_edit.setText(CONFIRM_WORD)
        assert dialog.run_button.isEnabled()
        dialog.cancel_button.click()
        qtbot.waitUntil(lambda: window.confirm_dialog is None)
    qtbot.wait(300)
    db = open_db()
    assert store.commands_for_message(db, reply) == []
    db.conn.close()
    assert card_of(window, reply).badge.isHidden()


@needs_sandbox
def test_run_outside_the_sandbox_always_asks(qtbot: QtBot, make_window: Callable,
                                            ui_settings: settings_mod.Settings,
                                            project: Path) -> None:
    """Allow rules run a command at once only inside the sandbox; leaving it is a choice
    the user confirms in a dialog every time."""
    ui_settings.terminal.allow_rules = ["echo *"]
    conversation, reply = reply_proposing("echo outside-run")
    window = open_window(make_window, ui_settings, conversation)
    move_terminal(qtbot, window, project)
    card_of(window, reply).outside_button.click()
    dialog = window.confirm_dialog
    assert dialog is not None and not dialog.typed
    assert "outside the sandbox" in dialog.reasons_label.text()
    dialog.run_button.click()
    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 0 · outside sandbox",
                    timeout=SHELL_TIMEOUT_MS)
    card_of(window, reply).run_button.click()
    assert window.confirm_dialog is None, "the allow rule runs the sandboxed Run at once"
    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 0 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)
    db = open_db()
    assert [run["sandboxed"] for run in store.commands_for_message(db, reply)] == [0, 1]
    db.conn.close()


@needs_sandbox
def test_edit_then_run_records_the_edit(qtbot: QtBot, make_window: Callable,
                                        ui_settings: settings_mod.Settings,
                                        project: Path) -> None:
    conversation, reply = reply_proposing("echo proposed")
    window = open_window(make_window, ui_settings, conversation)
    move_terminal(qtbot, window, project)
    card = card_of(window, reply)
    card.edit_button.click()
    assert card.editor.isVisible() and card.editor.toPlainText() == "echo proposed"
    card.editor.setPlainText("echo edited-by-me")
    card.run_edited_button.click()
    assert window.confirm_dialog is None, "a command the user wrote runs at once"
    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 0 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)
    db = open_db()
    (run,) = store.commands_for_message(db, reply)
    assert (run["command"], run["origin"], run["original_command"], run["sandboxed"]) == (
        "echo edited-by-me", "edited", "echo proposed", 1)
    assert [s["kind"] for s in signals_for_message(db, reply)] == ["command_edit"]
    db.conn.close()


def test_terminal_toggles_with_ctrl_backtick(qtbot: QtBot, make_window: Callable,
                                             ui_settings: settings_mod.Settings) -> None:
    window: MainWindow = make_window(ui_settings, wait_model=False)
    assert not window.terminal.isVisible()
    assert window.terminal_action.shortcut() == QKeySequence("Ctrl+`")
    window.terminal_action.trigger()
    assert window.terminal.isVisible()
    window.terminal_action.trigger()
    assert not window.terminal.isVisible()


def test_without_a_sandbox_run_is_the_plain_run(qtbot: QtBot) -> None:
    card = CommandCard(1, "make test", (False, "bubblewrap is not installed"))
    qtbot.addWidget(card)
    card.show()
    assert card.run_button.isEnabled()
    assert "bubblewrap is not installed" in card.run_button.toolTip()
    assert card.outside_button.isHidden() and card.network_box.isHidden()
    asked = []
    card.run_requested.connect(lambda *args: asked.append(args))
    card.run_button.click()
    assert asked == [(card, "make test", False)]


def test_a_reply_with_commands_is_drawn_while_the_sandbox_probe_runs(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe (bwrap, up to seconds) runs on a worker; the card learns its answer later,
    and until then its Run (the sandboxed run) waits."""
    bwrap = hold_the_sandbox_probe(tmp_path, monkeypatch)
    reply = MessageWidget(MessageView(1, "assistant", "Run:\n```bash\nmake test\n```"),
                          LIGHT_COLORS)
    qtbot.addWidget(reply)
    reply.show()
    (card,) = reply.command_cards
    assert known_sandbox_status() is None
    assert not card.run_button.isEnabled()
    assert card.run_button.toolTip() == SANDBOX_CHECKING
    assert card.outside_button.isHidden()
    qtbot.waitUntil(bwrap.release, timeout=SHELL_TIMEOUT_MS)
    qtbot.waitUntil(card.run_button.isEnabled, timeout=SHELL_TIMEOUT_MS)
    assert "read-only" in card.run_button.toolTip()
    assert card.outside_button.isVisible() and card.network_box.isVisible()
    assert bwrap.probes() == 1
    asked = []
    card.run_requested.connect(lambda *args: asked.append(args))
    card.run_button.click()
    card.outside_button.click()
    assert asked == [(card, "make test", True), (card, "make test", False)]


def test_a_card_running_its_command_keeps_run_off_when_the_probe_ends(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bwrap = hold_the_sandbox_probe(tmp_path, monkeypatch)
    card = CommandCard(1, "make test")
    qtbot.addWidget(card)
    card.show_running("make test")
    qtbot.waitUntil(bwrap.release, timeout=SHELL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: card.sandbox_ok is True, timeout=SHELL_TIMEOUT_MS)
    assert not card.run_button.isEnabled() and not card.outside_button.isEnabled()
    card.show_result("make test", 0, "", sandboxed=True)
    assert card.run_button.isEnabled() and card.outside_button.isEnabled()
    assert card.badge.text() == "exit 0 · sandboxed"


def test_confirm_dialog_shows_hidden_characters(qtbot: QtBot) -> None:
    hidden = "echo safe\r\x1b[2Krm -rf build \u202e"
    dialog = ConfirmCommandDialog(hidden, decide(hidden, "assistant", []))
    qtbot.addWidget(dialog)
    shown = dialog.command_view.toPlainText()
    assert "<U+000D>" in shown and "<U+001B>" in shown and "<U+202E>" in shown
    assert "\r" not in shown and "\x1b" not in shown
    assert not dialog.run_button.isDefault() and not dialog.run_button.autoDefault()


@needs_sandbox
def test_edit_then_run_without_a_real_change_still_asks(qtbot: QtBot, make_window: Callable,
                                                        ui_settings: settings_mod.Settings,
                                                        project: Path) -> None:
    """The edit box normalises a no-break space; that must not pass as the user's own edit."""
    conversation, reply = reply_proposing("echo\u00a0proposed")
    window = open_window(make_window, ui_settings, conversation)
    move_terminal(qtbot, window, project)
    card = card_of(window, reply)
    card.edit_button.click()
    card.editor.setPlainText("echo proposed")
    card.run_edited_button.click()
    assert window.confirm_dialog is not None, "an unchanged proposal needs the user's click"
    window.confirm_dialog.reject()
    qtbot.wait(200)
    db = open_db()
    assert store.commands_for_message(db, reply) == []
    db.conn.close()


@needs_sandbox
def test_sandbox_refuses_to_run_with_the_home_folder_writable(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The terminal starts in the home folder: Run refuses, and the card says why in words
    on the card (not in a tooltip)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    conversation, reply = reply_proposing("touch made-in-sandbox")
    window = open_window(make_window, ui_settings, conversation)
    qtbot.waitUntil(lambda: window.terminal.session.alive, timeout=SHELL_TIMEOUT_MS)
    assert window.terminal.session.cwd == home
    card = card_of(window, reply)
    qtbot.waitUntil(card.run_button.isEnabled, timeout=SHELL_TIMEOUT_MS)
    card.run_button.click()
    assert window.confirm_dialog is None
    assert card.badge.text() == "not run"
    assert card.notice.isVisible() and "home folder" in card.notice.text()
    assert not (home / "made-in-sandbox").exists()
