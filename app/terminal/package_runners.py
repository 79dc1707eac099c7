"""Package runners that fetch a package from a registry and run it, with nobody asked.

Why: `npx tsc` runs the project's own copy, and when the package is missing npx asks before
it downloads; `npx -y pkg`, `npm exec --yes`, `pnpm dlx`, `yarn dlx`, `bunx`, `uvx` and
`pipx run` download whatever the name points to today and run it at once. That is the
same act as piping a download into a shell, whatever the runner: the rule is "a runner
told (or built) to fetch and run a package without asking", and each runner's own way of
saying so is listed here (the only honest way: there is no shared spelling). A tool every
project of its language knows by that exact name (`uvx ruff check .`, `bunx prettier`), run
with no option before it that could change where it comes from, is the registry's own copy
of it — as `pip install ruff` is — and stays single-click; a name one letter off, `--from`,
`--with` or an index is not that tool.
"""

from __future__ import annotations

import re

from app.terminal.command_words import program_and_args
from app.terminal.shell_syntax import Command

# Runners that fetch a missing package without asking, whatever their options.
_ALWAYS = frozenset({"bunx", "pnpx", "uvx", "pkgx", "jbang", "dnx"})
_ALWAYS_SUBCOMMANDS = frozenset({("dotnet", "tool"), ("pnpm", "dlx"), ("yarn", "dlx"),
                                 ("pnpm", "create"),
                                 ("yarn", "create"), ("bun", "x"), ("bun", "create"),
                                 ("pipx", "run"), ("uv", "tool"), ("deno", "x"),
                                 ("cs", "launch"), ("coursier", "launch"), ("gem", "exec"),
                                 ("dotnet", "dnx")})
# Runners that fetch only when the package is named by a source nobody curates: a flake
# from a repository or an address (`nix run github:u/r`; `nixpkgs#hello` is curated), an
# npm or jsr package run by deno (`deno run -A npm:x`).
_FOREIGN_SOURCE = {("nix", "run"), ("nix", "shell"), ("nix", "develop"), ("deno", "run")}
_FOREIGN_REF = re.compile(r"^(?:github|gitlab|sourcehut|git\+\w+|https?|tarball\+\w+|"
                          r"file\+\w+|npm|jsr):")
# Runners that ask first, unless told yes.
_ASKING = frozenset({"npx"})
_ASKING_SUBCOMMANDS = frozenset({("npm", "exec"), ("npm", "x"), ("npm", "init"),
                                 ("npm", "create")})
_YES = frozenset({"-y", "--yes", "--yes=true"})
_HELP = frozenset({"-h", "--help", "--version", "-v"})
# Developer tools known by these exact names in their language's default registry: the
# linters, formatters, type checkers and test runners a project's own config pins.
_PYTHON_TOOLS = frozenset({"ruff", "black", "mypy", "pytest", "isort", "flake8", "pylint",
                           "pyright", "pre-commit", "tox", "nox", "twine", "build", "codespell",
                           "yamllint", "sqlfluff", "bandit", "pip-audit", "cookiecutter"})
_JS_TOOLS = frozenset({"prettier", "eslint", "typescript", "jest", "vitest", "stylelint",
                       "markdownlint-cli", "@biomejs/biome", "npm-check-updates", "vite"})
_KNOWN_TOOLS = {"uvx": _PYTHON_TOOLS, "uv": _PYTHON_TOOLS, "pipx": _PYTHON_TOOLS,
                **dict.fromkeys(("bunx", "pnpx", "bun", "pnpm", "yarn", "npx", "npm"), _JS_TOOLS)}


def _package_named(args: list[str]) -> bool:
    """Whether the runner's words name a package (not only options: `npm init -y`)."""
    return any(not arg.startswith("-") for arg in args) or any(
        arg.startswith(("--package=", "-p")) for arg in args)


def _known_tool(name: str, rest: list[str]) -> bool:
    """`uvx ruff check .`: the first word is a tool its registry is known for, by its exact
    name (a version pin aside), and no option before it can change what is fetched."""
    words = [a for a in rest if a not in _YES]
    if not words or words[0].startswith("-"):
        return False
    package = re.sub(r"(?<=.)@[^/]*$|[=<>~!]=.*$", "", words[0])
    return package in _KNOWN_TOOLS.get(name, frozenset())


def runner_reasons(commands: list[Command]) -> list[str]:
    """Reasons for commands that fetch a package and run it with no one asked."""
    reasons = []
    for command in commands:
        name, args = program_and_args(command)
        if name == "corepack" and args:  # `corepack pnpm dlx …`: the manager it wraps
            name, args = args[0], args[1:]
        if _HELP & set(args):
            continue
        sub = args[:1]
        rest = args[1:] if (name, *sub) in _ALWAYS_SUBCOMMANDS | _ASKING_SUBCOMMANDS else args
        # `uv tool run` and `dotnet tool exec` fetch and run; `… tool install` only installs
        # (and `dotnet tool run` runs a tool the project's manifest already pinned).
        verb = {"uv": ["run"], "dotnet": ["exec"]}.get(name)
        if (name, *sub) in (("uv", "tool"), ("dotnet", "tool")):
            if args[1:2] != verb:
                continue
            rest = args[2:]
        always = name in _ALWAYS or (name, *sub) in _ALWAYS_SUBCOMMANDS or (
            (name, *sub) in _FOREIGN_SOURCE and any(_FOREIGN_REF.match(a) for a in rest))
        told_yes = bool(_YES & set(rest)) or any(
            word.text in ("npm_config_yes=true", "NPM_CONFIG_YES=true") for word in command.words)
        asking = name in _ASKING or (name, *sub) in _ASKING_SUBCOMMANDS
        if (always or (asking and told_yes)) and not _known_tool(name, rest) and _package_named(
                [a for a in rest if a not in _YES and a != "run"]):
            reasons.append(f"fetches a package from the registry and runs it at once, "
                           f"without asking ({name} {' '.join(args[:2])})")
    return reasons
