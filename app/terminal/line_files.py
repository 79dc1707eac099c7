"""Files a command line writes before it uses them, and what is in them.

Why: a file written and then run on the same line is that code, however it is written —
`echo … > f`, `printf … > f`, `cat > f <<'EOF'`, `tee f <<< …` — and a process substitution
(`nmap --script <(echo …)`, `smbd --configfile=<(printf …)`) is a file whose text is on the
line too. The inspector keeps these texts by name, so that the program that later reads the
file (a shell, an interpreter, a `--script` option, a server's configuration) is judged on
what it will read, not on the file's name.
"""

from __future__ import annotations

from app.terminal.command_words import (
    Resolved,
    expand_variables,
    is_decoder,
    option_values,
    printed_text,
    resolve,
)
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command
from app.terminal.static_text import pipeline_output, static_output

PROCESS_FILE = "/dev/fd/63"  # the name `shell_syntax` gives a process substitution
# Decoders of text encodings, the usual way to hide code (decompressors are not among them).
_DECODERS = frozenset({"base64", "base32", "basenc", "xxd", "openssl", "uudecode"})


def written_text(resolved: Resolved, command: Command) -> str | None:
    """The text a command writes out: what `echo`/`printf` print, or the here-document or
    here-string that `cat` or `tee` copies."""
    printed = printed_text(resolved)
    if printed is not None:
        return printed
    files = [a for a in resolved.args if not a.startswith("-")]
    copies = (resolved.name == "cat" and files in ([], ["-"])) or resolved.name == "tee"
    return command.stdin_text if copies else None


def files_written(resolved: Resolved, command: Command,
                  variables: dict[str, str]) -> dict[str, str]:
    """File name → text for every file this command writes whose text is on the line."""
    found: dict[str, str] = {}
    text = written_text(resolved, command)
    if text is None and (command.upstream or command.stdin_text is not None):
        text = pipeline_output([*command.upstream, command])  # `echo … | base64 -d > f`
    if text is not None:
        for redirect in command.redirects:
            if redirect.op in WRITE_REDIRECT_OPS:
                found[expand_variables(redirect.target.text, variables)] = text
        if resolved.name == "tee":
            found |= {arg: text for arg in resolved.args if not arg.startswith("-")}
    for word in command.words:
        for inner in word.substitutions if word.process_substitution else []:
            if (output := static_output(inner)) is not None:
                found[PROCESS_FILE] = output
    return found


def unreadable_files(resolved: Resolved, command: Command, variables: dict[str, str],
                     written: dict[str, str]) -> set[str]:
    """Files this command writes from decoded text that cannot be computed (`base64 -d
    blob > f`, `… | xxd -r -p > f`; not a decompressed archive): run later on the line, they
    are code nobody can read first. Files whose text is known (`written`) are not among
    them."""
    stages = [resolved, *(resolve([w.text for w in up.words]) for up in command.upstream)]
    if not any(is_decoder(stage) and stage.name in _DECODERS for stage in stages):
        return set()
    targets = {expand_variables(r.target.text, variables) for r in command.redirects
               if r.op in WRITE_REDIRECT_OPS}
    targets |= set(option_values(resolved.args, {"-out", "-o", "--output"}))
    return {target.removeprefix("./") for target in targets if target not in written}
