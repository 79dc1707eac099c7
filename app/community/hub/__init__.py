"""The community hub service and its command line (``flywheel hub serve|token``).

Nothing here imports FastAPI or uvicorn until a hub command runs, so the desktop app and the
rest of the CLI never pay for them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DB = Path("flywheel-hub.db")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``hub serve`` and ``hub token`` to a parent CLI's sub-commands."""
    hub = sub.add_parser("hub", help="run a community hub (for the people who host one)")
    _add_actions(hub)


def _add_actions(parser: argparse.ArgumentParser) -> None:
    """``serve`` and ``token`` under ``parser`` (``flywheel hub`` or ``python -m …hub``)."""
    actions = parser.add_subparsers(dest="hub_command", required=True)
    serve = actions.add_parser("serve", help="serve the hub's HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", type=Path, default=DEFAULT_DB, help="the hub's SQLite file")
    serve.add_argument("--endorsements", type=int, default=2,
                       help="endorsements by other members before a skill is shown")
    serve.set_defaults(func=cmd_serve)
    token = actions.add_parser("token", help="issue a membership token (printed once)")
    token.add_argument("--db", type=Path, default=DEFAULT_DB)
    token.add_argument("--label", default="", help="a note on who the token is for")
    token.set_defaults(func=cmd_token)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the hub; TLS belongs to the reverse proxy in front of it (see docs/community.md)."""
    import uvicorn

    from app.community.hub.app import ADMIN_TOKEN_ENV, HubSettings, create_app
    from app.community.hub.storage import SqliteHubStorage

    settings = HubSettings.from_env(endorsements_required=max(1, args.endorsements))
    if settings.admin_token is None:
        print(f"note: {ADMIN_TOKEN_ENV} is not set; moderation and token issuing over HTTP "
              "are off (use `flywheel hub token`)", file=sys.stderr)
    app = create_app(SqliteHubStorage(args.db), settings)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from app.community.hub.storage import SqliteHubStorage

    storage = SqliteHubStorage(args.db)
    try:
        print(storage.issue_token(args.label))
    finally:
        storage.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.community.hub")
    _add_actions(parser)
    args = parser.parse_args(argv)
    return int(args.func(args))
