"""Variables whose value a shell or another program runs as code, and what that code is.

Why: an assignment looks like data, but some variables are programs in disguise. Bash
runs `PROMPT_COMMAND` before each prompt and `BASH_ENV`/`ENV` before a script; it expands
the `$( )` in `PS0`–`PS4` (and zsh in `PROMPT`/`RPROMPT`) each time it prints them, PS4 at
every traced line once `SHELLOPTS=xtrace` or `-x` is on; an exported `BASH_FUNC_name%%` is a
function body the next bash defines; git, ssh, sudo, less and pagers start the program a
`GIT_SSH_COMMAND`, `SSH_ASKPASS`, `LESSOPEN` or `PAGER` names. The rule is one: any
assignment to such a variable is read as the command it carries, by whatever means it is
made (`X=… cmd`, `export`, `env X=…`, `declare`), and judged like any other command.
Names that say they hold a program (`CARGO_TARGET_<triple>_RUNNER`, `…_LINKER`,
`RUSTC_WRAPPER`, any `*_LAUNCHER`) are such variables too, and `PERL5DB` is Perl code run
under `perl -d`, read as `perl -e` would be.
"""

from __future__ import annotations

import re
import shlex

from app.terminal.editor_escapes import ex_shell_commands
from app.terminal.shell_syntax import ShellSyntaxError, parse

# Variables whose whole value is a command line some program runs for you.
COMMAND_VARIABLES = frozenset({
    "PAGER", "GIT_PAGER", "MANPAGER", "SYSTEMD_PAGER", "BAT_PAGER", "DELTA_PAGER", "PSQL_PAGER",
    "GIT_EDITOR", "EDITOR", "VISUAL", "SUDO_EDITOR", "SYSTEMD_EDITOR", "KUBE_EDITOR",
    "SVN_EDITOR", "HGEDITOR", "FCEDIT", "GIT_SEQUENCE_EDITOR", "GIT_SSH_COMMAND", "GIT_SSH",
    "GIT_PROXY_COMMAND", "GIT_EXTERNAL_DIFF", "LESSOPEN", "LESSCLOSE", "LESSEDIT", "BROWSER",
    "PROMPT_COMMAND", "BASH_ENV", "ENV", "SUDO_ASKPASS", "SSH_ASKPASS", "GIT_ASKPASS",
    "RSYNC_RSH", "RSYNC_CONNECT_PROG", "CVS_RSH", "MYSQL_PS1", "FZF_DEFAULT_COMMAND",
    "FZF_CTRL_T_COMMAND", "FZF_ALT_C_COMMAND", "DIFFPROG", "TERMINAL",
})
# Variables naming a file a non-interactive shell reads as code before its own.
SOURCED_FILE_VARIABLES = frozenset({"BASH_ENV", "ENV"})
# Variables named for the program they hold: a build's test runner, linker or wrapper.
_PROGRAM_NAMED = re.compile(r"^[A-Z][A-Z0-9_]*_(?:RUNNER|LINKER|WRAPPER|LAUNCHER)$")
# Prompt strings: the shell expands the substitutions in them each time it prints one.
_PROMPTS = re.compile(r"^(?:PS[0-4]|PROMPT|RPROMPT|RPS[12]|PROMPT[234])$")
# Exported functions: `BASH_FUNC_name%%=() { body; }` (and the older `BASH_FUNC_name()`).
_EXPORTED_FUNCTION = re.compile(r"^BASH_FUNC_\w+(?:%%|\(\))?$")
# Options whose value is a program the tool starts (`TAR_OPTIONS=--to-command=…`).
_OPTION_VARIABLES = {"TAR_OPTIONS": re.compile(r"--(?:to-command|checkpoint-action=exec|"
                                                r"use-compress-program|info-script)=(.+?)(?=\s--|$)")}


def is_code_variable(name: str) -> bool:
    """Whether assigning to `name` hands a program code or a command line to run."""
    return (name in COMMAND_VARIABLES or bool(_PROMPTS.match(name))
            or bool(_PROGRAM_NAMED.match(name)) or name == "PERL5DB"
            or name in ("VIMINIT", "EXINIT", "GVIMINIT", "GIT_CONFIG_PARAMETERS")
            or bool(re.match(r"^GIT_CONFIG_(?:KEY|VALUE)_\d+$", name))
            or bool(_EXPORTED_FUNCTION.match(name)) or name in _OPTION_VARIABLES)


def variable_commands(name: str, value: str) -> list[str]:
    """The shell code that assigning `value` to `name` will have run later ([] for data)."""
    if not value:
        return []
    if name in COMMAND_VARIABLES:
        return [value.lstrip("|")]  # LESSOPEN's `|` means "read the command's output"
    if _PROGRAM_NAMED.match(name):
        return [value]
    if name == "PERL5DB":
        return [f"perl -e {shlex.quote(value)}"]
    if _PROMPTS.match(name):
        return _substitutions(value)
    if _EXPORTED_FUNCTION.match(name):
        body = re.sub(r"^\s*\(\s*\)\s*", "", value)
        return [body.strip().removeprefix("{").removesuffix("}")]
    if name in ("VIMINIT", "EXINIT", "GVIMINIT"):  # ex command lines, run at the start
        return ex_shell_commands(value)
    if re.match(r"^GIT_CONFIG_VALUE_\d+$", name):  # `GIT_CONFIG_KEY_0=core.pager`
        return [value]
    if name == "GIT_CONFIG_PARAMETERS":  # `'core.pager'='…'` pairs, as `git -c` gives them
        return [m.group(1) for m in re.finditer(r"=\s*'((?:[^']|'\\'')*)'", value)]
    if pattern := _OPTION_VARIABLES.get(name):
        return [match.group(1).removeprefix("exec=") for match in pattern.finditer(value)]
    return []


def _substitutions(value: str) -> list[str]:
    """The `$( )` and backtick code in a prompt string, found as the shell would expand it
    (inside double quotes, or bare when quotes in it do not pair up); a prompt that does not
    parse either way but holds a substitution is read whole as one command."""
    for text in ('"' + value.replace('"', '\\"') + '"', value):
        try:
            commands = parse(f": {text}")
        except ShellSyntaxError:
            continue
        return [inner for command in commands
                for word in command.words + [r.target for r in command.redirects]
                for inner in word.substitutions]
    return [value] if re.search(r"\$\(|`", value) else []
