"""Code a shell or an interpreter reads on its standard input, as the deny list reads it.

Why: `… | sh`, `sh <<'EOF'`, `python3 - <<< …` hand code over the input instead of the
command line, and what arrives there may be written on the line, computed by text tools,
downloaded, decoded, or printed by another program. This part of the walker decides which
of these it can read (and then reads it like any other code) and which it cannot (and then
says why that alone needs typing).
"""

from __future__ import annotations

import re

from app.terminal.command_words import (
    DOWNLOADERS,
    INTERPRETERS,
    is_decoder,
    printed_text,
    resolve,
)
from app.terminal.computed_names import static_words
from app.terminal.pipe_checks import PIPE_DOWNLOAD, fetches, name_args, starts_from_literal
from app.terminal.shell_syntax import Command
from app.terminal.static_text import pipeline_output, quoted_literals, static_output


def fetched_input(command: Command) -> bool:
    """Whether `command`'s input is redirected from a download (`< <(curl …)`)."""
    return any(redirect.op == "<" and redirect.target.process_substitution and any(
        map(fetches, redirect.target.substitutions)) for redirect in command.redirects)


class FedCode:
    """The walker's reading of standard input; mixed into `deny_list`'s inspector, whose
    `inspect` and `inspect_program_text` it calls and whose findings it adds to."""

    reasons: list[str]
    certain: bool

    def inspect(self, text: str, depth: int, fed_download: bool = False,
                parameters: dict[str, str] | None = None, feed: Command | None = None) -> None:
        raise NotImplementedError

    def inspect_program_text(self, code: str, depth: int, host: str = "a script") -> None:
        raise NotImplementedError

    def stdin_code(self, name: str, command: Command, depth: int, variables: dict[str, str],
                   parameters: dict[str, str] | None = None) -> None:
        """Code arriving on stdin: a here-document, or whatever is piped in; `parameters`
        are the `$1` … the shell reading it was given (`bash -s ~ <<< 'rm -rf "$1"'`).

        Text written on the line and reshaped on its way in (`rev <<< … | sh`) is computed
        when the tools are known (`static_text`); when they are not, the code that runs is
        hidden from the reader, which alone asks for the typed confirmation."""
        self._redirected_code(name, command, depth, parameters)
        upstream = command.upstream
        computed = pipeline_output(upstream) if upstream else None
        if computed is not None and (len(upstream) > 1 or upstream[0].stdin_text is not None
                                     or name_args(upstream[0])[0] not in ("echo", "printf")):
            if name in INTERPRETERS:
                self.inspect_program_text(computed, depth + 1, name)
            else:
                self.inspect(computed, depth + 1, False, parameters)
        elif upstream and computed is None and starts_from_literal(upstream):
            self.reasons.append("runs code that is rebuilt from scrambled text while it runs, "
                                "so nobody can read it first")
        if command.stdin_text is not None:
            if name in INTERPRETERS:
                self.inspect_program_text(command.stdin_text, depth + 1, name)
            else:
                self.inspect(command.stdin_text, depth + 1, False, parameters)
        for upstream in command.upstream:
            source = resolve(*static_words(upstream, variables))
            if source.name in DOWNLOADERS:
                self.reasons.append(PIPE_DOWNLOAD)
            elif is_decoder(source) and computed is None:
                self.reasons.append("runs hidden (encoded) code")
            elif (printed := printed_text(source)) is not None:
                if name in INTERPRETERS:
                    self.inspect_program_text(printed, depth + 1, name)
                else:
                    self.inspect(printed, depth + 1, False, parameters)
            elif source.name == "cat" and upstream.stdin_text is not None:
                self.inspect(upstream.stdin_text, depth + 1, False, parameters)
            elif any(re.match(r"(?:https?|ftp)://", arg) for arg in source.args):
                self.reasons.append(PIPE_DOWNLOAD)  # `lynx -source URL | sh`, any fetcher
            else:  # `jq -rn '"rm -rf ~"' | sh`: what it may print is read as the code
                certain = self.certain
                for literal in quoted_literals(source.args):
                    self.inspect(literal, depth + 1)
                self.certain = certain

    def _redirected_code(self, name: str, command: Command, depth: int,
                         parameters: dict[str, str] | None) -> None:
        """Input redirected from a process substitution (`sh < <(curl …)`, `exec bash <
        <(wget -qO- …)`): a download there is piped in by another spelling, and what a
        command on the line prints there is read as the code."""
        for redirect in command.redirects:
            if redirect.op != "<" or not redirect.target.process_substitution:
                continue
            if fetched_input(command):
                self.reasons.append(PIPE_DOWNLOAD)
                continue
            for inner in redirect.target.substitutions:
                if (printed := static_output(inner)) is not None:
                    if name in INTERPRETERS:
                        self.inspect_program_text(printed, depth + 1, name)
                    else:
                        self.inspect(printed, depth + 1, False, parameters)
