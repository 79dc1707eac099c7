"""What the deny list's walk keeps: the simple commands allow rules see, its findings, and
what one command line has set up so far.

Why apart from the walker (`deny_list`): these are plain records shared by the walker and
its parts (`fed_code`) and read by `policy`; keeping them here keeps the walker itself to
the walking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.terminal.shell_syntax import Command


@dataclass(frozen=True)
class Segment:
    """A simple command as an allow rule sees it: program and arguments only, and the parts
    (redirections, substitutions, code, output options, hooks) no rule may cover."""

    text: str
    uncovered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """What the deny list found: reasons, whether it could read everything, and segments.

    `segments` are the simple commands (nested ones included) that allow rules must match.
    """

    reasons: tuple[str, ...]
    certain: bool
    segments: tuple[Segment, ...]


@dataclass
class Line:
    """What one command line has set up so far: a `cd` target, variables, downloaded files."""

    cwd: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    downloaded: set[str] = field(default_factory=set)
    fed_download: bool = False  # the shell running this line is fed a download
    fetched_fd: bool = False  # `exec 3< <(curl …)`: a descriptor opened on a download
    scrambled: set[str] = field(default_factory=set)
    written: dict[str, str] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # written from text nobody can read
    copies: dict[str, str] = field(default_factory=dict)
    functions: dict[str, list[Command]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    loops: dict[str, list[str]] = field(default_factory=dict)
