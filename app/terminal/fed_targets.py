"""Precious files named by one command and destroyed by another on the same line.

Why: `rm ~/.bashrc` names its target; `echo ~/.zshrc | xargs truncate -s 0`, `while read f;
do rm "$f"; done < <(ls ~/.ssh/id_*)` and `find ~ -maxdepth 1 -name '.*rc' -exec sh -c
': > "$1"' _ {} \\;` hand the same targets over through a pipe, a loop or find's `{}`. What
is judged is the pair: a listing on the line names a start-up file, a login file or a key
(`ls`, `echo`, a here-string, find's start and `-name`), and a command takes its targets
from that listing (xargs, a variable, `{}`) and deletes, empties or overwrites them. A
listing shown or counted (`ls ~/.ssh/id_* | wc -l`) stays quiet.
"""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.command_words import program_and_args
from app.terminal.program_checks import find_roots
from app.terminal.shell_syntax import Command, ShellSyntaxError, parse

# Programs that destroy or empty the files they are given.
_DESTROYERS = frozenset({"rm", "shred", "unlink", "truncate", "srm", "wipe", "tee", "dd"})
_LISTERS = frozenset({"ls", "echo", "printf", "find", "cat", "compgen"})
# A target handed over rather than written: a variable, find's `{}`.
_HANDED = re.compile(r"\$\{?(?:\w+|@|\*)\}?|\{\}")
# Code that empties or deletes what it is handed (find's `-exec sh -c '…' _ {}`).
_DESTROYS = re.compile(r"(?:^|[\s;:&|(])(?:rm|shred|truncate|unlink|tee|dd)\b"
                       r"|>\s*[\"']?(?:\$|\{\})")


def _precious(name: str) -> str | None:
    return paths.precious_file(name.strip("'\""))


def _listed(command: Command) -> list[str]:
    """Precious files a listing command names (its own words, or find's start and -name)."""
    name, args = program_and_args(command)
    if name == "find":
        roots, expression = find_roots(args)
        names = [b for a, b in pairwise(expression) if a in ("-name", "-iname")]
        found = []
        for root in roots:
            path = paths.expand(root)
            if path is None:
                continue
            for pattern in names:
                pattern = pattern.strip("'\"")
                found += [f"{root}/{start}" for start in sorted(paths.STARTUP_FILES)
                          if fnmatchcase(start, pattern) and path == paths.home()]
                if fnmatchcase("id_rsa", pattern) and posixpath.basename(path) == ".ssh":
                    found.append(f"{root}/{pattern}")
        return found
    if name not in _LISTERS:
        return []
    return [a for a in args if not a.startswith("-") and _precious(a)]


def _fed_listing(command: Command, listed: dict[int, list[str]]) -> list[str]:
    """What the commands feeding `command` name (`listed`: what each command of the line
    names): pipes, here-strings, `< <(…)`."""
    named = [n for upstream in command.upstream for n in listed.get(id(upstream), [])] \
        if any(listed.values()) else []
    if command.stdin_text:
        named += [w for w in command.stdin_text.split() if _precious(w)]
    for redirect in command.redirects:
        for inner in redirect.target.substitutions if redirect.op == "<" else []:
            try:
                named += [n for c in parse(inner) for n in _listed(c)]
            except ShellSyntaxError:
                continue
    return named


def _destroys(command: Command) -> bool:
    """Whether a command (or what xargs or find -exec runs) destroys targets handed to it."""
    name, args = program_and_args(command)
    if name in ("xargs", "parallel"):
        return bool(_DESTROYERS & {posixpath.basename(a) for a in args})
    if name == "find":
        inner = " ".join(" ".join(args[i + 1:]) for i, a in enumerate(args)
                         if a in ("-exec", "-execdir", "-ok", "-okdir"))
        return bool(_DESTROYS.search(inner)) or "-delete" in args
    redirected = any(r.op in (">", ">|") and _HANDED.search(r.target.text)
                     for r in command.redirects)
    return redirected or (name in _DESTROYERS and any(_HANDED.search(a) for a in args))


def fed_target_reasons(commands: list[Command]) -> list[str]:
    """Reasons for precious files listed on the line and destroyed by what they are fed to."""
    listed = {id(command): _listed(command) for command in commands}
    fed = {id(command): _fed_listing(command, listed) for command in commands}
    loop_fed = [n for names in fed.values() for n in names]
    reasons = []
    for command in commands:
        named = fed[id(command)] or (loop_fed if not command.upstream else [])
        name, _args = program_and_args(command)
        if name == "find" and _destroys(command):
            named = _listed(command)
        if named and _destroys(command):
            described = _precious(named[0]) or named[0]
            reasons.append(f"deletes or empties {described}, named by a listing on the line")
    return reasons
