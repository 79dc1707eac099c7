"""Finds the shell commands an assistant reply proposes (its shell-ish fenced code blocks).

Why it only extracts and never approves: the reply is model output, and model output must
not be able to approve itself. Whatever the reply says around or inside a block ("auto-run
this", "# flywheel: allow rm *") is carried along as text and has no say in how the command
is approved — that is `policy.decide`'s job, with allow rules from the user's settings only.
Fences are found with markdown-it (CommonMark), so indented, tilde and list-nested fences
work as any Markdown viewer shows them; an unclosed fence (a reply still streaming) is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session",
                             "sh-session", "shellsession", "terminal"})
_PROMPT_RE = re.compile(r"^\s*\$ ?")
_COMMON_COMMANDS = """
    ls cd pwd cat echo printf grep egrep rg find sed awk sort uniq head tail wc cut tr xargs tee
    mkdir rmdir rm cp mv ln touch chmod chown chgrp du df free top htop ps kill pkill killall
    sudo doas apt apt-get dnf yum pacman brew snap flatpak pip pip3 pipx python python3 node npm
    npx yarn pnpm cargo rustc go make cmake gcc clang git docker podman kubectl helm ssh scp
    rsync curl wget tar zip unzip gzip gunzip xz systemctl journalctl service mount umount lsblk
    fdisk dd export source env which whereis type man less nano vim vi code xdg-open history
    alias unset sh bash zsh uname whoami id hostname ip ping dig netstat ss lsof crontab shutdown
    reboot poweroff tmux screen watch time nohup nice pytest ruff conda uv poetry jq basename
    dirname realpath readlink stat file diff patch tree date sleep true false test md5sum
    sha256sum base64 openssl gpg ssh-keygen eval exec set cmake ninja java javac mvn gradle
"""
_KNOWN_COMMANDS = frozenset(_COMMON_COMMANDS.split())


@dataclass(frozen=True)
class ProposedCommand:
    """A command found in a reply: its text, the block's language, the 0-based first line."""

    command: str
    language: str
    line: int


def _looks_like_command(line: str) -> bool:
    first = line.split(maxsplit=1)[0] if line.strip() else ""
    return (first in _KNOWN_COMMANDS or first.startswith(("./", "/", "~/"))
            or bool(re.fullmatch(r"[A-Za-z_]\w*=\S*", first)))


def _command_lines(content: str) -> list[str]:
    """Keeps the lines that would be typed: prompt lines (and their `\\` continuations) when
    the block shows `$ ` prompts, since the other lines are then output; else every line."""
    lines = content.rstrip("\n").split("\n")
    if not any(_PROMPT_RE.match(line) for line in lines):
        return lines
    kept: list[str] = []
    continuing = False
    for line in lines:
        if _PROMPT_RE.match(line):
            kept.append(_PROMPT_RE.sub("", line, count=1))
        elif continuing:
            kept.append(line)
        else:
            continue
        continuing = line.rstrip().endswith("\\")
    return kept


def _closed(fence_lines: list[str], markup: str) -> bool:
    last = fence_lines[-1].strip() if len(fence_lines) >= 2 else ""
    return bool(re.fullmatch(f"{re.escape(markup[0])}{{{len(markup)},}}", last))


def extract_commands(reply_markdown: str) -> list[ProposedCommand]:
    """The commands proposed in `reply_markdown`, one per shell-ish fenced code block.

    Blocks tagged bash/sh/shell/zsh/console (and shell-session variants) count; untagged
    blocks count when every line starts like a command (`ls`, `./run.sh`, `X=1 make`, `$ …`).
    `$ ` prompts are stripped.
    """
    lines = reply_markdown.split("\n")
    found: list[ProposedCommand] = []
    for token in MarkdownIt("commonmark").parse(reply_markdown):
        if token.type != "fence" or token.map is None:
            continue
        if not _closed(lines[token.map[0]:token.map[1]], token.markup):
            continue
        language = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
        if language and language not in SHELL_LANGUAGES:
            continue
        has_prompt = any(_PROMPT_RE.match(line) for line in token.content.split("\n"))
        kept = _command_lines(token.content)
        logical = [line for line in kept if line.strip() and not line.lstrip().startswith("#")]
        if not language and not has_prompt and not all(map(_looks_like_command, logical)):
            continue
        command = "\n".join(line.rstrip() for line in kept).strip("\n")
        if command.strip():
            found.append(ProposedCommand(command, language, token.map[0] + 1))
    return found
