"""git's own options, the ones written before its subcommand.

Why: `git -C repo push --force origin main`, `git -c user.name=x reflog expire
--expire=now` and `git --git-dir=x/.git rebase -x CMD` do what they do without those
options. A judge that takes the first word not starting with `-` as the subcommand reads
`repo` or `user.name=x` instead, so every judge of a git subcommand reads it from here.
"""

from __future__ import annotations

# Options of git itself that take the next word as their value (`--git-dir=X` is one word).
_VALUED = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env",
                     "--super-prefix", "--attr-source", "--list-cmds"})


def git_subcommand(args: list[str]) -> list[str]:
    """The subcommand and its arguments, git's own options before it left out."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in _VALUED else 1
    return args[index:]
