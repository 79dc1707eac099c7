"""What ``flywheel community …`` does (the parser is in :mod:`app.community.cli`).

Each command is one short exchange with the hub configured in the settings, through the
same functions as the window's Community page. Every failure is one line on stderr and exit
code 1: sharing off (and then no request is made at all), a hub that does not answer or
answers nonsense, an unknown id or inbox item.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable

import sqlite_utils

from app import settings as settings_mod
from app.cli import open_db_or_report
from app.community import subscriptions
from app.community.browse import check_remote_id, hub_problem, preview, search
from app.community.client import (
    HubClient,
    HubError,
    HubUnreachableError,
    SharingDisabledError,
    check_hub_url,
    ensure_sharing_allowed,
)
from app.community.feedback import HOLD_S, send_outcome_feedback
from app.settings import Settings
from app.skills.outcomes import trial_note

SHARING_OFF = ("community sharing is turned off, and receiving needs it on too: turn on "
               "Settings → Privacy → Share anonymized skills (your skills are sent only once you "
               "approve each; feedback on imported ones waits an hour in the sharing log)")
Command = Callable[[argparse.Namespace, sqlite_utils.Database, Settings], int]


def run(name: str, args: argparse.Namespace) -> int:
    """Run ``cmd_<name>`` with the settings and database; every expected failure is one line
    on stderr and exit code 1."""
    command: Command = globals()[f"cmd_{name}"]
    settings = settings_mod.load()
    if settings.load_error:
        print(f"warning: {settings.load_error}", file=sys.stderr)
    db = open_db_or_report()
    if db is None:
        return 1
    try:
        return command(args, db, settings)
    except SharingDisabledError:
        print(f"error: {SHARING_OFF}", file=sys.stderr)
    except (HubUnreachableError, HubError) as exc:
        print(f"error: {hub_problem(exc)}", file=sys.stderr)
    except (ValueError, sqlite3.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    finally:
        db.close()
    return 1


def _client(settings: Settings) -> HubClient:
    """The configured hub, after the sharing gate (so a bad address is not even parsed)."""
    ensure_sharing_allowed(settings)
    return HubClient(settings, retries=2)


def cmd_search(args: argparse.Namespace, _db: sqlite_utils.Database,
               settings: Settings) -> int:
    found = search(_client(settings), args.domain, " ".join(args.text) or None)
    if not found:
        print("no skills found")
    for item in found:
        print(f"{item.remote_id}  {item.endorsements:>3} endorsed  {item.name} "
              f"[{', '.join(item.domains)}]: {item.description}")
    return 0


def cmd_show(args: argparse.Namespace, _db: sqlite_utils.Database,
             settings: Settings) -> int:
    shown = preview(_client(settings), check_remote_id(args.id))
    print(shown.markdown())
    return 0


def cmd_import(args: argparse.Namespace, db: sqlite_utils.Database,
               settings: Settings) -> int:
    skill = subscriptions.import_remote(db, _client(settings), check_remote_id(args.id))
    print(f"imported {skill.name} (enabled, {trial_note(skill)})")
    return 0


def cmd_subscribe(args: argparse.Namespace, db: sqlite_utils.Database,
                  settings: Settings) -> int:
    if args.domain is None:
        domains = subscriptions.subscribed(db)
        print("\n".join(domains) if domains else "no subscriptions")
        return 0
    domain = subscriptions.subscribe(db, args.domain)
    print(f"subscribed to {domain}; `flywheel community sync` fetches its skills"
          + ("" if settings.community.share_enabled else " once sharing is on"))
    return 0


def cmd_unsubscribe(args: argparse.Namespace, db: sqlite_utils.Database,
                    _settings: Settings) -> int:
    print(f"unsubscribed from {subscriptions.unsubscribe(db, args.domain)}")
    return 0


def cmd_sync(_args: argparse.Namespace, db: sqlite_utils.Database,
             settings: Settings) -> int:
    report = subscriptions.sync(db, _client(settings))
    print(report.summary())
    for name, reason in report.refused:
        print(f"refused {name}: {reason}")
    return 0


def cmd_inbox(_args: argparse.Namespace, db: sqlite_utils.Database,
              settings: Settings) -> int:
    if not settings.community.hub_url:
        print("no hub configured (Settings → Privacy)")
        return 0
    items = subscriptions.inbox(db, check_hub_url(settings.community.hub_url))
    if not items:
        print("the inbox is empty")
    for item in items:
        state = f"refused: {item.reason}" if item.reason else (
            f"{item.endorsements} endorsed, {', '.join(item.domains) or 'no domain'}")
        print(f"{item.id:>4}  {item.name} ({state}): {item.description}")
    return 0


def cmd_enable(args: argparse.Namespace, db: sqlite_utils.Database,
               settings: Settings) -> int:
    skill = subscriptions.enable(db, _client(settings), args.item)
    print(f"enabled {skill.name} ({trial_note(skill)})")
    return 0


def cmd_dismiss(args: argparse.Namespace, db: sqlite_utils.Database,
                _settings: Settings) -> int:
    subscriptions.dismiss(db, args.item)
    print(f"dismissed inbox item {args.item}")
    return 0


def cmd_trust(args: argparse.Namespace, _db: sqlite_utils.Database,
              settings: Settings) -> int:
    if args.endorsements is not None:
        if args.endorsements < 0:
            raise ValueError("the number of endorsements cannot be negative")
        settings.community.trust_endorsements = args.endorsements
        settings_mod.save(settings)
    n = settings.community.trust_endorsements
    print(f"skills of subscribed domains with at least {n} endorsements are enabled at once"
          if n else "skills of subscribed domains wait in the inbox (trust: 0)")
    return 0


def cmd_feedback(args: argparse.Namespace, db: sqlite_utils.Database,
                 settings: Settings) -> int:
    report = send_outcome_feedback(db, _client(settings), hold_s=0 if args.now else HOLD_S)
    for name in report.queued:
        print(f"queued feedback on {name} (listed in the sharing log, where you can cancel it)")
    for remote, verdict in sorted(report.sent.items()):
        print(f"{verdict} {remote}")
    for remote, detail in report.refused:
        print(f"refused {remote}: {detail}")
    print(report.summary())
    return 0
