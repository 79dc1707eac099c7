"""Render the real window with a real conversation and save screenshots for the README.

Run ``python packaging/screenshots.py`` (or ``python -m packaging.screenshots``). Without a
display it starts its own ``Xvfb`` (``apt-get install xvfb``) and stops it afterwards. The
conversation is produced by the embedded model in a temporary data folder (the user's own
data is never touched): a coding question, a follow-up whose reply is then corrected through
the real "Correct" dialog. Saves ``flywheel-light.png``, ``flywheel-dark.png`` and
``flywheel-correct.png`` to ``docs/screenshots/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISPLAY_NUMBER = 99
SIZE = (1200, 780)
QUESTIONS = (
    "Write a Python function that reverses a string.",
    "How can I see which folders use the most disk space?",
)
CORRECTION = (
    "Use `du` and sort the result, largest first:\n\n"
    "```bash\ndu -h --max-depth=1 ~ | sort -rh | head -n 10\n```\n\n"
    "`-h` prints human-readable sizes and `--max-depth=1` stops at the first level."
)
SIDEBAR_TITLES = ("Plan a weekend in Lisbon", "Explain git rebase vs merge", "Sourdough timing")


def start_xvfb() -> subprocess.Popen | None:
    """Start a virtual X server when there is no display; return it so it can be stopped."""
    if os.environ.get("DISPLAY"):
        return None
    if shutil.which("Xvfb") is None:
        raise SystemExit("No display and no Xvfb: run `apt-get install -y xvfb` first.")
    server = subprocess.Popen(
        ["Xvfb", f":{DISPLAY_NUMBER}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{DISPLAY_NUMBER}")
    deadline = time.monotonic() + 15
    while not socket.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise SystemExit("Xvfb did not start (is display :99 already taken?)")
        time.sleep(0.1)
    os.environ["DISPLAY"] = f":{DISPLAY_NUMBER}"
    return server


def wait_for(done: Callable[[], bool], timeout_s: float = 600) -> None:
    """Spin the Qt event loop until ``done()``."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.5) -> None:
    """Let queued layout and paint events run before grabbing."""
    end = time.monotonic() + seconds
    wait_for(lambda: time.monotonic() > end)


def build_conversation(window: object) -> None:
    """Ask the questions through the composer, then correct the last reply via its dialog."""
    from PySide6.QtWidgets import QDialogButtonBox

    from app.store import conversations as conv

    for title in SIDEBAR_TITLES:
        conv.create_conversation(window.db, title)
    window.refresh_conversations()
    window.new_chat()
    done: list[int] = []
    window.turn_done.connect(done.append)
    for count, question in enumerate(QUESTIONS, start=1):
        window.composer.edit.setPlainText(question)
        window.composer.button.click()
        wait_for(lambda count=count: len(done) == count)
    window.chat.message_widgets()[-1].correct_button.click()
    dialog = window.correct_dialog
    dialog.editor.setPlainText(CORRECTION)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_for(lambda: window.chat.views()[-1].corrected is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--threads", type=int, default=1, help="model threads (1 is steadiest)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    server = start_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        with tempfile.TemporaryDirectory(prefix="flywheel-screenshots-") as home:
            os.environ["FLYWHEEL_HOME"] = home
            shoot(args.out, args.threads)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    return 0


def shoot(out: Path, threads: int) -> None:
    from PySide6.QtWidgets import QApplication

    from app import settings as settings_mod
    from app.ui import theme
    from app.ui.icons import app_icon
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    settings = settings_mod.Settings()
    settings.model.temperature = 0.0
    settings.model.max_reply_tokens = 160
    settings.model.threads = threads
    settings.ui.theme = "light"
    current = theme.install(app, "light")
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    wait_for(lambda: window.model_ready)
    build_conversation(window)
    window.set_learning_state("waiting for idle")
    out.mkdir(parents=True, exist_ok=True)
    settle()
    window.chat.scroll_to_bottom()
    settle()
    window.grab().save(str(out / "flywheel-light.png"))

    window.chat.message_widgets()[1].correct_button.click()
    settle()
    window.correct_dialog.grab().save(str(out / "flywheel-correct.png"))
    window.correct_dialog.reject()

    current.set_choice("dark")
    settle()
    window.chat.scroll_to_bottom()
    settle()
    window.grab().save(str(out / "flywheel-dark.png"))
    window.close()
    print(f"saved screenshots to {out}")


if __name__ == "__main__":
    raise SystemExit(main())
