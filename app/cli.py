"""The ``flywheel`` command line: GUI launcher, terminal chat, doctor, model list.

Heavy modules are imported inside the sub-command that needs them, so ``flywheel doctor``
does not load Qt and nothing here imports torch unless asked to report its version.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

NO_DISPLAY_MESSAGE = (
    "Flywheel's window needs a display, and none was found (DISPLAY and WAYLAND_DISPLAY "
    "are not set).\nRun `flywheel chat` for the terminal chat on the same model and data, "
    "or start Flywheel from a desktop session."
)


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_gui(_args: argparse.Namespace) -> int:
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    from app.ui.app import run_gui

    return run_gui()


def cmd_chat(args: argparse.Namespace) -> int:
    from app import settings as settings_mod
    from app.assistant import Turn, runtime_from_settings
    from app.model.catalog import ModelFileError
    from app.store import conversations as conv
    from app.store.db import open_db

    settings = settings_mod.load()
    if settings.load_error:
        print(f"warning: {settings.load_error}", file=sys.stderr)
    db = open_db()
    runtime = runtime_from_settings(settings)
    try:
        runtime.load()
    except ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    conversation_id = args.conversation or conv.create_conversation(db)
    interactive = sys.stdin.isatty()
    print(f"Flywheel chat on {runtime.path.name}. /new starts over, /quit leaves.")
    while True:
        try:
            line = input("you> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        text = line.strip()
        if not text:
            continue
        if text == "/quit":
            return 0
        if text == "/new":
            conversation_id = conv.create_conversation(db)
            print("(new conversation)")
            continue
        if not conv.current_path(db, conversation_id):
            conv.rename_conversation(db, conversation_id, text[:60])
        cancel = threading.Event()
        turn = Turn(db, runtime, settings, conversation_id, user_text=text, cancel=cancel)
        print("flywheel> ", end="", flush=True)
        try:
            for piece in turn:
                print(piece, end="", flush=True)
        except KeyboardInterrupt:
            cancel.set()
            for _ in turn:
                pass
            print(" [stopped]", end="")
        print()


def cmd_doctor(_args: argparse.Namespace) -> int:
    from app.doctor import report

    ok = True
    for label, value, good in report():
        ok = ok and good
        print(f"{'ok ' if good else '!! '} {label:<22} {value}")
    return 0 if ok else 1


def cmd_models(args: argparse.Namespace) -> int:
    from app import settings as settings_mod
    from app.assistant import configured_model_path
    from app.model.catalog import ModelFileError, embedded_model_path, model_info

    settings = settings_mod.load()
    if args.action == "add":
        path = Path(args.path).expanduser().resolve()
        try:
            info = model_info(path)
        except ModelFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if str(path) not in settings.model.local_models:
            settings.model.local_models.append(str(path))
        if args.use:
            settings.model.path = str(path)
        settings_mod.save(settings)
        print(f"added {info.name} ({info.architecture}, {info.size_bytes / 1e6:.0f} MB)")
        return 0
    if args.action == "use":
        settings.model.path = "" if args.path == "default" else str(Path(args.path).resolve())
        settings_mod.save(settings)
        print(f"now using {configured_model_path(settings)}")
        return 0
    current = configured_model_path(settings)
    for path in [embedded_model_path(), *map(Path, settings.model.local_models)]:
        mark = "*" if path == current else " "
        try:
            info = model_info(path)
            size_mb = info.size_bytes / 1e6
            detail = f"{info.architecture}, ctx {info.context_length}, {size_mb:.0f} MB"
        except ModelFileError as exc:
            detail = f"unusable: {exc.reason}"
        print(f"{mark} {path}  ({detail})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flywheel", description="A local assistant that learns from you, on your machine."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="open the desktop window (the default)").set_defaults(func=cmd_gui)
    chat = sub.add_parser("chat", help="chat in the terminal")
    chat.add_argument("--conversation", type=int, help="continue this conversation id")
    chat.set_defaults(func=cmd_chat)
    sub.add_parser("doctor", help="check the installation").set_defaults(func=cmd_doctor)
    models = sub.add_parser("models", help="list, add or choose GGUF models")
    models.add_argument("action", nargs="?", choices=["list", "add", "use"], default="list")
    models.add_argument("path", nargs="?", help="GGUF file (or 'default' with use)")
    models.add_argument("--use", action="store_true", help="with add: also switch to it")
    models.set_defaults(func=cmd_models)
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return cmd_gui(args)
    if args.command == "models" and args.action in ("add", "use") and not args.path:
        parser.error(f"models {args.action} needs a path")
    return int(args.func(args))
