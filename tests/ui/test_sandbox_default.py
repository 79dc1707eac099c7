"""Proposed commands run in the sandbox by default: the acceptance tests of issue 16.

Destructive commands go through the window's default Run (a real PTY shell, real bubblewrap)
against a throwaway home folder, never the real one: the shell's HOME is a folder under
/var/tmp that `assert_throwaway` checks, and the terminal only reaches the working folder by
`cd "$HOME/work"`, which proves the shell's `~` is the throwaway one before anything runs.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.skills.library import SkillLibrary
from app.skills.skill import Skill
from app.store import commands as store
from app.store import conversations as conv
from app.store.db import open_db
from app.terminal import runner
from app.terminal.runner import CONFIRM_WORD, RunRequest, sandbox_status
from app.ui.banner import Banner
from app.ui.command_card import NETWORK_NOTE, CommandCard
from app.ui.command_runs import OUTSIDE_REASON
from app.ui.main_window import MainWindow
from tests.terminal.throwaway_home import assert_throwaway, throwaway_home, tree_digest

SHELL_TIMEOUT_MS = 30_000

needs_sandbox = pytest.mark.skipif(not sandbox_status()[0],
                                   reason=f"no sandbox here: {sandbox_status()[1]}")

# Each would damage the home folder if it ran outside the sandbox. `chmod -R 000 ~` is last:
# inside, it can only reach the working folder, and the commands after it would not get in.
DESTRUCTIVE = [
    ": > ~/.bashrc",
    "rm -rf ~",
    "truncate -s0 ~/.ssh/id_ed25519",
    "python3 -c \"import os, shutil; shutil.rmtree(os.path.expanduser('~'))\"",
    "cp /dev/null ~/.ssh/id_rsa",
    "find ~ -delete",
    "echo x >> ~/.bashrc",
    "mv ~/.ssh /tmp/x",
    "ln -sf /dev/null ~/.bashrc",
    "perl -e 'use File::Path; rmtree($ENV{HOME})'",
    "sed -i d ~/.profile",
    "rm -rf ~/.config ~/documents",
    "dd if=/dev/zero of=$HOME/.ssh/authorized_keys bs=1 count=1",
    "chmod -R 000 ~",
]
# Destructive, but outside the deny list's scope (no precious file, not the whole home): the
# sandbox contains it all the same, and outside the sandbox it needs at least a click.
BEYOND_DENY_LIST = {"rm -rf ~/.config ~/documents"}


def reply_proposing(*commands: str) -> tuple[int, int]:
    db = open_db()
    conversation = conv.create_conversation(db, "Sandbox")
    conv.add_message(db, conversation, "user", "What should I run?")
    blocks = "\n\n".join(f"```bash\n{command}\n```" for command in commands)
    reply = conv.add_message(db, conversation, "assistant", f"Try these:\n\n{blocks}\n")
    db.conn.close()
    return conversation, reply


def cards_of(window: MainWindow, reply: int) -> list[CommandCard]:
    widget = window.chat.widget_for(reply)
    assert widget is not None
    return widget.command_cards


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The process's (and so the terminal's) HOME is a throwaway folder for the test."""
    with throwaway_home() as folder:
        assert_throwaway(folder)
        monkeypatch.setenv("HOME", str(folder))
        assert Path.home() == folder
        yield folder


def window_in_work(qtbot: QtBot, make_window: Callable, settings: settings_mod.Settings,
                   conversation: int, home: Path) -> MainWindow:
    """The window, its terminal moved to `$HOME/work` by the shell itself."""
    window: MainWindow = make_window(settings, wait_model=False)
    window.open_conversation(conversation)
    assert window.terminal.session.home == home
    window.terminal.queue.submit(RunRequest('cd "$HOME/work"', "user"))
    qtbot.waitUntil(lambda: window.terminal.session.cwd == home / "work"
                    and not window.terminal.queue.busy, timeout=SHELL_TIMEOUT_MS)
    return window


@needs_sandbox
def test_destructive_commands_run_by_default_change_nothing_outside_the_working_folder(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, home: Path,
) -> None:
    conversation, reply = reply_proposing(*DESTRUCTIVE)
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.open_conversation(conversation)
    first = cards_of(window, reply)[0]
    qtbot.waitUntil(lambda: first.sandbox_ok is True, timeout=SHELL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.terminal.session.alive, timeout=SHELL_TIMEOUT_MS)
    assert window.terminal.session.cwd == home
    first.run_button.click()  # the terminal sits in the home folder: refused, in the card
    assert window.confirm_dialog is None and "home folder" in first.notice.text()

    window = window_in_work(qtbot, make_window, ui_settings, conversation, home)
    before = tree_digest(home, skip=home / "work")
    assert ".ssh/id_ed25519" in before and ".bashrc" in before
    for index, command in enumerate(DESTRUCTIVE):
        card = cards_of(window, reply)[index]
        assert card.proposed == command and card.sandbox_ok is True
        card.run_button.click()
        dialog = window.confirm_dialog
        assert dialog is not None, "no allow rules: every proposal asks"
        assert "inside the sandbox" in dialog.findChild(type(dialog.reasons_label)).text()
        if dialog.typed:
            dialog.confirm_edit.setText(CONFIRM_WORD)
        dialog.run_button.click()
        qtbot.waitUntil(lambda i=index: cards_of(window, reply)[i].badge.text()
                        .endswith("· sandboxed"), timeout=SHELL_TIMEOUT_MS)
    assert tree_digest(home, skip=home / "work") == before
    assert (home / "work").is_dir()
    db = open_db()
    runs = store.commands_for_message(db, reply)
    db.conn.close()
    assert [run["command"] for run in runs] == DESTRUCTIVE
    assert all(run["sandboxed"] == 1 and run["network"] == 0 for run in runs)
    assert any("Read-only file system" in run["output_tail"] for run in runs)


@needs_sandbox
def test_the_same_commands_outside_the_sandbox_need_the_typed_word(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, home: Path,
) -> None:
    ui_settings.terminal.allow_rules = ["*", "re:.*"]  # never enough to leave the sandbox
    conversation, reply = reply_proposing(*DESTRUCTIVE)
    window = window_in_work(qtbot, make_window, ui_settings, conversation, home)
    before = tree_digest(home)
    untyped = []
    for index, command in enumerate(DESTRUCTIVE):
        card = cards_of(window, reply)[index]
        qtbot.waitUntil(lambda c=card: c.sandbox_ok is True, timeout=SHELL_TIMEOUT_MS)
        card.outside_button.click()
        dialog = window.confirm_dialog
        assert dialog is not None, f"{command!r} would have run outside without a dialog"
        assert OUTSIDE_REASON in dialog.decision.reasons
        if not dialog.typed:
            untyped.append(command)
        dialog.cancel_button.click()
        qtbot.waitUntil(lambda: window.confirm_dialog is None)
    qtbot.wait(300)
    assert tree_digest(home) == before
    db = open_db()
    assert store.commands_for_message(db, reply) == []
    db.conn.close()
    assert set(untyped) <= BEYOND_DENY_LIST, "the deny list's own scope needs the typed word"


class LocalServer:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    yield local
    local.close()


@needs_sandbox
def test_a_command_that_needs_the_network_is_offered_it(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, home: Path,
    server: LocalServer,
) -> None:
    command = (f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', "
               f"{server.port}), timeout=5).close(); print('reached')\"")
    conversation, reply = reply_proposing(command)
    window = window_in_work(qtbot, make_window, ui_settings, conversation, home)
    card = cards_of(window, reply)[0]
    qtbot.waitUntil(lambda: card.sandbox_ok is True, timeout=SHELL_TIMEOUT_MS)
    assert card.network_box.isVisible() and not card.network_box.isChecked()
    assert card.network_button.isHidden()

    card.run_button.click()
    dialog = window.confirm_dialog
    assert dialog is not None
    dialog.run_button.click()
    qtbot.waitUntil(lambda: cards_of(window, reply)[0].badge.text() == "exit 1 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)
    card = cards_of(window, reply)[0]
    assert server.connections == 0
    assert card.network_button.isVisible()
    assert card.notice.isVisible() and card.notice.text() == NETWORK_NOTE

    card.network_button.click()
    dialog = window.confirm_dialog
    assert dialog is not None and "with the network" in dialog.findChild(
        type(dialog.reasons_label)).text()
    dialog.run_button.click()
    qtbot.waitUntil(lambda: cards_of(window, reply)[0].badge.text()
                    == "exit 0 · sandboxed, network allowed", timeout=SHELL_TIMEOUT_MS)
    card = cards_of(window, reply)[0]
    assert server.connections == 1
    assert card.network_button.isHidden() and card.notice.isHidden()
    assert not card.network_box.isChecked(), "the network was allowed for that run only"
    db = open_db()
    runs = store.commands_for_message(db, reply)
    db.conn.close()
    assert [(run["sandboxed"], run["network"], run["exit_code"]) for run in runs] == [
        (1, 0, 1), (1, 1, 0)]


def test_without_a_sandbox_the_window_says_so_once_and_asks_as_before(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    why = "bubblewrap is not installed (install the 'bubblewrap' package)"
    monkeypatch.setattr(runner, "_SANDBOX", runner._SandboxProbe())
    monkeypatch.setattr(runner, "sandbox_available", lambda: (False, why))
    shown: list[str] = []
    original = Banner.show_message
    monkeypatch.setattr(Banner, "show_message", lambda self, text, action_text="": (
        shown.append(text), original(self, text, action_text)))
    ui_settings.terminal.allow_rules = ["echo *"]
    conversation, reply = reply_proposing("echo one", "echo two")
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.open_conversation(conversation)
    qtbot.waitUntil(lambda: bool(shown), timeout=SHELL_TIMEOUT_MS)
    qtbot.wait(200)
    assert len(shown) == 1 and "without a sandbox" in shown[0] and why in shown[0]
    assert window.banner.isVisible()
    first, second = cards_of(window, reply)
    qtbot.waitUntil(lambda: first.sandbox_ok is False and second.sandbox_ok is False,
                    timeout=SHELL_TIMEOUT_MS)
    assert first.run_button.isEnabled() and why in first.run_button.toolTip()
    assert first.outside_button.isHidden() and first.network_box.isHidden()
    first.run_button.click()
    dialog = window.confirm_dialog
    assert dialog is not None and not dialog.typed, "allow rules never run a command unsandboxed"
    assert OUTSIDE_REASON not in dialog.decision.reasons
    dialog.cancel_button.click()
    assert len(shown) == 1
    assert os.environ.get("HOME")


@needs_sandbox
def test_a_reply_steered_by_a_hub_skill_never_runs_a_command_without_a_click(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, home: Path,
) -> None:
    """Allow rules are the user's trust in their own assistant; a reply that had a skill
    from the community hub in its prompt asks before each command, rules or not."""
    ui_settings.terminal.allow_rules = ["echo *"]
    db = open_db()
    library = SkillLibrary(db, home / "skills")
    hub = library.add(Skill(name="greet-loudly", description="Greet", body="Say hello.",
                            community_origin="hub.example.org/skills/7"))
    own = library.add(Skill(name="my-own", description="Mine", body="Be brief."))
    conversation = conv.create_conversation(db, "Hub")
    conv.add_message(db, conversation, "user", "Say hello")
    steered = conv.add_message(db, conversation, "assistant", "```bash\necho from-hub\n```",
                               skills_used=[{"id": hub.id, "name": hub.name},
                                            {"id": own.id, "name": own.name}])
    conv.add_message(db, conversation, "user", "Again")
    plain = conv.add_message(db, conversation, "assistant", "```bash\necho mine\n```",
                             skills_used=[{"id": own.id, "name": own.name}])
    assert conv.community_skills_used(db, steered) == ["greet-loudly"]
    assert conv.community_skills_used(db, plain) == []
    window = window_in_work(qtbot, make_window, ui_settings, conversation, home)

    (card,) = cards_of(window, plain)
    qtbot.waitUntil(lambda: card.sandbox_ok is True, timeout=SHELL_TIMEOUT_MS)
    card.run_button.click()
    assert window.confirm_dialog is None, "the user's own allow rule runs it in the sandbox"
    (card,) = cards_of(window, steered)
    card.run_button.click()
    dialog = window.confirm_dialog
    assert dialog is not None and not dialog.typed
    assert "community hub" in dialog.decision.reasons[0] and "greet-loudly" in (
        dialog.decision.reasons[0])
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: cards_of(window, plain)[0].badge.text() == "exit 0 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)
    assert store.commands_for_message(db, steered) == []
    db.conn.close()
