"""The ``flywheel`` command line: GUI launcher, terminal chat, doctor, model list.

Heavy modules are imported inside the sub-command that needs them, so ``flywheel doctor``
does not load Qt and nothing here imports torch unless asked to report its version.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlite_utils import Database

    from app.model.runtime import ModelRuntime
    from app.settings import Settings
    from app.terminal.policy import Decision
    from app.terminal.pty_session import PtySession

# Hidden first argument that makes this process the trainer (``python -m trainer``). A frozen
# build has no interpreter that runs ``-m``, so the app starts its own executable with it.
TRAINER_SUBCOMMAND = "trainer"

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


def _storage_errors_reported(command: Callable[[argparse.Namespace], int]
                             ) -> Callable[[argparse.Namespace], int]:
    """Run a sub-command; a storage error becomes one line on stderr and exit code 1."""
    import functools

    @functools.wraps(command)
    def run_command(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except Exception as exc:
            from app.store.db import storage_error_message

            message = storage_error_message(exc)
            if message is None:
                raise
            print(f"error: {message}", file=sys.stderr)
            return 1

    return run_command


def open_db_or_report() -> Database | None:
    """The database for a sub-command that reads or writes it (``export``, ``community``),
    or ``None`` once one line on stderr has said why it cannot be opened (a newer schema, a
    damaged file, a folder that cannot be read): the caller then exits with code 1."""
    import sqlite3

    from app.store.db import SchemaTooNewError, open_db

    try:
        return open_db()
    except (SchemaTooNewError, sqlite3.Error, OSError) as exc:
        print(f"error: cannot open the database: {exc}", file=sys.stderr)
        return None


def _serve_active_adapter(db: Database, runtime: ModelRuntime) -> str:
    """Apply the registry's active adapter for the served model, as the window does; return
    what is served, for the banner. A refused adapter leaves the base model, with a note."""
    from app.learning.registry import AdapterError, AdapterRegistry
    from app.model.catalog import ModelFileError, file_sha256

    try:
        base_sha = file_sha256(runtime.path)
        registry = AdapterRegistry(db)
        path = registry.active_path(base_sha)
        if path is None:
            return ""
        runtime.apply_adapter(path)
    except (AdapterError, ModelFileError, RuntimeError, OSError) as exc:
        print(f"warning: {exc}; using the base model without an adapter", file=sys.stderr)
        return ""
    return f" with adapter v{path.parent.name}"


@_storage_errors_reported
def cmd_chat(args: argparse.Namespace) -> int:
    from app import settings as settings_mod
    from app.assistant import Turn, runtime_from_settings
    from app.model.catalog import ModelFileError
    from app.store import conversations as conv
    from app.store.db import open_db, storage_error_message
    from app.terminal.pty_session import PtySession
    from app.terminal.runner import sandbox_status, shell_environment

    settings = settings_mod.load()
    if settings.load_error:
        print(f"warning: {settings.load_error}", file=sys.stderr)
    db = open_db()
    try:
        runtime = runtime_from_settings(settings)
        runtime.load()
    except ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    adapter = _serve_active_adapter(db, runtime)
    conversation_id: int | None = args.conversation  # a new one is created by its first turn
    unsaved = False  # a turn could not be saved: the exit code says so
    interactive = sys.stdin.isatty()
    shell = PtySession(cwd=Path.cwd(), env=shell_environment())  # started on the first run
    print(f"Flywheel chat on {runtime.path.name}{adapter}. /new starts over, /quit leaves.")
    sandboxed, why_not = sandbox_status()
    if not sandboxed:
        print(f"note: proposed commands run without a sandbox here ({why_not}); "
              "each one is asked first.")
    try:
        while True:
            try:
                line = input("you> " if interactive else "")
            except (EOFError, KeyboardInterrupt):
                print()
                return 1 if unsaved else 0
            text = line.strip()
            if not text:
                continue
            if text == "/quit":
                return 1 if unsaved else 0
            if text == "/new":
                conversation_id = None
                print("(new conversation)")
                continue
            try:
                if conversation_id is None:
                    conversation_id = conv.create_conversation(db)
                if not conv.current_path(db, conversation_id):
                    conv.rename_conversation(db, conversation_id, text[:60])
                cancel = threading.Event()
                turn = Turn(db, runtime, settings, conversation_id, user_text=text,
                            cancel=cancel)
                print("flywheel> ", end="", flush=True)
                try:
                    for piece in turn:
                        print(piece, end="", flush=True)
                except KeyboardInterrupt:
                    cancel.set()
                    for _ in turn:
                        pass
                    print(" [stopped]", end="")
            except Exception as exc:
                message = storage_error_message(exc)
                if message is None:
                    raise
                print(f"\nerror: {message}. This turn was not saved (the text above is all "
                      "there is of it).", file=sys.stderr)
                unsaved = True
                continue
            print()
            if turn.result is not None:
                _offer_commands(db, shell, settings, turn.result.assistant_message_id,
                                turn.result.text)
    finally:
        shell.close()


def _ask(prompt: str) -> str:
    """One answer typed at the terminal, lower-cased; "" for Enter, end of input or Ctrl+C."""
    try:
        return input(prompt).strip()
    except (EOFError, KeyboardInterrupt):
        print()
        return ""


def _typed_or_yes(decision: Decision, question: str) -> bool:
    """The typed word for a command on the deny list (its reasons shown), else y/N."""
    from app.terminal.policy import Approval
    from app.terminal.runner import CONFIRM_WORD

    if decision.approval is Approval.TYPED_CONFIRMATION:
        print("This command can do damage that cannot be undone:")
        for reason in decision.reasons:
            print(f"  - {reason}")
        return _ask(f"Type {CONFIRM_WORD} to run it {question}: ") == CONFIRM_WORD
    return _ask(f"Run it {question}? [y/N] ").lower() in ("y", "yes")


@dataclass
class _RunChoice:
    """How the user chose to run one proposed command in `flywheel chat`."""

    sandboxed: bool
    network: bool = False
    asked: bool = False


def _choose_in_terminal(command: str, decision: Decision, choice: _RunChoice,
                        allow_rules: list[str]) -> bool:
    """Asks how to run a proposed command; No by default. In the sandbox: y, w (with the
    network) or o (outside, which asks again: a click on its own is not enough to leave the
    sandbox). Without a sandbox: y/N as before. The deny list always wants the typed word.

    Only a person at a terminal can approve: with piped input the next scripted line would
    otherwise be read as the answer.
    """
    from app.terminal.policy import Approval, decide

    choice.asked = True
    if not sys.stdin.isatty():
        print("(not run: approving a command needs an interactive terminal)")
        return False
    if not choice.sandboxed:
        return _typed_or_yes(decision, "outside the sandbox")
    answer = _ask("Run in the sandbox? [y]es, [w]ith network, [o]utside the sandbox, [N]o: ")
    answer = answer.lower()[:1]
    if answer in ("y", "w"):
        choice.network = answer == "w"
        where = "in the sandbox" + (" with the network" if choice.network else "")
        typed = decision.approval is Approval.TYPED_CONFIRMATION
        return not typed or _typed_or_yes(decision, where)
    if answer == "o":
        choice.sandboxed = False
        print("Outside the sandbox it runs as you: every file you can change, the network.")
        outside = decide(command, "assistant", allow_rules, sandboxed=False)
        return _typed_or_yes(outside, "outside the sandbox")
    return False


def _offer_commands(db: Database, shell: PtySession, settings: Settings, message_id: int,
                    reply: str) -> None:
    """After a reply, each shell command it proposes is shown and run only if the user says
    so (or one of their allow rules matches it); by default in the sandbox, without the
    network. The exit code is printed and recorded, so the reply is judged by it. Ctrl+C
    while a command runs interrupts the command."""
    from app.store.conversations import community_skills_used
    from app.terminal.proposals import extract_commands
    from app.terminal.runner import (
        RunRequest,
        approved,
        run_and_record,
        run_mode_text,
        sandbox_status,
        session_refusal,
        visible_command,
    )

    timeout = settings.terminal.command_timeout_s
    rules = list(settings.terminal.allow_rules)
    hub_skills = community_skills_used(db, message_id)
    for proposal in extract_commands(reply):
        print(f"\n$ {visible_command(proposal.command)}")
        refusal = session_refusal(shell) if sandbox_status()[0] else None
        if refusal:
            print(f"(no sandbox for this one: {refusal})")
        choice = _RunChoice(sandboxed=sandbox_status()[0] and refusal is None)

        def confirm(command: str, decision: Decision, choice: _RunChoice = choice) -> bool:
            return _choose_in_terminal(command, decision, choice, rules)

        if not approved(proposal.command, rules, confirm, sandboxed=choice.sandboxed,
                        community_skills=hub_skills):
            print("(not run)")
            continue
        if not choice.asked:
            print("(runs in the sandbox without asking: it matches your allow rules)")
        request = RunRequest(proposal.command, "assistant", message_id=message_id,
                             sandboxed=choice.sandboxed, network=choice.network,
                             timeout_s=timeout if timeout > 0 else None)
        previous = signal.signal(signal.SIGINT, lambda *_: shell.interrupt())
        try:
            outcome = run_and_record(db, shell, request, settings=settings)
        except (OSError, RuntimeError, ValueError) as exc:
            print(f"error: the command could not run: {exc}", file=sys.stderr)
            continue
        finally:
            signal.signal(signal.SIGINT, previous)
        if outcome.output_tail:
            print(outcome.output_tail, end="" if outcome.output_tail.endswith("\n") else "\n")
        ending = " (stopped at the time limit)" if outcome.timed_out else ""
        mode = run_mode_text(outcome.sandboxed, outcome.network)
        print(f"[exit {outcome.exit_code}{ending} · {mode}]")


def cmd_smoke_test(args: argparse.Namespace) -> int:
    """Open the window offscreen (unless a platform is chosen), run one turn, print JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.smoke import smoke_main

    return smoke_main(args.message, args.timeout)


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


def cmd_train(args: argparse.Namespace) -> int:
    """Run the trainer now (as the idle scheduler would) with a text progress bar."""
    import subprocess

    from app.learning.trainer_process import parse_event, trainer_command

    extra = ["--max-steps", str(args.max_steps)] if args.max_steps else []
    proc = subprocess.Popen(trainer_command(*extra), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    final: dict = {}
    try:
        for line in proc.stdout:
            event = parse_event(line)
            if event is None:
                continue
            if event["event"] == "progress":
                step, total = event["step"], max(1, event["total"])
                bar = "#" * (30 * step // total)
                print(f"\r[{bar:<30}] {step}/{total} loss {event.get('loss') or 0:.4f}",
                      end="", flush=True)
            elif event["event"] == "phase":
                print(f"\n{event['phase']}…", flush=True)
            elif event["event"] in ("done", "preempted", "error"):
                final = event
    except KeyboardInterrupt:
        proc.terminate()  # the trainer checkpoints; the next run resumes
    code = proc.wait()
    print()
    if final.get("event") == "done":
        version = f" (adapter v{final['version']})" if final.get("version") else ""
        print(f"{final['status']}{version}: {final.get('reason', '')}")
    elif final.get("event") == "preempted":
        print("stopped; the next run resumes from the checkpoint")
    else:
        print(f"error: {final.get('message', f'trainer exited with code {code}')}",
              file=sys.stderr)
    return code


@_storage_errors_reported
def cmd_adapters(args: argparse.Namespace) -> int:
    """List the served model's adapters, or roll back to a version (0: the base model)."""
    import datetime as dt

    from app import settings as settings_mod
    from app.assistant import configured_model_path
    from app.learning.registry import AdapterError, AdapterRegistry
    from app.model.catalog import ModelFileError, file_sha256
    from app.store.db import open_db

    try:
        base_sha = file_sha256(configured_model_path(settings_mod.load()))
        registry = AdapterRegistry(open_db())
        if args.action == "rollback":
            record = registry.rollback(base_sha, args.version)
            print(f"now serving {f'adapter v{record.version}' if record else 'the base model'}")
            return 0
    except (ModelFileError, AdapterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    records = registry.list_versions(base_sha)
    if not records:
        print("no adapters yet for this model")
    for record in records:
        when = dt.datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M")
        reason = record.metrics.get("reason", "")
        print(f"v{record.version:<3} {record.status:<9} {when}  {reason}")
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
    smoke = sub.add_parser("smoke-test", help="open the window offscreen and run one turn")
    smoke.add_argument("--message", help="what to send (default: ask for a short hello)")
    smoke.add_argument("--timeout", type=float, help="seconds to wait for the reply")
    smoke.set_defaults(func=cmd_smoke_test)
    models = sub.add_parser("models", help="list, add or choose GGUF models")
    models.add_argument("action", nargs="?", choices=["list", "add", "use"], default="list")
    models.add_argument("path", nargs="?", help="GGUF file (or 'default' with use)")
    models.add_argument("--use", action="store_true", help="with add: also switch to it")
    models.set_defaults(func=cmd_models)
    from app.community.cli import add_parser as add_community_parser
    from app.community.hub import add_parser as add_hub_parser

    add_community_parser(sub)
    add_hub_parser(sub)
    train = sub.add_parser("train", help="train an adapter on your feedback now")
    train.add_argument("--max-steps", type=int, help="cap on optimizer steps")
    train.set_defaults(func=cmd_train)
    adapters = sub.add_parser("adapters", help="list adapters or roll back to one")
    adapters.add_argument("action", nargs="?", choices=["list", "rollback"], default="list")
    adapters.add_argument("version", nargs="?", type=int, help="with rollback: version, 0 = base")
    adapters.set_defaults(func=cmd_adapters)
    from app.chat_export import add_parser as add_export_parser

    add_export_parser(sub)
    return parser


def run(argv: list[str]) -> int:
    if argv[:1] == [TRAINER_SUBCOMMAND]:  # before argparse: the trainer parses its own argv
        from trainer.__main__ import run_and_exit

        run_and_exit(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return cmd_gui(args)
    if args.command == "models" and args.action in ("add", "use") and not args.path:
        parser.error(f"models {args.action} needs a path")
    return int(args.func(args))
