"""A huge paste: reading progress, what was cut and why, the context gauge, a collapsed
bubble (issue 15, item 6); a looping reply is stopped with a note (item 3)."""

from __future__ import annotations

import re
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.ui.main_window import MainWindow

PASTE_LINE = "2026-12-06 12:00:{:02d} worker[42]: processed batch with status ok and no errors\n"


def paste(kilobytes: int) -> str:
    lines, size = [], 0
    while size < kilobytes * 1024:
        line = PASTE_LINE.format(len(lines) % 60)
        lines.append(line)
        size += len(line)
    return "Why is this log so long?\n" + "".join(lines)


def test_a_huge_paste_shows_progress_then_says_what_was_cut(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    ui_settings: settings_mod.Settings,
    send: Callable[[MainWindow, str], None],
) -> None:
    ui_settings.model.context_size = 1024  # less to read: the test stays quick on a busy machine
    window = make_window(ui_settings)
    shown: list[str] = []
    show_progress = window.chat.set_prompt_progress

    def record(done: int, total: int) -> None:  # what the live bubble says, on the UI thread
        show_progress(done, total)
        assert window.chat.live_widget is not None
        shown.append(window.chat.live_widget.text.toPlainText())

    window.chat.set_prompt_progress = record  # type: ignore[method-assign]
    text = paste(50)
    send(window, text)

    reading = [s for s in shown if s.startswith("Reading your message…")]
    percents = [int(re.search(r"(\d+)%", s).group(1)) for s in reading]  # type: ignore[union-attr]
    assert len(percents) >= 3 and percents == sorted(percents)
    assert percents[0] == 0 and percents[-1] == 100

    user, reply = window.chat.message_widgets()[-2:]
    assert reply.notes_label is not None
    note = reply.notes_label.text()
    match = re.search(
        r"The middle of your message \(([\d,]+) tokens\) was left out to fit the model's "
        r"context of 1,024 tokens\.",
        note,
    )
    assert match is not None, note
    assert int(match.group(1).replace(",", "")) > 5000

    label = window.status.context_label.text()
    used = re.fullmatch(r"context: ([\d,]+) / 1,024 \(\d+%\)", label)
    assert used is not None, label
    assert 900 < int(used.group(1).replace(",", "")) <= 1024

    assert user.expand_button is not None
    assert user.expand_button.text() == "Show all (50 KB)"
    assert len(user.text.toPlainText()) < 2000
    user.expand_button.click()
    assert user.text.toPlainText().strip() == text.strip()
    assert user.expand_button.text() == "Show less"


def test_a_short_message_is_neither_collapsed_nor_noted(
    make_window: Callable[..., MainWindow],
    ui_settings: settings_mod.Settings,
    send: Callable[[MainWindow, str], None],
) -> None:
    window = make_window(ui_settings)
    assert window.status.context_label.text() == ""
    send(window, "Say hi.")
    user, reply = window.chat.message_widgets()[-2:]
    assert user.expand_button is None
    assert reply.notes_label is None
    assert re.fullmatch(r"context: \d+ / 2,048 \(\d+%\)", window.status.context_label.text())


def test_a_looping_reply_is_stopped_with_a_note(
    make_window: Callable[..., MainWindow],
    ui_settings: settings_mod.Settings,
    send: Callable[[MainWindow, str], None],
) -> None:
    """Greedy and without a penalty, the embedded model repeats a line of this limerick."""
    ui_settings.model.max_reply_tokens = 512
    ui_settings.model.repeat_penalty = 1.0
    window = make_window(ui_settings)
    send(window, "Write a limerick about a programmer")
    reply = window.chat.message_widgets()[-1]
    assert reply.view.finish_reason == "loop"
    assert "stopped: the reply was repeating itself" in reply.meta_label.text()
