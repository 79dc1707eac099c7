"""The ``flywheel community …`` parser: browse a hub, import, subscribe, the inbox, feedback.

Nothing here imports the hub client or the skills: the commands (in
:mod:`app.community.commands`) load when one of them runs, so the rest of the CLI and the
window never pay for them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from app.community.commands import run as run_command

        return run_command(name, args)

    return run


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``community`` and its actions to a parent CLI's sub-commands."""
    community = sub.add_parser("community", help="receive skills from your community hub")
    actions = community.add_subparsers(dest="community_command", required=True)
    found = actions.add_parser("search", help="search the hub's skills")
    found.add_argument("--domain", help="only this domain (e.g. git, shell)")
    found.add_argument("text", nargs="*", help="words in the name or description")
    for name, helptext in (("show", "show a hub skill as it would enter your prompts"),
                           ("import", "import a hub skill (enabled, on trial)")):
        actions.add_parser(name, help=helptext).add_argument(
            "id", help="the skill's hub id (from search)")
    actions.add_parser("subscribe", help="receive a domain's skills (without one: list them)"
                       ).add_argument("domain", nargs="?")
    actions.add_parser("unsubscribe", help="stop receiving a domain's skills"
                       ).add_argument("domain")
    actions.add_parser("sync", help="fetch new skills of subscribed domains now")
    actions.add_parser("inbox", help="list fetched skills waiting for you")
    for name, helptext in (("enable", "import an inbox item (enabled, on trial)"),
                           ("dismiss", "drop an inbox item")):
        actions.add_parser(name, help=helptext).add_argument(
            "item", type=int, help="the inbox item's number (from inbox)")
    actions.add_parser("trust", help="show or set N: skills of subscribed domains with at "
                                     "least N endorsements are enabled at once (0: never)"
                       ).add_argument("endorsements", nargs="?", type=int)
    feedback = actions.add_parser(
        "feedback", help="endorse or report imported skills by how they did (each verdict "
                         "waits an hour in the sharing log, where it can be cancelled)")
    feedback.add_argument("--now", action="store_true",
                          help="send the verdicts waiting in the sharing log without waiting")
    for name, action in actions.choices.items():
        action.set_defaults(func=_command(name))
