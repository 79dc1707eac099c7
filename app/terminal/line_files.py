"""Files a command line writes before it uses them, and what is in them.

Why: a file written and then run on the same line is that code, however it is written —
`echo … > f`, `printf … > f`, `cat > f <<'EOF'`, `tee f <<< …` — and a process substitution
(`nmap --script <(echo …)`, `smbd --configfile=<(printf …)`) is a file whose text is on the
line too. The inspector keeps these texts by name, so that the program that later reads the
file (a shell, an interpreter, a `--script` option, a server's configuration) is judged on
what it will read, not on the file's name.
"""

from __future__ import annotations

from app.terminal.command_words import Resolved, expand_variables, printed_text
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command
from app.terminal.static_text import static_output

PROCESS_FILE = "/dev/fd/63"  # the name `shell_syntax` gives a process substitution


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
